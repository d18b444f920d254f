// Ec2DockerHost: an EC2 instance this program creates, with Docker installed by cloud-init and
// reached over SSH. Least privilege by construction: the security group opens only the ports the
// deployed stacks publish, and SSH only from the given CIDRs; IMDSv2 is required and every volume
// encrypted. Docker's data lives on its own EBS volume, kept when the instance is replaced or
// terminated (and on destroy, unless the stack drops data), re-attached to a new instance. The
// AMI is pinned: a newer one is named in the preview, never taken by itself. Docker resources
// wait for the engine to answer over SSH (EngineReady), so nothing races the boot.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import { DockerHost } from "./docker-host";
import { SshDockerHost } from "./ssh";
import { ec2UserData } from "./ec2-user-data";
import { sshCidrRule, worldOpenCidrs } from "./ssh-options";

export interface Ec2DockerHostArgs {
  readonly region: string;
  /** @default "t3.small" */
  readonly instanceType?: string;
  /** The pinned AMI. A newer one matching amiOwner and amiNameFilter is named in a warning. */
  readonly amiId: string;
  /** @default "136693071363" (Debian) */
  readonly amiOwner?: string;
  /** @default "debian-12-amd64-*" */
  readonly amiNameFilter?: string;
  /** Size of the EBS volume that holds Docker's data. @default 20 */
  readonly dataVolumeGb?: number;
  /** An existing EBS volume to hold Docker's data instead of a new one (e.g. one a destroy kept). */
  readonly dataVolumeId?: string;
  /** Keep the data volume when the stack is destroyed. @default true */
  readonly keepDataOnDestroy?: boolean;
  /** The AMI's login user. @default "admin" (Debian) */
  readonly sshUser?: string;
  /** @default the default VPC */
  readonly vpcId?: pulumi.Input<string>;
  /** @default a default subnet of the VPC */
  readonly subnetId?: pulumi.Input<string>;
  /** Where SSH may come from. Never the world unless `sandbox`. */
  readonly sshCidrs: readonly string[];
  /** A throwaway environment: allows SSH from anywhere. @default false */
  readonly sandbox?: boolean;
  /** TCP ports the deployed stacks publish, open to the world. */
  readonly publishedPorts: readonly number[];
  /** @default 30 */
  readonly rootVolumeGb?: number;
  /** @default false */
  readonly terminationProtection?: boolean;
  /** OpenSSH public key of the key pair. */
  readonly publicKey: string;
  /** The matching private key (a secret); absent: the operator's ssh agent. */
  readonly privateKey?: pulumi.Input<string>;
  readonly scope: { project: string; stack: string };
  /**
   * A security group to place the instance in instead of one of its own (a cluster's members
   * group, which holds the same rules and more). @default its own, from hostIngress
   */
  readonly securityGroupId?: pulumi.Input<string>;
  /** The AWS provider to create with (a cluster's nodes share one). @default one for `region` */
  readonly awsProvider?: aws.Provider;
  /** Look for a newer AMI and warn (a cluster asks once, not once per node). @default true */
  readonly checkNewerAmi?: boolean;
  /** Tags besides Name on the instance (a cluster's node role). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The ingress of a host: the stacks' published ports from the world, SSH from the given CIDRs. */
export function hostIngress(publishedPorts: readonly number[], sshCidrs: readonly string[]): aws.types.input.ec2.SecurityGroupIngress[] {
  return [
    ...[...new Set(publishedPorts)].sort((a, b) => a - b).map((port) => ({ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: `published port ${port}` })),
    {
      protocol: "tcp", fromPort: 22, toPort: 22, description: "SSH",
      cidrBlocks: sshCidrs.filter((c) => !c.includes(":")), ipv6CidrBlocks: sshCidrs.filter((c) => c.includes(":")),
    },
  ];
}

/** Out to anywhere: Debian's packages and the apps' images. */
export const HOST_EGRESS: aws.types.input.ec2.SecurityGroupEgress[] = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: "packages and images" }];

/** The VPC (given, else the default one) and the subnet (given, else the VPC's first default subnet). */
export function ec2Network(vpc: pulumi.Input<string> | undefined, subnet: pulumi.Input<string> | undefined, opts: pulumi.InvokeOptions): { vpcId: pulumi.Output<string>; subnetId: pulumi.Output<string> } {
  const vpcId = pulumi.output(vpc ?? aws.ec2.getVpcOutput({ default: true }, opts).id);
  const subnetId = pulumi.output(subnet ?? aws.ec2.getSubnetsOutput({
    filters: [{ name: "vpc-id", values: [vpcId] }, { name: "default-for-az", values: ["true"] }],
  }, opts).ids.apply((ids) => {
    if (ids.length === 0) throw new Error(`no default subnet in VPC: set appstacks:ec2.subnetId`);
    return [...ids].sort()[0];
  }));
  return { vpcId, subnetId };
}

export class Ec2DockerHost extends pulumi.ComponentResource implements DockerHost {
  static readonly TYPE = "appstacks:host:Ec2DockerHost";
  public readonly provider: docker.Provider;
  public readonly ready: pulumi.Resource[];
  public readonly address: pulumi.Output<string>;
  public readonly publicIp: pulumi.Output<string>;
  public readonly publicDns: pulumi.Output<string>;
  public readonly sshCommand: pulumi.Output<string>;
  public readonly instance: aws.ec2.Instance;
  /** Its own security group; undefined when placed in a given one (securityGroupId). */
  public readonly securityGroup?: aws.ec2.SecurityGroup;
  /** The instance's address inside the VPC (a swarm's members talk over it). */
  public readonly privateIp: pulumi.Output<string>;
  /** How this program reaches the engine (its ssh destination and options). */
  public readonly ssh: SshDockerHost;
  /** The EBS volume that holds Docker's data. */
  public readonly dataVolumeId: pulumi.Output<string>;

  constructor(name: string, args: Ec2DockerHostArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Ec2DockerHost.TYPE, name, {}, opts);
    const open = worldOpenCidrs(args.sshCidrs, args.sandbox ?? false);
    if (open.length > 0) {
      throw new pulumi.ResourceError(open.map((i) => `sshCidrs[${i}]: ${JSON.stringify(args.sshCidrs[i])} is not allowed (allowed: ${sshCidrRule("sandbox")})`).join("\n"), this);
    }
    const aws_ = args.awsProvider ?? new aws.Provider(`${name}-aws`, { region: args.region as aws.Region }, { parent: this });
    const o = { parent: this, provider: aws_ };
    const user = args.sshUser ?? "admin";

    // Pinned: a newer image would replace the instance, so it is named, never taken by itself.
    const newest = aws.ec2.getAmiOutput({
      mostRecent: true,
      owners: [args.amiOwner ?? "136693071363"],
      filters: [{ name: "name", values: [args.amiNameFilter ?? "debian-12-amd64-*"] }, { name: "architecture", values: ["x86_64"] }],
    }, o);
    if (args.checkNewerAmi ?? true) {
      newest.apply((ami) => {
        if (ami.id !== args.amiId) {
          pulumi.log.warn(`appstacks:ec2.amiId is ${args.amiId}; a newer AMI is published: ${ami.id} (${ami.name}). Setting it replaces the instance; Docker's data volume is kept and attached to the new one.`, this);
        }
      });
    }
    const { vpcId, subnetId } = ec2Network(args.vpcId, args.subnetId, o);
    // The instance and its data volume must be in one availability zone: the subnet's.
    const availabilityZone = aws.ec2.getSubnetOutput({ id: subnetId }, o).availabilityZone;
    const tags = { Name: `${args.scope.project}-${args.scope.stack}`, ...args.tags };
    this.dataVolumeId = args.dataVolumeId !== undefined
      ? pulumi.output(args.dataVolumeId)
      : new aws.ebs.Volume(`${name}-data`, {
        availabilityZone, size: args.dataVolumeGb ?? 20, type: "gp3", encrypted: true, tags: { ...tags, "appstacks.role": "docker-data" },
      }, { ...o, retainOnDelete: args.keepDataOnDestroy ?? true }).id;

    this.securityGroup = args.securityGroupId !== undefined ? undefined : new aws.ec2.SecurityGroup(`${name}-sg`, {
      vpcId,
      description: "appstacks: published ports of the deployed stacks, SSH from the configured CIDRs",
      ingress: hostIngress(args.publishedPorts, args.sshCidrs),
      egress: HOST_EGRESS,
      tags,
    }, o);
    const keyPair = new aws.ec2.KeyPair(`${name}-key`, { publicKey: args.publicKey }, o);
    this.instance = new aws.ec2.Instance(`${name}-instance`, {
      ami: args.amiId,
      instanceType: args.instanceType ?? "t3.small",
      subnetId,
      vpcSecurityGroupIds: [args.securityGroupId ?? this.securityGroup!.id],
      keyName: keyPair.keyName,
      metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
      rootBlockDevice: { encrypted: true, volumeSize: args.rootVolumeGb ?? 30, volumeType: "gp3", deleteOnTermination: true },
      disableApiTermination: args.terminationProtection ?? false,
      userData: this.dataVolumeId.apply((dataVolumeId) => ec2UserData({ user, dataVolumeId })),
      userDataReplaceOnChange: true,
      tags,
    }, o);
    // Detached from the old instance (stopped first, so the file system is clean) before it is
    // attached to a replacement; the instance's boot waits for it before Docker starts.
    const attachment = new aws.ec2.VolumeAttachment(`${name}-data-attachment`, {
      deviceName: "/dev/sdf", volumeId: this.dataVolumeId, instanceId: this.instance.id, stopInstanceBeforeDetaching: true,
    }, { ...o, deleteBeforeReplace: true });
    const eip = new aws.ec2.Eip(`${name}-eip`, { instance: this.instance.id, domain: "vpc", tags }, o);

    this.publicIp = eip.publicIp;
    this.publicDns = eip.publicDns;
    // A new instance presents a host key nobody has seen: trusted on first use, then pinned in the
    // stack's known_hosts file (ssh refuses a changed key afterwards).
    const ssh = this.ssh = new SshDockerHost(`${name}-ssh`, {
      address: eip.publicIp, user, port: 22, privateKey: args.privateKey, hostKeyCheck: { trustOnFirstUse: true },
      readyTimeoutSeconds: 600, scope: args.scope, dependsOn: [eip, attachment], trigger: this.instance.id,
    }, { parent: this });
    this.privateIp = this.instance.privateIp;
    this.provider = ssh.provider;
    this.ready = ssh.ready;
    this.address = eip.publicDns;
    this.sshCommand = pulumi.interpolate`ssh ${user}@${eip.publicIp}`;
    this.registerOutputs({ publicIp: this.publicIp, publicDns: this.publicDns, sshCommand: this.sshCommand, dataVolumeId: this.dataVolumeId });
  }
}
