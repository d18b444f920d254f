// The offline stand-in images (built by `npm run setup`) for the official images the stacks name,
// read from the one place that maps them: `appstacks:imageOverrides` in Pulumi.dev.yaml. The e2e
// tests and the benchmark take their image overrides from here, never from a copy of the map.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const DEV_STACK_FILE = path.resolve(__dirname, "..", "Pulumi.dev.yaml");

function load(): Readonly<Record<string, string>> {
  const doc = parse(fs.readFileSync(DEV_STACK_FILE, "utf8")) as { config?: Record<string, unknown> } | null;
  const map = doc?.config?.["appstacks:imageOverrides"];
  if (map === null || typeof map !== "object" || Array.isArray(map) || Object.keys(map).length === 0) {
    throw new Error(`${DEV_STACK_FILE}: appstacks:imageOverrides is missing or not a map; the e2e tests and the benchmark read the stand-in images from it`);
  }
  for (const [image, standIn] of Object.entries(map)) {
    if (typeof standIn !== "string") throw new Error(`${DEV_STACK_FILE}: appstacks:imageOverrides.${image} is not an image reference`);
  }
  return Object.freeze({ ...(map as Record<string, string>) });
}

/** Every stand-in, by the image it replaces: `{ postgres: "appstacks/postgres:local", … }`. */
export const STAND_INS: Readonly<Record<string, string>> = load();

/**
 * Images every app may run whatever its own images: the front proxy its HTTP services roll out
 * behind (config proxyImage, components/runtime/front-proxy.ts).
 */
export const SHARED_IMAGES: readonly string[] = ["traefik"];

/**
 * The stand-ins of the given images, and of the shared ones (the imageOverrides of a one-app
 * stack); an image without one is an error.
 */
export function standIns(...images: string[]): Record<string, string> {
  return Object.fromEntries([...images, ...SHARED_IMAGES].map((image) => [image, standIn(image)]));
}

/** The stand-in of one image. */
export function standIn(image: string): string {
  const s = STAND_INS[image];
  if (s === undefined) throw new Error(`no stand-in for image ${image} in Pulumi.dev.yaml's appstacks:imageOverrides (have ${Object.keys(STAND_INS).join(", ")})`);
  return s;
}

/** PEcAn's and BETY's images (pecan/web, pecan/api…), each replaced by its twin (images/pecan). */
export const PECAN_IMAGES: readonly string[] = Object.keys(STAND_INS).filter((image) => image.startsWith("pecan/"));
