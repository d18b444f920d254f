import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as net from "net";
import { dockerName, physicalName, labelMap } from "../../components/naming";
import { isPinned, repository, resolveImageRef } from "../../components/image-ref";
import { contextHash } from "../../components/context-hash";
import { StatCache } from "../../components/stat-cache";
import { specProblems, startOrder, AppSpec } from "../../components/app-spec";
import { deriveSecret } from "../../components/secret-derive";
import { freePorts, freePortsFor } from "../../support/net";

describe("naming", () => {
  test.each([
    [["appstacks", "dev", "biostar", "db"], "appstacks-dev-biostar-db"],
    [["AppStacks", "Feature/X", "biostar", "web"], "appstacks-feature-x-biostar-web"],
    [["_x", "", "y"], "x-y"],
  ])("dockerName(%j) = %s", (parts, name) => expect(dockerName(...parts)).toBe(name));

  test("two Pulumi stacks never share a physical name", () => {
    expect(physicalName({ project: "p", stack: "dev", app: "a" }, "db")).not.toBe(physicalName({ project: "p", stack: "prod", app: "a" }, "db"));
  });

  test("labels name project, stack, app and service", () => {
    expect(labelMap({ project: "p", stack: "s", app: "a" }, "db")).toEqual({
      "appstacks.project": "p", "appstacks.stack": "s", "appstacks.app": "a", "appstacks.service": "db",
    });
  });
});

describe("image references", () => {
  test.each([
    ["postgres:16.4", true], ["postgres", false], ["postgres:latest", false], ["registry:5000/team/app", false],
    ["registry:5000/team/app:1.2", true], [`app@sha256:${"a".repeat(64)}`, true],
  ])("isPinned(%s) = %s", (ref, pinned) => expect(isPinned(ref)).toBe(pinned));

  test.each([
    ["postgres:16.4", "postgres"], ["registry:5000/team/app:1.2", "registry:5000/team/app"], [`app@sha256:${"a".repeat(64)}`, "app"],
  ])("repository(%s) = %s", (ref, repo) => expect(repository(ref)).toBe(repo));

  test("overrides: exact reference first, then repository, else unchanged", () => {
    const o = { "postgres:16.4": "mirror/pg:16.4", postgres: "appstacks/postgres:local" };
    expect(resolveImageRef("postgres:16.4", o)).toBe("mirror/pg:16.4");
    expect(resolveImageRef("postgres:15", o)).toBe("appstacks/postgres:local");
    expect(resolveImageRef("redis:7", o)).toBe("redis:7");
  });
});

describe("contextHash", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
  fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM x\n");
  fs.mkdirSync(path.join(dir, "src"));
  fs.writeFileSync(path.join(dir, "src", "app.py"), "print(1)\n");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("is stable, changes with content and exec bit, ignores node_modules", () => {
    const h = contextHash(dir);
    expect(contextHash(dir)).toBe(h);
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, "node_modules", "x.js"), "x");
    expect(contextHash(dir)).toBe(h);
    fs.chmodSync(path.join(dir, "src", "app.py"), 0o755);
    const h2 = contextHash(dir);
    expect(h2).not.toBe(h);
    fs.writeFileSync(path.join(dir, "src", "app.py"), "print(2)\n");
    expect(contextHash(dir)).not.toBe(h2);
  });

  test("a missing context is a clear error", () => {
    expect(() => contextHash(path.join(dir, "nope"))).toThrow(`build context ${path.join(dir, "nope")} is not a directory`);
  });

  describe("remembered by the files' stat", () => {
    const store = path.join(dir, "..", `${path.basename(dir)}-hashes.json`);
    afterAll(() => fs.rmSync(store, { force: true }));
    const later = () => Date.now() + 10_000; // as if the files had been left alone for 10 s
    const uncached = () => contextHash(dir, new StatCache(undefined));

    test("an unchanged context is not read again, and gives the same hash", () => {
      const h = contextHash(dir, new StatCache(store, later));
      expect(h).toBe(uncached());
      // The module object itself: the components' `import * as fs` reads through to it.
      const read = jest.spyOn(require("fs") as typeof fs, "readFileSync");
      try {
        expect(contextHash(dir, new StatCache(store, later))).toBe(h);
        expect(read.mock.calls.filter(([f]) => String(f).startsWith(dir + path.sep))).toEqual([]);
      } finally {
        read.mockRestore();
      }
    });

    test("a same-size edit with its mtime put back is still seen (ctime moved)", () => {
      const file = path.join(dir, "src", "app.py");
      const before = contextHash(dir, new StatCache(store, later));
      const { atime, mtime } = fs.statSync(file);
      fs.writeFileSync(file, "print(9)\n");
      fs.utimesSync(file, atime, mtime);
      const after = contextHash(dir, new StatCache(store, later));
      expect(after).not.toBe(before);
      expect(after).toBe(uncached());
    });

    test("the store stays small: past 256 values, those of directories that are gone go first", () => {
      const crowded = path.join(dir, "..", `${path.basename(dir)}-crowded.json`);
      try {
        const gone = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`/nonexistent/ctx-${i}`, { key: "k", value: "v", storedAt: 0 }]));
        fs.writeFileSync(crowded, JSON.stringify(gone));
        const h = contextHash(dir, new StatCache(crowded, later));
        const kept = JSON.parse(fs.readFileSync(crowded, "utf8"));
        expect(Object.keys(kept)).toEqual([path.resolve(dir)]);
        expect(kept[path.resolve(dir)].value).toBe(h);
      } finally {
        fs.rmSync(crowded, { force: true });
      }
    });

    test("files changed within the last second are read every time (two writes in one clock tick look alike)", () => {
      const fresh = path.join(dir, "..", `${path.basename(dir)}-fresh.json`);
      try {
        contextHash(dir, new StatCache(fresh));
        expect(fs.existsSync(fresh)).toBe(false);
      } finally {
        fs.rmSync(fresh, { force: true });
      }
    });
  });
});

describe("app spec checks", () => {
  const img = { ref: "x:1" };
  const base: AppSpec = {
    networks: { back: { internal: true } },
    services: {
      db: { image: img, networks: ["back"] },
      web: { image: img, networks: ["back"], dependsOn: ["db"], ports: [{ internal: 80, external: 8080 }] },
    },
  };

  test("a valid spec has no problems and starts dependencies first", () => {
    expect(specProblems("a", base)).toEqual([]);
    expect(startOrder("a", base)).toEqual(["db", "web"]);
  });

  test("every bad reference is named with what is allowed", () => {
    const bad: AppSpec = {
      networks: { back: {} },
      services: {
        web: { image: "nope", networks: ["front"], volumes: { data: "/d" }, secrets: [{ secret: "pw" }], dependsOn: ["cache", "web"],
          ports: [{ internal: 80, external: 70000 }, { internal: 81, external: 8080 }, { internal: 82, external: 8080 }] },
      },
    };
    expect(specProblems("a", bad)).toEqual([
      'a.services.web.image: "nope" is not an image of a (allowed: none defined)',
      'a.services.web.networks: "front" is not a network of a (allowed: back)',
      'a.services.web.volumes: "data" is not a volume of a (allowed: none defined)',
      'a.services.web.secrets: "pw" is not a secret of a (allowed: none defined)',
      'a.services.web.dependsOn: "cache" is not a service of a (allowed: web)',
      "a.services.web.dependsOn: a service cannot depend on itself",
      "a.services.web.ports.external: 70000 is not a port (allowed: an integer from 1 to 65535)",
      "a.services.web.ports.external: 8080 is already published by a.services.web (allowed: a free host port, or HTTP ports with distinct paths)",
    ]);
  });

  test("negative or zero limits are refused", () => {
    const limits: AppSpec = { services: { w: { image: img, networks: [], memoryMb: -1, cpus: 0 } } };
    expect(specProblems("a", limits)).toEqual([
      "a.services.w.memoryMb: -1 is not a memory limit (allowed: an integer of at least 6, in MiB)",
      "a.services.w.cpus: 0 is not a CPU limit (allowed: a number above 0, e.g. 0.5)",
    ]);
  });

  test("namespaced sysctls and IPC modes pass; anything Docker refuses is named with what is allowed", () => {
    const ok: AppSpec = { services: { q: { image: img, networks: [], sysctls: { "fs.mqueue.msg_max": "400", "kernel.shmmax": "68719476736", "net.ipv4.ip_forward": "1" }, ipcMode: "shareable" } } };
    expect(specProblems("a", ok)).toEqual([]);
    const bad: AppSpec = {
      services: {
        q: { image: img, networks: [], ipcMode: "hots", sysctls: { "vm.swappiness": "10", "fs.mqueue.msg_max": "70000", "fs.mqueue.msgsize_max": "big" } },
        h: { image: img, networks: [], ipcMode: "host", sysctls: { "fs.mqueue.msg_max": "400", "kernel.sem": "250 32000 100 128" } },
      },
    };
    expect(specProblems("a", bad)).toEqual([
      'a.services.q.ipcMode: "hots" is not an IPC mode (allowed: private, shareable, none, host, container:<name>)',
      "a.services.q.sysctls: vm.swappiness=10 is not a namespaced sysctl Docker allows (allowed: kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*, net.*)",
      "a.services.q.sysctls: fs.mqueue.msg_max=70000 is out of range (allowed: an integer from 1 to 65536)",
      "a.services.q.sysctls: fs.mqueue.msgsize_max=big is out of range (allowed: an integer from 128 to 16777216)",
      'a.services.h.sysctls: fs.mqueue.msg_max=400 cannot be set with ipcMode "host", whose IPC namespace is the host\'s (allowed: a private or shareable IPC mode)',
      'a.services.h.sysctls: kernel.sem=250 32000 100 128 cannot be set with ipcMode "host", whose IPC namespace is the host\'s (allowed: a private or shareable IPC mode)',
    ]);
    expect(specProblems("a", { services: { c: { image: img, networks: [], ipcMode: "container:wattrex-db" } } })).toEqual([]);
  });

  test("a dependency cycle is refused, naming the cycle", () => {
    const cyc: AppSpec = { services: { a: { image: img, networks: [], dependsOn: ["b"] }, b: { image: img, networks: [], dependsOn: ["a"] } } };
    expect(() => startOrder("x", cyc)).toThrow("x.services: dependency cycle a -> b -> a (allowed: dependencies without cycles)");
  });
});

describe("deriveSecret", () => {
  const seed = "0123456789abcdef0123456789abcdef";
  test("same seed and name give the same secret; another name or seed another one", () => {
    const a = deriveSecret(seed, "biostar-db-password", 32);
    expect(a).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(deriveSecret(seed, "biostar-db-password", 32)).toBe(a);
    expect(deriveSecret(seed, "wattrex-db-password", 32)).not.toBe(a);
    expect(deriveSecret(`${seed}x`, "biostar-db-password", 32)).not.toBe(a);
    expect(deriveSecret(seed, "x", 128)).toHaveLength(128);
  });
  test("a short seed is refused", () => {
    expect(() => deriveSecret("short", "x", 32)).toThrow("secret seed is 5 characters long: use at least 16");
  });
});

describe("free ports for tests and the bench", () => {
  test("many sets of 8 are distinct, below the ephemeral range, and bindable on every address", async () => {
    for (let i = 0; i < 50; i++) {
      const ports = await freePorts(8);
      expect(new Set(ports).size).toBe(8);
      for (const p of ports) expect(p >= 20000 && p <= 32767).toBe(true);
    }
    const named = await freePortsFor(["web", "db"]);
    expect(Object.keys(named)).toEqual(["web", "db"]);
    // Free means bindable now, on 0.0.0.0 as Docker binds published ports.
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => { srv.once("error", reject); srv.listen(named.web, resolve); });
    await new Promise((r) => srv.close(r));
  });
});
