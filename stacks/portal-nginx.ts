// The portal's nginx site (the seed's nginx.conf), also Biostar's production one: everything proxied to the app's WSGI
// server. Rendered by the stack and uploaded to /etc/nginx/conf.d/default.conf, which the
// official nginx image (and our stand-in) includes.

export interface NginxSiteArgs {
  /** Where the app answers on the back-end network, e.g. app:8080. */
  readonly upstream: string;
  /** Certificate and key paths in the container: HTTPS on 443, and port 80 redirects. */
  readonly tls?: { readonly certificatePath: string; readonly keyPath: string; readonly publishedHttpsPort: number };
}

export function nginxSite(args: NginxSiteArgs): string {
  // Resolved per request through Docker's DNS, so a replaced app container needs no nginx restart.
  const proxy = [
    "        resolver 127.0.0.11 valid=10s ipv6=off;",
    `        set $app http://${args.upstream};`,
    "        proxy_pass $app;",
    "        proxy_set_header Host $http_host;",
    "        proxy_set_header X-Real-IP $remote_addr;",
    "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "        proxy_set_header X-Forwarded-Proto $scheme;",
  ].join("\n");
  const lines = ["# Rendered by appstacks (stacks/portal-nginx.ts).", "server {", "    listen 80;", "    server_name _;"];
  if (args.tls === undefined) {
    lines.push("    location / {", proxy, "    }", "}");
    return lines.join("\n") + "\n";
  }
  const port = args.tls.publishedHttpsPort === 443 ? "" : `:${args.tls.publishedHttpsPort}`;
  lines.push(
    // The health check (and monitors) still reach the app over plain HTTP inside the host.
    "    location = /healthz {", proxy, "    }",
    `    location / { return 301 https://$host${port}$request_uri; }`,
    "}",
    "server {",
    "    listen 443 ssl;",
    "    server_name _;",
    `    ssl_certificate ${args.tls.certificatePath};`,
    `    ssl_certificate_key ${args.tls.keyPath};`,
    "    ssl_protocols TLSv1.2 TLSv1.3;",
    "    location / {", proxy, "    }",
    "}",
  );
  return lines.join("\n") + "\n";
}
