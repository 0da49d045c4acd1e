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
