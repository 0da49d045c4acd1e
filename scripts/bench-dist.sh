#!/usr/bin/env bash
# gvmr's own distribution, measured (BENCHMARKS.md, "Getting gvmr"):
#   - scripts/dist.sh: from an empty target directory (and whether that gives
#     the same bytes as the build in target/), and again (nothing to rebuild);
#   - the sizes of the archive, the .deb and the binaries;
#   - get.sh on loopback (python3 -m http.server): dash with curl and
#     minisign, busybox ash with its wget and without minisign;
#   - gvmr self update on loopback, from a debug build (its hashing and
#     gzip are optimised like a release's, Cargo.toml) to the release.
#
#   bash scripts/bench-dist.sh [RUNS]        medians of RUNS (default 7)
#   BENCH_CLEAN_BUILD=0 bash scripts/bench-dist.sh   skip the build from scratch
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.1f\n", (e - s) * 1000 }'; }

minisign -G -W -p "$work/key.pub" -s "$work/key.key" >/dev/null
if [ "${BENCH_CLEAN_BUILD:-1}" = 1 ]; then
  start=$(now)
  CARGO_TARGET_DIR=$work/target GVMR_RELEASE_KEY=$work/key.key scripts/dist.sh --deb --out "$work/clean" >/dev/null 2>&1
  echo "dist.sh from an empty target directory: $(ms "$start" "$(now)") ms"
  rm -rf "$work/target"
fi
GVMR_RELEASE_KEY=$work/key.key scripts/dist.sh --deb --out "$work/dist" >/dev/null 2>&1
if [ -d "$work/clean" ]; then
  if diff -r "$work/clean" "$work/dist" >/dev/null; then
    echo "the build from an empty target directory gives the same bytes: yes"
  else
    echo "the build from an empty target directory gives the same bytes: NO ($(diff -rq "$work/clean" "$work/dist" | tr '\n' ' '))"
  fi
fi
start=$(now)
GVMR_RELEASE_KEY=$work/key.key scripts/dist.sh --deb --out "$work/dist" >/dev/null 2>&1
echo "dist.sh again, nothing to rebuild: $(ms "$start" "$(now)") ms"

version=$(sed -n 's/.*"version": "\(.*\)",/\1/p' "$work/dist/manifest.json")
target=$(rustc -vV | sed -n 's/^host: //p')
stem=gvmr-$version-$target
echo "archive $stem.tar.gz: $(wc -c <"$work/dist/$stem.tar.gz") bytes; .deb: $(wc -c <"$work/dist/gvmr_$version-1_amd64.deb") bytes"
tar -xzf "$work/dist/$stem.tar.gz" -C "$work"
echo "gvmr: $(wc -c <"$work/$stem/gvmr") bytes; gvmr-shim: $(wc -c <"$work/$stem/gvmr-shim") bytes"

# The release served as GitHub lays it out.
mkdir -p "$work/srv/releases/download/v$version" "$work/srv/releases/latest"
cp "$work/dist"/* "$work/srv/releases/download/v$version/"
ln -s "../download/v$version" "$work/srv/releases/latest/download"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work/srv" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server_pid=$!
base=http://127.0.0.1:$port/releases
for _ in $(seq 50); do curl -fs "$base/latest/download/manifest.json" >/dev/null && break; sleep 0.1; done

# PATH directories holding only what get.sh may use.
mkdir -p "$work/dash" "$work/busybox"
for tool in uname mktemp rm cat tail cut awk tar gzip sha256sum cmp mkdir cp chmod mv curl minisign; do
  ln -s "$(command -v "$tool")" "$work/dash/$tool"
done
for applet in $(busybox --list); do ln -s "$(command -v busybox)" "$work/busybox/$applet"; done

get_sh() { # SHELL... : one fresh install, in ms
  local start dir
  dir=$(mktemp -d "$work/install.XXXXXX")
  start=$(now)
  env -i PATH="$tools" HOME="$dir" GVMR_INSTALL_BASE="$base" GVMR_INSTALL_DIR="$dir/bin" \
    "$@" "$work/dist/get.sh" >/dev/null
  ms "$start" "$(now)"
  rm -rf "$dir"
}
tools=$work/dash
echo "get.sh, dash + curl + minisign: median $(for _ in $(seq "$runs"); do get_sh "$(command -v dash)"; done | median) ms"
tools=$work/busybox
echo "get.sh, busybox ash + wget, no minisign: median $(for _ in $(seq "$runs"); do get_sh "$(command -v busybox)" ash; done | median) ms"

cargo build --quiet --locked -p gvmr -p gvmr-shim
self_update() { # one update of a debug build to the release, in ms
  local start dir
  dir=$(mktemp -d "$work/update.XXXXXX")
  mkdir -p "$dir/bin"
  cp target/debug/gvmr target/debug/gvmr-shim "$dir/bin/"
  env -i PATH="$PATH" HOME="$dir" GVMR_HOME="$dir/gvmr" "$dir/bin/gvmr" -q shims
  start=$(now)
  env -i PATH="$PATH" HOME="$dir" GVMR_HOME="$dir/gvmr" GVMR_UPDATE_BASE="$base" \
    GVMR_UPDATE_KEY="$work/key.pub" GVMR_TEST_SELF_VERSION=0.0.1 "$dir/bin/gvmr" -q self update 2>/dev/null
  ms "$start" "$(now)"
  rm -rf "$dir"
}
echo "gvmr self update (debug build to the release, shims too): median $(for _ in $(seq "$runs"); do self_update; done | median) ms"
