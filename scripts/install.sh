#!/bin/sh
# Installs gvmr and its go/gofmt shim (gvmr-shim) from this checkout into
# ~/.cargo/bin. On Linux the shim is linked statically: it runs before every
# `go` command, and skipping the dynamic loader saves a few tenths of a ms.
set -eu
cd "$(dirname "$0")/.."
cargo install --locked --path .
if [ "$(uname -s)" = Linux ]; then
  RUSTFLAGS='-C target-feature=+crt-static' cargo install --locked --path shims
else
  cargo install --locked --path shims
fi
echo "Installed gvmr and gvmr-shim. Next: gvmr install latest && gvmr default latest"
