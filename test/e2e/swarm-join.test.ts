// SwarmJoin's commands (components/host/swarm-join.ts, what target ec2-swarm runs over SSH on each
// node) against real engines: three Docker-in-Docker nodes (support/swarm-cluster.ts) formed by
// swarmCreateSteps run through runSwarmSteps, the way the dynamic provider runs them, with
// `docker exec -i` in place of ssh (the steps are the same shell text; stdin carries the token).
// The swarm forms with the data label on the first manager; the join token is in no command; a
// second create changes nothing; a worker's delete steps take it out of the swarm.
import { execFileSync } from "child_process";
import { runSwarmSteps, SshEndpoint, SshRun, swarmCreateSteps, swarmDeleteSteps } from "../../components/host/swarm-join";
import { uniqueRunId } from "../../support/workspace";
import { startSwarmCluster, SwarmCluster } from "../../support/swarm-cluster";
import { eventually } from "../../support/eventually";

const DATA_LABEL = "appstacks.data";
let cluster: SwarmCluster | undefined;
/** Every command run on a node, with the stdin it got. */
const ran: { node: string; command: string; stdin?: string }[] = [];
const nodeIds: Record<string, string> = {};
const addr: Record<string, string> = {};
/** The first manager's container (known once the engines are up, before the cluster object is). */
let firstNode = "";

/** ssh's part played by `docker exec -i <node> sh -c`: the command's text and stdin as ssh would carry them. */
const exec: SshRun = (target, command, stdin) => {
  ran.push({ node: target.destination, command, stdin });
  return execFileSync("docker", ["exec", "-i", target.destination, "sh", "-c", command], { encoding: "utf8", input: stdin ?? "", stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
};
const endpoint = (container: string): SshEndpoint => ({ destination: container, port: 22, sshOptions: [] });
const first = () => firstNode;
const join = (container: string) => runSwarmSteps(
  swarmCreateSteps(container === first() ? { role: "first-manager", advertiseAddr: addr[container], dataNodeLabel: DATA_LABEL } : { role: "worker", advertiseAddr: addr[container], managerAddr: addr[first()] }),
  endpoint(container), container === first() ? undefined : endpoint(first()), exec);
const nodesOnManager = () => execFileSync("docker", ["-H", cluster!.dockerHost, "node", "ls", "--format", "{{.ID}} {{.Status}}"], { encoding: "utf8" }).trim().split("\n");

beforeAll(async () => {
  cluster = await startSwarmCluster(uniqueRunId("swarm-join").toLowerCase(), {
    // As the graph orders the joins: the first manager, then each worker.
    form: async (engines) => {
      for (const e of engines) addr[e.container] = e.ip;
      firstNode = engines[0].container;
      for (const e of engines) nodeIds[e.container] = join(e.container);
    },
  });
});

afterAll(async () => {
  await cluster?.stop();
});

test("the nodes form one swarm: three Ready nodes, each join returning its node's ID, the data label on the first manager", () => {
  expect(Object.fromEntries(cluster!.nodes.map((n) => [n.container, n.nodeId]))).toEqual(nodeIds);
  expect(nodesOnManager().filter((l) => l.endsWith(" Ready"))).toHaveLength(3);
  const labels = execFileSync("docker", ["-H", cluster!.dockerHost, "node", "inspect", nodeIds[first()], "--format", "{{json .Spec.Labels}}"], { encoding: "utf8" });
  expect(JSON.parse(labels)).toMatchObject({ [DATA_LABEL]: "true" });
});

test("the join token reached each worker on stdin only: in no command run anywhere", () => {
  const tokens = ran.filter((r) => r.command.startsWith("docker swarm join-token")).length;
  expect(tokens).toBe(2);
  for (const r of ran) expect(r.command).not.toMatch(/SWMTKN/);
  const given = ran.filter((r) => r.stdin !== undefined && r.stdin !== "");
  expect(given.map((r) => r.node).sort()).toEqual(cluster!.nodes.slice(1).map((n) => n.container).sort());
  for (const r of given) expect(r.stdin).toMatch(/^SWMTKN-1-\S+\n$/);
});

test("create again (a second up, a replaced join) changes nothing: the same node IDs, still three nodes", () => {
  for (const n of cluster!.nodes) expect(join(n.container)).toBe(nodeIds[n.container]);
  expect(nodesOnManager()).toHaveLength(3);
});

test("a worker's delete steps take it out: it leaves, and the manager forgets it", async () => {
  const worker = cluster!.nodes[2].container;
  runSwarmSteps(swarmDeleteSteps("worker", nodeIds[worker]), endpoint(worker), endpoint(first()), exec);
  expect(execFileSync("docker", ["exec", worker, "docker", "info", "--format", "{{.Swarm.LocalNodeState}}"], { encoding: "utf8" }).trim()).toBe("inactive");
  await eventually("two nodes left", () => expect(nodesOnManager().map((l) => l.split(" ")[0]).sort()).toEqual([nodeIds[first()], nodeIds[cluster!.nodes[1].container]].sort()), 30_000, 500);
});
