#!/usr/bin/env python3
"""Lay out a Go release archive as a Go module proxy and checksum database,
as static files (for scripts/bench.sh: `gvmr install --source proxy`).

Usage: toolchain-module.py ARCHIVE.tar.gz OUT_DIR

Writes OUT_DIR/proxy/golang.org/toolchain/@v/v0.0.1-goX.Y.Z.linux-amd64.zip
(and .info, .mod, list), laid out as Go publishes toolchains: every file of
go/ below `golang.org/toolchain@<version>/`, without api/ doc/ misc/ test/,
nested go.mod files stored as _go.mod, no modes. OUT_DIR/sumdb/ holds a
one-record checksum database (lookup/, latest, tiles) signed with a fresh
Ed25519 key. Prints the GOSUMDB key (name+hash+key) to use; append the URL
the sumdb directory is served at. Needs python3-cryptography.
"""
import base64
import hashlib
import os
import sys
import tarfile
import zipfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MODULE = "golang.org/toolchain"
NAME = "bench.sumdb.example"


def h1(zip_path):
    lines = []
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            lines.append(f"{hashlib.sha256(z.read(info)).hexdigest()}  {info.filename}\n")
    summary = "".join(sorted(lines, key=lambda l: l.split("  ", 1)[1]))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    archive, out = sys.argv[1], sys.argv[2]
    name = os.path.basename(archive)
    go_version = name.split(".linux-")[0]  # go1.22.10
    mv = f"v0.0.1-{go_version}.linux-amd64"
    at = os.path.join(out, "proxy", MODULE, "@v")
    os.makedirs(at, exist_ok=True)
    zip_path = os.path.join(at, f"{mv}.zip")
    prefix = f"{MODULE}@{mv}/"
    with tarfile.open(archive) as tar, zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(prefix + "go.mod", "module golang.org/toolchain\n")
        for member in tar:
            if not member.isfile():
                continue
            rest = member.name.removeprefix("go/")
            if rest.split("/", 1)[0] in ("api", "doc", "misc", "test"):
                continue
            if rest == "go.mod" or rest.endswith("/go.mod"):
                rest = rest[: -len("go.mod")] + "_go.mod"
            z.writestr(prefix + rest, tar.extractfile(member).read())
    with open(os.path.join(at, f"{mv}.mod"), "w") as f:
        f.write("module golang.org/toolchain\n")
    with open(os.path.join(at, f"{mv}.info"), "w") as f:
        f.write(f'{{"Version":"{mv}"}}\n')
    with open(os.path.join(at, "list"), "w") as f:
        f.write(mv + "\n")

    gomod_sum = hashlib.sha256(b"module golang.org/toolchain\n").hexdigest() + "  go.mod\n"
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
