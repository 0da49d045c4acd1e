#!/bin/sh
# What .github/workflows/release.yml runs, so that the workflow holds no
# logic and a release can be rehearsed on any machine:
#
#   scripts/release.sh build TARGET   installs what dist.sh needs when it is
#                                     missing, then builds TARGET's archive
#                                     (and .deb on Linux) into dist/
#   scripts/release.sh publish TAG    with the archives of every target in
#                                     dist/: checks that TAG is v + the
#                                     version in Cargo.toml, assembles and
#                                     signs (GVMR_RELEASE_KEY_TEXT: the
#                                     secret key file's text, a CI secret),
#                                     then creates the GitHub release TAG
#                                     with every file (gh, GH_TOKEN)
set -eu
cd "$(dirname "$0")/.."

die() {
  printf 'release.sh: %s\n' "$*" >&2
  exit 1
}

case ${1:-} in
build)
  target=${2:?release.sh build TARGET}
  case $target in
  *-linux-gnu)
    scripts/dist-tools.sh
    deb=--deb
    ;;
  *) deb= ;;
  esac
  rustup target add "$target"
  # shellcheck disable=SC2086 # $deb is empty or one word
  scripts/dist.sh --build-only $deb "$target"
  ;;
publish)
  tag=${2:?release.sh publish TAG}
  version=$(sed -n '/^\[package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
  [ "$tag" = "v$version" ] || die "the tag $tag is not v$version, the version in Cargo.toml"
  [ -n "${GVMR_RELEASE_KEY_TEXT:-}" ] || die "GVMR_RELEASE_KEY_TEXT (the release key, a CI secret) is not set: a release is always signed"
  key=$(mktemp)
  trap 'rm -f "$key"' EXIT
  printf '%s\n' "$GVMR_RELEASE_KEY_TEXT" >"$key"
  GVMR_RELEASE_KEY=$key scripts/dist.sh --assemble
  [ -f dist/SHA256SUMS.sig ] || die "SHA256SUMS was not signed"
  # get.sh trusts the key it was signed with; installed gvmrs trust the
  # one in keys/gvmr-release.pub: they must be the same.
  public=$(sed -n "s/^release_public_key='\(.*\)'\$/\1/p" dist/get.sh)
  if [ -z "$public" ] || ! grep -qxF "$public" keys/gvmr-release.pub; then
    die "the release key (GVMR_RELEASE_KEY_TEXT) is not in keys/gvmr-release.pub: installed gvmrs would refuse this release"
  fi
  gh release create "$tag" --title "gvmr $version" --verify-tag dist/*
  ;;
*) die "usage: scripts/release.sh build TARGET | publish TAG" ;;
esac
