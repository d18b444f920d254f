// The compose twin's reverse proxy for PEcAn (bench/compose/pecan.yml): nginx routing by path to
// the web UI, BETY and the API, the only published entry point, as our stack ran it before its
// front proxy (Traefik, the one PEcAn itself ships) routed by path. Compose has no front proxy
// of its own, so the twin keeps nginx.

export interface PecanRoute {
  /** Path prefix, e.g. /pecan/ */
  readonly path: string;
  /** Service and port on the back-end network, e.g. web:8000 */
  readonly upstream: string;
  /** The prefix is removed before the request is passed on (PEcAn's monitor and sync app). */
  readonly strip?: boolean;
}

export function pecanProxySite(routes: readonly PecanRoute[]): string {
  const lines = [
    "# Rendered by appstacks (bench/lib/pecan-proxy.ts).",
    "server {",
    "    listen 80;",
    "    server_name _;",
    // Resolved per request through Docker's DNS: a replaced container needs no proxy restart.
    "    resolver 127.0.0.11 valid=10s ipv6=off;",
    "    location = /healthz { return 200 'ok'; }",
    // / goes to the front page, unless a route serves / itself (PEcAn's home page).
    ...(routes.some((r) => r.path === "/") ? [] : [`    location = / { return 302 ${routes[0]?.path ?? "/"}; }`]),
  ];
  for (const r of routes) {
    lines.push(
      `    location ${r.path} {`,
      ...(r.strip ? [`        rewrite ^${r.path.replace(/\/$/, "")}(/.*)$ $1 break;`] : []),
      `        set $upstream http://${r.upstream};`,
      "        proxy_pass $upstream;",
      "        proxy_set_header Host $http_host;",
      "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      "        proxy_set_header X-Forwarded-Proto $scheme;",
      "    }",
    );
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
