// Bad configurations and the one line each must be refused with, before any resource is created.
// One table for two tests: test/unit/bad-config.test.ts runs every row through parseConfig (fast);
// test/e2e/bad-config.test.ts runs the rows marked `preview` through a real `pulumi preview` and
// checks the Docker daemon for objects of the stack (none may exist).
//
// `config` holds keys without the "appstacks:" prefix, exactly as `pulumi config set --path` would
// store them. A new app or host adds its rows here.

export interface BadConfig {
  /** What is wrong, in words. */
  readonly name: string;
  readonly config: Record<string, unknown>;
  /** The single line the program must print. */
  readonly line: string;
  /** Also prove it with a real preview (a few rows: each costs a program run). */
  readonly preview?: boolean;
}

const PORT = "an integer from 1 to 65535";
const MANAGERS = "an odd number from 1 to 7 (the managers need a majority up: an even number tolerates no more failures than one fewer)";
/** What target ec2-swarm requires of the ec2 settings, given. */
const EC2 = { publicKey: "ssh-ed25519 AAAA me", sshCidrs: ["10.0.0.0/8"], amiId: "ami-0123456789abcdef0" };
const MEM = "an integer from 64 to 262144 (MiB)";
const IMAGE = "an image reference such as postgres:16.4 or registry:5000/team/app@sha256:…";
const PINNED = "a pinned image reference: a tag other than latest, or a digest";
const BIOSTAR_KEYS = "port, profile, buildContext, siteName, debug, postgresImage, nginxImage, redisImage, baseImage, dbMemoryMb";
const APPS = "biostar, wattrex, portal, pecan, lab";
const TOP_KEYS = `target, apps, keepDataOnDestroy, imageOverrides, proxyImage, noRollout, rollback, ${APPS}, ssh, ec2, swarm, ec2Swarm`;

export const BAD_CONFIGS: readonly BadConfig[] = [
  // Which apps, where
  { name: "unknown app", config: { apps: ["biostar", "nope"] }, line: `appstacks:apps[1]: "nope" is not allowed (allowed: one of ${APPS})`, preview: true },
  { name: "apps is not a list", config: { apps: "biostar" }, line: `appstacks:apps: "biostar" is not allowed (allowed: a list of ${APPS})` },
  { name: "the same app twice", config: { apps: ["biostar", "biostar"] }, line: `appstacks:apps: ["biostar","biostar"] is not allowed (allowed: a list of ${APPS}, each at most once)`, preview: true },
  { name: "unknown target", config: { target: "mars" }, line: 'appstacks:target: "mars" is not allowed (allowed: one of local, ssh, ec2, swarm, ec2-swarm)', preview: true },
  { name: "target of the wrong type", config: { target: 7 }, line: "appstacks:target: 7 is not allowed (allowed: one of local, ssh, ec2, swarm, ec2-swarm)" },
  { name: "noRollout entry not app.service", config: { apps: ["biostar"], noRollout: ["web"] }, line: 'appstacks:noRollout[0]: "web" is not allowed (allowed: app.service, e.g. biostar.web)', preview: true },
  { name: "noRollout naming an app not deployed", config: { apps: ["biostar"], noRollout: ["wattrex.web"] }, line: 'appstacks:noRollout[0]: "wattrex.web" names an app this stack does not deploy (allowed: a service of biostar)', preview: true },
  { name: "keepDataOnDestroy not a boolean", config: { keepDataOnDestroy: "yes" }, line: 'appstacks:keepDataOnDestroy: "yes" is not allowed (allowed: true or false)' },
  // Unknown keys: typos must not be ignored
  { name: "unknown top-level key", config: { apps: ["biostar"], keepDataOnDestory: false }, line: `appstacks:keepDataOnDestory: unknown key (allowed: ${TOP_KEYS})`, preview: true },
  { name: "unknown Biostar profile", config: { biostar: { profile: "prod" } }, line: 'appstacks:biostar.profile: "prod" is not allowed (allowed: one of dev, production)' },
  { name: "unknown key inside an app", config: { biostar: { prt: 1 } }, line: `appstacks:biostar.prt: unknown key (allowed: ${BIOSTAR_KEYS})` },
  { name: "unknown nested key", config: { wattrex: { sharedToolParams: { chanSize: 1 } } }, line: "appstacks:wattrex.sharedToolParams.chanSize: unknown key (allowed: chanNumMsg, ipcMsgSize, chanTimeout)" },
  { name: "app settings not an object", config: { biostar: "8000" }, line: 'appstacks:biostar: "8000" is not allowed (allowed: Expected object, received string)' },
  // Ports
  { name: "port above 65535", config: { apps: ["biostar"], biostar: { port: 70000 } }, line: `appstacks:biostar.port: 70000 is not allowed (allowed: ${PORT})`, preview: true },
  { name: "port 0", config: { wattrex: { webPort: 0 } }, line: `appstacks:wattrex.webPort: 0 is not allowed (allowed: ${PORT})` },
  { name: "negative port", config: { wattrex: { mqttPort: -1883 } }, line: `appstacks:wattrex.mqttPort: -1883 is not allowed (allowed: ${PORT})` },
  { name: "fractional port", config: { biostar: { port: 80.5 } }, line: `appstacks:biostar.port: 80.5 is not allowed (allowed: ${PORT})` },
  { name: "port as a string", config: { biostar: { port: "80" } }, line: `appstacks:biostar.port: "80" is not allowed (allowed: ${PORT})` },
  { name: "two apps on one host port", config: { apps: ["biostar", "wattrex"], biostar: { port: 8869 } }, line: "appstacks:wattrex.webPort: 8869 is already published by appstacks:biostar.port (allowed: a host port no other app uses)", preview: true },
  { name: "the lab's reader on Biostar's port (both seeds publish 8000)", config: { apps: ["biostar", "lab"] }, line: "appstacks:lab.readerPort: 8000 is already published by appstacks:biostar.port (allowed: a host port no other app uses)" },
  { name: "two services of one app on one host port", config: { apps: ["wattrex"], wattrex: { dbPort: 8869 } }, line: "appstacks:wattrex.dbPort: 8869 is already published by appstacks:wattrex.webPort (allowed: a host port no other app uses)" },
  // Images
  { name: "malformed image reference", config: { apps: ["biostar"], biostar: { postgresImage: "Bad Ref:1" } }, line: `appstacks:biostar.postgresImage: "Bad Ref:1" is not allowed (allowed: ${IMAGE})`, preview: true },
  { name: "unpinned image (latest)", config: { wattrex: { mysqlImage: "mysql:latest" } }, line: `appstacks:wattrex.mysqlImage: "mysql:latest" is not allowed (allowed: ${PINNED})` },
  { name: "unpinned image (no tag)", config: { wattrex: { rabbitmqImage: "rabbitmq" } }, line: `appstacks:wattrex.rabbitmqImage: "rabbitmq" is not allowed (allowed: ${PINNED})` },
  { name: "image override to a malformed reference", config: { imageOverrides: { postgres: "UPPER/case:1" } }, line: `appstacks:imageOverrides.postgres: "UPPER/case:1" is not allowed (allowed: ${IMAGE})` },
  { name: "image overrides not a map", config: { imageOverrides: ["postgres"] }, line: 'appstacks:imageOverrides: ["postgres"] is not allowed (allowed: a map of image reference → replacement reference)' },
  // Limits and sizes
  { name: "negative memory limit", config: { biostar: { dbMemoryMb: -512 } }, line: `appstacks:biostar.dbMemoryMb: -512 is not allowed (allowed: ${MEM})` },
  { name: "memory limit too small to start", config: { wattrex: { dbMemoryMb: 4 } }, line: `appstacks:wattrex.dbMemoryMb: 4 is not allowed (allowed: ${MEM})` },
  { name: "absurd memory limit (bytes, not MiB)", config: { apps: ["wattrex"], wattrex: { dbMemoryMb: 2147483648 } }, line: `appstacks:wattrex.dbMemoryMb: 2147483648 is not allowed (allowed: ${MEM})`, preview: true },
  { name: "fractional memory limit", config: { biostar: { dbMemoryMb: 512.5 } }, line: `appstacks:biostar.dbMemoryMb: 512.5 is not allowed (allowed: ${MEM})` },
  { name: "PEcAn's database memory given in GiB", config: { pecan: { dbMemoryMb: 2 } }, line: `appstacks:pecan.dbMemoryMb: 2 is not allowed (allowed: ${MEM})` },
  { name: "the portal's database memory as a string", config: { portal: { dbMemoryMb: "512m" } }, line: `appstacks:portal.dbMemoryMb: "512m" is not allowed (allowed: ${MEM})` },
  { name: "negative message size", config: { wattrex: { sharedToolParams: { ipcMsgSize: -350 } } }, line: "appstacks:wattrex.sharedToolParams.ipcMsgSize: -350 is not allowed (allowed: a positive integer)" },
  { name: "zero channel timeout", config: { wattrex: { sharedToolParams: { chanTimeout: 0 } } }, line: "appstacks:wattrex.sharedToolParams.chanTimeout: 0 is not allowed (allowed: a positive integer)" },
  // Other values
  { name: "unknown log level", config: { wattrex: { logLevel: "LOUD" } }, line: 'appstacks:wattrex.logLevel: "LOUD" is not allowed (allowed: one of DEBUG, INFO, WARNING, ERROR)' },
  { name: "empty database name", config: { wattrex: { database: "" } }, line: 'appstacks:wattrex.database: "" is not allowed (allowed: a non-empty string)' },
  { name: "debug not a boolean", config: { biostar: { debug: "on" } }, line: 'appstacks:biostar.debug: "on" is not allowed (allowed: true or false)' },
  // The other apps
  { name: "a PEcAn model listed twice", config: { apps: ["pecan"], pecan: { models: ["SIPNET", "sipnet"] } }, line: 'appstacks:pecan.models[1]: "sipnet" is not allowed (allowed: each model once)' },
  { name: "a PEcAn sync peer that is this instance", config: { pecan: { machineId: 5, syncPeers: [5] } }, line: "appstacks:pecan.syncPeers[0]: 5 is not allowed (allowed: a machine id other than this instance's own)" },
  { name: "PEcAn with no model", config: { pecan: { models: [] } }, line: "appstacks:pecan.models: [] is not allowed (allowed: at least one model)" },
  { name: "a PEcAn sync peer that is not a machine id (BETY syncs by id, not URL)", config: { pecan: { syncPeers: ["https://x.org/bety/"] } }, line: 'appstacks:pecan.syncPeers[0]: "https://x.org/bety/" is not allowed (allowed: an integer from 1 to 2147483)' },
  { name: "PEcAn's images at latest", config: { pecan: { pecanVersion: "latest" } }, line: 'appstacks:pecan.pecanVersion: "latest" is not allowed (allowed: a pinned image tag, not latest)' },
  { name: "an unknown PEcAn key", config: { pecan: { runners: 2 } }, line: "appstacks:pecan.runners: unknown key (allowed: port, tlsPort, host, fqdn, name, rstudio, rstudioUser, machineId, syncPeers, models, firstUsers, pecanVersion, betyVersion, postgisImage, rabbitmqImage, dbMemoryMb)" },
  { name: "PEcAn's proxy on Biostar's port", config: { apps: ["biostar", "pecan"], pecan: { port: 8000 } }, line: "appstacks:pecan.port: 8000 is already published by appstacks:biostar.port (allowed: a host port no other app uses)" },
  { name: "the portal's mongo image at latest", config: { portal: { mongoImage: "mongo:latest" } }, line: 'appstacks:portal.mongoImage: "mongo:latest" is not allowed (allowed: a pinned image reference: a tag other than latest, or a digest)' },
  { name: "the portal's HTTPS port on Biostar's, with TLS on", config: { apps: ["biostar", "portal"], portal: { httpsPort: 8000, tls: true } }, line: "appstacks:portal.httpsPort: 8000 is already published by appstacks:biostar.port (allowed: a host port no other app uses)" },
  { name: "a live colour that is not blue or green", config: { apps: ["lab"], lab: { live: "red" } }, line: 'appstacks:lab.live: "red" is not allowed (allowed: blue or green)', preview: true },
  { name: "a lab registry that is neither its own nor the host's", config: { lab: { registry: "mine" } }, line: 'appstacks:lab.registry: "mine" is not allowed (allowed: own or host)' },
  { name: "a colour release that is not a label", config: { lab: { greenRelease: "v2 final" } }, line: 'appstacks:lab.greenRelease: "v2 final" is not allowed (allowed: a release label of letters, digits, _ . - (at most 64))' },
  { name: "a file-IO write interval of zero", config: { lab: { writeIntervalSeconds: 0 } }, line: "appstacks:lab.writeIntervalSeconds: 0 is not allowed (allowed: a positive integer)" },
  { name: "an ingest interval of zero", config: { portal: { ingestIntervalSeconds: 0 } }, line: "appstacks:portal.ingestIntervalSeconds: 0 is not allowed (allowed: an integer number of seconds from 10 to 2592000)" },
  // Hosts (SSH / EC2)
  { name: "ssh target without an address", config: { target: "ssh", ssh: { insecureIgnoreHostKey: true } }, line: "appstacks:ssh.address: not set (allowed: the server's host name or IP address (required by target ssh))" },
  { name: "ssh target without a host key (and no explicit opt-out)", config: { apps: ["biostar"], target: "ssh", ssh: { address: "10.0.0.5" } }, line: "appstacks:ssh.hostKey: not set (allowed: the server's host key (ssh-keyscan -t ed25519 <address>), or insecureIgnoreHostKey: true for a throwaway server)", preview: true },
  { name: "a host key that is not a key line", config: { target: "ssh", ssh: { address: "10.0.0.5", hostKey: "AAAA" } }, line: 'appstacks:ssh.hostKey: "AAAA" is not allowed (allowed: a host key line such as ssh-ed25519 AAAA… (ssh-keyscan prints it))' },
  { name: "world-open SSH outside a sandbox", config: { apps: ["portal"], target: "ec2", ec2: { publicKey: "ssh-ed25519 AAAA me", sshCidrs: ["0.0.0.0/0"], amiId: "ami-0123456789abcdef0" } }, line: 'appstacks:ec2.sshCidrs[0]: "0.0.0.0/0" is not allowed (allowed: a CIDR narrower than the whole internet (SSH open to the world is refused unless ec2.sandbox is true))', preview: true },
  { name: "invalid CIDR", config: { target: "ec2", ec2: { publicKey: "ssh-ed25519 AAAA me", sshCidrs: ["10.0.0.300/32"] } }, line: 'appstacks:ec2.sshCidrs[0]: "10.0.0.300/32" is not allowed (allowed: a CIDR such as 203.0.113.7/32 or 2001:db8::/48)' },
  { name: "ec2 target without a public key", config: { target: "ec2", ec2: { sshCidrs: ["10.0.0.0/8"], amiId: "ami-0123456789abcdef0" } }, line: "appstacks:ec2.publicKey: not set (allowed: an OpenSSH public key for the instance's key pair (required by target ec2))" },
  { name: "ec2 target without a pinned AMI", config: { target: "ec2", ec2: { publicKey: "ssh-ed25519 AAAA me", sshCidrs: ["10.0.0.0/8"] } }, line: "appstacks:ec2.amiId: not set (allowed: a pinned AMI id (required by target ec2), e.g. the newest: aws ec2 describe-images --owners 136693071363 --filters 'Name=name,Values=debian-12-amd64-*' --query 'sort_by(Images,&CreationDate)[-1].ImageId')" },
  { name: "a data volume id that is not one", config: { target: "ec2", ec2: { publicKey: "ssh-ed25519 AAAA me", sshCidrs: ["10.0.0.0/8"], amiId: "ami-0123456789abcdef0", dataVolumeId: "disk-1" } }, line: 'appstacks:ec2.dataVolumeId: "disk-1" is not allowed (allowed: an EBS volume id such as vol-0123456789abcdef0)' },
  { name: "absurd root volume", config: { target: "ec2", ec2: { publicKey: "ssh-ed25519 AAAA me", sshCidrs: ["10.0.0.0/8"], rootVolumeGb: 2 } }, line: "appstacks:ec2.rootVolumeGb: 2 is not allowed (allowed: an integer from 8 to 16384 (GiB))" },
  // Swarm
  { name: "the routing mesh with DNS round robin", config: { target: "swarm", swarm: { endpointMode: "dnsrr" } }, line: "appstacks:swarm.publishMode: not set (allowed: host with endpointMode dnsrr (the routing mesh balances to a virtual IP: ingress needs vip))" },
  { name: "replicas off a swarm", config: { apps: ["biostar"], swarm: { replicas: { "biostar.web": 3 } } }, line: 'appstacks:swarm.replicas: {"biostar.web":3} is not allowed (allowed: replicas only on a swarm target, swarm or ec2-swarm ({} on target local))', preview: true },
  { name: "replicas of an app not deployed", config: { apps: ["biostar"], target: "swarm", swarm: { replicas: { "wattrex.web": 2 } } }, line: "appstacks:swarm.replicas.wattrex.web: 2 is not allowed (allowed: a service of a deployed app (biostar; wattrex is not in apps))" },
  { name: "zero replicas", config: { apps: ["biostar"], target: "swarm", swarm: { replicas: { "biostar.web": 0 } } }, line: "appstacks:swarm.replicas.biostar.web: 0 is not allowed (allowed: an integer from 1 to 100)" },
  // EC2 swarm cluster
  { name: "an even number of swarm managers (no more failures tolerated than one fewer)", config: { apps: ["biostar"], target: "ec2-swarm", ec2: EC2, ec2Swarm: { managers: 2 } }, line: `appstacks:ec2Swarm.managers: 2 is not allowed (allowed: ${MANAGERS})`, preview: true },
  { name: "a swarm without managers", config: { target: "ec2-swarm", ec2: EC2, ec2Swarm: { managers: 0 } }, line: `appstacks:ec2Swarm.managers: 0 is not allowed (allowed: ${MANAGERS})` },
  { name: "more managers than Raft is good at", config: { target: "ec2-swarm", ec2: EC2, ec2Swarm: { managers: 9 } }, line: `appstacks:ec2Swarm.managers: 9 is not allowed (allowed: ${MANAGERS})` },
  { name: "managers as a string", config: { target: "ec2-swarm", ec2: EC2, ec2Swarm: { managers: "3" } }, line: `appstacks:ec2Swarm.managers: "3" is not allowed (allowed: ${MANAGERS})` },
  { name: "a negative number of workers", config: { target: "ec2-swarm", ec2: EC2, ec2Swarm: { workers: -1 } }, line: "appstacks:ec2Swarm.workers: -1 is not allowed (allowed: an integer from 0 to 100)" },
  { name: "an unknown key of the cluster", config: { target: "ec2-swarm", ec2: EC2, ec2Swarm: { nodes: 3 } }, line: "appstacks:ec2Swarm.nodes: unknown key (allowed: managers, workers)" },
  { name: "an engine address for the swarm the program creates", config: { target: "ec2-swarm", ec2: EC2, swarm: { dockerHost: "ssh://admin@10.0.0.5" } }, line: 'appstacks:swarm.dockerHost: "ssh://admin@10.0.0.5" is not allowed (allowed: unset on target ec2-swarm (the program talks to the cluster\'s first manager))' },
  { name: "ec2-swarm target without a public key", config: { target: "ec2-swarm", ec2: { sshCidrs: ["10.0.0.0/8"], amiId: "ami-0123456789abcdef0" } }, line: "appstacks:ec2.publicKey: not set (allowed: an OpenSSH public key for the instance's key pair (required by target ec2-swarm))" },
  { name: "world-open SSH to a cluster outside a sandbox", config: { target: "ec2-swarm", ec2: { ...EC2, sshCidrs: ["::/0"] } }, line: 'appstacks:ec2.sshCidrs[0]: "::/0" is not allowed (allowed: a CIDR narrower than the whole internet (SSH open to the world is refused unless ec2.sandbox is true))' },
  { name: "the routing mesh with DNS round robin on the EC2 cluster", config: { target: "ec2-swarm", ec2: EC2, swarm: { endpointMode: "dnsrr" } }, line: "appstacks:swarm.publishMode: not set (allowed: host with endpointMode dnsrr (the routing mesh balances to a virtual IP: ingress needs vip))" },
  { name: "a swarm manager address that is not one", config: { target: "swarm", swarm: { dockerHost: "10.0.0.5:2375" } }, line: 'appstacks:swarm.dockerHost: "10.0.0.5:2375" is not allowed (allowed: an engine address such as unix:///var/run/docker.sock, tcp://10.0.0.5:2375 or ssh://admin@10.0.0.5)' },
];
