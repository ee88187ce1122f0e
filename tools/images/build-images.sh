#!/usr/bin/env bash
# Builds the three agents' container images with the .NET SDK (no Docker, no Dockerfile) as tarballs (OCI image
# layouts, which `skopeo copy oci-archive:…` or `docker load` take), then checks
# what is inside each: git runs, the agent's entry point is there, the Coder runs as root, and the Coder's toolchain
# (when one is named) runs. Called by `./build.sh images`; docs/deployment.md, "Images".
#
#   --output DIR            where the tarballs go (default artifacts/images)
#   --base IMAGE            base image of all agents (default: the SDK's AgentBaseImage, mcr.microsoft.com/dotnet/sdk:10.0)
#   --coder-base IMAGE      the Coder's base image, with a repository's toolchain (default: the same as --base)
#   --coder-check COMMAND   a command that must succeed in the Coder's image (e.g. "node --version")
#   --local-base            build the base images here from Debian packages (mmdebstrap) and serve them from a registry
#                           on 127.0.0.1 for the build: for machines that reach no container registry. It makes two:
#                           agent-base (Debian 12 with git) and coder-node (the same with Node.js), and checks the
#                           Coder's toolchain with "node --version" unless --coder-check says otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

output=artifacts/images base="" coder_base="" coder_check="" local_base=false
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output=${2:?--output needs a folder}; shift 2 ;;
    --base) base=${2:?--base needs an image}; shift 2 ;;
    --coder-base) coder_base=${2:?--coder-base needs an image}; shift 2 ;;
    --coder-check) coder_check=${2:?--coder-check needs a command}; shift 2 ;;
    --local-base) local_base=true; shift ;;
    *) die "unknown option $1 (see the head of $0)" ;;
  esac
done
mkdir -p "$output"
output=$(cd "$output" && pwd)
work=$(mktemp -d)
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A Debian 12 root file system as an OCI image in a local registry. The root file systems are kept in
# artifacts/images/cache (building one downloads a few hundred packages).
local_registry() {
  local missing=() tool
  for tool in mmdebstrap umoci skopeo docker-registry bwrap; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]/bwrap/bubblewrap}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]/bwrap/bubblewrap}" >/dev/null
  fi
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/registry"
  cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: "127.0.0.1:$port"}
YAML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" || die "the local registry did not start: $(cat "$work/registry.log")"
  REGISTRY=localhost:$port
}

local_image() { # name, extra packages
  local name=$1 packages="git,ca-certificates,libicu72,tzdata${2:+,$2}" cache=artifacts/images/cache sources
  mkdir -p "$cache"
  if [ ! -s "$cache/$name.tar" ]; then
    log "building the root file system of $name (Debian 12: ${packages//,/ })"
    sources=http://deb.debian.org/debian
    [ -f /etc/apt/sources.list.d/debian.sources ] && sources=/etc/apt/sources.list.d/debian.sources
    mmdebstrap --quiet --variant=minbase --include="$packages" \
      --customize-hook='chroot "$1" useradd --uid 1654 --create-home app' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
      --format=tar bookworm "$cache/$name.tar.part" "$sources"
    mv "$cache/$name.tar.part" "$cache/$name.tar"
  fi
  log "pushing $name to the local registry ($REGISTRY)"
  local layout=$work/oci-$name bundle=$work/bundle-$name
  umoci init --layout "$layout"
  umoci new --image "$layout:latest"
  umoci unpack --image "$layout:latest" "$bundle" >/dev/null
  tar --numeric-owner -xpf "$cache/$name.tar" -C "$bundle/rootfs"
  umoci repack --image "$layout:latest" "$bundle"
  # The same conventions as Microsoft's .NET images: a non-root user 'app' (uid 1654) named by APP_UID.
  umoci config --image "$layout:latest" --config.env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --config.env APP_UID=1654 --config.workingdir /
  rm -rf "$bundle"
  skopeo copy --quiet --insecure-policy --dest-tls-verify=false "oci:$layout:latest" "docker://$REGISTRY/multiagent/$name:bookworm"
  echo "$REGISTRY/multiagent/$name:bookworm"
}

if $local_base; then
  local_registry
  export SDK_CONTAINER_INSECURE_REGISTRIES=$REGISTRY
  base=$(local_image agent-base)
  coder_base=$(local_image coder-node nodejs)
  coder_check=${coder_check:-node --version}
fi

properties=()
[ -n "$base" ] && properties+=("-p:AgentBaseImage=$base")
[ -n "$coder_base" ] && properties+=("-p:CoderBaseImage=$coder_base")

# Runs a command inside an image's root file system (bubblewrap; no container engine needed).
in_image() { local rootfs=$1; shift; bwrap --bind "$rootfs" / --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent "$@"; }

starts_until_config() {
  local out
  out=$(timeout 60 bwrap --bind "$1" / --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent --chdir /app \
    --setenv HOME /tmp "$2" 2>&1) || true
  grep -o 'No NATS connection string' <<<"$out" || { printf '%s\n' "$out" | head -5; return 1; }
}

failed=0
for agent in coder reviewer repomanager; do
  case $agent in coder) project=Agents.Coder ;; reviewer) project=Agents.Reviewer ;; repomanager) project=Agents.RepoManager ;; esac
  archive=$output/$agent.tar
  log "building the $agent image ($archive)"
  rm -f "$archive"
  dotnet publish "src/$project" --configuration Release --runtime linux-x64 --verbosity quiet --nologo \
    -t:PublishContainer "-p:ContainerArchiveOutputPath=$archive" "${properties[@]}" >"$work/publish-$agent.log" 2>&1 ||
    { cat "$work/publish-$agent.log" >&2; die "the $agent image did not build"; }

  # The archive is an OCI image layout: index.json names the manifest, which names the config and the layers.
  rootfs=$work/rootfs-$agent image=$work/image-$agent
  mkdir -p "$rootfs" "$image"
  tar -xf "$archive" -C "$image"
  read -r entrypoint user ports http_ports layers < <(python3 - "$image" <<'PY'
import json, sys, os
root = sys.argv[1]
blob = lambda digest: json.load(open(os.path.join(root, "blobs", *digest.split(":"))))
manifest = blob(json.load(open(os.path.join(root, "index.json")))["manifests"][0]["digest"])
while "manifests" in manifest:  # an index of platforms: take the first
    manifest = blob(manifest["manifests"][0]["digest"])
config = blob(manifest["config"]["digest"])["config"]
layers = ",".join(os.path.join(root, "blobs", *layer["digest"].split(":")) for layer in manifest["layers"])
ports = ",".join(sorted(config.get("ExposedPorts") or {})) or "-"
http_ports = next((e.split("=", 1)[1] for e in config.get("Env") or [] if e.startswith("ASPNETCORE_HTTP_PORTS=")), "-")
print(" ".join(config.get("Entrypoint") or []) or "-", config.get("User") or "root", ports, http_ports, layers)
PY
)
  for layer in ${layers//,/ }; do tar --numeric-owner -xpf "$layer" -C "$rootfs"; done

  check() { # description, command…
    local what=$1; shift
    if out=$("$@" 2>&1); then printf '  %-12s %-44s ok   %s\n' "$agent" "$what" "$(head -1 <<<"$out")"
    else printf '  %-12s %-44s FAIL %s\n' "$agent" "$what" "$(head -1 <<<"$out")"; failed=1; fi
  }
  check "git runs" in_image "$rootfs" git --version
  check "entry point $entrypoint" test -x "$rootfs$entrypoint"
  check "listens on 8080, exposed ($ports)" test "$ports" = 8080/tcp -a "$http_ports" = 8080
  # The agent itself starts in the image (the runtime and its native libraries load) and stops, as it should, at the
  # first setting it lacks: the NATS connection string.
  check "the agent starts in the image" starts_until_config "$rootfs" "$entrypoint"
  if [ $agent = coder ]; then
    check "runs as root (sandbox fallback)" test "$user" = root
    [ -n "$coder_check" ] && check "toolchain: $coder_check" in_image "$rootfs" sh -c "$coder_check"
  else
    check "runs as a non-root user ($user)" test "$user" != root -a "$user" != 0
  fi
  printf '  %-12s %-44s %s\n' "$agent" "image size (compressed)" "$(du -h "$archive" | cut -f1)"
  rm -rf "$rootfs" "$image"
done
[ $failed -eq 0 ] || die "an image check failed"
log "images in $output"
