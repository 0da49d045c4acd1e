//! `--source proxy`: Go toolchains as the module `golang.org/toolchain`
//! from any Go module proxy, the way `GOTOOLCHAIN` downloads them.
//!
//! resolve → the checksum database's `h1:` for the module zip → the zip from
//! the first proxy that has it (GOPROXY order and separators) → its `h1:`
//! must match before anything is unpacked → keep it in the downloads cache →
//! unpack as Go does (prefix stripped, bin/ and pkg/tool/ executable,
//! `_go.mod` copied to `go.mod`) → one atomic rename, as for archives.

use super::{Installer, Outcome};
use crate::archive;
use crate::error::Error;
use crate::net::download::SourceFailure;
use crate::net::goproxy::{Failure, ProxyError, ProxyList};
use crate::release::platform::Platform;
use crate::verify::dirhash::{self, ModuleZipError};
use crate::verify::sumdb::{SumDb, SumdbError};
use gvmr_shim::{GoVersion, VersionRequest};
use std::fs;
use std::path::{Path, PathBuf};

/// The module every Go toolchain is published as.
pub const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// The largest `@v/list` accepted (the real one is about 100 KB).
const MAX_LIST_BYTES: u64 = 8 << 20;

/// The module version of `version` for `platform`:
/// `v0.0.1-go1.22.5.linux-amd64` (GOOS-GOARCH, so 32-bit ARM is `arm`).
pub fn module_version(version: &GoVersion, platform: &Platform) -> String {
    format!("v0.0.1-{version}.{}", go_platform(platform))
}

fn go_platform(platform: &Platform) -> String {
    let arch = match platform.arch.as_str() {
        "armv6l" => "arm",
        arch => arch,
    };
    format!("{}-{arch}", platform.os)
}

fn proxy_error(what: &str) -> impl FnOnce(ProxyError) -> Error {
    move |e| Error::Proxy {
        what: what.to_string(),
        setting: e.setting,
        failures: e.failures,
        not_found: e.not_found,
    }
}

fn sumdb_error(module: &str) -> impl FnOnce(SumdbError) -> Error {
    move |source| Error::Sumdb {
        module: module.to_string(),
        source,
    }
}

impl Installer<'_> {
    pub(super) fn install_from_proxy(
        &self,
        request: &VersionRequest,
        options: &super::InstallOptions,
    ) -> Result<Outcome, Error> {
        // GOSUMDB=off is refused here: nothing unverified is installed.
        let sumdb = self
            .settings
            .sumdb()
            .map_err(sumdb_error(TOOLCHAIN_MODULE))?;
        let proxies = self.settings.proxies()?;
        let version = self.resolve_from_proxy(request, &options.platform, &proxies)?;
        let module_version = module_version(&version, &options.platform);
        self.install_staged(version, options.force, |work| {
            let zip = self.obtain_verified_module(&proxies, &sumdb, &module_version, work)?;
            self.pause_point("unpack");
            let staged = work.join("go");
            let prefix = format!("{TOOLCHAIN_MODULE}@{module_version}");
            let file = format!("{module_version}.zip");
            let progress = self.unpack_progress(&file, &zip);
            let limits = archive::Limits::default();
            let unpacked = archive::unpack_module_zip(&zip, &staged, &prefix, limits, &progress);
            progress.finish_and_clear();
            let stats = unpacked.map_err(|source| Error::Unpack {
                file: format!("{prefix}.zip"),
                source,
            })?;
            Ok((staged, stats))
        })
    }

    /// An exact version as asked; `1.22`/`latest` from the release listing
    /// or else from the proxy's `@v/list`.
    fn resolve_from_proxy(
        &self,
        request: &VersionRequest,
        platform: &Platform,
        proxies: &ProxyList,
    ) -> Result<GoVersion, Error> {
        if let VersionRequest::Exact(version) = request {
            return Ok(*version);
        }
        if let Ok(listing) = self.listing.get()
            && let Some(release) = listing.resolve(request, platform)
        {
            return Ok(release.version);
        }
        let list = proxies
            .first(&format!("{TOOLCHAIN_MODULE}/@v/list"), |url| {
                self.http
                    .get_small(url, MAX_LIST_BYTES)
                    .map_err(Failure::from_http)
            })
            .map_err(proxy_error(&format!(
                "the version list of {TOOLCHAIN_MODULE}"
            )))?;
        let versions = toolchain_versions(&String::from_utf8_lossy(&list), platform);
        request
            .best_match(&versions)
            .ok_or_else(|| Error::UnknownVersion {
                request: request.to_string(),
                suggestions: {
                    let mut newest = versions.clone();
                    newest.sort_by(|a, b| b.cmp(a));
                    newest.truncate(5);
                    newest
                },
            })
    }

    /// The module zip, verified against the checksum database: the cached
    /// copy if it still matches, else a fresh download.
    fn obtain_verified_module(
        &self,
        proxies: &ProxyList,
        sumdb: &SumDb,
        module_version: &str,
        work: &Path,
    ) -> Result<PathBuf, Error> {
        let module = format!("{TOOLCHAIN_MODULE}@{module_version}");
        let lines = sumdb
            .lookup(
                &self.http,
                &self.store.root().join("sumdb"),
                TOOLCHAIN_MODULE,
                module_version,
            )
            .map_err(sumdb_error(&module))?;
        let expected = crate::verify::sumdb::zip_hash(&lines, TOOLCHAIN_MODULE, module_version)
            .ok_or_else(|| Error::ModuleVerification {
                module: module.clone(),
                source: ModuleZipError::NotInDatabase,
            })?;
        let limits = archive::Limits::default();
        let file_name = format!("{module_version}.zip");
        let cached = self.store.cached_download(&file_name);
        if cached.is_file() {
            match dirhash::hash_zip(&cached, limits) {
                Ok(actual) if actual == expected => return Ok(cached),
                Ok(actual) => self.ui.warn(format!(
                    "the cached {file_name} ({actual}) does not match the checksum database ({expected}), downloading it again"
                )),
                Err(e) => self.ui.warn(format!(
                    "the cached {file_name} cannot be checked ({e}), downloading it again"
                )),
            }
            let _ = fs::remove_file(&cached);
        }

        let part = work.join(&file_name);
        let origin = self.download_module(proxies, &module, &file_name, &part)?;
        let actual =
            dirhash::hash_zip(&part, limits).map_err(|source| Error::ModuleVerification {
                module: module.clone(),
                source: ModuleZipError::Unhashable {
                    origin: origin.clone(),
                    source,
                },
            })?;
        if actual != expected {
            return Err(Error::ModuleVerification {
                module,
                source: ModuleZipError::Mismatch {
                    origin,
                    expected,
                    actual,
                },
            });
        }
        self.ui.status(format!(
            "Verified {module} against the checksum database ({expected})"
        ));
        Ok(self.store.keep_download(&part, &file_name)?)
    }

    /// Downloads the zip from the first proxy that has it into `dest`
    /// (retried and resumed like archives); returns its URL.
    fn download_module(
        &self,
        proxies: &ProxyList,
        module: &str,
        file_name: &str,
        dest: &Path,
    ) -> Result<String, Error> {
        // A local disk failure ends the search: no other proxy can help.
        let mut disk_failure = None;
        let downloader = self.downloader();
        let path = format!("{TOOLCHAIN_MODULE}/@v/{file_name}");
        let result = proxies.first(&path, |url| {
            if disk_failure.is_some() {
                return Err(Failure::Other("skipped after a local failure".into()));
            }
            match downloader.fetch_from(url, file_name, dest) {
                Ok(_) => Ok(url.to_string()),
                Err(SourceFailure::Remote {
                    message,
                    not_found: true,
                }) => Err(Failure::NotFound(message)),
                Err(SourceFailure::Remote { message, .. }) => Err(Failure::Other(message)),
                Err(SourceFailure::Disk(e)) => {
                    let message = e.to_string();
                    disk_failure = Some(e);
                    Err(Failure::Other(message))
                }
            }
        });
        if let Some(e) = disk_failure {
            return Err(e.into());
        }
        result.map_err(proxy_error(&format!("{module}.zip")))
    }
}

/// The Go versions in a `golang.org/toolchain` `@v/list` built for `platform`.
fn toolchain_versions(list: &str, platform: &Platform) -> Vec<GoVersion> {
    let suffix = format!(".{}", go_platform(platform));
    list.lines()
        .filter_map(|line| {
            let go = line.trim().strip_prefix("v0.0.1-")?.strip_suffix(&suffix)?;
            let version = GoVersion::parse(go).ok()?;
            // Only names exactly as Go writes them.
            (version.to_string() == go).then_some(version)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        s.parse().unwrap()
    }

    #[test]
    fn module_versions_use_goos_goarch() {
        let v = GoVersion::parse("go1.22.5").unwrap();
        assert_eq!(
            module_version(&v, &p("linux-amd64")),
            "v0.0.1-go1.22.5.linux-amd64"
        );
        assert_eq!(
            module_version(&v, &p("linux-armv6l")),
            "v0.0.1-go1.22.5.linux-arm"
        );
    }

    #[test]
    fn lists_only_this_platforms_toolchains() {
        let list = "v0.0.1-go1.21.0.linux-amd64\nv0.0.1-go1.22.5.linux-amd64\n\
                    v0.0.1-go1.23.0.darwin-arm64\nv0.0.1-go1.23rc1.linux-amd64\n\
                    v0.0.1-go1.22.5.linux-amd64p32\ngarbage\n";
        let versions = toolchain_versions(list, &p("linux-amd64"));
        let names: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
        assert_eq!(names, ["go1.21.0", "go1.22.5", "go1.23rc1"]);
        let latest = VersionRequest::parse("latest").unwrap();
        assert_eq!(
            latest.best_match(&versions).unwrap().to_string(),
            "go1.22.5"
        );
    }
}
