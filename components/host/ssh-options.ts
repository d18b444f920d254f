// How the docker provider's ssh connection is configured: the provider runs the system `ssh`
// client (and `docker system dial-stdio` on the server), so the key and the known host key are
// files on the operator's machine, named by sshOpts. Pure, tested directly.
import * as crypto from "crypto";
import * as os from "os";
import * as path from "path";

export interface SshTarget {
  readonly address: string;
  readonly user: string;
  readonly port: number;
}

export type HostKeyCheck =
  /** The server's public host key, pinned: anything else is refused. */
  | { readonly hostKey: string }
  /** Trust on first use: the key seen first is recorded and required afterwards (a new EC2 instance). */
  | { readonly trustOnFirstUse: true }
  /** No check at all: only for throwaway machines, and only when asked for by name. */
  | { readonly insecureIgnoreHostKey: true };

/** ssh://user@address:port, the form the docker provider takes. */
export function dockerSshHost(t: SshTarget): string {
  return `ssh://${t.user}@${t.address}:${t.port}`;
}

/**
 * The per-stack directory holding the key and known_hosts files: stable across runs (a changed
 * path would be a provider diff, replacing every container) and outside the repository. It is
 * kept after the run, because `pulumi destroy` reconnects with the provider config in state
 * without running the program; it holds what ~/.ssh holds for a plain ssh user, mode 0700/0600.
 */
export function sshStateDir(scope: { project: string; stack: string }, target: SshTarget, base = path.join(os.homedir(), ".cache", "appstacks", "ssh")): string {
  const id = crypto.createHash("sha256").update(`${scope.project}/${scope.stack}/${target.user}@${target.address}:${target.port}`).digest("hex").slice(0, 16);
  return path.join(base, `${scope.project}-${scope.stack}-${id}`);
}

/** The known_hosts line for a pinned key: [address]:port keytype base64. */
export function knownHostsLine(t: SshTarget, hostKey: string): string {
  const [type, key] = hostKey.trim().split(/\s+/);
  const host = t.port === 22 ? t.address : `[${t.address}]:${t.port}`;
  return `${host} ${type} ${key}\n`;
}

/** The ssh options the provider (and our readiness check) connect with. */
export function sshOptions(dir: string, check: HostKeyCheck, withKey: boolean): string[] {
  const opts = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15"];
  if (withKey) opts.push("-i", path.join(dir, "id"), "-o", "IdentitiesOnly=yes");
  if ("hostKey" in check) opts.push("-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "StrictHostKeyChecking=yes");
  else if ("trustOnFirstUse" in check) opts.push("-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "StrictHostKeyChecking=accept-new");
  else opts.push("-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no");
  return opts;
}

/**
 * An OpenSSH key line: a server's host key as ssh-keyscan prints it, or a user's public key as
 * ssh-keygen writes it (the same format). The config schema checks both with it.
 */
export function isKeyLine(s: string): boolean {
  return /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( .*)?$/.test(s);
}

/** CIDRs that let the whole internet in: SSH from them is refused outside a sandbox. */
const WHOLE_INTERNET = ["0.0.0.0/0", "::/0"];

/** The one rule for where SSH may come from, in the words of its error (`sandbox` as the caller names it). */
export function sshCidrRule(sandboxKey: string): string {
  return `a CIDR narrower than the whole internet (SSH open to the world is refused unless ${sandboxKey} is true)`;
}

/** The positions of the CIDRs the rule refuses. */
export function worldOpenCidrs(cidrs: readonly string[], sandbox: boolean): number[] {
  return sandbox ? [] : cidrs.flatMap((c, i) => (WHOLE_INTERNET.includes(c) ? [i] : []));
}
