// docker-compose (Debian's 1.29) driving one project: the baseline every phase is timed against.
import { cli } from "./docker";

export class ComposeProject {
  /** @param env the variables the compose file interpolates */
  constructor(readonly file: string, readonly project: string, private env: Record<string, string>) {}

  private args(...rest: string[]): string[] {
    return ["--ansi", "never", "-f", this.file, "-p", this.project, ...rest];
  }

  /** Variables for the next `up` (the one-service change sets one of them). */
  setEnv(patch: Record<string, string>): void {
    this.env = { ...this.env, ...patch };
  }

  /** `up -d`: returns once every container is created and started (health is waited for separately). */
  async up(): Promise<void> {
    await cli("docker-compose", this.args("up", "-d", "--no-build"), this.env);
  }

  /** `down -v`: containers, networks and (our stack's keepDataOnDestroy=false equivalent) volumes. */
  async down(): Promise<void> {
    // Docker 20.10 sometimes still counts a removed container on the network ("has active
    // endpoints"). Seen twice in 50-service runs; once it lasted until dockerd restarted. Retried,
    // then left behind (labelled with the run) rather than failing the whole benchmark.
    for (let attempt = 1; ; attempt++) {
      try {
        await cli("docker-compose", this.args("down", "-v", "--remove-orphans"), this.env);
        return;
      } catch (e) {
        if (!/active endpoints/.test(String((e as Error).message))) throw e;
        if (attempt >= 5) {
          console.warn(`[bench] ${this.project}: its network is stuck with "active endpoints" (a Docker 20.10 fault); left behind, labelled`);
          return;
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }
}

export async function composeVersion(): Promise<string> {
  return cli("docker-compose", ["version", "--short"]).catch(() => "not installed");
}
