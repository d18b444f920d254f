// The cloud-init user data of an EC2 Docker host: Docker's data (images, containers and the apps'
// volumes) on its own encrypted EBS volume, which outlives the instance; the volume formatted on
// first use only and mounted before Docker is installed and started; Docker from the
// distribution's packages, the login user allowed to use it. Pure, snapshot-tested.

export interface Ec2UserDataArgs {
  /** The login user of the AMI (admin on Debian, ubuntu on Ubuntu). */
  readonly user: string;
  /** The EBS volume that holds /var/lib/docker, e.g. vol-0123456789abcdef0. */
  readonly dataVolumeId: string;
}

/** Where the data volume is mounted: Docker's data root. */
export const DOCKER_DATA_ROOT = "/var/lib/docker";

/**
 * Waits for the volume (attached after the instance starts: on Nitro instances it shows up under
 * its ID in /dev/disk/by-id, on Xen ones as /dev/xvdf), makes a file system only when it has none,
 * and mounts it by UUID. Stops the boot with a message rather than put Docker on the root volume.
 */
function mountScript(volumeId: string): string[] {
  const byId = `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace("-", "")}`;
  return [
    "#!/bin/sh",
    `# appstacks: Docker's data on EBS volume ${volumeId}, formatted on first use only.`,
    "set -eu",
    "dev=",
    "for _ in $(seq 600); do",
    `  for d in ${byId} /dev/xvdf; do [ -e "$d" ] && dev=$d && break 2; done`,
    "  sleep 1",
    "done",
    `[ -n "$dev" ] || { echo "appstacks: data volume ${volumeId} not attached after 600 s; Docker not started" >&2; exit 1; }`,
    'blkid "$dev" >/dev/null 2>&1 || mkfs.ext4 -q -L appstacks-data "$dev"',
    'uuid=$(blkid -s UUID -o value "$dev")',
    `mkdir -p ${DOCKER_DATA_ROOT}`,
    `grep -q " ${DOCKER_DATA_ROOT} " /etc/fstab || echo "UUID=$uuid ${DOCKER_DATA_ROOT} ext4 defaults,nofail 0 2" >> /etc/fstab`,
    `mountpoint -q ${DOCKER_DATA_ROOT} || mount ${DOCKER_DATA_ROOT}`,
  ];
}

const indent = (lines: string[], n: number) => lines.map((l) => " ".repeat(n) + l);

export function ec2UserData(args: Ec2UserDataArgs): string {
  return [
    "#cloud-config",
    "# Rendered by appstacks (components/host/ec2-user-data.ts).",
    "package_update: true",
    "write_files:",
    "  - path: /usr/local/sbin/appstacks-data-volume",
    "    permissions: '0755'",
    "    content: |",
    ...indent(mountScript(args.dataVolumeId), 6),
    "  - path: /etc/docker/daemon.json",
    "    permissions: '0644'",
    "    content: |",
    // Log rotation keeps a chatty container from filling the data volume.
    `      {"data-root": "${DOCKER_DATA_ROOT}", "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}, "live-restore": true}`,
    // After a reboot too, Docker starts only once its data volume is mounted.
    "  - path: /etc/systemd/system/docker.service.d/appstacks-data.conf",
    "    permissions: '0644'",
    "    content: |",
    "      [Unit]",
    `      RequiresMountsFor=${DOCKER_DATA_ROOT}`,
    "runcmd:",
    // Mounted before Docker is installed: the package starts the daemon, which would otherwise
    // create its data on the root volume, deleted with the instance.
    "  - /usr/local/sbin/appstacks-data-volume",
    "  - DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io",
    "  - systemctl daemon-reload",
    "  - systemctl enable --now docker",
    `  - usermod -aG docker ${args.user}`,
    "",
  ].join("\n");
}
