#!/usr/bin/env bash
# Builds the hostwatch container image (packaging/container/Containerfile) with podman, from the agent
# binary of a build tree and the shared libraries of this host; nothing is pulled from a registry.
#
# Usage: packaging/container/build-image.sh BINARY CONTEXT_DIR [TAG] [-- PODMAN_GLOBAL_ARGS...]
#   BINARY       the hostwatch executable (build/agent/hostwatch); it is copied stripped
#   CONTEXT_DIR  scratch directory for the build context (rootfs/ and the Containerfile)
#   TAG          image name (default localhost/hostwatch:<version>-<content hash>)
#   PODMAN_GLOBAL_ARGS  e.g. --root DIR --runroot DIR --storage-driver vfs (the tests keep their own store)
# Prints the tag on stdout's last line. When an image with that tag (the hash of the whole context)
# exists already, nothing is rebuilt.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  sed -n '5,12p' "$0" >&2
  exit 2
fi
binary="$1"; context="$2"; shift 2
tag=""
if [[ $# -gt 0 && "$1" != "--" ]]; then tag="$1"; shift; fi
[[ "${1:-}" == "--" ]] && shift
podman=(podman "$@")
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Loaded with dlopen() (collectors/core/curl_api.h, collectors/host/systemd_bus.cpp,
# agent/systemd_notify.cpp), so ldd on the binary does not list them; without libcurl no HTTP check runs.
dlopened=(libcurl.so.4 libsystemd.so.0)
uid=10001  # the Containerfile's USER

rm -rf "$context"
root="$context/rootfs"
mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/usr/lib64" "$root/etc/ssl/certs" "$root/etc/hostwatch" "$root/host"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
strip --strip-unneeded -o "$root/usr/bin/hostwatch" "$binary"

# Where ld.so (ldconfig's cache) finds each dlopen()ed library on this host.
# (awk reads to the end: an early exit would kill ldconfig with SIGPIPE under pipefail.)
resolve() { ldconfig -p | awk -v n="$1" '$1 == n && !found {print $NF; found = 1}'; }
objects=("$binary")
for so in "${dlopened[@]}"; do
  path="$(resolve "$so")"
  if [[ -z "$path" ]]; then
    echo "build-image: $so is not installed on this host (packaging/install-deps.sh)" >&2
    exit 1
  fi
  objects+=("$path")
done
# The ldd closure of every object, each library under its own path (the /lib -> usr/lib symlink keeps
# the ELF interpreter's path valid), then an ld.so.cache so that dlopen() finds them by soname.
ldd "${objects[@]}" | awk '/ => \// {print $3} /^\t\// {print $1}' | sort -u | while read -r lib; do
  dest="$root/usr${lib#/usr}"
  mkdir -p "$(dirname "$dest")"
  cp -L "$lib" "$dest"
done
for so in "${dlopened[@]}"; do
  path="$(resolve "$so")"
  cp -L "$path" "$root/usr${path#/usr}"
done
printf '%s\n' /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu > "$root/etc/ld.so.conf"
ldconfig -r "$root"
if [[ "$(ldd "${objects[@]}" | grep -c 'not found' || true)" != 0 ]]; then
  ldd "${objects[@]}" >&2
  echo "build-image: a library of the agent is missing on this host" >&2
  exit 1
fi

# The user the agent runs as, for tools that print names; name service lookups read files only, and
# host names come from /etc/hosts and DNS (glibc 2.36 has both built in: no libnss_* to copy).
printf 'root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nhostwatch:x:%d:%d:hostwatch:/nonexistent:/usr/sbin/nologin\n' \
  "$uid" "$uid" > "$root/etc/passwd"
printf 'root:x:0:\nhostwatch:x:%d:\n' "$uid" > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
# libcurl's CA bundle (Debian's ca-certificates), for checks of https:// targets.
if [[ -r /etc/ssl/certs/ca-certificates.crt ]]; then
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi
cp "$here/Containerfile" "$context/Containerfile"

# The tag names the content: an unchanged binary and libraries reuse the image already built.
hash="$(cd "$context" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
if [[ -z "$tag" ]]; then
  version="$("$root/usr/bin/hostwatch" --version 2>/dev/null | awk 'NR == 1 {print $3}' || true)"
  tag="localhost/hostwatch:${version:-dev}-$hash"
fi
if ! "${podman[@]}" image exists "$tag"; then
  # --isolation chroot: no runtime (runc/crun) needed, so this works in unprivileged sandboxes too;
  # a FROM scratch build has no RUN step anyway. --timestamp 0 makes the same context give the same image ID.
  "${podman[@]}" build --isolation chroot --timestamp 0 --label "org.opencontainers.image.title=hostwatch" \
    --label "hostwatch.context.sha256=$hash" -t "$tag" -f "$context/Containerfile" "$context" >&2
fi
echo "$tag"
