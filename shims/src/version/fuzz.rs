use super::*;
use proptest::prelude::*;

/// A version as gvmr generates them: Go 1.0 to 1.40, with or without a
/// pre-release tag.
fn valid_version() -> impl Strategy<Value = GoVersion> {
    let pre = prop_oneof![
        Just(None),
        (1u32..=20).prop_map(|n| Some(PreRelease::Beta(n))),
        (1u32..=20).prop_map(|n| Some(PreRelease::Rc(n))),
    ];
    (0u32..40, 0u32..30, pre).prop_map(|(minor, patch, pre)| GoVersion {
        major: 1,
        minor,
        patch,
        pre,
    })
}

/// Any version the parser can represent (numbers up to 6 digits).
fn any_version() -> impl Strategy<Value = GoVersion> {
    let num = prop_oneof![0u32..30, 0u32..=999_999];
    let pre = prop_oneof![
        Just(None),
        (1u32..=999_999).prop_map(|n| Some(PreRelease::Beta(n))),
        (1u32..=999_999).prop_map(|n| Some(PreRelease::Rc(n))),
    ];
    (num.clone(), num.clone(), num, pre).prop_map(|(major, minor, patch, pre)| GoVersion {
        major,
        minor,
        patch,
        pre,
    })
}

/// Strings built from the pieces versions are made of, to reach deep
/// into the parser more often than uniformly random text does.
fn version_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("go".to_string()),
        Just(".".to_string()),
        Just("rc".to_string()),
        Just("beta".to_string()),
        Just("latest".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\u{a0}".to_string()),
        Just("+".to_string()),
        Just("-".to_string()),
        Just("é".to_string()),
        "[0-9]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..14).prop_map(|parts| parts.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        version_like(),
        "\\PC{0,2000}",
        (".{0,4}", 0usize..5000).prop_map(|(s, n)| s.repeat(n)),
    ]
}

/// Characters an accepted version may contain (after trimming).
fn only_version_chars(s: &str) -> bool {
    ["latest", "stable", "oldstable", "system"].contains(&s)
        || s.bytes()
            .all(|b| b.is_ascii_digit() || b"gobetarc.".contains(&b))
}

/// Found by `display_round_trips`: `go0.0` printed for 0.0.0 was read
/// back as the request for the 0.0 line.
#[test]
fn versions_outside_go1_print_their_zero_patch() {
    let v = GoVersion::parse("go0").unwrap();
    assert_eq!(v.to_string(), "go0.0.0");
    assert_eq!(
        VersionRequest::parse("go0.0.0"),
        Ok(VersionRequest::Exact(v))
    );
    assert_eq!(GoVersion::new(2, 3, 0).to_string(), "go2.3.0");
}

proptest! {
    #[test]
    fn parsers_never_panic_and_accept_only_short_plain_names(s in any_text()) {
        let version = GoVersion::parse(&s);
        let request = VersionRequest::parse(&s);
        let trimmed = s.trim();
        if let Ok(v) = version {
            prop_assert!(trimmed.len() <= MAX_VERSION_LEN, "{s:?} accepted");
            prop_assert!(only_version_chars(trimmed), "{s:?} accepted");
            // Whatever was accepted names a version that prints and re-parses.
            prop_assert_eq!(GoVersion::parse(&v.to_string()), Ok(v));
        }
        if let Ok(r) = request {
            prop_assert!(trimmed.len() <= MAX_VERSION_LEN, "{s:?} accepted");
            prop_assert!(only_version_chars(trimmed), "{s:?} accepted");
            prop_assert_eq!(VersionRequest::parse(&r.to_string()), Ok(r));
        }
        if let Err(e) = VersionRequest::parse(&s) {
            // The message is bounded, whatever the input's size.
            // At most 64 characters shown, each escaped as `\u{10ffff}` at worst.
            let bound = 64 * r"\u{10ffff}".len() + 120;
            prop_assert!(e.to_string().chars().count() < bound);
        }
    }

    #[test]
    fn display_round_trips(v in valid_version(), w in any_version()) {
        for v in [v, w] {
            let name = v.to_string();
            prop_assert_eq!(GoVersion::parse(&name), Ok(v), "{}", name);
            prop_assert_eq!(GoVersion::parse(&v.number()), Ok(v));
            // What gvmr tells users to type names exactly this release.
            prop_assert_eq!(
                VersionRequest::parse(&v.number()),
                Ok(VersionRequest::Exact(v)),
                "{}", v.number()
            );
            prop_assert_eq!(name.parse::<GoVersion>(), Ok(v));
            prop_assert_eq!(
                VersionRequest::parse(&name),
                Ok(VersionRequest::Exact(v)),
                "{}", name
            );
            prop_assert_eq!(GoVersion::parse(&format!(" \t{name}\r\n")), Ok(v));
        }
    }

    #[test]
    fn ordering_is_total_and_consistent_with_eq(
        a in prop_oneof![valid_version(), any_version()],
        b in prop_oneof![valid_version(), any_version()],
        c in valid_version(),
    ) {
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        prop_assert_eq!(a == b, a.cmp(&b) == Ordering::Equal);
        prop_assert_eq!(a.partial_cmp(&b), Some(a.cmp(&b)));
        prop_assert_eq!(a.cmp(&a), Ordering::Equal);
        if a <= b && b <= c {
            prop_assert!(a <= c);
        }
        if a < b && b < c {
            prop_assert!(a < c);
        }
        // A pre-release sorts before its release; the release of a patch
        // before the next patch's pre-releases.
        if a.pre.is_some() {
            let release = GoVersion { pre: None, ..a };
            prop_assert!(a < release);
        }
        let next = GoVersion { patch: a.patch + 1, pre: Some(PreRelease::Beta(1)), ..a };
        prop_assert!(a < next);
    }

    #[test]
    fn go_names_and_numbers_are_equivalent(minor in 0u32..40, patch in 0u32..30) {
        let bare = GoVersion::parse(&format!("1.{minor}.{patch}")).unwrap();
        prop_assert_eq!(GoVersion::parse(&format!("go1.{minor}.{patch}")), Ok(bare));
        let line = GoVersion::parse(&format!("go1.{minor}")).unwrap();
        prop_assert_eq!(GoVersion::parse(&format!("1.{minor}.0")), Ok(line));
        prop_assert_eq!(GoVersion::parse(&format!("1.{minor}")), Ok(line));
        // `go1.20` names the release 1.20.0; `1.20` and `go1.22` a line.
        let request = VersionRequest::parse(&format!("go1.{minor}")).unwrap();
        if minor <= 20 {
            prop_assert_eq!(request, VersionRequest::Exact(line));
        } else {
            prop_assert_eq!(request, VersionRequest::Line { major: 1, minor });
        }
        prop_assert_eq!(
            VersionRequest::parse(&format!("1.{minor}")),
            Ok(VersionRequest::Line { major: 1, minor })
        );
    }

    #[test]
    fn refuses_metacharacters_slashes_inner_whitespace_and_long_names(
        v in prop_oneof![valid_version(), any_version()],
        bad in prop_oneof![
            prop::sample::select(
                &[";", "|", "&", "$", "`", "'", "\"", "<", ">", "(", ")", "{", "}",
                  "[", "]", "*", "?", "!", "~", "#", "\\", "/", "=", "%", ",", ":", "\0"][..]
            ).prop_map(str::to_string),
            "\\s{1,3}",
            "../",
            "\\$\\([a-z]{1,6}\\)",
        ],
        at in any::<prop::sample::Index>(),
        padding in 1usize..40,
    ) {
        let name = v.to_string();
        let inner_whitespace = bad.trim().is_empty();
        // Whitespace only counts inside the name; metacharacters anywhere.
        let at = if inner_whitespace {
            1 + at.index(name.len() - 1)
        } else {
            at.index(name.len() + 1)
        };
        let spoiled = format!("{}{bad}{}", &name[..at], &name[at..]);
        prop_assert!(GoVersion::parse(&spoiled).is_err(), "{spoiled:?}");
        prop_assert!(VersionRequest::parse(&spoiled).is_err(), "{spoiled:?}");
        // Too long: zero-padded numbers, or junk past 32 characters.
        let long = format!("{name}{}", "0".repeat(MAX_VERSION_LEN + padding - name.len().min(MAX_VERSION_LEN)));
        prop_assert!(long.len() > MAX_VERSION_LEN);
        prop_assert!(GoVersion::parse(&long).is_err(), "{long:?}");
        prop_assert!(VersionRequest::parse(&long).is_err(), "{long:?}");
    }
}
