// The cloud-init user data of an EC2 Docker host: Docker from the distribution's packages,
// enabled at boot, its data on the (encrypted, persistent) root volume, the login user allowed
// to use it. Pure, snapshot-tested.

export interface Ec2UserDataArgs {
  /** The login user of the AMI (admin on Debian, ubuntu on Ubuntu). */
  readonly user: string;
}

export function ec2UserData(args: Ec2UserDataArgs): string {
  return [
    "#cloud-config",
    "# Rendered by appstacks (components/host/ec2-user-data.ts).",
    "package_update: true",
    "packages:",
    "  - docker.io",
    "write_files:",
    "  - path: /etc/docker/daemon.json",
    "    permissions: '0644'",
    "    content: |",
    // /var/lib/docker is on the root volume (kept across reboots and stop/start); log rotation
    // keeps a chatty container from filling it.
    '      {"data-root": "/var/lib/docker", "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}, "live-restore": true}',
    "runcmd:",
    "  - systemctl enable --now docker",
    `  - usermod -aG docker ${args.user}`,
    "",
  ].join("\n");
}
