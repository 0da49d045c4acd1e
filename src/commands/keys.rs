//! `gvmr keys`: list the Go release signing keys gvmr trusts, and `gvmr
//! keys update`, which fetches Google's current key file and stores the
//! signing subkeys [`crate::verify::keys::check_update`] accepts.

use crate::error::Error;
use crate::files::FileError;
use crate::files::write_atomically;
use crate::net::url::DisplaySafeUrl;
use crate::settings::Settings;
use crate::store::Store;
use crate::ui::{self, Ui, tildify};
use crate::verify::keys::{DEFAULT_KEY_URL, KeysError, MAX_KEY_BYTES, binding_time, check_update};
use crate::verify::signature::{
    GoReleasePolicy, Keyring, Pinned, STORED_KEY_PATH, format_utc, stored_cert,
};
use openpgp::Fingerprint;
use openpgp::cert::prelude::*;
use openpgp::serialize::SerializeInto;
use openpgp::types::RevocationStatus;
use sequoia_openpgp as openpgp;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The metadata stored beside the updated key.
const META_PATH: &str = "keys/go-release-key.json";

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
pub fn list(settings: &Settings, store: &Store, ui: &Ui, json: bool) -> Result<(), Error> {
    let pinned = settings.pinned_key()?;
    if settings.keyring.is_some() {
        ui.warn("GVMR_KEYRING is set: installs trust that keyring instead of the keys listed here");
    }
    let mut warnings = Vec::new();
    let rows = rows(store, &pinned, &mut warnings);
    warn_all(ui, &pinned, warnings);
    if json {
        ui::outln(serde_json::to_string_pretty(&rows).expect("key rows serialize"))?;
        return Ok(());
    }
    if rows.is_empty() {
        ui::outln(format!(
            "No key of the pinned primary {} is known: run `gvmr keys update`.",
            pinned.fingerprint.to_hex()
        ))?;
        return Ok(());
    }
    for row in &rows {
        let expires = row.expires.as_deref().unwrap_or("never");
        ui::outln(format!(
            "{:<14}  {}  created {}  expires {:<10}  {:<13}  {}",
            row.role, row.fingerprint, row.created, expires, row.status, row.source
        ))?;
    }
    Ok(())
}

/// `gvmr keys update [--url URL]`.
pub fn update(settings: &Settings, store: &Store, ui: &Ui, url: Option<&str>) -> Result<(), Error> {
    let pinned = settings.pinned_key()?;
    if let Some(warning) = pinned.warning() {
        ui.warn(warning);
    }
    let given = url.filter(|u| !u.is_empty()).unwrap_or(DEFAULT_KEY_URL);
    let url = DisplaySafeUrl::parse(given).map_err(|e| {
        Error::Usage(format!(
            "--url {}: not a URL ({e})",
            crate::net::url::shown(given)
        ))
    })?;
    ui.status(format!("Fetching the Go release signing key from {url}"));
    let bytes = settings
        .http(ui)?
        .get_small(&url, MAX_KEY_BYTES)
        .map_err(KeysError::from)?;
    // From here on the URL is only shown.
    let url = url.to_string();
    let accepted = check_update(&bytes, &url, &pinned.fingerprint)?;

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
    std::fs::create_dir_all(&keys_dir).map_err(|e| FileError::new("create", &keys_dir, e))?;
    let meta = Meta {
        url,
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
            ui::outln(format!("New signing subkey {}", fpr.to_hex()))?;
        }
        ui.status(format!(
            "Stored {} in {}",
            if new.len() == 1 { "it" } else { "them" },
            tildify(&path)
        ));
    }
    Ok(())
}
