#!/bin/sh
# Builds gvmr's release files into dist/ (or --out DIR):
#
#   gvmr-VERSION-TARGET.tar.gz  per target: gvmr, gvmr-shim, completions/
#                               (bash, zsh, fish), man/man1/ (a page per
#                               command), README.md, LICENSE-MIT, LICENSE-APACHE
#   gvmr_VERSION-1_ARCH.deb     with --deb, for Linux targets (cargo-deb)
#   get.sh                      the installer, with this release's version,
#                               archive checksums and public key written in
#   manifest.json               version, commit, date; per target: file, size, sha256
#   SHA256SUMS                  every file above
#   SHA256SUMS.sig              its minisign signature, when GVMR_RELEASE_KEY
#                               names a secret key file (minisign -G -W)
#
#   scripts/dist.sh [--out DIR] [--deb] [--build-only] [TARGET...]
#       builds each TARGET (default: this machine's), then (unless
#       --build-only) assembles DIR
#   scripts/dist.sh --assemble [--out DIR]
#       only assembles the archives already in DIR (the release workflow
#       builds one target per job, then assembles them all)
#
# Targets: x86_64-unknown-linux-gnu and aarch64-unknown-linux-gnu (gvmr
# linked against glibc 2.17 with cargo-zigbuild and zig, from PyPI: pip
# install ziglang cargo-zigbuild; gvmr-shim static), x86_64-apple-darwin and
# aarch64-apple-darwin. The gvmr built must run here (man pages and
# completions come from it).
#
# Reproducible: SOURCE_DATE_EPOCH defaults to the commit's date, build paths
# are remapped, archive entries are sorted with fixed owner, mode and mtime,
# and gzip stores no name or time: two runs from one commit give the same bytes.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

die() {
  printf 'dist.sh: %s\n' "$*" >&2
  exit 1
}
need() {
  command -v "$1" >/dev/null 2>&1 || die "needs $1: $2"
}

out=dist
deb=false
do_build=true
do_assemble=true
targets=
while [ $# -gt 0 ]; do
  case $1 in
  --out)
    [ $# -ge 2 ] || die "--out needs a directory"
    out=$2
    shift 2
    ;;
  --deb)
    deb=true
    shift
    ;;
  --assemble)
    do_build=false
    shift
    ;;
  --build-only)
    do_assemble=false
    shift
    ;;
  -h | --help)
    sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit 0
    ;;
  -*) die "unknown option $1 (see scripts/dist.sh --help)" ;;
  *)
    targets="$targets $1"
    shift
    ;;
  esac
done

version=$(sed -n '/^\[package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
repository=$(sed -n '/^\[package\]/,/^\[/s/^repository = "\(.*\)"$/\1/p' Cargo.toml)
if [ -z "$version" ] || [ -z "$repository" ]; then
  die "cannot read the version and repository from Cargo.toml"
fi
commit=$(git rev-parse HEAD)
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_EPOCH
target_dir=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  gnutar=tar
elif command -v gtar >/dev/null 2>&1; then
  gnutar=gtar
else
  die "needs GNU tar (for sorted entries with fixed owners and times): install it (gnu-tar, as gtar)"
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
else
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
fi

# Compiles TARGET's gvmr and gvmr-shim (profile dist) with the paths of
# this machine remapped out of them; prints the directory holding both.
compile() {
  target=$1
  cargo_home=${CARGO_HOME:-$HOME/.cargo}
  remap="--remap-path-prefix=$root=/gvmr --remap-path-prefix=$target_dir=/target --remap-path-prefix=$cargo_home=/cargo"
  profile_dir=$target_dir/$target/dist
  case $target in
  x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu)
    need cargo-zigbuild "scripts/dist-tools.sh installs it"
    # glibc 2.17 is the newest symbol version gvmr may use: it runs on
    # distributions from 2014 on, and resolves names with their own glibc.
    RUSTFLAGS=$remap GVMR_BUILD_COMMIT=$(git rev-parse --short=12 HEAD) \
      cargo zigbuild --quiet --locked --profile dist --target "$target.2.17" -p gvmr >&2
    # The shim is static (it runs before every go command; no loader). It
    # has its own target directory: other flags would rebuild gvmr's.
    RUSTFLAGS="$remap -C target-feature=+crt-static" \
      cargo build --quiet --locked --profile dist --target "$target" -p gvmr-shim \
      --target-dir "$target_dir/dist-shim" >&2
    cp "$target_dir/dist-shim/$target/dist/gvmr-shim" "$profile_dir/gvmr-shim"
    ;;
  x86_64-apple-darwin | aarch64-apple-darwin)
    RUSTFLAGS=$remap GVMR_BUILD_COMMIT=$(git rev-parse --short=12 HEAD) \
      cargo build --quiet --locked --profile dist --target "$target" -p gvmr -p gvmr-shim >&2
    ;;
  *) die "no release build for $target (x86_64/aarch64-unknown-linux-gnu, x86_64/aarch64-apple-darwin)" ;;
  esac
  printf '%s\n' "$profile_dir"
}

# Builds TARGET's archive (and .deb) into $out.
build() {
  target=$1
  profile_dir=$(compile "$target")
  name=gvmr-$version-$target
  # Staged where cargo-deb looks for target/release/... (Cargo.toml).
  stage=$profile_dir/stage
  rm -rf "$stage"
  mkdir -p "$stage/completions" "$stage/man/man1"
  cp "$profile_dir/gvmr" "$profile_dir/gvmr-shim" README.md LICENSE-MIT LICENSE-APACHE "$stage/"
  "$stage/gvmr" completions bash >"$stage/completions/gvmr.bash"
  "$stage/gvmr" completions zsh >"$stage/completions/_gvmr"
  "$stage/gvmr" completions fish >"$stage/completions/gvmr.fish"
  "$stage/gvmr" internal-man-pages "$stage/man/man1"
  find "$stage" -type d -exec chmod 755 {} +
  find "$stage" -type f -exec chmod 644 {} +
  chmod 755 "$stage/gvmr" "$stage/gvmr-shim"
  (cd "$profile_dir" && LC_ALL=C "$gnutar" --create --sort=name --format=ustar \
    --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    --transform="s|^stage|$name|" stage) | gzip -9 -n >"$out/$name.tar.gz"
  echo "dist.sh: $out/$name.tar.gz" >&2
  case $target in
  *-linux-gnu) if $deb; then package_deb "$profile_dir"; fi ;;
  esac
}

# Builds the .deb of the target staged in PROFILE_DIR (Cargo.toml's
# [package.metadata.deb]): man pages and changelog gzipped as Debian wants.
package_deb() {
  profile_dir=$1
  need cargo-deb "scripts/dist-tools.sh installs it"
  debdir=$profile_dir/deb
  rm -rf "$debdir"
  mkdir -p "$debdir/man"
  for page in "$profile_dir"/stage/man/man1/*.1; do
    gzip -9 -n <"$page" >"$debdir/man/${page##*/}.gz"
  done
  maintainer=$(sed -n 's/^maintainer = "\(.*\)"$/\1/p' Cargo.toml)
  {
    printf 'gvmr (%s-1) unstable; urgency=medium\n\n' "$version"
    printf '  * gvmr %s: %s/releases/tag/v%s\n\n' "$version" "$repository" "$version"
    printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
  } | gzip -9 -n >"$debdir/changelog.Debian.gz"
  cargo deb --quiet --no-build --no-strip --profile dist --target "$target" --output "$out" >&2
}

# Writes get.sh, manifest.json, SHA256SUMS (and SHA256SUMS.sig) for the
# archives of this version in $out.
assemble() {
  cd "$out"
  archives=$(find . -maxdepth 1 -name "gvmr-$version-*.tar.gz" | sed 's|^\./||' | LC_ALL=C sort)
  [ -n "$archives" ] || die "no gvmr-$version-*.tar.gz in $out to assemble"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT

  # The gvmr that signs: the first archive's gvmr that runs here.
  signer=
  for archive in $archives; do
    top=${archive%.tar.gz}
    "$gnutar" -xzf "$archive" -C "$work" "$top/gvmr"
    if "$work/$top/gvmr" --version >/dev/null 2>&1; then
      signer=$work/$top/gvmr
      break
    fi
  done
  public_key=
  if [ -n "${GVMR_RELEASE_KEY:-}" ]; then
    [ -n "$signer" ] || die "none of the archives' gvmr runs here, so none can sign"
    public_key=$("$signer" internal-minisign public "$GVMR_RELEASE_KEY" | sed -n 2p)
  fi

  checksums=
  for archive in $archives; do
    checksums="$checksums$(sha256 "$archive")  $archive
"
  done
  {
    sed -n '1,/^# --- release:/p' "$root/scripts/get.sh"
    printf "release_version='%s'\n" "$version"
    printf "release_base='%s/releases'\n" "$repository"
    printf "release_public_key='%s'\n" "$public_key"
    printf "release_checksums='\n%s'\n" "$checksums"
    sed -n '/^# --- end of release ---$/,$p' "$root/scripts/get.sh"
  } >get.sh
  chmod 755 get.sh

  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null ||
    date -u -r "$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
  {
    printf '{\n  "version": "%s",\n  "commit": "%s",\n  "date": "%s",\n  "targets": {' \
      "$version" "$commit" "$date"
    separator=
    for archive in $archives; do
      target=${archive#"gvmr-$version-"}
      target=${target%.tar.gz}
      printf '%s\n    "%s": {"file": "%s", "size": %s, "sha256": "%s"}' \
        "$separator" "$target" "$archive" "$(wc -c <"$archive" | tr -d ' ')" "$(sha256 "$archive")"
      separator=,
    done
    printf '\n  }\n}\n'
  } >manifest.json

  debs=$(find . -maxdepth 1 -name "gvmr_$version-*.deb" | sed 's|^\./||')
  files=$(printf '%s\n' "$archives" "$debs" get.sh manifest.json | grep . | LC_ALL=C sort)
  for file in $files; do
    printf '%s  %s\n' "$(sha256 "$file")" "$file"
  done >SHA256SUMS

  rm -f SHA256SUMS.sig
  if [ -n "$public_key" ]; then
    "$signer" internal-minisign sign "$GVMR_RELEASE_KEY" SHA256SUMS \
      --trusted-comment "gvmr $version SHA256SUMS, commit $commit, timestamp:$SOURCE_DATE_EPOCH" >SHA256SUMS.sig
    echo "dist.sh: signed SHA256SUMS with key $public_key" >&2
  else
    echo "dist.sh: SHA256SUMS is not signed (GVMR_RELEASE_KEY is not set)" >&2
  fi
  echo "dist.sh: gvmr $version in $out: $(echo "$files" | tr "\n" " ")SHA256SUMS" >&2
}

if $do_build; then
  if [ -z "$targets" ]; then
    targets=$(rustc -vV | sed -n 's/^host: //p')
  fi
  for target in $targets; do
    build "$target"
  done
fi
if $do_assemble; then
  assemble
fi
