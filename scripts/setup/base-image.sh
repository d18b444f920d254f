# Step: the offline base image and the stand-in images built FROM it. Sourced by scripts/setup.sh.
# No registry is reachable, so the root filesystem comes from Debian's archive (debootstrap) and
# is imported as an image; every stand-in under images/ is then built FROM it with Debian packages.

debian_mirror() {
  # The first deb URI apt is configured with (deb822 or one-line format), else Debian's default.
  local uri
  uri=$(grep -hoE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -hoE '^deb +[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | head -n1 | awk '{print $2}')
  echo "${uri:-http://deb.debian.org/debian}"
}

# The image's recipe, as a label on it: a base image made by an older recipe is made again.
base_recipe() {
  declare -f setup_base_image debian_image_config | sha256sum | cut -c1-16
}

setup_base_image() {
  local recipe
  recipe=$(base_recipe)
  if [ "$(docker image inspect -f '{{ index .Config.Labels "appstacks.base-recipe" }}' "$BASE_IMAGE" 2>/dev/null)" = "$recipe" ]; then
    skip "base image $BASE_IMAGE"
    return
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    step "base image: installing debootstrap (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >"$CACHE_DIR/apt-debootstrap.log" 2>&1 \
      || fail "base image" "apt-get install debootstrap failed (see $CACHE_DIR/apt-debootstrap.log): check Debian's archive is reachable and you are root"
  fi
  local rootfs="$CACHE_DIR/rootfs-bookworm" mirror
  mirror=$(debian_mirror)
  rm -rf "$rootfs"
  step "base image: debootstrap bookworm from $mirror (about 1 minute)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 \
    || fail "base image" "debootstrap failed (see $CACHE_DIR/debootstrap.log): check $mirror is reachable"
  # Same sources as the host, so RUN apt-get inside builds reaches the same archive.
  echo "deb $mirror bookworm main" >"$rootfs/etc/apt/sources.list"
  debian_image_config "$rootfs"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
  step "base image: docker import as $BASE_IMAGE"
  tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' -c "LABEL appstacks.base-recipe=$recipe" - "$BASE_IMAGE" >/dev/null \
    || fail "base image" "docker import failed"
  rm -rf "$rootfs"
}

# What the official debian:bookworm-slim image (built by debuerreotype) has beyond debootstrap, so
# an image built FROM ours is the size it would be FROM the real one (without it the lab's app
# image carried 98 MB of apt caches: 319 MB, and its push to the lab's registry took 8 s). apt
# deletes downloaded packages and its binary caches after every run, keeps its lists compressed
# and fetches no translations, and autoremove drops what only Suggests kept; dpkg skips fsync and,
# as in the slim variant, installs no documentation (copyright files aside), man or info pages,
# or translations; and no service starts during an install.
debian_image_config() {
  local root=$1 apt="$1/etc/apt/apt.conf.d" dpkg="$1/etc/dpkg/dpkg.cfg.d" d
  local clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
  printf 'DPkg::Post-Invoke { %s };\nAPT::Update::Post-Invoke { %s };\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' "$clean" "$clean" >"$apt/docker-clean"
  echo 'Acquire::GzipIndexes "true";' >"$apt/docker-gzip-indexes"
  echo 'Acquire::Languages "none";' >"$apt/docker-no-languages"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$apt/docker-autoremove-suggests"
  echo force-unsafe-io >"$dpkg/docker-apt-speedup"
  {
    for d in doc groff info linda lintian/overrides locale man; do echo "path-exclude /usr/share/$d/*"; done
    echo "path-include /usr/share/doc/*/copyright"
    for d in all_languages 'currency/*' 'l10n/*' languages locale.alias; do echo "path-include /usr/share/locale/$d"; done
  } >"$dpkg/docker"
  # What debootstrap already installed, trimmed the same way.
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -depth -type d -empty -delete
  for d in groff info linda lintian/overrides man; do rm -rf "${root:?}/usr/share/$d"/*; done
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -not -name languages -not -name all_languages -not -name currency -not -name l10n -exec rm -rf {} +
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
}

# Stand-in images: images/<name>/Dockerfile → appstacks/<name>:local; a Dockerfile with named
# stages (images/pecan: one twin per PEcAn image) gives one image per stage other than `common`,
# appstacks/<name>-<stage>:local. Docker's build cache makes a rebuild of an unchanged Dockerfile
# a no-op, so this runs every time and stays fast. `--only NAME…` or `--except NAME…` picks by
# folder name (setup.sh builds the images that need a Go-built binary after the Go lane).
setup_standin_images() {
  local mode=${1:-all} dir name stages stage
  [ "$mode" = all ] || shift
  for dir in "$ROOT"/images/*/; do
    name=$(basename "$dir")
    [ "$name" = base ] && continue
    [ -f "$dir/Dockerfile" ] || continue
    case "$mode" in
      --only) [[ " $* " == *" $name "* ]] || continue ;;
      --except) [[ " $* " == *" $name "* ]] && continue ;;
    esac
    stages=$(sed -nE 's/^FROM .* AS ([a-z0-9-]+)$/\1/p' "$dir/Dockerfile" | grep -vx common || true)
    if [ -z "$stages" ]; then
      build_standin "appstacks/$name:local" "$dir" "$name"
    else
      for stage in $stages; do build_standin "appstacks/$name-$stage:local" "$dir" "$name-$stage" --target "$stage"; done
    fi
  done
}

build_standin() {
  local tag=$1 dir=$2 log=$3
  shift 3
  if docker build -q "$@" -t "$tag" "$dir" >"$CACHE_DIR/build-$log.log" 2>&1; then
    step "stand-in image $tag ready"
  else
    fail "stand-in image $log" "docker build failed (see $CACHE_DIR/build-$log.log)"
  fi
}
