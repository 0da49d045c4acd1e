//! A fake Go release mirror: Go-like archives, odd and hostile archives,
//! the go.dev release listing JSON, and a [`Mirror`] that publishes
//! releases (archive, `.sha256`, `.asc`) on a [`TestServer`].

use super::keys::TestKey;
use super::server::TestServer;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::io::Write;

/// Modification time of every entry of the archives built here
/// (2024-06-27T20:11:12Z), so the same input gives the same bytes.
pub const FIXED_MTIME: u64 = 1_719_519_072;

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A `.zip` shaped like Go's Windows release: `go/`, `go/VERSION`,
/// `go/bin/go.exe`, plus `extra` entries `(name, content, is_symlink)` for
/// hostile variants. Entries are stored (not compressed).
pub fn fake_go_zip(version: &str, extra: &[(&str, &str, bool)]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.add_directory("go/", options).unwrap();
    zip.start_file("go/VERSION", options).unwrap();
    zip.write_all(format!("{version}\n").as_bytes()).unwrap();
    zip.start_file("go/bin/go.exe", options).unwrap();
    zip.write_all(b"MZ fake windows go").unwrap();
    for (name, content, symlink) in extra {
        if *symlink {
            zip.add_symlink(*name, *content, options).unwrap();
        } else {
            zip.start_file(*name, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// A `.tar.gz` laid out like an official Go archive for linux/amd64:
///
/// ```text
/// go/                                 dir  0755
/// go/VERSION                          0644 "go1.22.5\ntime 2024-06-27T20:11:12Z\n"
/// go/bin/                             dir  0755
/// go/bin/go                           0755 sh script (see below)
/// go/bin/gofmt                        0755 prints "fake gofmt"
/// go/pkg/ go/pkg/tool/ go/pkg/tool/linux_amd64/   dirs 0755
/// go/pkg/tool/linux_amd64/compile     0755 prints "fake compile"
/// go/src/ go/src/fmt/                 dirs 0755
/// go/src/fmt/print.go                 0644
/// ```
///
/// `go/bin/go version` prints `go version <version> linux/amd64`,
/// `go/bin/go env GOROOT` prints the absolute `go` directory the script is
/// in, and anything else prints `fake go <args>`.
///
/// The bytes are deterministic: the same version gives the same archive.
pub fn fake_go_archive(version: &str) -> Vec<u8> {
    go_like_archive(version, &fake_go_script(version), FAKE_GOFMT)
}

/// [`fake_go_archive`] with the runtime's sources too
/// (`go/src/runtime/extern.go`), which editors look for in a Go root
/// (GoLand's rules for an SDK home).
pub fn fake_go_sdk_archive(version: &str) -> Vec<u8> {
    go_like_tree(version, &fake_go_script(version), FAKE_GOFMT)
        .dir("go/src/runtime")
        .file(
            "go/src/runtime/extern.go",
            "// A stand-in from gvmr's fake test mirror.\npackage runtime\n",
            0o644,
        )
        .build_tar_gz()
}

const FAKE_GOFMT: &str = "#!/bin/sh\necho \"fake gofmt\"\n";

/// The `go` of [`fake_go_archive`].
fn fake_go_script(version: &str) -> String {
    format!(
        r#"#!/bin/sh
# Stand-in for the go command, from gvmr's fake test mirror.
if [ "$1" = version ]; then
    echo "go version {version} linux/amd64"
elif [ "$1" = env ] && [ "$2" = GOROOT ]; then
    cd "$(dirname "$0")/.." && pwd
else
    echo "fake go $*"
fi
"#
    )
}

/// The official layout (see [`fake_go_archive`]) with the given `go` and
/// `gofmt` scripts.
pub fn go_like_archive(version: &str, go_script: &str, gofmt_script: &str) -> Vec<u8> {
    go_like_tree(version, go_script, gofmt_script).build_tar_gz()
}

/// The entries of [`go_like_archive`], to add to.
fn go_like_tree(version: &str, go_script: &str, gofmt_script: &str) -> ArchiveBuilder {
    ArchiveBuilder::new()
        .dir("go")
        .file(
            "go/VERSION",
            format!("{version}\ntime 2024-06-27T20:11:12Z\n"),
            0o644,
        )
        .dir("go/bin")
        .file("go/bin/go", go_script, 0o755)
        .file("go/bin/gofmt", gofmt_script, 0o755)
        .dir("go/pkg")
        .dir("go/pkg/tool")
        .dir("go/pkg/tool/linux_amd64")
        .file(
            "go/pkg/tool/linux_amd64/compile",
            "#!/bin/sh\necho \"fake compile\"\n",
            0o755,
        )
        .dir("go/src")
        .dir("go/src/fmt")
        .file(
            "go/src/fmt/print.go",
            "// Copyright 2009 The Go Authors. All rights reserved.\n\
             \n\
             package fmt\n\
             \n\
             // Println is a stand-in from gvmr's fake test mirror.\n\
             func Println(a ...any) (n int, err error) { return 0, nil }\n",
            0o644,
        )
}

/// What one archive entry is.
#[derive(Debug, Clone)]
enum EntryKind {
    Dir,
    File(Vec<u8>),
    Symlink(Vec<u8>),
    Hardlink(Vec<u8>),
    Fifo,
    /// A character (`true`) or block (`false`) device node.
    Device(bool),
}

#[derive(Debug, Clone)]
struct Entry {
    /// The name exactly as written into the archive.
    path: Vec<u8>,
    mode: u32,
    kind: EntryKind,
}

/// Builds tar archives entry by entry, including ones no well-behaved tool
/// would write (`../evil`, `/etc/x`, links out of the tree, FIFOs).
///
/// Names and link targets are written **byte for byte**, with no checks: a
/// name up to 100 bytes goes into the header's name field, a longer one into
/// a GNU long-name record (`././@LongLink`) as GNU tar does. Every entry has
/// uid/gid 0 and mtime [`FIXED_MTIME`], so output is deterministic.
#[derive(Debug, Clone, Default)]
pub struct ArchiveBuilder {
    entries: Vec<Entry>,
}

impl ArchiveBuilder {
    pub fn new() -> ArchiveBuilder {
        ArchiveBuilder::default()
    }

    /// A directory, mode 0755; a trailing `/` is added if missing.
    pub fn dir(self, path: &str) -> Self {
        let mut name = path.as_bytes().to_vec();
        if !name.ends_with(b"/") {
            name.push(b'/');
        }
        self.push(name, 0o755, EntryKind::Dir)
    }

    /// A regular file with `mode` (e.g. 0o644, 0o755).
    pub fn file(self, path: &str, bytes: impl Into<Vec<u8>>, mode: u32) -> Self {
        self.push(path.into(), mode, EntryKind::File(bytes.into()))
    }

    /// A symbolic link `path` -> `target` (target unchecked: may be
    /// absolute or climb out with `..`).
    pub fn symlink(self, path: &str, target: &str) -> Self {
        self.push(path.into(), 0o777, EntryKind::Symlink(target.into()))
    }

    /// A hard link `path` to the archive entry (or any path) `target`.
    pub fn hardlink(self, path: &str, target: &str) -> Self {
        self.push(path.into(), 0o644, EntryKind::Hardlink(target.into()))
    }

    /// A named pipe.
    pub fn fifo(self, path: &str) -> Self {
        self.push(path.into(), 0o644, EntryKind::Fifo)
    }

    /// A character device node (tar entry type '3'), device 1:3 like
    /// `/dev/null`.
    pub fn char_device(self, path: &str) -> Self {
        self.push(path.into(), 0o666, EntryKind::Device(true))
    }

    /// A block device node (tar entry type '4'), device 8:0 like `/dev/sda`.
    pub fn block_device(self, path: &str) -> Self {
        self.push(path.into(), 0o660, EntryKind::Device(false))
    }

    /// A regular file (mode 0644) whose header name is exactly `path`, any
    /// bytes at all: "../evil", "/etc/x", non-UTF-8...
    pub fn raw_path_file(self, path: impl AsRef<[u8]>, bytes: impl Into<Vec<u8>>) -> Self {
        self.push(path.as_ref().to_vec(), 0o644, EntryKind::File(bytes.into()))
    }

    fn push(mut self, path: Vec<u8>, mode: u32, kind: EntryKind) -> Self {
        self.entries.push(Entry { path, mode, kind });
        self
    }

    /// The uncompressed tar archive.
    pub fn build_tar(&self) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for entry in &self.entries {
            append_entry(&mut tar, entry);
        }
        tar.into_inner().expect("finish the tar archive")
    }

    /// The tar archive, gzip-compressed (gzip header mtime 0).
    pub fn build_tar_gz(&self) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&self.build_tar())
            .expect("gzip the tar archive");
        gz.finish().expect("finish the gzip stream")
    }
}

/// Writes one entry with hand-set header fields (see [`ArchiveBuilder`]).
fn append_entry(tar: &mut tar::Builder<Vec<u8>>, entry: &Entry) {
    let (entry_type, data, link): (tar::EntryType, &[u8], Option<&[u8]>) = match &entry.kind {
        EntryKind::Dir => (tar::EntryType::Directory, &[], None),
        EntryKind::File(bytes) => (tar::EntryType::Regular, bytes, None),
        EntryKind::Symlink(target) => (tar::EntryType::Symlink, &[], Some(target)),
        EntryKind::Hardlink(target) => (tar::EntryType::Link, &[], Some(target)),
        EntryKind::Fifo => (tar::EntryType::Fifo, &[], None),
        EntryKind::Device(true) => (tar::EntryType::Char, &[], None),
        EntryKind::Device(false) => (tar::EntryType::Block, &[], None),
    };

    if entry.path.len() > 100 {
        append_long_name(tar, tar::EntryType::GNULongName, &entry.path);
    }
    if let Some(link) = link.filter(|l| l.len() > 100) {
        append_long_name(tar, tar::EntryType::GNULongLink, link);
    }

    let mut header = tar::Header::new_gnu();
    header.set_entry_type(entry_type);
    header.set_mode(entry.mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(FIXED_MTIME);
    header.set_size(data.len() as u64);
    if let EntryKind::Device(char) = entry.kind {
        let (major, minor) = if char { (1, 3) } else { (8, 0) };
        header
            .set_device_major(major)
            .expect("a GNU header has device fields");
        header
            .set_device_minor(minor)
            .expect("a GNU header has device fields");
    }
    let old = header.as_old_mut();
    copy_truncated(&mut old.name, &entry.path);
    if let Some(link) = link {
        copy_truncated(&mut old.linkname, link);
    }
    header.set_cksum();
    tar.append(&header, data).expect("append a tar entry");
}

/// A GNU `././@LongLink` record carrying a name too long for the header.
fn append_long_name(tar: &mut tar::Builder<Vec<u8>>, kind: tar::EntryType, name: &[u8]) {
    let mut data = name.to_vec();
    data.push(0);
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_size(data.len() as u64);
    copy_truncated(&mut header.as_old_mut().name, b"././@LongLink");
    header.set_cksum();
    tar.append(&header, &data[..])
        .expect("append a GNU long-name record");
}

/// Copies `bytes` into a fixed-size header field, zero-filling the rest and
/// cutting what does not fit (a long-name record carries the whole name).
fn copy_truncated(field: &mut [u8], bytes: &[u8]) {
    field.fill(0);
    let n = bytes.len().min(field.len());
    field[..n].copy_from_slice(&bytes[..n]);
}

/// One downloadable file of a release, as in `https://go.dev/dl/?mode=json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListingFile {
    pub filename: String,
    pub os: String,
    pub arch: String,
    pub version: String,
    pub sha256: String,
    pub size: u64,
    /// "archive", "installer" or "source".
    pub kind: String,
}

/// One release in the go.dev listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListingRelease {
    pub version: String,
    pub stable: bool,
    pub files: Vec<ListingFile>,
}

/// The go.dev listing JSON (`?mode=json&include=all`) for `releases`, in
/// the order given (go.dev lists newest first).
pub fn listing_json(releases: &[ListingRelease]) -> String {
    serde_json::to_string_pretty(releases).expect("serialize the listing")
}

/// Orders Go version names like "go1.22.5", "go1.21rc2", "go1.9beta1":
/// by their numbers (missing ones count as 0, so go1.21 == go1.21.0), and
/// for the same numbers alpha < beta < rc < the release itself.
pub fn compare_go_versions(a: &str, b: &str) -> Ordering {
    version_key(a).cmp(&version_key(b))
}

/// (numbers padded to three, (pre-release rank, pre-release number)); a
/// release ranks above every pre-release.
fn version_key(version: &str) -> ([u64; 3], (u8, u64)) {
    let rest = version.strip_prefix("go").unwrap_or(version);
    let split = rest
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let (numbers, pre) = rest.split_at(split);
    let mut key = [0u64; 3];
    for (slot, part) in key.iter_mut().zip(numbers.split('.')) {
        *slot = part.parse().unwrap_or(0);
    }
    let pre_key = if pre.is_empty() {
        (u8::MAX, 0)
    } else {
        let digits = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
        let (label, n) = pre.split_at(digits);
        let rank = match label {
            "alpha" => 0,
            "beta" => 1,
            "rc" => 2,
            _ => 3,
        };
        (rank, n.parse().unwrap_or(0))
    };
    (key, pre_key)
}

/// An archive published on a [`Mirror`].
#[derive(Debug, Clone)]
pub struct Published {
    /// e.g. "go1.22.5.linux-amd64.tar.gz"
    pub filename: String,
    /// The server path of the archive, e.g. "/dl/go1.22.5.linux-amd64.tar.gz";
    /// the checksum and signature are at `path + ".sha256"` / `path + ".asc"`.
    pub path: String,
    pub sha256_hex: String,
    pub archive: Vec<u8>,
    /// The armored detached signature served at `<path>.asc`.
    pub signature: Vec<u8>,
}

/// A Go download mirror on a [`TestServer`], laid out like go.dev:
/// archives and their `.sha256` and `.asc` under `/dl/`, and the release
/// listing at `/listing.json` (written by [`Mirror::write_listing`]).
pub struct Mirror<'a> {
    server: &'a TestServer,
    key: &'a TestKey,
    releases: Vec<ListingRelease>,
}

impl<'a> Mirror<'a> {
    /// An empty mirror serving from `server`, signing with `key`.
    pub fn new(server: &'a TestServer, key: &'a TestKey) -> Mirror<'a> {
        Mirror::with_releases(server, key, Vec::new())
    }

    /// A mirror on `server` that already published `releases` (from
    /// [`into_releases`](Mirror::into_releases)).
    pub fn with_releases(
        server: &'a TestServer,
        key: &'a TestKey,
        releases: Vec<ListingRelease>,
    ) -> Mirror<'a> {
        Mirror {
            server,
            key,
            releases,
        }
    }

    /// What the mirror published, to go on with
    /// [`with_releases`](Mirror::with_releases).
    pub fn into_releases(self) -> Vec<ListingRelease> {
        self.releases
    }

    /// The server the mirror publishes on.
    pub fn server(&self) -> &'a TestServer {
        self.server
    }

    /// Publishes [`fake_go_archive`]`(version)` for linux-amd64.
    pub fn publish(&mut self, version: &str, stable: bool) -> Published {
        self.publish_archive(version, stable, fake_go_archive(version))
    }

    /// Publishes `archive` as the linux-amd64 archive of `version`.
    pub fn publish_archive(
        &mut self,
        version: &str,
        stable: bool,
        archive: impl Into<Vec<u8>>,
    ) -> Published {
        self.publish_platform(version, stable, "linux", "amd64", archive)
    }

    /// Publishes `archive` as `<version>.<os>-<arch>.tar.gz`: puts the
    /// archive, `<file>.sha256` (bare lower-case hex, no newline) and
    /// `<file>.asc` (signed by the mirror's key now) under `/dl/`, and
    /// records the file in the release (replacing one of the same name).
    /// Call [`write_listing`](Mirror::write_listing) afterwards.
    pub fn publish_platform(
        &mut self,
        version: &str,
        stable: bool,
        os: &str,
        arch: &str,
        archive: impl Into<Vec<u8>>,
    ) -> Published {
        let archive = archive.into();
        // Windows releases are .zip archives, published without a signature.
        let extension = if os == "windows" { "zip" } else { "tar.gz" };
        let filename = format!("{version}.{os}-{arch}.{extension}");
        let path = format!("/dl/{filename}");
        let sha256_hex = sha256_hex(&archive);
        let signature = self.key.sign_detached(&archive);

        self.server.put(&path, archive.clone());
        self.server
            .put(&format!("{path}.sha256"), sha256_hex.clone());
        if os != "windows" {
            self.server.put(&format!("{path}.asc"), signature.clone());
        }

        let file = ListingFile {
            filename: filename.clone(),
            os: os.to_string(),
            arch: arch.to_string(),
            version: version.to_string(),
            sha256: sha256_hex.clone(),
            size: archive.len() as u64,
            kind: "archive".to_string(),
        };
        let release = match self.releases.iter_mut().position(|r| r.version == version) {
            Some(i) => &mut self.releases[i],
            None => {
                self.releases.push(ListingRelease {
                    version: version.to_string(),
                    stable,
                    files: Vec::new(),
                });
                self.releases.last_mut().expect("just pushed")
            }
        };
        release.stable = stable;
        release.files.retain(|f| f.filename != filename);
        release.files.push(file);

        Published {
            filename,
            path,
            sha256_hex,
            archive,
            signature,
        }
    }

    /// The published releases, newest first.
    pub fn releases(&self) -> Vec<ListingRelease> {
        let mut releases = self.releases.clone();
        releases.sort_by(|a, b| compare_go_versions(&b.version, &a.version));
        releases
    }

    /// Puts the listing of every published release, newest first, at
    /// `/listing.json`; returns the JSON.
    pub fn write_listing(&self) -> String {
        let json = listing_json(&self.releases());
        self.server.put("/listing.json", json.clone());
        json
    }

    /// URL of the listing, for `GVMR_INDEX_URL`.
    pub fn index_url(&self) -> String {
        self.server.url("/listing.json")
    }

    /// URL of the download directory with a trailing slash, for `GVMR_MIRROR`.
    pub fn base_url(&self) -> String {
        self.server.url("/dl/")
    }
}
