#!/usr/bin/env bash
# Fuzzing of every parser of untrusted input, two ways.
#
#   bash scripts/fuzz.sh [CASES]
#       The property tests (proptest), far longer than CI runs them: version
#       names, .go-version/.tool-versions/go.mod, the release listing,
#       archive entry paths and unpacking, checksums, platforms. CI runs
#       the same tests with proptest's default 256 cases each; this runs
#       CASES each (default 200000), optimised.
#
#   bash scripts/fuzz.sh libfuzzer [SECONDS] [TARGET...]
#       The cargo-fuzz targets in fuzz/ (nightly Rust, cargo-fuzz), each for
#       SECONDS (default 600), one after the other, on one core at the
#       lowest priority. Targets: listing, unpack_tar_gz, unpack_zip,
#       signature, sumdb_note, sumdb_tile, version_files (default: all).
#       Seeds are generated into fuzz/corpus/TARGET/ (not committed); the
#       corpus grows there between runs. Each target's log goes to
#       fuzz/logs/TARGET.log (also not committed).
#
# A proptest failure prints the shrunk input and records its seed under
# proptest-regressions/ (shims/proptest-regressions/ for the shim crate):
# commit that file, and add the input as a plain #[test] beside the property.
# A libFuzzer crash is saved under fuzz/artifacts/TARGET/: minimise it with
# `cargo +nightly fuzz tmin TARGET FILE`, fix the parser, and add the
# minimised input as a plain #[test] beside the parser.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(listing unpack_tar_gz unpack_zip signature sumdb_note sumdb_tile version_files)

# Largest input libFuzzer builds for each target.
max_len() {
    case "$1" in
        listing) echo 16384 ;;
        unpack_tar_gz | unpack_zip) echo 65536 ;;
        signature) echo 32768 ;; # the real key file (17 KB) is a seed
        sumdb_note) echo 8192 ;;
        sumdb_tile) echo 4096 ;;
        version_files) echo 1024 ;;
        *) echo "unknown fuzz target $1" >&2; exit 2 ;;
    esac
}

# Extra libFuzzer flags: the slow targets (a few dozen runs a second) start
# at full length rather than growing it slowly from a few bytes, since a
# useful archive or OpenPGP packet is hundreds of bytes.
extra_flags() {
    case "$1" in
        unpack_tar_gz | unpack_zip | signature) echo -len_control=0 ;;
    esac
}

proptest_run() {
    local cases="${1:-${PROPTEST_CASES:-200000}}"
    export PROPTEST_CASES="$cases"
    # Shrinking a failure can take many iterations; let it finish.
    export PROPTEST_MAX_SHRINK_ITERS="${PROPTEST_MAX_SHRINK_ITERS:-100000}"
    echo "== proptest properties with PROPTEST_CASES=$cases"
    local start=$SECONDS
    # Every property test lives in a `fuzz` module: `<module>::fuzz::<property>`.
    echo "+ cargo test --release -p gvmr-shim --lib -- fuzz::"
    cargo test --release -p gvmr-shim --lib -- fuzz:: --test-threads "$(nproc)"
    echo "+ cargo test --release -p gvmr --lib -- fuzz::"
    cargo test --release -p gvmr --lib -- fuzz:: --test-threads "$(nproc)"
    echo "== proptest properties done in $((SECONDS - start)) s"
}

# Small valid inputs to start each target from.
make_seeds() {
    local corpus=fuzz/corpus
    mkdir -p "$corpus"/{listing,unpack_tar_gz,unpack_zip,signature,sumdb_note,sumdb_tile,version_files}
    cp tests/fixtures/*.json "$corpus/listing/"
    python3 - "$corpus" keys/google-linux-packages-signing-key.asc <<'EOF'
import gzip, io, os, struct, sys, tarfile, zipfile

corpus, key = sys.argv[1], sys.argv[2]

def put(target, name, data):
    with open(os.path.join(corpus, target, "seed-" + name), "wb") as f:
        f.write(data)

def tar_gz(entries, format=tarfile.GNU_FORMAT):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=format) as tar:
        for name, data, mode in entries:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), mode
                tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)

go = [("go/", None, 0), ("go/VERSION", b"go1.22.5\n", 0o644),
      ("go/bin/", None, 0), ("go/bin/go", b"\x7fELF", 0o755),
      ("go/src/fmt/print.go", b"package fmt\n", 0o644)]
put("unpack_tar_gz", "go.tar.gz", tar_gz(go))
put("unpack_tar_gz", "link.tar.gz", tar_gz([("go/", None, 0), ("go/a/../b", b"x", 0o644)]))
long = "go/src/" + "d" * 90 + "/" + "f" * 60 + ".go"
put("unpack_tar_gz", "gnu-long.tar.gz", tar_gz([("go/", None, 0), (long, b"package f\n", 0o644)]))
put("unpack_tar_gz", "pax.tar.gz", tar_gz([("go/", None, 0), (long, b"package f\n", 0o644),
                                          ("go/src/\u00e9t\u00e9.go", b"package e\n", 0o644)], tarfile.PAX_FORMAT))

def zip_bytes(names):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in names:
            z.writestr(name, data)
    return out.getvalue()

put("unpack_zip", "go.zip", b"\x00" + zip_bytes(
    [("go/VERSION", b"go1.22.5\n"), ("go/bin/go.exe", b"MZ"), ("go/src/fmt/print.go", b"package fmt\n")]))
prefix = "golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64/"
put("unpack_zip", "module.zip", b"\x01" + zip_bytes(
    [(prefix + "go.mod", b"module golang.org/toolchain\n"), (prefix + "bin/go", b"\x7fELF"),
     (prefix + "src/_go.mod", b"module std\n"), (prefix + "src/fmt/print.go", b"package fmt\n")]))

key_bytes = open(key, "rb").read()
put("signature", "key-update.asc", b"\x01" + key_bytes)
put("signature", "keyring.asc", b"\x02" + key_bytes)

rec = (b"12345\ngolang.org/toolchain v0.0.1-go1.22.5.linux-amd64 h1:"
       + b"A" * 43 + b"=\ngolang.org/toolchain v0.0.1-go1.22.5.linux-amd64/go.mod h1:" + b"B" * 43 + b"=\n\n")
head = (b"go.sum database tree\n31337\n" + b"C" * 43 + b"=\n\n\xe2\x80\x94 sum.golang.org Az3grn"
        + b"D" * 82 + b"=\n")
put("sumdb_note", "lookup", rec + head)
put("sumdb_note", "head", head)
put("sumdb_note", "gosumdb", b"sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 https://sum.golang.org")

for mode in range(4):
    # Honest trees of tile height 1-4: n, old, index, patch (no forgery).
    put("sumdb_tile", "honest-%d" % mode,
        bytes([mode * 2]) + struct.pack("<IIIB", 100 + mode * 57, 37 + mode, 55 + mode, 1))
put("sumdb_tile", "forged", bytes([1, 7]) + struct.pack("<q", 1000) + b"\x11" * 32
    + struct.pack("<qq", 500, 300) + b"\x22" * 32 + bytes([8, 0]) + struct.pack("<qI", 1, 256) + b"\x33" * 64)

put("version_files", "go-version", b"# pinned\n1.22.5\n")
put("version_files", "go-version-line", b"go1.22\n")
put("version_files", "tool-versions", b"nodejs 20.1.0\ngolang 1.21rc2 # comment\n")
put("version_files", "go-mod", b"module example.com/m\n\ngo 1.21\n\ntoolchain go1.22.5+auto // pinned\n")
EOF
    # A detached signature from a throwaway key, armored and binary, when
    # gpg is there (the signature target then parses real packets).
    if command -v gpg >/dev/null; then
        local gnupg
        gnupg="$(mktemp -d)"
        if GNUPGHOME="$gnupg" gpg --batch --quiet --passphrase '' \
            --quick-gen-key 'gvmr fuzz <fuzz@example.invalid>' ed25519 sign never 2>/dev/null; then
            printf 'go1.22.5.linux-amd64.tar.gz contents\n' >"$gnupg/data"
            GNUPGHOME="$gnupg" gpg --batch --quiet --armor --output "$gnupg/data.asc" --detach-sign "$gnupg/data"
            GNUPGHOME="$gnupg" gpg --batch --quiet --output "$gnupg/data.sig" --detach-sign "$gnupg/data"
            { printf '\0'; cat "$gnupg/data.asc"; } >"$corpus/signature/seed-gpg.asc"
            { printf '\0'; cat "$gnupg/data.sig"; } >"$corpus/signature/seed-gpg.sig"
        fi
        rm -rf "$gnupg"
    fi
}

libfuzzer_run() {
    local seconds="${1:-600}"
    shift || true
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")
    if ! rustup toolchain list | grep -q '^nightly'; then
        echo "the cargo-fuzz targets need a nightly toolchain (rustup toolchain install nightly)" >&2
        exit 2
    fi
    if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
        echo "+ cargo install cargo-fuzz --locked"
        cargo install cargo-fuzz --locked
    fi
    make_seeds
    mkdir -p fuzz/logs
    echo "+ cargo +nightly fuzz build -O  (in fuzz/)"
    (cd fuzz && cargo +nightly fuzz build -O)
    local failed=()
    for target in "${targets[@]}"; do
        local len log
        len="$(max_len "$target")"
        log="fuzz/logs/$target.log"
        echo "== $target: ${seconds} s, -max_len=$len, corpus fuzz/corpus/$target, log $log"
        local cmd=(nice -n 19 cargo +nightly fuzz run -O "$target" "corpus/$target" --
            "-max_total_time=$seconds" -jobs=1 -workers=1 -rss_limit_mb=2048
            "-max_len=$len" -timeout=20 -print_final_stats=1)
        local extra
        extra="$(extra_flags "$target")"
        [ -z "$extra" ] || cmd+=("$extra")
        echo "+ (cd fuzz && ${cmd[*]})"
        local start=$SECONDS
        if (cd fuzz && "${cmd[@]}") >"$log" 2>&1; then
            status=ok
        else
            status=FAILED
            failed+=("$target")
        fi
        # With -jobs, libFuzzer writes the fuzzing output to fuzz-0.log.
        if [ -f fuzz/fuzz-0.log ]; then
            cat fuzz/fuzz-0.log >>"$log"
            rm -f fuzz/fuzz-*.log
        fi
        echo "   $status after $((SECONDS - start)) s; $(grep -E '^#[0-9]+' "$log" | tail -1)"
        grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' "$log" | tail -2 | sed 's/^/   /'
        echo "   corpus: $(find "fuzz/corpus/$target" -type f | wc -l) inputs"
        grep -E '^(==[0-9]+== ERROR|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)' "$log" | sed 's/^/   /' || true
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "== failed: ${failed[*]} (inputs under fuzz/artifacts/)"
        exit 1
    fi
    echo "== every target ran ${seconds} s without a finding"
}

case "${1:-}" in
    libfuzzer)
        shift
        libfuzzer_run "$@"
        ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        ;;
    *)
        proptest_run "$@"
        ;;
esac
