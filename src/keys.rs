//! `gvmr keys`: the Go release signing keys gvmr trusts, and `gvmr keys
//! update`, which fetches Google's current key file and keeps from it only
//! signing subkeys the pinned primary key bound to itself.
//!
//! Google adds a signing subkey about once a year; a gvmr built before that
//! cannot verify releases signed by it until the key is updated. The update
//! adds no trust root: the pinned primary fingerprint stays the only one,
//! and every subkey is checked against the primary's binding signature (and
//! the subkey's back-signature) again at every verification.

use crate::error::Error;
use crate::http::{Http, HttpError};
use crate::signature::{
    GoReleasePolicy, Keyring, Pinned, STORED_KEY_PATH, format_utc, stored_cert,
};
use crate::store::{Store, StoreError, write_atomically};
use crate::ui::{Ui, tildify};
use sequoia_openpgp as openpgp;

use openpgp::cert::prelude::*;
use openpgp::parse::Parse;
use openpgp::serialize::SerializeInto;
use openpgp::types::RevocationStatus;
use openpgp::{Cert, Fingerprint};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where `gvmr keys update` fetches from unless `--url`/`GVMR_KEY_URL` says otherwise.
pub const DEFAULT_KEY_URL: &str = "https://dl.google.com/linux/linux_signing_key.pub";

/// Largest key file accepted; Google's is about 10 KiB.
pub const MAX_KEY_BYTES: u64 = 1024 * 1024;

/// The metadata stored beside the updated key.
const META_PATH: &str = "keys/go-release-key.json";

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot fetch the Go release key: {0}")]
    Fetch(#[from] HttpError),
    #[error("the key file from {url} is not an OpenPGP certificate: {message}")]
    Unparseable { url: String, message: String },
    #[error(
        "refusing the key file from {url}: its primary key is {found}, not the pinned Go release key {pinned}"
    )]
    WrongPrimary {
        url: String,
        found: String,
        pinned: String,
    },
    #[error(
        "refusing the key file from {url}: {} not validly bound to the pinned primary key {pinned}, so nothing was stored:{}",
        if .subkeys.len() == 1 { "this subkey is" } else { "these subkeys are" },
        .subkeys.iter().map(|s| format!("\n  - {s}")).collect::<String>()
    )]
    Unbound {
        url: String,
        pinned: String,
        subkeys: Vec<String>,
    },
    #[error("refusing the key file from {url}: it holds no signing subkey bound to {pinned}")]
    NoSigningSubkey { url: String, pinned: String },
}

impl KeysError {
    pub fn is_network(&self) -> bool {
        matches!(self, KeysError::Fetch(_))
    }
}

/// A key file that passed the checks: the certificate to store (public
/// parts only, only bound signing subkeys) and its signing subkeys.
#[derive(Debug)]
pub struct Accepted {
    pub cert: Cert,
    pub subkeys: Vec<Fingerprint>,
}

/// The newest self-signature time of a subkey, else its creation time: the
/// moment its binding is checked at (a since-expired subkey was validly
/// bound when it was bound).
fn binding_time(
    ka: &SubordinateKeyAmalgamation<'_, openpgp::packet::key::PublicParts>,
) -> SystemTime {
    ka.self_signatures()
        .filter_map(|s| s.signature_creation_time())
        .max()
        .unwrap_or_else(|| ka.key().creation_time())
}

/// Checks a fetched key file against the pinned primary `pinned`.
///
/// Refused: a file that is not exactly one certificate, one whose primary is
/// not `pinned`, and (as a whole) one with any subkey that is not validly
/// bound by the primary, including its back-signature for a signing subkey.
/// Validly bound subkeys that cannot sign are dropped; so are user IDs
/// without a self-signature and third-party certifications.
pub fn check_update(bytes: &[u8], url: &str, pinned: &Fingerprint) -> Result<Accepted, KeysError> {
    let unparseable = |message: String| KeysError::Unparseable {
        url: url.to_string(),
        message,
    };
    let certs = CertParser::from_bytes(bytes)
        .map_err(|e| unparseable(e.to_string()))?
        .collect::<openpgp::Result<Vec<Cert>>>()
        .map_err(|e| unparseable(e.to_string()))?;
    let cert = match certs.as_slice() {
        [] => return Err(unparseable("it holds no public key".into())),
        [cert] => cert.clone(),
        many => {
            // Google's file has one certificate; only the pinned one matters.
            match many.iter().find(|c| &c.fingerprint() == pinned) {
                Some(cert) => cert.clone(),
                None => {
                    return Err(KeysError::WrongPrimary {
                        url: url.to_string(),
                        found: many
                            .iter()
                            .map(|c| c.fingerprint().to_hex())
                            .collect::<Vec<_>>()
                            .join(", "),
                        pinned: pinned.to_hex(),
                    });
                }
            }
        }
    };
    if &cert.fingerprint() != pinned {
        return Err(KeysError::WrongPrimary {
            url: url.to_string(),
            found: cert.fingerprint().to_hex(),
            pinned: pinned.to_hex(),
        });
    }
    let cert = cert.strip_secret_key_material();
    let policy = GoReleasePolicy::default();
    let mut unbound = Vec::new();
    let mut signing = Vec::new();
    for ka in cert.keys().subkeys() {
        let fpr = ka.key().fingerprint();
        let at = binding_time(&ka);
        match ka.clone().with_policy(&policy, at) {
            Ok(valid) if valid.for_signing() => signing.push(fpr),
            Ok(_) => {}
            Err(e) => unbound.push(format!(
                "{} ({})",
                fpr.to_hex(),
                e.chain()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(": ")
            )),
        }
    }
    if !unbound.is_empty() {
        return Err(KeysError::Unbound {
            url: url.to_string(),
            pinned: pinned.to_hex(),
            subkeys: unbound,
        });
    }
    if signing.is_empty() {
        return Err(KeysError::NoSigningSubkey {
            url: url.to_string(),
            pinned: pinned.to_hex(),
        });
    }
    let primary = cert.primary_key().key().clone();
    let cert = cert
        .retain_subkeys(|ka| signing.contains(&ka.key().fingerprint()))
        .retain_userids(|ua| ua.self_signatures().next().is_some());
    // Drop third-party certifications and unverifiable signatures by
    // rebuilding from the packets: only the primary's own signatures stay.
    let packets = cert.into_packets().filter(|p| match p {
        openpgp::Packet::Signature(sig) => sig
            .get_issuers()
            .iter()
            .any(|issuer| issuer.aliases(openpgp::KeyHandle::from(primary.fingerprint()))),
        _ => true,
    });
    let cert = Cert::from_packets(packets).map_err(|e| unparseable(e.to_string()))?;
    Ok(Accepted {
        cert,
        subkeys: signing,
    })
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Meta {
    url: String,
    /// Seconds since the Unix epoch.
    updated: u64,
}

fn meta_path(store: &Store) -> PathBuf {
    store.root().join(META_PATH)
}

fn stored_path(store: &Store) -> PathBuf {
    store.root().join(STORED_KEY_PATH)
}

fn read_meta(store: &Store) -> Option<Meta> {
    serde_json::from_slice(&std::fs::read(meta_path(store)).ok()?).ok()
}

fn date(t: SystemTime) -> String {
    format_utc(t)[..10].to_string()
}

#[derive(Debug, serde::Serialize)]
struct KeyRow {
    fingerprint: String,
    role: &'static str,
    created: String,
    expires: Option<String>,
    status: &'static str,
    source: String,
}

fn status_of(
    revoked: bool,
    alive: openpgp::Result<()>,
    created: SystemTime,
    now: SystemTime,
) -> &'static str {
    if revoked {
        "revoked"
    } else if created > now {
        "not yet valid"
    } else if alive.is_ok() {
        "valid"
    } else {
        "expired"
    }
}

fn rows(store: &Store, pinned: &Pinned, warnings: &mut Vec<String>) -> Vec<KeyRow> {
    let built_in = pinned.built_in();
    let stored = stored_cert(&stored_path(store), pinned, warnings);
    let keyring = Keyring::pinned(pinned, Some(&stored_path(store)), &mut Vec::new());
    let updated = match read_meta(store) {
        Some(meta) => format!(
            "updated {} from {}",
            date(UNIX_EPOCH + Duration::from_secs(meta.updated)),
            meta.url
        ),
        None => "updated".to_string(),
    };
    let source = |fpr: &Fingerprint| -> String {
        let in_built_in = built_in.as_ref().is_some_and(|c| {
            &c.fingerprint() == fpr || c.keys().subkeys().any(|k| &k.key().fingerprint() == fpr)
        });
        if in_built_in {
            "built in".to_string()
        } else if stored.is_some() {
            updated.clone()
        } else {
            "unknown".to_string()
        }
    };
    let policy = GoReleasePolicy::default();
    let now = SystemTime::now();
    let mut rows = Vec::new();
    for cert in keyring.certs() {
        let primary = cert.primary_key();
        let created = primary.key().creation_time();
        let (expires, revoked, alive) = match cert.with_policy(&policy, now) {
            Ok(valid) => (
                valid.primary_key().key_expiration_time(),
                matches!(valid.revocation_status(), RevocationStatus::Revoked(_)),
                valid.alive(),
            ),
            Err(e) => (None, false, Err(e)),
        };
        rows.push(KeyRow {
            fingerprint: cert.fingerprint().to_hex(),
            role: "primary",
            created: date(created),
            expires: expires.map(date),
            status: status_of(revoked, alive, created, now),
            source: source(&cert.fingerprint()),
        });
        let mut subkeys: Vec<_> = cert.keys().subkeys().collect();
        subkeys.sort_by_key(|k| k.key().creation_time());
        for ka in subkeys {
            let fpr = ka.key().fingerprint();
            let created = ka.key().creation_time();
            let (expires, revoked, alive, signing) = match ka.clone().with_policy(&policy, now) {
                Ok(valid) => (
                    valid.key_expiration_time(),
                    matches!(valid.revocation_status(), RevocationStatus::Revoked(_)),
                    valid.alive(),
                    valid.for_signing(),
                ),
                Err(now_err) => match ka.clone().with_policy(&policy, binding_time(&ka)) {
                    // Valid once, e.g. its binding expired since: not now.
                    Ok(valid) => (
                        valid.key_expiration_time(),
                        false,
                        Err(now_err),
                        valid.for_signing(),
                    ),
                    Err(e) => (None, false, Err(e), false),
                },
            };
            if !signing {
                continue;
            }
            rows.push(KeyRow {
                fingerprint: fpr.to_hex(),
                role: "signing subkey",
                created: date(created),
                expires: expires.map(date),
                status: status_of(revoked, alive, created, now),
                source: source(&fpr),
            });
        }
    }
    rows
}

fn warn_all(ui: &Ui, pinned: &Pinned, warnings: Vec<String>) {
    if let Some(warning) = pinned.warning() {
        ui.warn(warning);
    }
    for warning in warnings {
        ui.warn(warning);
    }
}

/// `gvmr keys [list] [--json]`.
pub fn list(store: &Store, ui: &Ui, json: bool) -> Result<(), Error> {
    let pinned = Pinned::from_env()?;
    if std::env::var_os("GVMR_KEYRING").is_some_and(|v| !v.is_empty()) {
        ui.warn("GVMR_KEYRING is set: installs trust that keyring instead of the keys listed here");
    }
    let mut warnings = Vec::new();
    let rows = rows(store, &pinned, &mut warnings);
    warn_all(ui, &pinned, warnings);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).expect("key rows serialize")
        );
        return Ok(());
    }
    if rows.is_empty() {
        println!(
            "No key of the pinned primary {} is known: run `gvmr keys update`.",
            pinned.fingerprint.to_hex()
        );
        return Ok(());
    }
    for row in &rows {
        let expires = row.expires.as_deref().unwrap_or("never");
        println!(
            "{:<14}  {}  created {}  expires {:<10}  {:<13}  {}",
            row.role, row.fingerprint, row.created, expires, row.status, row.source
        );
    }
    Ok(())
}

/// `gvmr keys update [--url URL]`.
pub fn update(store: &Store, ui: &Ui, url: Option<&str>) -> Result<(), Error> {
    let pinned = Pinned::from_env()?;
    if let Some(warning) = pinned.warning() {
        ui.warn(warning);
    }
    let url = url.filter(|u| !u.is_empty()).unwrap_or(DEFAULT_KEY_URL);
    ui.status(format!("Fetching the Go release signing key from {url}"));
    let bytes = Http::new()
        .get_small(url, MAX_KEY_BYTES)
        .map_err(KeysError::from)?;
    let accepted = check_update(&bytes, url, &pinned.fingerprint)?;

    // What was trusted before, to tell what is new.
    let path = stored_path(store);
    let mut warnings = Vec::new();
    let before = Keyring::pinned(&pinned, Some(&path), &mut warnings);
    warn_all(
        ui,
        &Pinned {
            overridden: false,
            ..pinned.clone()
        },
        warnings,
    );
    let known: BTreeSet<Fingerprint> = before
        .certs()
        .iter()
        .flat_map(|c| c.keys().subkeys().map(|k| k.key().fingerprint()))
        .collect();

    // Keep what an earlier update stored (it passed the same checks), so a
    // subkey dropped from Google's file is not forgotten; revocations merge.
    let previous = stored_cert(&path, &pinned, &mut Vec::new());
    let cert = match previous {
        Some(previous) => {
            previous
                .merge_public(accepted.cert)
                .map_err(|e| KeysError::Unparseable {
                    url: url.to_string(),
                    message: e.to_string(),
                })?
        }
        None => accepted.cert,
    };
    let armored = cert.armored().to_vec().expect("a certificate serializes");
    let keys_dir = store.root().join("keys");
    std::fs::create_dir_all(&keys_dir).map_err(|e| StoreError::new("create", &keys_dir, e))?;
    let meta = Meta {
        url: url.to_string(),
        updated: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    write_atomically(&path, &armored)?;
    write_atomically(
        &meta_path(store),
        serde_json::to_string_pretty(&meta)
            .expect("metadata serializes")
            .as_bytes(),
    )?;

    let new: Vec<&Fingerprint> = accepted
        .subkeys
        .iter()
        .filter(|f| !known.contains(f))
        .collect();
    if new.is_empty() {
        ui.status(format!(
            "No new signing subkey: gvmr already knew all {} ({} stored in {})",
            accepted.subkeys.len(),
            if accepted.subkeys.len() == 1 {
                "it is"
            } else {
                "they are"
            },
            tildify(&path)
        ));
    } else {
        for fpr in &new {
            println!("New signing subkey {}", fpr.to_hex());
        }
        ui.status(format!(
            "Stored {} in {}",
            if new.len() == 1 { "it" } else { "them" },
            tildify(&path)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{PINNED_PRIMARY, embedded_cert};

    fn pinned() -> Fingerprint {
        PINNED_PRIMARY.parse().unwrap()
    }

    #[test]
    fn the_embedded_key_file_is_accepted_whole() {
        let bytes = embedded_cert().armored().to_vec().unwrap();
        let accepted = check_update(&bytes, "test:", &pinned()).unwrap();
        assert_eq!(accepted.subkeys.len(), 7);
        assert_eq!(accepted.cert.fingerprint(), pinned());
        assert_eq!(accepted.cert.keys().subkeys().count(), 7);
    }

    #[test]
    fn another_primary_is_refused() {
        let (other, _) = CertBuilder::general_purpose(Some("x@example.org"))
            .generate()
            .unwrap();
        let bytes = other.armored().to_vec().unwrap();
        let err = check_update(&bytes, "test:", &pinned()).unwrap_err();
        assert!(matches!(err, KeysError::WrongPrimary { .. }), "{err}");
        assert!(err.to_string().contains(PINNED_PRIMARY), "{err}");
    }

    #[test]
    fn garbage_is_refused() {
        for junk in [
            &b""[..],
            b"hello",
            b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n",
        ] {
            let err = check_update(junk, "test:", &pinned()).unwrap_err();
            assert!(
                matches!(
                    err,
                    KeysError::Unparseable { .. } | KeysError::WrongPrimary { .. }
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn secret_parts_are_stripped() {
        let (cert, _) = CertBuilder::new()
            .add_userid("t@example.org")
            .add_signing_subkey()
            .generate()
            .unwrap();
        let bytes = cert.as_tsk().armored().to_vec().unwrap();
        let accepted = check_update(&bytes, "test:", &cert.fingerprint()).unwrap();
        assert!(!accepted.cert.is_tsk());
        assert_eq!(accepted.subkeys.len(), 1);
    }
}
