#!/usr/bin/env python3
"""Lay out a Go release archive as a Go module proxy and checksum database,
as static files (for scripts/bench.sh and the tests: `gvmr install --source
proxy`).

Usage: toolchain-module.py ARCHIVE.tar.gz OUT_DIR [--proxy-only]

Writes OUT_DIR/proxy/golang.org/toolchain/@v/v0.0.1-goX.Y.Z.OS-ARCH.zip
(and .info, .mod, list) the way Go's release tool cmd/distpack builds them:
every file of go/ below `golang.org/toolchain@<version>/` except api/, doc/,
misc/ and test/; nested go.mod files stored as _go.mod; no go.mod at the
root (the proxy serves the .mod separately); no directory entries; entries
in distpack's order, deflated (zlib's default level; distpack uses the
best, which is several times slower and changes no hash gvmr or Go checks),
dated by the `time` line of go/VERSION, with
distpack's modes (0755 for bin/, pkg/tool/, *.bash, *.sh, *.pl, *.rc and
**/go_?*_?*_exec, 0644 for the rest). The .info holds Version and Time.

Unless --proxy-only, OUT_DIR/sumdb/ holds a one-record checksum database
(lookup/, latest, tiles) signed with a fresh Ed25519 key, and the GOSUMDB key
(name+hash+key) to use is printed; append the URL the sumdb directory is
served at. The checksum database needs python3-cryptography.
"""
import base64
import datetime
import fnmatch
import hashlib
import os
import sys
import tarfile
import zipfile

MODULE = "golang.org/toolchain"
NAME = "bench.sumdb.example"
MOD_FILE = "module golang.org/toolchain\n"


def distpack_mode(name):
    """cmd/distpack's mode(): NAME is relative to GOROOT."""
    if name.startswith(("bin/", "pkg/tool/")) or name.endswith((".bash", ".sh", ".pl", ".rc")):
        return 0o755
    # amatch("**/go_?*_?*_exec", name) matches the last path element.
    if fnmatch.fnmatchcase(name.rsplit("/", 1)[-1], "go_?*_?*_exec"):
        return 0o755
    return 0o644


def distpack_key(name):
    """cmd/distpack's nameLess: `foo/bar/baz` before `foo/bar.go`."""
    return [(0 if c == "/" else 1, c) for c in name]


def h1(zip_path):
    lines = []
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            lines.append(f"{hashlib.sha256(z.read(info)).hexdigest()}  {info.filename}\n")
    summary = "".join(sorted(lines, key=lambda l: l.split("  ", 1)[1]))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def version_time(tar):
    """The `time` line of go/VERSION (RFC 3339), as distpack reads it."""
    for line in tar.extractfile("go/VERSION").read().decode().splitlines()[1:]:
        fields = line.split()
        if len(fields) == 2 and fields[0] == "time":
            return datetime.datetime.strptime(fields[1], "%Y-%m-%dT%H:%M:%SZ")
    sys.exit("go/VERSION has no time line")


def write_zip(archive, zip_path, prefix):
    with tarfile.open(archive) as tar:
        when = version_time(tar)
        files = []
        for member in tar:
            if not member.isfile():
                continue
            name = member.name.removeprefix("go/")
            if name.split("/", 1)[0] in ("api", "doc", "misc", "test"):
                continue
            # Read in archive order: seeking back in a gzip stream rereads it.
            files.append((name, tar.extractfile(member).read()))
        # The mode comes from the name before go.mod becomes _go.mod.
        entries = []
        for name, data in files:
            mode = distpack_mode(name)
            if name.endswith("/go.mod"):
                name = name[: -len("go.mod")] + "_go.mod"
            entries.append((name, mode, data))
        entries.sort(key=lambda e: distpack_key(e[0]))
        partial = zip_path + ".partial"
        with zipfile.ZipFile(partial, "w") as z:
            for name, mode, data in entries:
                info = zipfile.ZipInfo(prefix + name, date_time=when.timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so the mode below is read as one
                info.external_attr = (0o100000 | mode) << 16
                z.writestr(info, data)
        os.replace(partial, zip_path)
    return when


def main():
    args = [a for a in sys.argv[1:] if a != "--proxy-only"]
    proxy_only = len(args) != len(sys.argv) - 1
    if len(args) != 2:
        sys.exit(__doc__)
    archive, out = args
    stem = os.path.basename(archive).removesuffix(".tar.gz")
    go_version, platform = stem.rsplit(".", 1)  # go1.22.10, linux-amd64
    goos, arch = platform.split("-", 1)
    goarch = "arm" if arch == "armv6l" else arch
    mv = f"v0.0.1-{go_version}.{goos}-{goarch}"
    at = os.path.join(out, "proxy", MODULE, "@v")
    os.makedirs(at, exist_ok=True)
    zip_path = os.path.join(at, f"{mv}.zip")
    when = write_zip(archive, zip_path, f"{MODULE}@{mv}/")
    with open(os.path.join(at, f"{mv}.mod"), "w") as f:
        f.write(MOD_FILE)
    with open(os.path.join(at, f"{mv}.info"), "w") as f:
        f.write(f'{{"Version":"{mv}", "Time":"{when.strftime("%Y-%m-%dT%H:%M:%SZ")}"}}\n')
    with open(os.path.join(at, "list"), "w") as f:
        f.write(mv + "\n")
    if proxy_only:
        return

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    gomod_sum = hashlib.sha256(MOD_FILE.encode()).hexdigest() + "  go.mod\n"
    gomod_h1 = "h1:" + base64.b64encode(hashlib.sha256(gomod_sum.encode()).digest()).decode()
    record = f"{MODULE} {mv} {h1(zip_path)}\n{MODULE} {mv}/go.mod {gomod_h1}\n"
    record_hash = hashlib.sha256(b"\x00" + record.encode()).digest()
    tree = f"go.sum database tree\n1\n{base64.b64encode(record_hash).decode()}\n"
    key = Ed25519PrivateKey.generate()
    pub = b"\x01" + key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_hash = hashlib.sha256(NAME.encode() + b"\n" + pub).digest()[:4]
    sig = base64.b64encode(key_hash + key.sign(tree.encode())).decode()
    note = f"{tree}\n\u2014 {NAME} {sig}\n"
    db = os.path.join(out, "sumdb")
    for path, body in [
        (f"lookup/{MODULE}@{mv}", f"0\n{record}\n{note}"),
        ("latest", note),
        ("tile/8/0/000.p/1", record_hash),
        ("tile/8/data/000.p/1", record),
    ]:
        full = os.path.join(db, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(body if isinstance(body, bytes) else body.encode())
    print(f"{NAME}+{key_hash.hex()}+{base64.b64encode(pub).decode()}")


if __name__ == "__main__":
    main()
