//! OpenPGP verification of detached `.asc` signatures against the Go release
//! signing key embedded in gvmr (or, explicitly, a keyring from `GVMR_KEYRING`).
//!
//! A signature is good when a signing subkey bound to a trusted primary key
//! made it, and that subkey was valid *when the signature was made*: most
//! releases were signed by subkeys that have expired since.

use crate::ui::error_chain;
use sequoia_openpgp as openpgp;

use openpgp::cert::prelude::*;
use openpgp::parse::Parse;
use openpgp::parse::stream::{
    DetachedVerifierBuilder, MessageLayer, MessageStructure, VerificationError, VerificationHelper,
};
use openpgp::policy::{HashAlgoSecurity, Policy, StandardPolicy};
use openpgp::types::{HashAlgorithm, SignatureType};
use openpgp::{Cert, Fingerprint, KeyHandle};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Google's "Linux Packages Signing Authority" key, which signs Go releases.
const GO_RELEASE_KEY: &[u8] = include_bytes!("../../keys/google-linux-packages-signing-key.asc");

/// The primary key every trusted signing subkey must be bound to.
pub const PINNED_PRIMARY: &str = "EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796";

/// Largest signature file accepted; real ones are under 1 KiB.
pub const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// The keys signatures are checked against, and where they came from.
pub struct Keyring {
    certs: Vec<Cert>,
    origin: KeyringOrigin,
}

/// Where `gvmr keys update` stores the update, under `$GVMR_HOME`.
pub const STORED_KEY_PATH: &str = "keys/go-release-key.asc";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringOrigin {
    /// The pinned primary key: the built-in copy (when the pinned primary is
    /// the built-in one), merged with what `gvmr keys update` stored.
    Embedded,
    /// `GVMR_KEYRING`: replaces the embedded key; warned about on every use.
    File(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("cannot read the keyring {path} (from GVMR_KEYRING): {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error("the keyring {path} (from GVMR_KEYRING) holds no OpenPGP public key")]
    Empty { path: PathBuf },
    #[error("GVMR_KEY_PRIMARY is not a key fingerprint (40 hex digits): {0:?}")]
    BadPinned(String),
}

/// The primary key fingerprint signing subkeys must be bound to:
/// [`PINNED_PRIMARY`], or `GVMR_KEY_PRIMARY` when set (`overridden`).
#[derive(Debug, Clone)]
pub struct Pinned {
    pub fingerprint: Fingerprint,
    pub overridden: bool,
}

impl Pinned {
    /// `GVMR_KEY_PRIMARY`'s value when set, else the built-in pin.
    pub fn parse(value: Option<&str>) -> Result<Pinned, KeyringError> {
        match value {
            None => Ok(Pinned {
                fingerprint: PINNED_PRIMARY
                    .parse()
                    .expect("the pinned fingerprint parses"),
                overridden: false,
            }),
            Some(value) => {
                let hex: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                match hex.parse::<Fingerprint>() {
                    Ok(fpr @ Fingerprint::V4(_)) => Ok(Pinned {
                        fingerprint: fpr,
                        overridden: true,
                    }),
                    _ => Err(KeyringError::BadPinned(value.to_string())),
                }
            }
        }
    }

    /// The warning printed on every use of `GVMR_KEY_PRIMARY`.
    pub fn warning(&self) -> Option<String> {
        self.overridden.then(|| {
            format!(
                "GVMR_KEY_PRIMARY is set: trusting signing keys bound to {} instead of the Go release key {PINNED_PRIMARY} (meant for private key hierarchies and tests)",
                self.fingerprint.to_hex()
            )
        })
    }

    /// The built-in certificate, when it is the pinned primary's.
    pub fn built_in(&self) -> Option<Cert> {
        let cert = embedded_cert();
        (cert.fingerprint() == self.fingerprint).then_some(cert)
    }
}

/// The Go release key built into gvmr.
pub fn embedded_cert() -> Cert {
    let cert = Cert::from_bytes(GO_RELEASE_KEY).expect("the embedded key parses (tested)");
    assert_eq!(
        cert.fingerprint().to_hex(),
        PINNED_PRIMARY,
        "the embedded key is the pinned Go release key (tested)"
    );
    cert
}

/// The certificate `gvmr keys update` stored at `path`, if there is one and
/// its primary is the pinned one. Anything else is ignored with a warning
/// (in the returned list).
pub fn stored_cert(path: &Path, pinned: &Pinned, warnings: &mut Vec<String>) -> Option<Cert> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            warnings.push(format!(
                "ignoring the updated Go release key {}: cannot read it: {e}",
                path.display()
            ));
            return None;
        }
    };
    match Cert::from_bytes(&bytes) {
        Ok(cert) if cert.fingerprint() == pinned.fingerprint => Some(cert),
        Ok(cert) => {
            warnings.push(format!(
                "ignoring the updated Go release key {}: its primary key is {}, not the pinned {}",
                path.display(),
                cert.fingerprint().to_hex(),
                pinned.fingerprint.to_hex()
            ));
            None
        }
        Err(e) => {
            warnings.push(format!(
                "ignoring the updated Go release key {}: it does not parse ({})",
                path.display(),
                error_chain(e.as_ref())
            ));
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("it is not an OpenPGP signature ({0})")]
    Unparseable(String),
    #[error("it holds no signature")]
    NoSignature,
    #[error("{}", .0.join("; "))]
    Rejected(Vec<String>),
    #[error("cannot read the signed file: {0}")]
    Io(String),
}

impl SignatureError {
    /// True when the signature was made by a key the pinned keyring does not
    /// know, so `gvmr keys update` may help.
    pub fn unknown_key(&self) -> bool {
        matches!(self, SignatureError::Rejected(problems)
            if problems.iter().any(|p| p.contains(UNKNOWN_KEY_ADVICE)))
    }
}

/// A signature that checked out.
#[derive(Debug, Clone)]
pub struct GoodSignature {
    /// The primary user id of the signer, e.g. "Google Inc. (Linux Packages Signing Authority)".
    pub signer: String,
    /// The (sub)key that made the signature.
    pub key: Fingerprint,
    pub created: SystemTime,
}

impl fmt::Display for GoodSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.key.to_hex();
        write!(
            f,
            "{}, key {}…, made {}",
            self.signer,
            &hex[..hex.len().min(8)],
            &format_utc(self.created)[..10]
        )
    }
}

impl Keyring {
    /// The Go release signing key built into gvmr, checked against the pinned
    /// primary fingerprint.
    #[cfg(test)]
    pub fn embedded() -> Keyring {
        Keyring {
            certs: vec![embedded_cert()],
            origin: KeyringOrigin::Embedded,
        }
    }

    /// The pinned primary's key: the built-in copy (if it is the pinned
    /// one) merged with the update stored at `stored` (if its primary is
    /// the pinned one). Warnings are pushed for what was ignored.
    pub fn pinned(pinned: &Pinned, stored: Option<&Path>, warnings: &mut Vec<String>) -> Keyring {
        let update = stored.and_then(|path| stored_cert(path, pinned, warnings));
        let cert = match (pinned.built_in(), update) {
            (Some(built_in), Some(update)) => match built_in.clone().merge_public(update) {
                Ok(merged) => Some(merged),
                Err(e) => {
                    warnings.push(format!(
                        "ignoring the updated Go release key: cannot merge it ({})",
                        error_chain(e.as_ref())
                    ));
                    Some(built_in)
                }
            },
            (built_in, update) => built_in.or(update),
        };
        Keyring {
            certs: cert.into_iter().collect(),
            origin: KeyringOrigin::Embedded,
        }
    }

    /// Every certificate in an armored or binary keyring file.
    pub fn from_file(path: &Path) -> Result<Keyring, KeyringError> {
        let unreadable = |message: String| KeyringError::Unreadable {
            path: path.to_path_buf(),
            message,
        };
        let parser = CertParser::from_file(path).map_err(|e| unreadable(e.to_string()))?;
        let certs = parser
            .collect::<Result<Vec<Cert>, _>>()
            .map_err(|e| unreadable(e.to_string()))?;
        if certs.is_empty() {
            return Err(KeyringError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(Keyring {
            certs,
            origin: KeyringOrigin::File(path.to_path_buf()),
        })
    }

    /// The keyring an install trusts: the file `GVMR_KEYRING` names when
    /// set, else the pinned key (built in, plus what `gvmr keys update`
    /// stored in the data directory). Warnings about the pinned key are
    /// added to `warnings` for the caller to print.
    pub fn load(
        keyring_file: Option<&Path>,
        pinned: &Pinned,
        data_dir: Option<&Path>,
        warnings: &mut Vec<String>,
    ) -> Result<Keyring, KeyringError> {
        if let Some(path) = keyring_file {
            return Keyring::from_file(path);
        }
        warnings.extend(pinned.warning());
        let stored = data_dir.map(|root| root.join(STORED_KEY_PATH));
        Ok(Keyring::pinned(pinned, stored.as_deref(), warnings))
    }

    pub fn certs(&self) -> &[Cert] {
        &self.certs
    }

    pub fn origin(&self) -> &KeyringOrigin {
        &self.origin
    }

    /// Checks a detached signature over everything `data` yields.
    pub fn verify(
        &self,
        signature: &[u8],
        data: impl Read + Send + Sync,
    ) -> Result<GoodSignature, SignatureError> {
        let policy = GoReleasePolicy::default();
        let helper = Helper {
            pinned: self.origin == KeyringOrigin::Embedded,
            certs: &self.certs,
            good: None,
            problems: Vec::new(),
            seen: 0,
        };
        let mut verifier = DetachedVerifierBuilder::from_bytes(signature)
            .and_then(|b| b.with_policy(&policy, None, helper))
            .map_err(|e| SignatureError::Unparseable(error_chain(e.as_ref())))?;
        verifier
            .verify_reader(data)
            .map_err(|e| match e.downcast_ref::<std::io::Error>() {
                Some(io) => SignatureError::Io(io.to_string()),
                None => SignatureError::Unparseable(error_chain(e.as_ref())),
            })?;
        let helper = verifier.into_helper();
        match helper.good {
            Some(good) => Ok(good),
            None if helper.seen == 0 => Err(SignatureError::NoSignature),
            None => Err(SignatureError::Rejected(helper.problems)),
        }
    }
}

/// Sequoia's standard policy, with one exception the real key needs: the
/// subkeys of 2016 and 2017 carry SHA-1 *back-signatures* (the subkey's own
/// statement that it belongs to the primary). The primary's binding
/// signatures, which are what gvmr's trust rests on, are SHA-512; a forged
/// back-signature could only claim a subkey the primary already bound.
#[derive(Debug, Default)]
pub struct GoReleasePolicy {
    standard: StandardPolicy<'static>,
}

impl Policy for GoReleasePolicy {
    fn signature(
        &self,
        sig: &openpgp::packet::Signature,
        sec: HashAlgoSecurity,
    ) -> openpgp::Result<()> {
        let sha1_backsig =
            sig.typ() == SignatureType::PrimaryKeyBinding && sig.hash_algo() == HashAlgorithm::SHA1;
        if sha1_backsig {
            return Ok(());
        }
        self.standard.signature(sig, sec)
    }

    fn key(
        &self,
        ka: &openpgp::cert::amalgamation::key::ValidErasedKeyAmalgamation<
            openpgp::packet::key::PublicParts,
        >,
    ) -> openpgp::Result<()> {
        self.standard.key(ka)
    }

    fn symmetric_algorithm(&self, algo: openpgp::types::SymmetricAlgorithm) -> openpgp::Result<()> {
        self.standard.symmetric_algorithm(algo)
    }

    fn aead_algorithm(&self, algo: openpgp::types::AEADAlgorithm) -> openpgp::Result<()> {
        self.standard.aead_algorithm(algo)
    }

    fn packet(&self, packet: &openpgp::Packet) -> openpgp::Result<()> {
        self.standard.packet(packet)
    }
}

struct Helper<'a> {
    /// The keyring is the pinned key (not `GVMR_KEYRING`).
    pinned: bool,
    certs: &'a [Cert],
    good: Option<GoodSignature>,
    problems: Vec<String>,
    seen: usize,
}

fn issuer_of(sig: &openpgp::packet::Signature) -> String {
    sig.get_issuers()
        .first()
        .map(|h| h.to_hex())
        .unwrap_or_else(|| "(no issuer named)".to_string())
}

fn time_of(sig: &openpgp::packet::Signature) -> String {
    sig.signature_creation_time()
        .map(format_utc)
        .unwrap_or_else(|| "an unknown time".to_string())
}

/// `2024-07-02 15:04:05 UTC`, without pulling in a date crate.
pub fn format_utc(t: SystemTime) -> String {
    let secs = match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Said of a signature whose key the pinned keyring does not hold.
pub const UNKNOWN_KEY_ADVICE: &str = "which this gvmr does not know; if Go started signing with a new subkey, run `gvmr keys update` (then retry)";

fn describe(err: &VerificationError<'_>, pinned: bool) -> String {
    match err {
        VerificationError::MissingKey { sig } if pinned => {
            format!("made by key {}, {UNKNOWN_KEY_ADVICE}", issuer_of(sig))
        }
        VerificationError::MissingKey { sig } => format!(
            "made by key {}, which is not a trusted Go release signing key",
            issuer_of(sig)
        ),
        VerificationError::UnboundKey { sig, cert, error } => format!(
            "made by key {} of {}, which was not validly bound to it when the signature was made ({}): {}",
            issuer_of(sig),
            cert.fingerprint().to_hex(),
            time_of(sig),
            error
        ),
        VerificationError::BadKey { sig, ka, error } => format!(
            "made by key {}, which was not valid when the signature was made ({}): {}",
            ka.key().fingerprint().to_hex(),
            time_of(sig),
            error
        ),
        VerificationError::BadSignature { sig, ka, error } => {
            let future = sig
                .signature_creation_time()
                .is_some_and(|t| t > SystemTime::now());
            if future {
                format!(
                    "made by key {} with a creation time in the future ({}): {}",
                    ka.key().fingerprint().to_hex(),
                    time_of(sig),
                    error
                )
            } else {
                format!(
                    "made by key {}, but it does not match this file (the file or the signature was altered): {}",
                    ka.key().fingerprint().to_hex(),
                    error
                )
            }
        }
        VerificationError::MalformedSignature { error, .. } => {
            format!("a malformed signature: {error}")
        }
        VerificationError::UnknownSignature { sig } => {
            format!("an unsupported signature: {}", sig.error())
        }
        other => other.to_string(),
    }
}

impl VerificationHelper for Helper<'_> {
    fn get_certs(&mut self, _ids: &[KeyHandle]) -> openpgp::Result<Vec<Cert>> {
        Ok(self.certs.to_vec())
    }

    fn check(&mut self, structure: MessageStructure) -> openpgp::Result<()> {
        for layer in structure {
            let MessageLayer::SignatureGroup { results } = layer else {
                continue;
            };
            for result in results {
                self.seen += 1;
                match result {
                    Ok(good) if self.good.is_none() => {
                        let cert = good.ka.cert();
                        let signer = cert
                            .userids()
                            .next()
                            .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned())
                            .unwrap_or_else(|| cert.fingerprint().to_hex());
                        self.good = Some(GoodSignature {
                            signer,
                            key: good.ka.key().fingerprint(),
                            created: good
                                .sig
                                .signature_creation_time()
                                .unwrap_or(SystemTime::UNIX_EPOCH),
                        });
                    }
                    Ok(_) => {}
                    Err(e) => self.problems.push(describe(&e, self.pinned)),
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    /// The subkeys of the real key, from shared/keys/README.md: fingerprint,
    /// created, expires (as dates).
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

    fn date(s: &str) -> SystemTime {
        // Find the day by formatting: cheap and avoids a second date routine.
        let mut t = UNIX_EPOCH + Duration::from_secs(16_000 * 86_400);
        while !format_utc(t).starts_with(s) {
            let ahead = format_utc(t).as_str() < s;
            t = if ahead {
                t + Duration::from_secs(86_400)
            } else {
                t - Duration::from_secs(86_400)
            };
        }
        t
    }

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_utc(UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            format_utc(UNIX_EPOCH + Duration::from_secs(1_720_000_000)),
            "2024-07-03 09:46:40 UTC"
        );
        assert_eq!(
            format_utc(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29 00:00:00 UTC"
        );
    }

    #[test]
    fn embedded_key_is_the_pinned_primary() {
        let keyring = Keyring::embedded();
        assert_eq!(keyring.certs.len(), 1);
        assert_eq!(keyring.certs[0].fingerprint().to_hex(), PINNED_PRIMARY);
        assert_eq!(keyring.origin(), &KeyringOrigin::Embedded);
    }

    /// Each real subkey is a valid signing key under gvmr's policy
    /// during its lifetime, and not after it: so real release signatures made
    /// by since-expired subkeys verify, and late ones do not.
    #[test]
    fn real_subkeys_are_valid_exactly_during_their_lifetime() {
        let keyring = Keyring::embedded();
        let cert = &keyring.certs[0];
        let policy = GoReleasePolicy::default();
        for (fpr, created, expires) in REAL_SUBKEYS {
            let during = date(created) + Duration::from_secs(7 * 86_400);
            let after = date(expires) + Duration::from_secs(7 * 86_400);
            let signing_at = |t: SystemTime| -> Vec<String> {
                cert.keys()
                    .subkeys()
                    .with_policy(&policy, t)
                    .alive()
                    .revoked(false)
                    .for_signing()
                    .map(|k| k.key().fingerprint().to_hex())
                    .collect()
            };
            assert!(
                signing_at(during).contains(&fpr.to_string()),
                "{fpr} not valid on {}",
                format_utc(during)
            );
            assert!(
                !signing_at(after).contains(&fpr.to_string()),
                "{fpr} still valid on {}",
                format_utc(after)
            );
        }
    }

    #[test]
    fn garbage_signatures_are_unparseable() {
        let keyring = Keyring::embedded();
        for junk in [
            &b""[..],
            b"not a signature",
            b"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n",
        ] {
            let err = keyring.verify(junk, &b"data"[..]).unwrap_err();
            assert!(
                matches!(
                    err,
                    SignatureError::Unparseable(_) | SignatureError::NoSignature
                ),
                "{junk:?}: {err:?}"
            );
        }
    }
}
