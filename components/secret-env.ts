// For images that read a credential only from an environment variable (PEcAn's do): the secret
// still reaches the container as a file, and a small wrapper, uploaded beside it, reads the files
// into the process environment at start and then execs the image's own entrypoint and command.
// `docker inspect` shows only the wrapper, the file paths and the variable names, never a value.
// Pure: a ServiceSpec with `env` on some secrets or files becomes one with a plain entrypoint.
import type { ServiceSpec } from "./app-spec";

/** Where secret files are mounted, the convention of Docker secrets and of `*_FILE` images. */
export const SECRETS_DIR = "/run/secrets";

/** Where the wrapper is uploaded in every container that needs it. */
export const SECRET_ENV_WRAPPER = "/run/appstacks/env-from-files";
/** The wrapper's one setting: `VAR=/path VAR2=/path2`, names and paths only. */
export const SECRET_ENV_VARIABLE = "APPSTACKS_ENV_FROM_FILES";

/**
 * POSIX sh, so it runs in any image with /bin/sh (Debian, Ubuntu, Alpine). `$(cat)` drops the
 * trailing newline a secret file may end with, as the docker-library entrypoints' file_env does.
 */
export const SECRET_ENV_SCRIPT = `#!/bin/sh
# appstacks: read each secret file named in ${SECRET_ENV_VARIABLE} into its variable, then run the
# image's own entrypoint and command (components/secret-env.ts).
set -e
for pair in $${SECRET_ENV_VARIABLE}; do
  name=\${pair%%=*}
  file=\${pair#*=}
  value=$(cat "$file")
  export "$name=$value"
done
unset ${SECRET_ENV_VARIABLE}
exec "$@"
`;

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variables a service's process gets from files, with the file each comes from. */
export function envFromFiles(svc: ServiceSpec): [variable: string, path: string][] {
  return [
    ...(svc.secrets ?? []).filter((s) => s.env !== undefined).map((s): [string, string] => [s.env!, `${SECRETS_DIR}/${s.secret}`]),
    ...(svc.files ?? []).filter((f) => f.env !== undefined).map((f): [string, string] => [f.env!, f.path]),
  ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One line per problem with a service's `env` from files; `at` is e.g. pecan.services.web. */
export function secretEnvProblems(at: string, svc: ServiceSpec): string[] {
  const pairs = envFromFiles(svc);
  if (pairs.length === 0) return [];
  const problems: string[] = [];
  if (svc.entrypoint === undefined) {
    problems.push(`${at}.entrypoint: unset, but ${pairs.map(([v]) => v).join(", ")} come from files (allowed: the image's own entrypoint from its contract, [] when it has none: the wrapper runs it)`);
  }
  const seen = new Set(Object.keys(svc.env ?? {}));
  for (const [variable, path] of pairs) {
    if (!VARIABLE.test(variable)) problems.push(`${at}: env "${variable}" is not a variable name (allowed: letters, digits and _, not starting with a digit)`);
    else if (seen.has(variable)) problems.push(`${at}: env "${variable}" is set twice (allowed: a plain value in env or a file's content, not both)`);
    seen.add(variable);
    if (!/^\/[A-Za-z0-9._/-]+$/.test(path)) problems.push(`${at}: file "${path}" for env ${variable} is not a plain absolute path (allowed: letters, digits, . _ - /)`);
  }
  return problems;
}

/**
 * The service as the container runs it: the wrapper in front of the image's entrypoint, its
 * list of variables and files in the environment, and the wrapper among the uploaded files.
 * A service that reads nothing from files is returned unchanged.
 */
export function withSecretEnv(svc: ServiceSpec): ServiceSpec {
  const pairs = envFromFiles(svc);
  if (pairs.length === 0) return svc;
  return {
    ...svc,
    entrypoint: ["/bin/sh", SECRET_ENV_WRAPPER, ...(svc.entrypoint ?? [])],
    command: svc.command ?? [],
    env: { ...svc.env, [SECRET_ENV_VARIABLE]: pairs.map(([v, p]) => `${v}=${p}`).join(" ") },
    files: [...(svc.files ?? []), { path: SECRET_ENV_WRAPPER, content: SECRET_ENV_SCRIPT }],
  };
}
