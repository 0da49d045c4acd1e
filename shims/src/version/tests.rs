use super::*;

fn v(s: &str) -> GoVersion {
    GoVersion::parse(s).unwrap()
}

fn req(s: &str) -> VersionRequest {
    VersionRequest::parse(s).unwrap()
}

#[test]
fn names_round_trip_as_go_spells_them() {
    for name in [
        "go1",
        "go1.2.2",
        "go1.20",
        "go1.20.14",
        "go1.21rc2",
        "go1.21.0",
        "go1.22.5",
        "go1.23beta1",
        "go1.9.2rc2",
    ] {
        assert_eq!(v(name).to_string(), name);
    }
}

#[test]
fn go1_20_and_1_20_0_are_the_same_release() {
    assert_eq!(v("go1.20"), v("1.20.0"));
    assert_eq!(v("1.20.0").to_string(), "go1.20");
    assert_eq!(v("1.21").to_string(), "go1.21.0");
    assert_eq!(v("go1.21.0"), v("1.21"));
}

#[test]
fn ordering_puts_prereleases_before_their_release() {
    let mut versions: Vec<GoVersion> = [
        "go1.21.0",
        "go1.21rc2",
        "go1.20.14",
        "go1.21rc10",
        "go1.21beta1",
        "go1.9.2",
        "go1.9.2rc2",
        "go1.10",
        "go1.21.1",
    ]
    .iter()
    .map(|s| v(s))
    .collect();
    versions.sort();
    let names: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        names,
        [
            "go1.9.2rc2",
            "go1.9.2",
            "go1.10",
            "go1.20.14",
            "go1.21beta1",
            "go1.21rc2",
            "go1.21rc10",
            "go1.21.0",
            "go1.21.1"
        ]
    );
}

#[test]
fn requests_distinguish_lines_from_releases() {
    assert_eq!(
        req("1.22"),
        VersionRequest::Line {
            major: 1,
            minor: 22
        }
    );
    assert_eq!(
        req("go1.22"),
        VersionRequest::Line {
            major: 1,
            minor: 22
        }
    );
    assert_eq!(
        req("1.20"),
        VersionRequest::Line {
            major: 1,
            minor: 20
        }
    );
    assert_eq!(req("go1.20"), VersionRequest::Exact(v("1.20.0")));
    assert_eq!(req("1.20.0"), VersionRequest::Exact(v("go1.20")));
    assert_eq!(req("  go1.22.5\n"), VersionRequest::Exact(v("1.22.5")));
    assert_eq!(req("1.23rc1"), VersionRequest::Exact(v("go1.23rc1")));
    assert_eq!(req("latest"), VersionRequest::Latest);
}

#[test]
fn garbage_is_refused() {
    for bad in [
        "",
        "1",
        "go",
        "1.",
        ".1",
        "1..2",
        "1.22.5.1",
        "v1.22",
        "1.22-rc1",
        "1.23rc",
        "1.23rc0",
        "1.23 rc1",
        "01.22",
        "1.22.x",
        "../../x",
        "1.22;rm -rf /",
        "$(reboot)",
        "1.9999999",
        "1.22.5rc1rc2",
        "latest2",
    ] {
        assert!(VersionRequest::parse(bad).is_err(), "{bad:?} was accepted");
    }
    let long = "1.".repeat(100);
    assert!(VersionRequest::parse(&long).is_err());
}

#[test]
fn error_names_the_input_and_examples() {
    let e = VersionRequest::parse("1.x").unwrap_err().to_string();
    assert_eq!(
        e,
        "\"1.x\" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22, 1.23rc1 or latest)"
    );
}

#[test]
fn best_match_picks_newest_stable_of_a_line() {
    let available: Vec<GoVersion> = ["go1.22.4", "go1.22.5", "go1.23rc1", "go1.21.9"]
        .iter()
        .map(|s| v(s))
        .collect();
    assert_eq!(req("1.22").best_match(&available), Some(v("go1.22.5")));
    assert_eq!(req("latest").best_match(&available), Some(v("go1.22.5")));
    assert_eq!(req("1.23").best_match(&available), None);
    assert_eq!(req("1.23rc1").best_match(&available), Some(v("go1.23rc1")));
    assert_eq!(req("1.22.3").best_match(&available), None);
}

#[test]
fn aliases_stable_oldstable_and_system() {
    assert_eq!(req("stable"), VersionRequest::Latest);
    assert_eq!(req("oldstable"), VersionRequest::OldStable);
    assert_eq!(req("system"), VersionRequest::System);
    assert_eq!(req("oldstable").to_string(), "oldstable");
    let available: Vec<GoVersion> = [
        "go1.21.9",
        "go1.22.4",
        "go1.22.5",
        "go1.23.1",
        "go1.23.2",
        "go1.24rc1",
    ]
    .iter()
    .map(|s| v(s))
    .collect();
    // A pre-release opens no line: 1.23 is the newest, 1.22 the one before.
    assert_eq!(req("stable").best_match(&available), Some(v("go1.23.2")));
    assert_eq!(req("oldstable").best_match(&available), Some(v("go1.22.5")));
    assert_eq!(
        req("oldstable").in_terms_of(&available),
        Some(VersionRequest::Line {
            major: 1,
            minor: 22
        })
    );
    // One line only: there is no previous one.
    assert_eq!(req("oldstable").best_match(&available[1..3]), None);
    assert_eq!(req("system").best_match(&available), None);
    assert!(req("stable").is_alias() && req("oldstable").is_alias());
    assert!(!req("1.22").is_alias() && !req("system").is_alias());
}

#[test]
fn a_go_line_is_a_minimum_in_gos_order() {
    let min = |s: &str| Minimum::parse(s).unwrap();
    // `1.23` is the language version: 1.23 < 1.23rc1 < 1.23.0.
    assert!(min("1.23").admits(&v("go1.23rc1")));
    assert!(min("1.23").admits(&v("go1.23beta1")));
    assert!(min("1.23").admits(&v("go1.24.0")));
    assert!(!min("1.23").admits(&v("go1.22.9")));
    assert!(!min("1.23.0").admits(&v("go1.23rc1")));
    assert!(min("1.23rc1").admits(&v("go1.23rc2")));
    assert!(!min("1.22.5").admits(&v("go1.22.4")));
    assert!(min("1.20").admits(&v("go1.20")));
    assert_eq!(min("1.22").release(), v("go1.22.0"));
    assert_eq!(min("1.20").release(), v("go1.20"));
    for text in ["1.22", "1.22.5", "1.23rc1", "1.20", "1.21.0", "1.20.0"] {
        assert_eq!(min(text).to_string(), text);
    }
}

#[test]
fn number_drops_the_prefix() {
    assert_eq!(v("go1.22.5").number(), "1.22.5");
    // `1.20` would ask for the newest 1.20.x; `go1` for Go 1 itself.
    assert_eq!(v("go1.20").number(), "1.20.0");
    assert_eq!(v("go1").number(), "1.0.0");
    assert_eq!(v("go1.21.0").number(), "1.21.0");
    assert_eq!(v("go1.23rc1").number(), "1.23rc1");
    assert_eq!(v("go1.9.2rc2").number(), "1.9.2rc2");
}
