// support/images.ts: the stand-in image map the e2e tests and the benchmark use is Pulumi.dev.yaml's.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PECAN_IMAGES, STAND_INS, standIn, standIns } from "../../support/images";

const ROOT = path.resolve(__dirname, "..", "..");

test("the stand-ins are Pulumi.dev.yaml's appstacks:imageOverrides, read, not copied", () => {
  const dev = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config["appstacks:imageOverrides"];
  expect(STAND_INS).toEqual(dev);
  expect(Object.keys(STAND_INS)).toEqual(expect.arrayContaining(["postgres", "mysql", "rabbitmq", "mongo", "nginx", "redis", "registry", "debian", "postgis/postgis"]));
  expect(PECAN_IMAGES).toEqual(["pecan/web", "pecan/api", "pecan/bety", "pecan/db", "pecan/executor", "pecan/model-sipnet-git", "pecan/docs", "pecan/monitor", "pecan/shiny-dbsync", "pecan/base", "pecan/data"]);
  expect(standIns("postgres", "debian")).toEqual({ postgres: dev.postgres, debian: dev.debian, traefik: dev.traefik });
  expect(() => standIn("postgres:16")).toThrow("no stand-in for image postgres:16 in Pulumi.dev.yaml's appstacks:imageOverrides");
});

test("the compose twins of the benchmark run only those stand-ins (or the images the harness builds)", () => {
  const dir = path.join(ROOT, "bench", "compose");
  const standIns = new Set(Object.values(STAND_INS));
  const images = fs.readdirSync(dir).filter((f) => f.endsWith(".yml")).flatMap((f) =>
    [...fs.readFileSync(path.join(dir, f), "utf8").matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((m) => `${f}: ${m[1]}`));
  expect(images.length).toBeGreaterThan(10);
  // A variable the harness sets (${X}), or one with a stand-in as its default (${X:-stand-in}).
  const image = (i: string) => i.slice(i.indexOf(": ") + 2).replace(/^\$\{\w+:-(.+)\}$/, "$1");
  expect(images.filter((i) => !/: \$\{\w+\}$/.test(i) && !standIns.has(image(i)))).toEqual([]);
});
