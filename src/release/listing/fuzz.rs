use super::*;
use proptest::prelude::*;

/// A JSON value of a random kind, including ones serde finds awkward.
fn odd_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("1e999".to_string()),
        Just("-0".to_string()),
        Just("123456789012345678901234567890".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\"\\ud800\"".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:e}")),
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
    ]
}

/// A version string: usually Go-like, sometimes not.
fn version_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "(go)?1\\.[0-9]{1,2}(\\.[0-9]{1,2})?((rc|beta)[0-9]{1,2})?"
            .prop_map(|v| format!("\"{v}\"")),
        1 => "go[0-9.a-z+\\-]{0,40}".prop_map(|v| format!("\"{v}\"")),
        1 => odd_value(),
    ]
}

fn field(
    name: &'static str,
    value: impl Strategy<Value = String>,
) -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.8, value.prop_map(move |v| format!("\"{name}\":{v}")))
}

fn string_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9.\\-]{0,20}".prop_map(|s| format!("\"{s}\"")),
        1 => odd_value(),
    ]
}

fn file_object() -> impl Strategy<Value = String> {
    (
        field("filename", string_value()),
        field("os", string_value()),
        field("arch", string_value()),
        field(
            "sha256",
            prop_oneof![
                "[0-9a-f]{64}".prop_map(|s| format!("\"{s}\"")),
                string_value()
            ],
        ),
        field(
            "kind",
            prop_oneof![Just("\"archive\"".to_string()), string_value()],
        ),
        field("size", odd_value()),
    )
        .prop_map(|(a, b, c, d, e, f)| object([a, b, c, d, e, f]))
}

fn object<const N: usize>(fields: [Option<String>; N]) -> String {
    let fields: Vec<String> = fields.into_iter().flatten().collect();
    format!("{{{}}}", fields.join(","))
}

fn release_object() -> impl Strategy<Value = String> {
    (
        field("version", version_value()),
        field("stable", prop_oneof![4 => any::<bool>().prop_map(|b| b.to_string()), 1 => odd_value()]),
        field(
            "files",
            prop_oneof![
                4 => prop::collection::vec(file_object(), 0..4).prop_map(|f| format!("[{}]", f.join(","))),
                1 => odd_value(),
            ],
        ),
        field("extra", odd_value()),
    )
        .prop_map(|(a, b, c, d)| object([a, b, c, d]))
}

fn listing_json() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => prop::collection::vec(release_object(), 0..12)
            .prop_map(|r| format!("[{}]", r.join(",")).into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..2000),
        1 => any::<String>().prop_map(String::into_bytes),
        1 => (0usize..2000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes()),
    ]
}

proptest! {
    #[test]
    fn parse_never_panics_and_sorts_round_tripping_versions(json in listing_json()) {
        match Listing::parse(&json, "fuzz://listing") {
            Ok(listing) => {
                for release in &listing.releases {
                    let name = release.version.to_string();
                    prop_assert_eq!(GoVersion::parse(&name), Ok(release.version), "{}", name);
                    prop_assert!(!release.stable || release.version.is_stable());
                    for file in &release.files {
                        // Never panics; the result may well be an error.
                        let _ = file.digest();
                    }
                }
                for pair in listing.releases.windows(2) {
                    prop_assert!(pair[0].version >= pair[1].version, "not newest first");
                }
                if let Some(newest) = listing.releases.first() {
                    let request = VersionRequest::Exact(newest.version);
                    prop_assert!(!listing.suggestions(&request, 3).is_empty());
                }
            }
            Err(e) => prop_assert!(e.to_string().contains("fuzz://listing"), "{e}"),
        }
    }
}

/// The releases of the listing the install hints are checked against:
/// pre-1.21 first releases without `.0`, pre-releases, several patches.
const HINT_RELEASES: &[&str] = &[
    "go1.19",
    "go1.19.13",
    "go1.20",
    "go1.20.14",
    "go1.21rc2",
    "go1.21.0",
    "go1.21.13",
    "go1.22rc1",
    "go1.22.0",
    "go1.22.10",
    "go1.23.0",
    "go1.23.4",
];

fn hint_listing() -> Listing {
    let release = |v: &&str| {
        format!(
            r#"{{"version":"{v}","stable":{},"files":[{{"filename":"{v}.linux-amd64.tar.gz","os":"linux","arch":"amd64","sha256":"{}","kind":"archive"}}]}}"#,
            !v.contains("rc"),
            "0".repeat(64)
        )
    };
    let json = format!(
        "[{}]",
        HINT_RELEASES
            .iter()
            .map(release)
            .collect::<Vec<_>>()
            .join(",")
    );
    Listing::parse(json.as_bytes(), "hints").unwrap()
}

/// How a version may be written where gvmr reads it: the file (or
/// `GVMR_GO_VERSION`) and its text, for one of [`HINT_RELEASES`] or a
/// line, alias or minimum around them.
fn version_form() -> impl Strategy<Value = (&'static str, String)> {
    let release =
        prop::sample::select(HINT_RELEASES).prop_map(|name| GoVersion::parse(name).unwrap());
    let line = (19u32..=24).prop_map(|minor| format!("1.{minor}"));
    let request = prop_oneof![
        release.clone().prop_map(|v| v.to_string()),
        release.clone().prop_map(|v| v.number()),
        line.clone(),
        line.clone().prop_map(|l| format!("go{l}")),
        Just("latest".to_string()),
        Just("oldstable".to_string()),
    ];
    let go_line = prop_oneof![line.clone(), release.clone().prop_map(|v| v.number())];
    prop_oneof![
        request
            .clone()
            .prop_map(|r| (".go-version", format!("{r}\n"))),
        // A leading `v`, as semver tools write it, only in files.
        release
            .clone()
            .prop_map(|v| (".go-version", format!("v{}\n", v.number()))),
        (request.clone(), request.clone())
            .prop_map(|(a, b)| (".tool-versions", format!("golang {a} {b}\n"))),
        go_line
            .clone()
            .prop_map(|g| ("go.mod", format!("module m\n\ngo {g}\n"))),
        (
            line,
            release.prop_filter("not older than 1.21", |v| v.minor >= 21)
        )
            .prop_map(|(g, t)| ("go.mod", format!("module m\n\ngo {g}\n\ntoolchain {t}\n"))),
        request.prop_map(|r| ("GVMR_GO_VERSION", r)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Issue 17: whatever the form, when the selected version is not
    /// installed, the "run: gvmr install X" hint (shim, hooks, `env`,
    /// `current`, doctor) names a request that `gvmr install` resolves to
    /// exactly that version; once it is installed, the selection is.
    #[test]
    fn following_an_install_hint_installs_the_selected_version(
        (file, text) in version_form(),
        installed in prop::collection::vec(prop::sample::select(HINT_RELEASES), 0..3),
    ) {
        use gvmr_shim::select::{Inputs, select};
        use gvmr_shim::toolchain::resolve;
        let tree = tempfile::tempdir().unwrap();
        let (home, project) = (tree.path().join("home"), tree.path().join("p"));
        fs::create_dir_all(&project).unwrap();
        let install = |version: &GoVersion| {
            fs::create_dir_all(home.join("versions").join(version.to_string()).join("bin")).unwrap();
        };
        for name in &installed {
            install(&GoVersion::parse(name).unwrap());
        }
        let mut inputs = Inputs { home: Some(home.clone()), ..Inputs::default() };
        match file {
            "GVMR_GO_VERSION" => inputs.env_version = Some(text.clone()),
            name => fs::write(project.join(name), &text).unwrap(),
        }
        let Ok(Some(selection)) = select(&project, &inputs) else {
            return Err(TestCaseError::fail(format!("{file} {text:?} selects nothing")));
        };
        let before = resolve(selection.clone(), &home, None);
        if before.is_available() || before.system.is_some() {
            return Ok(());
        }
        let hint = before.install_argument();
        let requests: Vec<_> = hint.split(' ').map(VersionRequest::parse).collect();
        prop_assert!(
            requests.iter().all(Result::is_ok),
            "{} {:?}: hint {:?} does not parse", file, text, hint
        );
        let listing = hint_listing();
        let amd64: Platform = "linux-amd64".parse().unwrap();
        let mut got = None;
        for request in requests {
            got = listing.resolve(&request.unwrap(), &amd64).map(|r| r.version);
            // Helpers (`latest` before `oldstable`) are installed as well.
            if let Some(version) = got {
                install(&version);
            }
        }
        if let Some(selected) = before.version
            && listing.release(&selected).is_some()
        {
            prop_assert_eq!(
                got, Some(selected),
                "{} {:?}: `gvmr install {}` installs {:?}, not the selected {}",
                file, text, hint, got, selected
            );
        }
        let Some(got) = got else {
            // Nothing to install (a line with no stable release yet).
            return Ok(());
        };
        let after = resolve(selection, &home, None);
        prop_assert!(
            after.is_available(),
            "{} {:?}: after `gvmr install {}` ({}), {} is still not installed",
            file, text, hint, got, after.version.map_or(hint.clone(), |v| v.to_string())
        );
    }
}
