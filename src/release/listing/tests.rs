use super::*;

const GO1_14: &[u8] = include_bytes!("../../../tests/fixtures/go-dl-go1.14-verbatim.json");
const GO1_22_5: &[u8] = include_bytes!("../../../tests/fixtures/go-dl-go1.22.5-excerpt.json");

fn p(s: &str) -> Platform {
    s.parse().unwrap()
}

fn req(s: &str) -> VersionRequest {
    VersionRequest::parse(s).unwrap()
}

#[test]
fn parses_the_real_listing_format() {
    let listing = Listing::parse(GO1_14, "fixture").unwrap();
    assert_eq!(listing.releases.len(), 1);
    let release = &listing.releases[0];
    assert_eq!(release.version.to_string(), "go1.14");
    assert!(release.stable);
    let file = release.archive_for(&p("linux-amd64")).unwrap();
    assert_eq!(file.filename, "go1.14.linux-amd64.tar.gz");
    // Installers and source archives are never picked.
    assert!(
        release
            .archive_for(&p("windows-amd64"))
            .unwrap()
            .filename
            .ends_with(".zip")
    );
}

#[test]
fn armv6l_maps_to_the_quirky_file_names() {
    let listing = Listing::parse(GO1_22_5, "fixture").unwrap();
    let release = &listing.releases[0];
    let linux = release.archive_for(&p("linux-arm")).unwrap();
    assert_eq!(linux.filename, "go1.22.5.linux-armv6l.tar.gz");
    let freebsd = release.archive_for(&p("freebsd-arm")).unwrap();
    assert_eq!(freebsd.filename, "go1.22.5.freebsd-arm.tar.gz");
    let amd64 = release.archive_for(&p("linux-amd64")).unwrap();
    assert_eq!(
        amd64.digest().unwrap().to_string(),
        "904b924d435eaea086515bc63235b192ea441bd8c9b198c507e85009e6e4c7f0"
    );
    assert!(release.archive_for(&p("plan9-amd64")).is_none());
}

fn synthetic() -> Listing {
    let release = |v: &str, stable: bool| {
        format!(
            r#"{{"version":"{v}","stable":{stable},"files":[{{"filename":"{v}.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"{v}","sha256":"{}","size":1,"kind":"archive"}}]}}"#,
            "0".repeat(64)
        )
    };
    let json = format!(
        "[{},{},{},{},{},{}]",
        release("go1.23rc1", false),
        release("go1.22.5", true),
        release("go1.22.4", true),
        release("go1.21.0", true),
        release("go1.20", true),
        release("go1.20.1", true),
    );
    Listing::parse(json.as_bytes(), "synthetic").unwrap()
}

#[test]
fn resolves_requests_to_the_newest_match() {
    let listing = synthetic();
    let amd64 = p("linux-amd64");
    let resolve = |s: &str| {
        listing
            .resolve(&req(s), &amd64)
            .map(|r| r.version.to_string())
    };
    assert_eq!(resolve("latest").as_deref(), Some("go1.22.5"));
    // The newest release is a pre-release: stable skips it, and
    // oldstable is the newest of the line before the newest stable one.
    assert_eq!(resolve("stable").as_deref(), Some("go1.22.5"));
    assert_eq!(resolve("oldstable").as_deref(), Some("go1.21.0"));
    assert_eq!(resolve("system"), None);
    assert_eq!(resolve("1.22").as_deref(), Some("go1.22.5"));
    assert_eq!(resolve("1.22.4").as_deref(), Some("go1.22.4"));
    assert_eq!(resolve("1.20").as_deref(), Some("go1.20.1"));
    assert_eq!(resolve("1.20.0").as_deref(), Some("go1.20"));
    assert_eq!(resolve("go1.20").as_deref(), Some("go1.20"));
    assert_eq!(resolve("1.21").as_deref(), Some("go1.21.0"));
    assert_eq!(resolve("1.23rc1").as_deref(), Some("go1.23rc1"));
    assert_eq!(resolve("1.23"), None, "a line with only pre-releases");
    assert_eq!(resolve("1.22.9"), None);
    assert!(listing.resolve(&req("1.22"), &p("darwin-arm64")).is_none());
}

#[test]
fn suggests_the_same_line_first() {
    let listing = synthetic();
    let names = |s: &str| -> Vec<String> {
        listing
            .suggestions(&req(s), 3)
            .iter()
            .map(|v| v.to_string())
            .collect()
    };
    assert_eq!(names("1.22.9"), ["go1.22.5", "go1.22.4"]);
    assert_eq!(names("1.23"), ["go1.23rc1"]);
    assert_eq!(names("1.99"), ["go1.22.5", "go1.22.4", "go1.21.0"]);
}

#[test]
fn load_fails_over_to_the_next_source_and_caches_each() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.json"), GO1_14).unwrap();
    std::fs::write(dir.path().join("bad.json"), "<html>").unwrap();
    let url = |name: &str| DisplaySafeUrl::from_path(&dir.path().join(name)).unwrap();
    let http = Http::for_tests();
    let cache = dir.path().join("cache");
    let urls = [url("missing.json"), url("bad.json"), url("good.json")];
    let (listing, freshness) = load(&http, &cache, &urls).unwrap();
    assert_eq!(
        (listing.origin, freshness),
        (urls[2].to_string(), Freshness::Fetched)
    );
    // The fresh copy of any source is used without asking the others.
    let (listing, freshness) = load(&http, &cache, &urls).unwrap();
    assert_eq!(
        (listing.origin, freshness),
        (urls[2].to_string(), Freshness::Cached)
    );

    let err = load(&http, &cache, &urls[..2]).unwrap_err().to_string();
    assert!(
        err.contains("cannot get the release listing from any of its sources"),
        "{err}"
    );
    assert!(
        err.contains("missing.json: no such file") || err.contains("bad.json"),
        "{err}"
    );
    let one = load(&http, &cache, &[url("gone.json")])
        .unwrap_err()
        .to_string();
    assert!(
        one.starts_with("cannot fetch the release listing: file://"),
        "{one}"
    );
}

#[test]
fn ages_read_naturally() {
    assert_eq!(humanize(Duration::from_secs(5)), "5 s");
    assert_eq!(humanize(Duration::from_secs(600)), "10 min");
    assert_eq!(humanize(Duration::from_secs(7200)), "2 h");
    assert_eq!(humanize(Duration::from_secs(3 * 86400)), "3 days");
}

#[test]
fn files_without_a_plain_name_are_skipped() {
    let json = br#"[{"version":"go1.22.5","stable":true,"files":[
        {"filename":"../../x.tar.gz","os":"linux","arch":"amd64","sha256":"","kind":"archive"},
        {"filename":"/etc/x.tar.gz","os":"linux","arch":"386","sha256":"","kind":"archive"},
        {"filename":".hidden.tar.gz","os":"linux","arch":"arm64","sha256":"","kind":"archive"},
        {"filename":"a\\b.zip","os":"windows","arch":"amd64","sha256":"","kind":"archive"},
        {"filename":"go1.22.5.darwin-arm64.tar.gz","os":"darwin","arch":"arm64","sha256":"","kind":"archive"}]}]"#;
    let listing = Listing::parse(json, "x").unwrap();
    let names: Vec<&str> = listing.releases[0]
        .files
        .iter()
        .map(|f| f.filename.as_str())
        .collect();
    assert_eq!(names, ["go1.22.5.darwin-arm64.tar.gz"]);
}

#[test]
fn odd_versions_are_skipped_but_bad_json_is_an_error() {
    let json = br#"[{"version":"go2-weird","stable":true,"files":[]},{"version":"go1.22.5","stable":true,"files":[]}]"#;
    assert_eq!(Listing::parse(json, "x").unwrap().releases.len(), 1);
    for bad in [
        &b"{"[..],
        b"<html>",
        b"{\"version\":1}",
        b"[{\"files\":[]}]",
    ] {
        let err = Listing::parse(bad, "URL").unwrap_err().to_string();
        assert!(err.contains("URL"), "{err}");
    }
}
