// The site of the release programs (test/e2e/programs/rollout/, swarm-release/) and of the
// bench's swarm twin (bench/swarm.ts): nginx answering "release N" on /
// and its health check on /healthz. A broken release listens on the wrong port: it runs, but its
// check (and every request) finds nothing on 80, the way an app that fails to start looks from outside.
export function releaseSite(release: string, healthy: boolean): string {
  return [
    "server {",
    `    listen ${healthy ? 80 : 81};`,
    "    location = /healthz { return 200 'ok\\n'; }",
    `    location / { return 200 'release ${release}\\n'; }`,
    "}",
  ].join("\n");
}
