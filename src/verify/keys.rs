//! `gvmr keys`: the Go release signing keys gvmr trusts, and `gvmr keys
//! update`, which fetches Google's current key file and keeps from it only
//! signing subkeys the pinned primary key bound to itself.
//!
//! Google adds a signing subkey about once a year; a gvmr built before that
//! cannot verify releases signed by it until the key is updated. The update
//! adds no trust root: the pinned primary fingerprint stays the only one,
//! and every subkey is checked against the primary's binding signature (and
//! the subkey's back-signature) again at every verification.

use crate::net::http::HttpError;
use crate::verify::signature::GoReleasePolicy;
use sequoia_openpgp as openpgp;

use openpgp::cert::prelude::*;
use openpgp::parse::Parse;
use openpgp::{Cert, Fingerprint};
use std::time::SystemTime;

/// Where `gvmr keys update` fetches from unless `--url`/`GVMR_KEY_URL` says otherwise.
pub const DEFAULT_KEY_URL: &str = "https://dl.google.com/linux/linux_signing_key.pub";

/// Largest key file accepted; Google's is about 10 KiB.
pub const MAX_KEY_BYTES: u64 = 1024 * 1024;

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
pub fn binding_time(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::signature::{PINNED_PRIMARY, embedded_cert};
    use openpgp::serialize::SerializeInto;

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
