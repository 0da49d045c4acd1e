#!/bin/sh
# gvmr's installer, published with each release (scripts/dist.sh writes the
# release's version, archive checksums and public key into its copy):
#
#   curl -fsSL https://github.com/gvmr/gvmr/releases/latest/download/get.sh | sh
#   sh get.sh [--version VERSION]
#
# It downloads the gvmr release archive for this machine (Linux or macOS,
# x86_64 or arm64), verifies it, and installs gvmr and gvmr-shim into
# GVMR_INSTALL_DIR (default ~/.local/bin), each by a temporary file and a
# rename. It needs curl or wget, tar and a SHA-256 tool; no root.
#
# Before anything is installed the archive's SHA-256 must equal the one
# written into this script (so the server that serves the archive does not
# also vouch for it) and the one in the release's SHA256SUMS. When minisign
# is installed, SHA256SUMS.sig must also be a valid signature by the release
# key written into this script; another version than this script's is
# installed only then (that release's own get.sh checks it without minisign).
#
# Environment:
#   GVMR_INSTALL_BASE  the release downloads, laid out as GitHub serves them
#                      (BASE/download/vVERSION/FILE): a mirror for networks
#                      that cannot reach GitHub
#   GVMR_INSTALL_DIR   where gvmr and gvmr-shim go (default ~/.local/bin)
set -eu

# --- release: scripts/dist.sh writes this release's values here ---
release_version=''
release_base=''
release_public_key=''
release_checksums=''
# --- end of release ---

say() { printf '%s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

usage() {
  say "usage: sh get.sh [--version VERSION]"
  say "Installs gvmr ${release_version:-(this release)} (or VERSION) into \${GVMR_INSTALL_DIR:-~/.local/bin}."
}

[ -n "$release_version" ] ||
  die "this is the template of gvmr's installer (scripts/get.sh): run the get.sh published with a release, which holds its checksums (see the README, Install)"

version=$release_version
while [ $# -gt 0 ]; do
  case $1 in
  --version)
    [ $# -ge 2 ] || die "--version needs a version, e.g. --version $release_version"
    version=${2#v}
    shift 2
    ;;
  --version=*)
    version=${1#--version=}
    version=${version#v}
    shift
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  *) die "unknown argument: $1 (usage: sh get.sh [--version VERSION])" ;;
  esac
done
base=${GVMR_INSTALL_BASE:-$release_base}
base=${base%/}
# The base as messages show it: the password of a private mirror hidden.
shown_base=$base
case $base in
*://*)
  rest=${base#*://}
  authority=${rest%%/*}
  case $authority in
  *:*@*) shown_base="${base%%://*}://${authority%%:*}:***@${authority##*@}${rest#"$authority"}" ;;
  esac
  ;;
esac

# This machine, as a Rust target.
os=$(uname -s)
arch=$(uname -m)
case $os in
Linux) os_part=unknown-linux-gnu ;;
Darwin) os_part=apple-darwin ;;
*) die "gvmr has no build for $os $arch (only for Linux and macOS on x86_64 and arm64); build it from source instead: cargo install --locked gvmr gvmr-shim" ;;
esac
case $arch in
x86_64 | amd64) cpu=x86_64 ;;
aarch64 | arm64) cpu=aarch64 ;;
*) die "gvmr has no build for $os $arch (only for Linux and macOS on x86_64 and arm64); build it from source instead: cargo install --locked gvmr gvmr-shim" ;;
esac
# An x86_64 shell under Rosetta on Apple silicon still gets the native build.
if [ "$os" = Darwin ] && [ "$cpu" = x86_64 ] &&
  [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
  cpu=aarch64
fi
target=$cpu-$os_part

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t gvmr)
staged_in=
cleanup() {
  rm -rf "$tmp"
  if [ -n "$staged_in" ]; then rm -f "$staged_in/.gvmr.new.$$" "$staged_in/.gvmr-shim.new.$$"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# fetch URL FILE: the body of URL into FILE; on failure, the tool's last
# line of complaint is in $tmp/fetch.log.
if command -v curl >/dev/null 2>&1; then
  fetch() {
    case $1 in
    https://*) curl -fsSL --proto '=https' --tlsv1.2 --retry 2 -o "$2" "$1" 2>"$tmp/fetch.log" ;;
    *) curl -fsSL --retry 2 -o "$2" "$1" 2>"$tmp/fetch.log" ;;
    esac
  }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -O "$2" "$1" 2>"$tmp/fetch.log"; }
else
  die "neither curl nor wget is installed: install one of them, then run this again"
fi
why() { tail -n 1 "$tmp/fetch.log" 2>/dev/null || true; }

if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
elif command -v openssl >/dev/null 2>&1; then
  sha256() { openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1; }
else
  die "no SHA-256 tool (sha256sum, shasum or openssl) is installed: install one, then run this again"
fi

# checksum_of FILE LIST: FILE's digest in sha256sum-style LIST text.
checksum_of() { printf '%s\n' "$2" | awk -v f="$1" '$2 == f || $2 == "*" f { print $1; exit }'; }

have_minisign=false
if command -v minisign >/dev/null 2>&1; then have_minisign=true; fi
if [ "$version" != "$release_version" ] && ! $have_minisign; then
  die "this installer holds the checksums of gvmr $release_version only; installing $version needs minisign to check its signature: install minisign, or run that release's own installer ($shown_base/download/v$version/get.sh)"
fi

file=gvmr-$version-$target.tar.gz
url=$base/download/v$version
shown=$shown_base/download/v$version
say "Downloading gvmr $version for $target from $shown"
fetch "$url/SHA256SUMS" "$tmp/SHA256SUMS" ||
  die "cannot download $shown/SHA256SUMS ($(why)): gvmr $version is not published there, or the server cannot be reached; check the version and GVMR_INSTALL_BASE"
sums=$(cat "$tmp/SHA256SUMS")

verified="SHA256SUMS"
if $have_minisign; then
  [ -n "$release_public_key" ] ||
    die "this installer was built without a release key, so it cannot check the signature of gvmr $version"
  fetch "$url/SHA256SUMS.sig" "$tmp/SHA256SUMS.sig" ||
    die "cannot download $shown/SHA256SUMS.sig ($(why)): refusing to install gvmr $version without its signature"
  minisign -V -q -H -P "$release_public_key" -m "$tmp/SHA256SUMS" -x "$tmp/SHA256SUMS.sig" >/dev/null 2>&1 ||
    die "the signature of $shown/SHA256SUMS is not valid for gvmr's release key: refusing to install; do not use this release, and report it to whoever serves it"
  verified="SHA256SUMS, whose minisign signature by the release key checked out"
else
  say "minisign is not installed, so the signature of SHA256SUMS was not checked (the checksum written into this installer was)"
fi

listed=$(checksum_of "$file" "$sums")
[ -n "$listed" ] ||
  die "gvmr $version has no build for $target ($shown/SHA256SUMS does not list $file)"
if [ "$version" = "$release_version" ]; then
  expected=$(checksum_of "$file" "$release_checksums")
  [ -n "$expected" ] || die "gvmr $version has no build for $target (this installer has no checksum for $file)"
  [ "$listed" = "$expected" ] ||
    die "$shown/SHA256SUMS lists $listed for $file, but this installer says $expected: refusing to install; do not use this release, and report it to whoever serves it"
  verified="this installer and $verified"
fi

fetch "$url/$file" "$tmp/$file" || die "cannot download $shown/$file ($(why))"
actual=$(sha256 "$tmp/$file")
[ "$actual" = "$listed" ] ||
  die "checksum mismatch for $file: expected $listed, got $actual; the download is corrupt or was tampered with, and nothing was installed"

tar -xzf "$tmp/$file" -C "$tmp" || die "cannot unpack $file"
new=$tmp/gvmr-$version-$target
for name in gvmr gvmr-shim; do
  [ -f "$new/$name" ] || die "$file holds no gvmr-$version-$target/$name"
done
"$new/gvmr" --version >/dev/null 2>&1 ||
  die "the downloaded gvmr does not run on this machine ($("$new/gvmr" --version 2>&1 | tail -n 1)); nothing was installed"

if [ -n "${GVMR_INSTALL_DIR:-}" ]; then
  dir=$GVMR_INSTALL_DIR
else
  [ -n "${HOME:-}" ] || die "HOME is not set: set GVMR_INSTALL_DIR to the directory to install into"
  dir=$HOME/.local/bin
fi
mkdir -p "$dir" 2>"$tmp/mkdir.log" ||
  die "cannot create $dir ($(tail -n 1 "$tmp/mkdir.log")): set GVMR_INSTALL_DIR to a directory you can write to"

# Both programs are written beside their places before either is
# replaced, so a failed write leaves the install as it was.
changed=
shim_updated=false
staged_in=$dir
for name in gvmr-shim gvmr; do
  if cmp -s "$new/$name" "$dir/$name"; then continue; fi
  if [ "$name" = gvmr-shim ] && [ -e "$dir/$name" ]; then shim_updated=true; fi
  { cp "$new/$name" "$dir/.$name.new.$$" && chmod 755 "$dir/.$name.new.$$"; } 2>"$tmp/write.log" ||
    die "cannot write to $dir ($(tail -n 1 "$tmp/write.log")): set GVMR_INSTALL_DIR to a directory you can write to"
  changed="$changed $name"
done
for name in $changed; do
  mv -f "$dir/.$name.new.$$" "$dir/$name" || die "cannot replace $dir/$name"
done

if [ -z "$changed" ]; then
  say "gvmr $version is already installed in $dir; nothing changed"
else
  say "Installed gvmr $version in $dir (verified: sha256 of $file from $verified)"
  # An update of an existing install: the go/gofmt shims are copies of gvmr-shim.
  if $shim_updated; then "$dir/gvmr" -q shims >/dev/null 2>&1 || true; fi
fi

# shellcheck disable=SC2016 # the hook lines are printed as they are to be typed
case ${SHELL:-} in
*/zsh) hook='eval "$(gvmr hook zsh)"      # in ~/.zshrc' ;;
*/fish) hook='gvmr hook fish | source     # in ~/.config/fish/config.fish' ;;
*) hook='eval "$(gvmr hook bash)"     # in ~/.bashrc' ;;
esac
say ""
say "Next:"
case ":${PATH:-}:" in
*":$dir:"*) ;;
*) say "  export PATH=\"$dir:\$PATH\"   # $dir is not on PATH: add this to your shell's startup file" ;;
esac
say "  gvmr install latest && gvmr default latest"
say "  $hook"
