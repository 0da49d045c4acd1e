//! Which os/arch an archive is for, in the release listing's terms.
//!
//! The listing names 32-bit ARM `armv6l` while its file names say `-armv6l`
//! on Linux and `-arm` elsewhere; everything else is the same in both.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// GOOS: linux, darwin, windows, freebsd, ...
    pub os: String,
    /// The listing's arch: amd64, arm64, 386, armv6l, ppc64le, ...
    pub arch: String,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "{0:?} is not a platform (expected OS-ARCH as Go names them, e.g. linux-amd64, darwin-arm64, linux-armv6l)"
)]
pub struct ParsePlatformError(String);

impl Platform {
    /// The machine gvmr runs on.
    pub fn host() -> Platform {
        Platform::from_rust(std::env::consts::OS, std::env::consts::ARCH)
    }

    fn from_rust(os: &str, arch: &str) -> Platform {
        let os = match os {
            "macos" => "darwin",
            other => other,
        };
        let arch = match arch {
            "x86_64" => "amd64",
            "x86" => "386",
            "aarch64" => "arm64",
            "arm" => "armv6l",
            "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
            "powerpc64" => "ppc64",
            "loongarch64" => "loong64",
            "mips64" if cfg!(target_endian = "little") => "mips64le",
            "mips" if cfg!(target_endian = "little") => "mipsle",
            other => other,
        };
        Platform {
            os: os.to_string(),
            arch: arch.to_string(),
        }
    }

    /// The archive's file name for `version` when no listing says it
    /// (`go1.22.5.linux-amd64.tar.gz`).
    pub fn archive_name(&self, version: &gvmr_shim::GoVersion) -> String {
        let arch = match (self.os.as_str(), self.arch.as_str()) {
            ("linux", "armv6l") => "armv6l",
            (_, "armv6l") => "arm",
            (_, arch) => arch,
        };
        format!(
            "{version}.{}-{arch}.{}",
            self.os,
            self.archive_format().extension()
        )
    }

    /// Windows releases ship as .zip, everything else as .tar.gz.
    pub fn archive_format(&self) -> ArchiveFormat {
        if self.os == "windows" {
            ArchiveFormat::Zip
        } else {
            ArchiveFormat::TarGz
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    TarGz,
    Zip,
}

impl ArchiveFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::Zip => "zip",
        }
    }

    /// The format of a file, by its name.
    pub fn of_file_name(name: &str) -> Option<ArchiveFormat> {
        if name.ends_with(".tar.gz") {
            Some(ArchiveFormat::TarGz)
        } else if name.ends_with(".zip") {
            Some(ArchiveFormat::Zip)
        } else {
            None
        }
    }
}

/// Splits an archive's file name (`go1.22.5.linux-amd64.tar.gz`) into its
/// version and platform.
pub fn parse_archive_name(name: &str) -> Option<(gvmr_shim::GoVersion, Platform)> {
    let format = ArchiveFormat::of_file_name(name)?;
    let stem = name.strip_suffix(&format!(".{}", format.extension()))?;
    let (version, platform) = stem.rsplit_once('.')?;
    Some((
        gvmr_shim::GoVersion::parse(version).ok()?,
        platform.parse().ok()?,
    ))
}

impl FromStr for Platform {
    type Err = ParsePlatformError;

    /// Accepts `linux-amd64`, `linux/amd64`, `darwin_arm64`, and the aliases
    /// `arm` (armv6l), `x86_64`, `aarch64`, `macos`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParsePlatformError(s.to_string());
        let (os, arch) = s.split_once(['-', '/', '_']).ok_or_else(err)?;
        let valid = |part: &str| {
            !part.is_empty()
                && part.len() <= 16
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if !valid(os) || !valid(arch) {
            return Err(err());
        }
        let mut platform = Platform::from_rust(os, arch);
        if platform.arch == "arm" {
            platform.arch = "armv6l".to_string();
        }
        Ok(platform)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os, self.arch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gvmr_shim::GoVersion;

    #[test]
    fn archive_names_give_version_and_platform() {
        let (v, p) = parse_archive_name("go1.22.5.linux-amd64.tar.gz").unwrap();
        assert_eq!(
            (v.to_string(), p.to_string()),
            ("go1.22.5".into(), "linux-amd64".into())
        );
        let (v, p) = parse_archive_name("go1.20.linux-armv6l.tar.gz").unwrap();
        assert_eq!(
            (v.to_string(), p.to_string()),
            ("go1.20".into(), "linux-armv6l".into())
        );
        let (v, _) = parse_archive_name("go1.23rc1.darwin-arm64.tar.gz").unwrap();
        assert_eq!(v.to_string(), "go1.23rc1");
        for bad in [
            "go1.22.5.tar.gz",
            "go.tar.gz",
            "go1.22.5.linux-amd64.tar.xz",
            "x.linux-amd64.tar.gz",
        ] {
            assert!(parse_archive_name(bad).is_none(), "{bad}");
        }
    }

    fn p(s: &str) -> Platform {
        s.parse().unwrap()
    }

    #[test]
    fn rust_names_map_to_go_names() {
        assert_eq!(Platform::from_rust("linux", "x86_64"), p("linux-amd64"));
        assert_eq!(Platform::from_rust("macos", "aarch64"), p("darwin-arm64"));
        assert_eq!(Platform::from_rust("linux", "arm"), p("linux-armv6l"));
        assert_eq!(Platform::from_rust("windows", "x86"), p("windows-386"));
    }

    #[test]
    fn aliases_are_accepted() {
        assert_eq!(p("linux/arm"), p("linux-armv6l"));
        assert_eq!(p("macos_aarch64"), p("darwin-arm64"));
        assert_eq!(p("linux-x86_64").to_string(), "linux-amd64");
    }

    #[test]
    fn junk_is_refused() {
        for bad in [
            "",
            "linux",
            "-amd64",
            "linux-",
            "Linux-AMD64",
            "linux-amd64;x",
            "../x-y",
        ] {
            assert!(bad.parse::<Platform>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn archive_names_follow_go_quirks() {
        let v = GoVersion::parse("1.22.5").unwrap();
        assert_eq!(
            p("linux-armv6l").archive_name(&v),
            "go1.22.5.linux-armv6l.tar.gz"
        );
        assert_eq!(
            p("freebsd-arm").archive_name(&v),
            "go1.22.5.freebsd-arm.tar.gz"
        );
        assert_eq!(
            p("windows-amd64").archive_name(&v),
            "go1.22.5.windows-amd64.zip"
        );
        let old = GoVersion::parse("go1.20").unwrap();
        assert_eq!(
            p("linux-amd64").archive_name(&old),
            "go1.20.linux-amd64.tar.gz"
        );
    }
}

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn platform_like() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z0-9_/\\-]{0,40}",
            "[a-zA-Z0-9_/\\-.;é ]{0,20}",
            (
                prop::sample::select(&["linux", "darwin", "macos", "windows", "freebsd", ""][..]),
                prop::sample::select(&["-", "/", "_", "--", "-/"][..]),
                prop::sample::select(
                    &[
                        "amd64",
                        "x86_64",
                        "arm",
                        "armv6l",
                        "aarch64",
                        "x86",
                        "386",
                        "x86_64_v2",
                        ""
                    ][..]
                ),
            )
                .prop_map(|(os, sep, arch)| format!("{os}{sep}{arch}")),
        ]
    }

    proptest! {
        #[test]
        fn from_str_never_panics_and_round_trips(text in platform_like()) {
            if let Ok(platform) = text.parse::<Platform>() {
                let valid = |s: &str| {
                    !s.is_empty()
                        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                };
                prop_assert!(valid(&platform.os) && valid(&platform.arch), "{platform:?}");
                let shown = platform.to_string();
                prop_assert_eq!(shown.parse::<Platform>().ok(), Some(platform.clone()), "{}", shown);
                prop_assert_eq!(platform.archive_name(&gvmr_shim::GoVersion::new(1, 22, 5)).contains('/'), false);
            }
        }
    }
}
