//! gvmr's own releases, for the tests of scripts/dist.sh, the installer
//! (get.sh), `gvmr self update` and the .deb: the release scripts/dist.sh
//! builds (once per test process: a release build takes minutes), signed
//! with a throwaway minisign key; releases made by hand around any binary;
//! and a [`TestServer`] laying them out as GitHub serves release downloads.
//!
//! ```ignore
//! let dist = release::dist();                  // built on first use
//! let server = TestServer::start();
//! release::serve(&server, &dist.files(), &dist.version, true);
//! // GVMR_UPDATE_BASE / GVMR_INSTALL_BASE = release::base(&server)
//! ```

use super::mirror::{ArchiveBuilder, sha256_hex};
use super::server::TestServer;
use super::{spawn, stderr_of, wait_with_timeout};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The checkout the tests run in.
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// How long scripts/dist.sh may take: a release build from scratch (zig
/// included) takes several minutes on two cores.
const DIST_TIMEOUT: Duration = Duration::from_secs(40 * 60);

/// A minisign key pair made by the real `minisign -G -W`.
pub struct MinisignKey {
    pub public_file: PathBuf,
    pub secret_file: PathBuf,
    /// The public key's base64 line (what `minisign -P` takes).
    pub public_base64: String,
    /// Its key id, as minisign prints it.
    pub id: String,
}

impl MinisignKey {
    /// A fresh key pair in `dir` (created), named `name`.
    pub fn generate(dir: &Path, name: &str) -> MinisignKey {
        std::fs::create_dir_all(dir).unwrap();
        let public_file = dir.join(format!("{name}.pub"));
        let secret_file = dir.join(format!("{name}.key"));
        let _ = std::fs::remove_file(&public_file);
        let _ = std::fs::remove_file(&secret_file);
        run_minisign(
            Command::new("minisign")
                .args(["-G", "-W", "-p"])
                .arg(&public_file)
                .arg("-s")
                .arg(&secret_file),
        );
        MinisignKey::read(public_file, secret_file)
    }

    fn read(public_file: PathBuf, secret_file: PathBuf) -> MinisignKey {
        let text = std::fs::read_to_string(&public_file).unwrap();
        let mut lines = text.lines();
        let comment = lines.next().unwrap_or_default();
        let id = comment.rsplit(' ').next().unwrap_or_default().to_string();
        let public_base64 = lines.next().unwrap_or_default().trim().to_string();
        MinisignKey {
            public_file,
            secret_file,
            public_base64,
            id,
        }
    }

    /// The signature file of `data`, made by the real `minisign -S`.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data");
        let sig = dir.path().join("data.sig");
        std::fs::write(&file, data).unwrap();
        run_minisign(
            Command::new("minisign")
                .arg("-S")
                .arg("-s")
                .arg(&self.secret_file)
                .arg("-m")
                .arg(&file)
                .arg("-x")
                .arg(&sig)
                .args(["-t", trusted_comment]),
        );
        std::fs::read(sig).unwrap()
    }
}

/// Runs a `minisign` command to success (a missing minisign fails the
/// test naming its package).
pub fn run_minisign(cmd: &mut Command) -> std::process::Output {
    let output = super::run_with_timeout(cmd, Duration::from_secs(30));
    assert!(
        output.status.success(),
        "{cmd:?} failed: {}",
        stderr_of(&output)
    );
    output
}

/// The release scripts/dist.sh built for this machine, signed with a
/// throwaway key: a private copy for this test process.
pub struct Dist {
    _dir: tempfile::TempDir,
    /// Holds the archive, the .deb, get.sh, manifest.json, SHA256SUMS(.sig).
    pub out: PathBuf,
    pub version: String,
    pub target: String,
    pub key: MinisignKey,
}

impl Dist {
    /// `gvmr-VERSION-TARGET`: the archive's name without `.tar.gz`, and
    /// the directory inside it.
    pub fn stem(&self) -> String {
        format!("gvmr-{}-{}", self.version, self.target)
    }

    pub fn archive_name(&self) -> String {
        format!("{}.tar.gz", self.stem())
    }

    pub fn deb_name(&self) -> String {
        format!("gvmr_{}-1_amd64.deb", self.version)
    }

    pub fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.out.join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// The files of the release (name → bytes), as the release workflow
    /// uploads them.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        super::dir_names(&self.out)
            .into_iter()
            .map(|name| {
                let bytes = self.file(&name);
                (name, bytes)
            })
            .collect()
    }

    /// The file at `path` inside the archive (e.g. "gvmr", "gvmr-shim").
    pub fn archive_member(&self, path: &str) -> Vec<u8> {
        let want = Path::new(&self.stem()).join(path);
        let bytes = self.file(&self.archive_name());
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap() == want {
                let mut out = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut out).unwrap();
                return out;
            }
        }
        panic!("{} holds no {}", self.archive_name(), want.display())
    }
}

/// The release of this checkout for this machine, built by scripts/dist.sh
/// on first use (minutes from scratch; seconds when cargo has it built,
/// as after scripts/test.sh, which builds it first). The build runs under
/// a file lock in cargo's test temp dir, so test processes never build at
/// once; each then takes its own copy.
pub fn dist() -> &'static Dist {
    static DIST: OnceLock<Dist> = OnceLock::new();
    DIST.get_or_init(build_dist)
}

fn build_dist() -> Dist {
    let shared = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gvmr-dist");
    std::fs::create_dir_all(&shared).unwrap();
    let lock = std::fs::File::create(shared.join("lock")).unwrap();
    lock.lock().unwrap();
    let key = if shared.join("release.key").is_file() {
        MinisignKey::read(shared.join("release.pub"), shared.join("release.key"))
    } else {
        MinisignKey::generate(&shared, "release")
    };
    let out = shared.join("out");
    let _ = std::fs::remove_dir_all(&out);
    run_dist(&out, &key.secret_file, &[]);

    let dir = tempfile::Builder::new()
        .prefix("gvmr-dist")
        .tempdir()
        .unwrap();
    let copy = dir.path().join("out");
    std::fs::create_dir_all(&copy).unwrap();
    for name in super::dir_names(&out) {
        std::fs::copy(out.join(&name), copy.join(&name)).unwrap();
    }
    let key_dir = dir.path().join("key");
    std::fs::create_dir_all(&key_dir).unwrap();
    std::fs::copy(&key.public_file, key_dir.join("release.pub")).unwrap();
    std::fs::copy(&key.secret_file, key_dir.join("release.key")).unwrap();
    drop(lock);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(copy.join("manifest.json")).unwrap()).unwrap();
    let version = manifest["version"].as_str().unwrap().to_string();
    let target = manifest["targets"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    Dist {
        out: copy,
        version,
        target,
        key: MinisignKey::read(key_dir.join("release.pub"), key_dir.join("release.key")),
        _dir: dir,
    }
}

/// Runs `scripts/dist.sh --deb --out OUT` (signing with `key`), with
/// `envs` added; panics with its output when it fails.
pub fn run_dist(out: &Path, key: &Path, envs: &[(&str, &str)]) {
    let mut cmd = Command::new("sh");
    // What cargo sets for the test process would reach the build scripts
    // (ring's reruns when CARGO_MANIFEST_DIR or OUT_DIR changes): a build
    // from here and one from a shell (scripts/test.sh builds first) must be
    // the same.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&name.as_ref())
        {
            cmd.env_remove(name.as_ref());
        }
    }
    cmd.arg("scripts/dist.sh")
        .args(["--deb", "--out"])
        .arg(out)
        .current_dir(REPO)
        .env("GVMR_RELEASE_KEY", key)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = wait_with_timeout(spawn(&mut cmd), DIST_TIMEOUT, "scripts/dist.sh");
    assert!(
        output.status.success(),
        "scripts/dist.sh failed ({}): it needs cargo-zigbuild and ziglang (pip install ziglang \
         cargo-zigbuild), cargo-deb (cargo install --locked cargo-deb) and minisign, which \
         scripts/test.sh installs:\n{}{}",
        output.status,
        super::stdout_of(&output),
        stderr_of(&output)
    );
}

/// `http://127.0.0.1:PORT/releases`: GVMR_UPDATE_BASE and GVMR_INSTALL_BASE.
pub fn base(server: &TestServer) -> String {
    server.url("/releases")
}

/// Serves `files` as release `version` (`/releases/download/vVERSION/…`),
/// and as the newest one too (`/releases/latest/download/…`) when `latest`.
pub fn serve(server: &TestServer, files: &BTreeMap<String, Vec<u8>>, version: &str, latest: bool) {
    for (name, bytes) in files {
        server.put(
            &format!("/releases/download/v{version}/{name}"),
            bytes.clone(),
        );
        if latest {
            server.put(&format!("/releases/latest/download/{name}"), bytes.clone());
        }
    }
}

/// A release made by hand, as dist.sh lays one out: the archive for
/// `target` holding `gvmr` and `gvmr-shim`, manifest.json, SHA256SUMS and
/// its signature by `key` (made by the real `minisign -S`).
pub fn handmade(
    version: &str,
    target: &str,
    gvmr: &[u8],
    shim: &[u8],
    key: &MinisignKey,
) -> BTreeMap<String, Vec<u8>> {
    let top = format!("gvmr-{version}-{target}");
    let archive = ArchiveBuilder::new()
        .dir(&top)
        .file(&format!("{top}/gvmr"), gvmr, 0o755)
        .file(&format!("{top}/gvmr-shim"), shim, 0o755)
        .build_tar_gz();
    let name = format!("{top}.tar.gz");
    let manifest = serde_json::json!({
        "version": version,
        "commit": "0".repeat(40),
        "date": "2026-01-01T00:00:00Z",
        "targets": {target: {"file": name, "size": archive.len(), "sha256": sha256_hex(&archive)}},
    })
    .to_string()
    .into_bytes();
    let sums = format!(
        "{}  {name}\n{}  manifest.json\n",
        sha256_hex(&archive),
        sha256_hex(&manifest)
    );
    let sig = key.sign(sums.as_bytes(), &format!("gvmr {version} SHA256SUMS"));
    BTreeMap::from([
        (name, archive),
        ("manifest.json".to_string(), manifest),
        ("SHA256SUMS".to_string(), sums.into_bytes()),
        ("SHA256SUMS.sig".to_string(), sig),
    ])
}

/// `bytes` with one byte changed in the middle.
pub fn tampered(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    bytes
}
