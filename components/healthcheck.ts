// Health checks shared by stacks. An HTTP check written in Python, because the images that
// serve these apps have Python but not necessarily curl or wget.
import { HealthCheck } from "./service";

/** Healthy when GET http://127.0.0.1:<port><path> answers 2xx/3xx within 4 s. */
export function pythonHttpCheck(port: number, path = "/healthz"): HealthCheck {
  return { test: ["CMD", "python3", "-c", `import urllib.request as u; u.urlopen('http://127.0.0.1:${port}${path}', timeout=4)`] };
}
