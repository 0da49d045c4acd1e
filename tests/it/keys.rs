//! `gvmr keys` and `gvmr keys update`, with the real binary: a test primary
//! key is pinned through the `GVMR_KEY_PRIMARY` test hook, and key files
//! are served from a loopback server.

use crate::support::keys::TestKey;
use crate::support::{Session, stderr_of, stdout_of};
use sequoia_openpgp::serialize::SerializeInto;
use std::time::{Duration, SystemTime};

/// The subkeys of the real Go release key built into gvmr, oldest first.
const REAL_SUBKEYS: [(&str, &str, &str); 7] = [
    (
        "3B068FB4789ABE4AEFA3BB491397BC53640DB551",
        "2016-04-12",
        "2019-04-12",
    ),
    (
        "3E50F6D3EC278FDEB655C8CA6494C6D6997C215E",
        "2017-01-24",
        "2020-01-24",
    ),
    (
        "2F528D36D67B69EDF998D85778BD65473CB3BD13",
        "2019-07-22",
        "2022-07-21",
    ),
    (
        "8461EFA0E74ABAE010DE66994EB27DB2A3B88B8B",
        "2021-10-26",
        "2024-10-25",
    ),
    (
        "A5F483CD733A4EBAEA378B2AE88979FB9B30ACF2",
        "2023-02-15",
        "2026-02-14",
    ),
    (
        "0F06FF86BEEAF4E71866EE5232EE5355A6BC6E42",
        "2024-01-30",
        "2027-01-29",
    ),
    (
        "0E225917414670F4442C250DFD533C07C264648F",
        "2025-01-07",
        "2028-01-07",
    ),
];

/// `gvmr` in session `s`, trusting the pinned key (no `GVMR_KEYRING`), with
/// `primary` pinned through the test hook.
fn gvmr_pinned(s: &Session, primary: &TestKey) -> std::process::Command {
    let mut cmd = s.std_gvmr();
    cmd.env_remove("GVMR_KEYRING")
        .env("GVMR_KEY_PRIMARY", primary.fingerprint_hex());
    cmd
}

fn run(mut cmd: std::process::Command) -> std::process::Output {
    cmd.output().expect("run gvmr")
}

fn keys_dir(s: &Session) -> std::path::PathBuf {
    s.home().join("keys")
}

#[test]
fn lists_the_built_in_key_when_nothing_was_updated() {
    let s = Session::new();
    let mut cmd = s.std_gvmr();
    cmd.env_remove("GVMR_KEYRING").arg("keys");
    let output = run(cmd);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("primary") && stdout.contains("EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796"),
        "{stdout}"
    );
    for (fpr, created, expires) in REAL_SUBKEYS {
        let line = stdout
            .lines()
            .find(|l| l.contains(fpr))
            .unwrap_or_else(|| panic!("{fpr} not listed:\n{stdout}"));
        assert!(line.contains(&format!("created {created}")), "{line}");
        assert!(line.contains(&format!("expires {expires}")), "{line}");
        assert!(line.contains("built in"), "{line}");
    }
    assert!(stdout.contains("expired"), "{stdout}");
    assert!(stderr_of(&output).is_empty(), "{}", stderr_of(&output));

    let mut cmd = s.std_gvmr();
    cmd.env_remove("GVMR_KEYRING")
        .args(["keys", "list", "--json"]);
    let output = run(cmd);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[0]["role"], "primary");
    for (row, (fpr, created, expires)) in rows[1..].iter().zip(REAL_SUBKEYS) {
        assert_eq!(row["fingerprint"], fpr);
        assert_eq!(row["created"], created);
        assert_eq!(row["expires"], expires);
        assert_eq!(row["source"], "built in");
    }
    assert!(!keys_dir(&s).exists());
}

/// Google adds a signing subkey: an archive signed by it fails to verify,
/// with the hint to run `gvmr keys update`; after the update it installs.
#[test]
fn a_new_bound_subkey_is_fetched_and_then_verifies_installs() {
    let old = TestKey::generate("Test Go Releases <go@example.org>");
    // The mirror signs with the new subkey; the keyring trusts the old key.
    let s = Session::with_key(old.with_new_subkey(SystemTime::now() - Duration::from_secs(30)));
    old.write_keyring(&s.keyring());
    let new = &s.key;
    assert_eq!(old.fingerprint_hex(), new.fingerprint_hex());
    s.publish("go1.22.5");
    let url = s.server.url("/linux_signing_key.pub");

    // The key file as it was when this gvmr was set up: the old subkey only.
    s.server.put("/linux_signing_key.pub", old.public_armored());
    let mut cmd = gvmr_pinned(&s, &old);
    cmd.args(["keys", "update", "--url", &url]);
    let output = run(cmd);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains(&old.signing_subkey_fingerprint_hex()),
        "{}",
        stdout_of(&output)
    );
    assert!(
        stderr_of(&output).contains("warning: GVMR_KEY_PRIMARY is set"),
        "{}",
        stderr_of(&output)
    );

    // The release is signed by a subkey this gvmr does not know yet.
    let mut cmd = gvmr_pinned(&s, &old);
    cmd.args(["install", "1.22.5"]);
    let output = run(cmd);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "made by key {}, which this gvmr does not know",
            new.signing_subkey_fingerprint_hex()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("run `gvmr keys update`"), "{stderr}");
    s.assert_nothing_installed();

    // Google's file now holds both subkeys.
    let updated = old
        .cert
        .clone()
        .merge_public(new.cert.clone())
        .unwrap()
        .armored()
        .to_vec()
        .unwrap();
    s.server.put("/linux_signing_key.pub", updated);
    let mut cmd = gvmr_pinned(&s, &old);
    cmd.args(["keys", "update"]).env("GVMR_KEY_URL", &url);
    let output = run(cmd);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains(&format!(
            "New signing subkey {}",
            new.signing_subkey_fingerprint_hex()
        )),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&old.signing_subkey_fingerprint_hex()),
        "the old subkey is not new: {stdout}"
    );
    assert!(keys_dir(&s).join("go-release-key.asc").is_file());
    let stored = std::fs::read_to_string(keys_dir(&s).join("go-release-key.asc")).unwrap();
    assert!(!stored.contains("PRIVATE KEY"), "{stored}");

    let mut cmd = gvmr_pinned(&s, &old);
    cmd.args(["install", "1.22.5"]);
    let output = run(cmd);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(s.version_names(), ["go1.22.5"]);

    // `gvmr keys` says where each subkey came from.
    let mut cmd = gvmr_pinned(&s, &old);
    cmd.arg("keys");
    let output = run(cmd);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    for fpr in [
        old.signing_subkey_fingerprint_hex(),
        new.signing_subkey_fingerprint_hex(),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.contains(&fpr))
            .unwrap_or_else(|| panic!("{fpr} not listed:\n{stdout}"));
        assert!(line.contains("valid"), "{line}");
        assert!(line.contains(&format!("from {url}")), "{line}");
    }
}

/// Runs `gvmr keys update` against `body` and checks it is refused, naming
/// `needle`, with nothing stored.
fn assert_refused(primary: &TestKey, body: Vec<u8>, needles: &[&str]) {
    let s = Session::new();
    primary.write_keyring(&s.keyring());
    s.server.put("/key.pub", body);
    let mut cmd = gvmr_pinned(&s, primary);
    cmd.args(["keys", "update", "--url", &s.server.url("/key.pub")]);
    let output = run(cmd);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("error: refusing the key file"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle} not in: {stderr}");
    }
    assert!(!keys_dir(&s).exists(), "something was stored");
}

#[test]
fn an_unbound_subkey_is_refused() {
    let key = TestKey::generate("Test <t@example.org>");
    let (body, fpr) = key.public_with_unbound_subkey();
    assert_refused(&key, body, &[&fpr, "not validly bound"]);
}

#[test]
fn a_subkey_bound_by_another_primary_is_refused() {
    let key = TestKey::generate("Test <t@example.org>");
    let attacker = TestKey::generate("Attacker <a@example.org>");
    let (body, fpr) = key.public_with_foreign_bound_subkey(&attacker);
    assert_refused(&key, body, &[&fpr, "not validly bound"]);
}

#[test]
fn a_tampered_binding_is_refused() {
    let key = TestKey::generate("Test <t@example.org>");
    let (body, fpr) = key.public_with_transplanted_binding();
    assert_refused(&key, body, &[&fpr, "not validly bound"]);
}

#[test]
fn a_different_primary_is_refused() {
    let key = TestKey::generate("Test <t@example.org>");
    let other = TestKey::generate("Other <o@example.org>");
    assert_refused(
        &key,
        other.public_armored(),
        &[
            &other.fingerprint_hex(),
            &key.fingerprint_hex(),
            "not the pinned",
        ],
    );
}

#[test]
fn without_the_hook_the_real_primary_is_pinned() {
    let s = Session::with_key(TestKey::generate("Test <t@example.org>"));
    s.server.put("/key.pub", s.key.public_armored());
    let mut cmd = s.std_gvmr();
    cmd.env_remove("GVMR_KEYRING")
        .args(["keys", "update", "--url", &s.server.url("/key.pub")]);
    let output = run(cmd);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("not the pinned Go release key EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796"),
        "{stderr}"
    );
    assert!(!keys_dir(&s).exists());
}
