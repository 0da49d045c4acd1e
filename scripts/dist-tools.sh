#!/bin/sh
# Installs, when missing, the tools scripts/dist.sh builds Linux releases
# with, at the versions the tests run: ziglang and cargo-zigbuild (PyPI
# binary wheels: seconds, where `cargo install cargo-zigbuild` compiles for
# a minute; they link gvmr against glibc 2.17) and cargo-deb (crates.io).
# The release's bytes depend on these versions, so scripts/test.sh and
# scripts/release.sh both install them from here.
set -eu

if ! command -v cargo-zigbuild >/dev/null 2>&1 || ! python3 -m ziglang version >/dev/null 2>&1; then
  echo "dist-tools.sh: installing ziglang and cargo-zigbuild (PyPI)"
  python3 -m pip install --quiet ziglang==0.17.1 cargo-zigbuild==0.24.1
fi
if ! command -v cargo-deb >/dev/null 2>&1; then
  echo "dist-tools.sh: installing cargo-deb (crates.io)"
  cargo install --quiet --locked cargo-deb --version 3.8.0
fi
