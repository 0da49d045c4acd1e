//! What the release listing says about an installed version's future: a
//! newer patch of its line, and whether its line is still supported (Go
//! supports its two newest minor lines, fixing security bugs only there).

use crate::release::listing::Listing;
use gvmr_shim::GoVersion;

/// The newest stable release of each line, newest line first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Support {
    newest_per_line: Vec<GoVersion>,
}

/// How many of the newest minor lines Go supports.
const SUPPORTED_LINES: usize = 2;

impl Support {
    pub fn from_listing(listing: &Listing) -> Support {
        let mut newest_per_line: Vec<GoVersion> = Vec::new();
        // The listing is sorted newest first.
        for release in listing.releases.iter().filter(|r| r.stable) {
            let v = release.version;
            if !newest_per_line.iter().any(|n| n.in_line(v.major, v.minor)) {
                newest_per_line.push(v);
            }
        }
        Support { newest_per_line }
    }

    /// The newest stable release of `version`'s line, when it is newer.
    pub fn newer_patch(&self, version: &GoVersion) -> Option<GoVersion> {
        self.newest_in_line(version).filter(|n| n > version)
    }

    /// The newest stable release of `version`'s line, if the line has one.
    pub fn newest_in_line(&self, version: &GoVersion) -> Option<GoVersion> {
        self.newest_per_line
            .iter()
            .find(|n| n.in_line(version.major, version.minor))
            .copied()
    }

    /// The supported lines, newest first, as `1.23`.
    pub fn supported_lines(&self) -> Vec<String> {
        self.newest_per_line
            .iter()
            .take(SUPPORTED_LINES)
            .map(|v| format!("{}.{}", v.major, v.minor))
            .collect()
    }

    /// True when `version`'s line is older than the supported ones (a
    /// pre-release of a coming line is not).
    pub fn past_end_of_support(&self, version: &GoVersion) -> bool {
        match self.newest_per_line.get(SUPPORTED_LINES - 1) {
            Some(oldest) => (version.major, version.minor) < (oldest.major, oldest.minor),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GoVersion {
        GoVersion::parse(s).unwrap()
    }

    fn support(versions: &[(&str, bool)]) -> Support {
        let json: Vec<_> = versions
            .iter()
            .map(|(version, stable)| serde_json::json!({"version": version, "stable": stable, "files": []}))
            .collect();
        let listing =
            Listing::parse(serde_json::to_string(&json).unwrap().as_bytes(), "test").unwrap();
        Support::from_listing(&listing)
    }

    #[test]
    fn newer_patches_and_support_come_from_stable_releases() {
        let s = support(&[
            ("go1.24rc1", false),
            ("go1.23.2", true),
            ("go1.23.1", true),
            ("go1.22.12", true),
            ("go1.22.3", true),
            ("go1.21.13", true),
            ("go1.20", true),
        ]);
        assert_eq!(s.newer_patch(&v("1.22.3")), Some(v("1.22.12")));
        assert_eq!(s.newer_patch(&v("1.22.12")), None);
        assert_eq!(s.newer_patch(&v("1.23rc1")), Some(v("1.23.2")));
        assert_eq!(s.newer_patch(&v("1.24rc1")), None);
        assert_eq!(s.newer_patch(&v("1.25.0")), None);
        assert_eq!(s.supported_lines(), ["1.23", "1.22"]);
        assert!(!s.past_end_of_support(&v("1.22.3")));
        assert!(!s.past_end_of_support(&v("1.24rc1")));
        assert!(s.past_end_of_support(&v("1.21.13")));
        assert!(s.past_end_of_support(&v("1.20")));
    }

    #[test]
    fn a_listing_with_one_line_supports_everything() {
        let s = support(&[("go1.22.5", true)]);
        assert!(!s.past_end_of_support(&v("1.2")));
    }
}
