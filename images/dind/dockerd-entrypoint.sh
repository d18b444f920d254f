#!/bin/sh
# docker:dind's entrypoint contract, offline (see Dockerfile): no arguments, or a first argument
# starting with `-`, runs dockerd on the unix socket and tcp://0.0.0.0:2375 with the arguments as
# extra flags; `dockerd …` runs dockerd as given; anything else runs as given.
set -eu

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  if [ -n "${DOCKER_REMOUNT_SYS_RW:-}" ]; then
    # As the official image: without --privileged (its "Docker-in-Kata" flags: --cap-add all,
    # seccomp and systempaths unconfined), /sys and the cgroup hierarchies are read-only; make
    # them writable so dockerd can manage its containers' cgroups.
    echo "Remounting /sys in RW"
    mount -o remount,rw /sys
    mount -o remount,rw /sys/fs/cgroup
    grep "cgroup /sys/fs/cgroup" /proc/1/mounts | while read -r _ where _ opts _; do
      umount "$where"
      mount -t cgroup -o "$(echo "$opts" | sed -e s/ro/rw/g)" none "$where"
    done
  fi
  if [ -n "${DOCKER_TLS_CERTDIR:-}" ]; then
    echo >&2 "dockerd-entrypoint.sh: this stand-in of docker:dind does not make TLS certificates; run it with -e DOCKER_TLS_CERTDIR= (plain TCP on 2375)"
    exit 1
  fi
  set -- dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375 "$@"
fi

if [ "$1" = dockerd ]; then
  # A stale pid file from an unclean stop would keep dockerd from starting.
  find /run /var/run -iname 'docker*.pid' -delete 2>/dev/null || :
  # What moby's hack/dind does before it runs dockerd in a container.
  export container=docker
  if [ -d /sys/kernel/security ] && ! mountpoint -q /sys/kernel/security; then
    mount -t securityfs none /sys/kernel/security || echo >&2 "dockerd-entrypoint.sh: could not mount securityfs (AppArmor may not work)"
  fi
  mountpoint -q /tmp || mount -t tmpfs none /tmp
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    # cgroup v2: move every process of the container out of the root cgroup, so that dockerd can
    # enable the controllers there for the containers it makes.
    mkdir -p /sys/fs/cgroup/init
    xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || :
    sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control || :
  fi
fi

exec "$@"
