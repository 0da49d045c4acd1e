//! minisign signatures, the format gvmr's own releases are signed in: a
//! release's `SHA256SUMS` is signed with the release key
//! (`SHA256SUMS.sig`), `gvmr self update` checks that signature against the
//! public key built into gvmr (`keys/gvmr-release.pub`) before it trusts any
//! checksum in the file, and `minisign -V` checks the same file by hand.
//!
//! One algorithm only, both ways: minisign's default, "prehashed" (`ED`:
//! Ed25519 over the BLAKE2b-512 of the file, which `minisign -V -H`
//! demands). The legacy one (`Ed`: Ed25519 over the whole file) is refused,
//! so no one can choose the algorithm for us. The trusted comment is signed
//! together with the signature (minisign's "global signature") and checked
//! too. Verification is strict Ed25519 (no small-order keys, canonical `S`),
//! as libsodium's.
//!
//! Formats (a base64 line after an `untrusted comment:` line):
//! - public key: `Ed` ‖ key id (8) ‖ Ed25519 public key (32);
//! - signature: `ED` ‖ key id (8) ‖ signature (64), then a line
//!   `trusted comment: …`, then the base64 Ed25519 signature of
//!   signature ‖ trusted comment;
//! - secret key (unencrypted, `minisign -G -W`): `Ed` ‖ KDF `\0\0` ‖ `B2` ‖
//!   salt (32) ‖ opslimit (8) ‖ memlimit (8) ‖ key id (8) ‖ seed ‖ public
//!   key (64) ‖ checksum (32: BLAKE2b-256 of `Ed` ‖ key id ‖ seed ‖ public
//!   key; zeros in what minisign 0.11 writes for an unencrypted key).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Blake2b512, Digest};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use std::fmt;

/// Largest signature file read; a real one is under 400 bytes.
pub const MAX_SIGNATURE_BYTES: u64 = 4096;

const UNTRUSTED: &str = "untrusted comment:";
const TRUSTED: &str = "trusted comment: ";
const PUBLIC_KEY_ALG: &[u8; 2] = b"Ed";
const PREHASHED_ALG: &[u8; 2] = b"ED";
const LEGACY_ALG: &[u8; 2] = b"Ed";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MinisignError {
    #[error("not a minisign public key: {0}")]
    BadPublicKey(String),
    #[error("not a minisign signature file: {0}")]
    BadSignatureFile(String),
    #[error(
        "the signature uses minisign's legacy algorithm, which gvmr does not accept (sign without -l)"
    )]
    LegacySignature,
    #[error("the signature was made by key {key_id}, which is not trusted (trusted: {trusted})")]
    UnknownKey { key_id: KeyId, trusted: String },
    #[error("the signature does not match the file (key {key_id})")]
    Mismatch { key_id: KeyId },
    #[error("the trusted comment does not match its signature (key {key_id})")]
    CommentMismatch { key_id: KeyId },
    #[error("not a minisign secret key: {0}")]
    BadSecretKey(String),
    #[error(
        "the secret key is encrypted with a password; gvmr signs only with unencrypted keys (minisign -G -W, or minisign -C to remove the password)"
    )]
    EncryptedSecretKey,
}

/// A key id as minisign prints it: the little-endian number its 8 bytes
/// make, in upper-case hex without leading zeros (`%PRIX64`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyId([u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}", u64::from_le_bytes(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// A trusted minisign public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub id: KeyId,
    key: VerifyingKey,
}

impl PublicKey {
    /// The keys in a public key file: every line that is not blank, an
    /// `untrusted comment:` or a `#` comment is one base64 key. A file
    /// without any is an empty list (a build with no release key yet).
    pub fn parse_file(text: &str) -> Result<Vec<PublicKey>, MinisignError> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with(UNTRUSTED) && !l.starts_with('#'))
            .map(PublicKey::parse_base64)
            .collect()
    }

    fn parse_base64(line: &str) -> Result<PublicKey, MinisignError> {
        let bad = |why: &str| MinisignError::BadPublicKey(format!("{why}: {}", preview(line)));
        let bytes = STANDARD.decode(line).map_err(|_| bad("not base64"))?;
        let bytes: [u8; 42] = bytes.try_into().map_err(|_| bad("not 42 bytes long"))?;
        if &bytes[..2] != PUBLIC_KEY_ALG {
            return Err(bad("not an Ed25519 key"));
        }
        let key = VerifyingKey::from_bytes(bytes[10..].try_into().expect("32 bytes"))
            .map_err(|_| bad("not a valid Ed25519 point"))?;
        Ok(PublicKey {
            id: KeyId(bytes[2..10].try_into().expect("8 bytes")),
            key,
        })
    }

    /// The public key file as minisign writes it.
    pub fn to_file(&self) -> String {
        let mut bytes = PUBLIC_KEY_ALG.to_vec();
        bytes.extend_from_slice(&self.id.0);
        bytes.extend_from_slice(self.key.as_bytes());
        format!(
            "{UNTRUSTED} minisign public key {}\n{}\n",
            self.id,
            STANDARD.encode(bytes)
        )
    }
}

/// A signature that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub key_id: KeyId,
    pub trusted_comment: String,
}

/// Checks the signature file `signature` over `data` against `keys`.
pub fn verify(keys: &[PublicKey], data: &[u8], signature: &str) -> Result<Verified, MinisignError> {
    let bad = |why: String| MinisignError::BadSignatureFile(why);
    let mut lines = signature.lines().map(|l| l.trim_end_matches('\r'));
    let (Some(untrusted), Some(sig_line), Some(comment_line), Some(global_line)) =
        (lines.next(), lines.next(), lines.next(), lines.next())
    else {
        return Err(bad("it has fewer than 4 lines".into()));
    };
    if !untrusted.starts_with(UNTRUSTED) {
        return Err(bad(format!(
            "its first line does not start with {UNTRUSTED:?}"
        )));
    }
    let Some(trusted_comment) = comment_line.strip_prefix(TRUSTED) else {
        return Err(bad(format!(
            "its third line does not start with {TRUSTED:?}"
        )));
    };
    let sig = STANDARD
        .decode(sig_line.trim())
        .ok()
        .and_then(|b| <[u8; 74]>::try_from(b).ok())
        .ok_or_else(|| bad("its second line is not a base64 signature".into()))?;
    let global = STANDARD
        .decode(global_line.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or_else(|| bad("its fourth line is not a base64 signature".into()))?;
    match &sig[..2] {
        alg if alg == PREHASHED_ALG => {}
        alg if alg == LEGACY_ALG => return Err(MinisignError::LegacySignature),
        _ => return Err(bad("its algorithm is neither ED nor Ed".into())),
    }
    let key_id = KeyId(sig[2..10].try_into().expect("8 bytes"));
    let key = keys
        .iter()
        .find(|k| k.id == key_id)
        .ok_or_else(|| MinisignError::UnknownKey {
            key_id,
            trusted: keys
                .iter()
                .map(|k| k.id.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let signature = ed25519_dalek::Signature::from_bytes(sig[10..].try_into().expect("64 bytes"));
    key.key
        .verify_strict(&Blake2b512::digest(data), &signature)
        .map_err(|_| MinisignError::Mismatch { key_id })?;
    let mut signed_comment = signature.to_bytes().to_vec();
    signed_comment.extend_from_slice(trusted_comment.as_bytes());
    key.key
        .verify_strict(
            &signed_comment,
            &ed25519_dalek::Signature::from_bytes(&global),
        )
        .map_err(|_| MinisignError::CommentMismatch { key_id })?;
    Ok(Verified {
        key_id,
        trusted_comment: trusted_comment.to_string(),
    })
}

/// An unencrypted minisign secret key (for signing releases: scripts/dist.sh).
pub struct SecretKey {
    id: KeyId,
    key: SigningKey,
}

impl SecretKey {
    /// Parses a secret key file (`minisign -G -W`), checking its checksum
    /// and that its public half matches its seed.
    pub fn parse_file(text: &str) -> Result<SecretKey, MinisignError> {
        let bad = |why: &str| MinisignError::BadSecretKey(why.to_string());
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with(UNTRUSTED))
            .ok_or_else(|| bad("it holds no key line"))?;
        let bytes = STANDARD
            .decode(line)
            .map_err(|_| bad("its key line is not base64"))?;
        let bytes: [u8; 158] = bytes
            .try_into()
            .map_err(|_| bad("its key is not 158 bytes long"))?;
        if &bytes[..2] != PUBLIC_KEY_ALG || &bytes[4..6] != b"B2" {
            return Err(bad("it is not an Ed25519 key with a BLAKE2b checksum"));
        }
        if &bytes[2..4] != b"\0\0" {
            return Err(MinisignError::EncryptedSecretKey);
        }
        let (id, secret, checksum) = (&bytes[54..62], &bytes[62..126], &bytes[126..158]);
        let expected = Blake2b::<U32>::new()
            .chain_update(PUBLIC_KEY_ALG)
            .chain_update(id)
            .chain_update(secret)
            .finalize();
        // minisign 0.11 leaves the checksum of an unencrypted key zero;
        // the seed must then match the public half below.
        if checksum != [0u8; 32] && expected.as_slice() != checksum {
            return Err(bad("its checksum does not match (a damaged file?)"));
        }
        let key = SigningKey::from_bytes(secret[..32].try_into().expect("32 bytes"));
        if key.verifying_key().as_bytes() != &secret[32..] {
            return Err(bad("its public half does not belong to its seed"));
        }
        Ok(SecretKey {
            id: KeyId(id.try_into().expect("8 bytes")),
            key,
        })
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The signature file of `data` (prehashed), with `trusted_comment`
    /// (one line) signed along.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> String {
        let trusted_comment = trusted_comment.replace(['\r', '\n'], " ");
        let signature = self.key.sign(&Blake2b512::digest(data)).to_bytes();
        let mut line = PREHASHED_ALG.to_vec();
        line.extend_from_slice(&self.id.0);
        line.extend_from_slice(&signature);
        let mut signed_comment = signature.to_vec();
        signed_comment.extend_from_slice(trusted_comment.as_bytes());
        let global = self.key.sign(&signed_comment).to_bytes();
        format!(
            "{UNTRUSTED} signature from minisign secret key {}\n{}\n{TRUSTED}{trusted_comment}\n{}\n",
            self.id,
            STANDARD.encode(line),
            STANDARD.encode(global)
        )
    }
}

/// The start of a line, for messages.
fn preview(line: &str) -> String {
    let mut shown: String = line.chars().take(24).collect();
    if shown.len() < line.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made by minisign 0.11 (`minisign -G -W`, then `minisign -S -t "gvmr
    // test vector"` over "hello\n"): public data only.
    const MINISIGN_PUBLIC: &str = "untrusted comment: minisign public key B7A9F39DAFB0E0F9\nRWT54LCvnfOpt5wxOZ65v1hImRZNgDJdq5syxe/ZVNxwS72Ja8qjqWb/\n";
    const MINISIGN_SIGNATURE: &str = "untrusted comment: signature from minisign secret key\nRUT54LCvnfOpt3RLu0sAcL88T+eLJuL/m05iO/AzYMEuAwFn2pmSdLcDQs3P0PzBULSgU6Rsxq0r52Fe/i5gAe7xLtc4AIqjLgo=\ntrusted comment: trusted hi\nzCtavK5bLjk4vfbnlyPb6oQc/zJFlAvfAuGyPOvbfcl1Q+kjqlN6jOsV8u+R8NeHUUaKyFpXIKelXr3cg1qJBw==\n";
    const MINISIGN_LEGACY: &str = "untrusted comment: signature from minisign secret key\nRWT54LCvnfOpt64DHo83avHtfNOG/mjRe05ZuZK4bFSGlcQpmdIBvP9Te0BUkrEl9Dn1fVbMO9ZjZN4WFg5uEyVWw8GXFEPP9AY=\ntrusted comment: timestamp:1796615272\tfile:f\nq+iJb24+jYiYH/SzXUjW5MAZ+taf8GJUpkBs8SLZ+9HfA4KWdwGaVDg8MgSRbkABGjLiVzjjwcwKQwcXq+QrDg==\n";

    /// A throwaway secret key file from a fresh random seed.
    fn throwaway_key() -> (SecretKey, String) {
        let mut seed = [0u8; 32];
        let mut id = [0u8; 8];
        let mut urandom = std::fs::File::open("/dev/urandom").unwrap();
        std::io::Read::read_exact(&mut urandom, &mut seed).unwrap();
        std::io::Read::read_exact(&mut urandom, &mut id).unwrap();
        let key = SigningKey::from_bytes(&seed);
        let mut secret = seed.to_vec();
        secret.extend_from_slice(key.verifying_key().as_bytes());
        let checksum = Blake2b::<U32>::new()
            .chain_update(PUBLIC_KEY_ALG)
            .chain_update(id)
            .chain_update(&secret)
            .finalize();
        let mut bytes = b"Ed\0\0B2".to_vec();
        bytes.extend_from_slice(&[0u8; 48]);
        bytes.extend_from_slice(&id);
        bytes.extend_from_slice(&secret);
        bytes.extend_from_slice(&checksum);
        let file = format!("{UNTRUSTED} test key\n{}\n", STANDARD.encode(bytes));
        (SecretKey::parse_file(&file).unwrap(), file)
    }

    #[test]
    fn verifies_what_minisign_signed() {
        let keys = PublicKey::parse_file(MINISIGN_PUBLIC).unwrap();
        assert_eq!(keys[0].id.to_string(), "B7A9F39DAFB0E0F9");
        let verified = verify(&keys, b"hello\n", MINISIGN_SIGNATURE).unwrap();
        assert_eq!(verified.trusted_comment, "trusted hi");
        assert_eq!(
            verify(&keys, b"hello!\n", MINISIGN_SIGNATURE),
            Err(MinisignError::Mismatch { key_id: keys[0].id })
        );
        let forged_comment = MINISIGN_SIGNATURE.replace("trusted hi", "trusted ho");
        assert!(matches!(
            verify(&keys, b"hello\n", &forged_comment),
            Err(MinisignError::CommentMismatch { .. })
        ));
        assert_eq!(
            verify(&keys, b"hello\n", MINISIGN_LEGACY),
            Err(MinisignError::LegacySignature)
        );
    }

    #[test]
    fn key_ids_print_as_minisign_prints_them_without_leading_zeros() {
        // Made by minisign 0.11 (`minisign -G -W`): its key id's top digit
        // is zero, and minisign's file drops it.
        let minisign_file = "untrusted comment: minisign public key 308190D409F0814\nRWQUCJ9ADRkIA6iT2p/2+CfHtuGTJjm+yiAvy9KkGC1R5BQ1+MYcJqUG\n";
        let keys = PublicKey::parse_file(minisign_file).unwrap();
        assert_eq!(keys[0].id.to_string(), "308190D409F0814");
        assert_eq!(keys[0].to_file(), minisign_file);
        assert_eq!(KeyId([0x2a, 0, 0, 0, 0, 0, 0, 0]).to_string(), "2A");
    }

    #[test]
    fn signs_what_verifies_and_round_trips_keys() {
        let (key, _) = throwaway_key();
        let public = key.public_key();
        assert_eq!(
            PublicKey::parse_file(&public.to_file()).unwrap(),
            std::slice::from_ref(&public)
        );
        let signature = key.sign(b"data", "gvmr 1.0.0\nSHA256SUMS");
        assert!(signature.contains("\ntrusted comment: gvmr 1.0.0 SHA256SUMS\n"));
        let verified = verify(std::slice::from_ref(&public), b"data", &signature).unwrap();
        assert_eq!(verified.key_id, public.id);
        // Deterministic: the same key signs the same bytes the same way.
        assert_eq!(signature, key.sign(b"data", "gvmr 1.0.0 SHA256SUMS"));
        let (other, _) = throwaway_key();
        let err = verify(&[other.public_key()], b"data", &signature).unwrap_err();
        assert!(matches!(err, MinisignError::UnknownKey { .. }), "{err}");
    }

    #[test]
    fn key_files_may_hold_several_keys_or_none() {
        let (a, _) = throwaway_key();
        let (b, _) = throwaway_key();
        let file = format!(
            "# rotation\n{}\n{}",
            a.public_key().to_file(),
            b.public_key().to_file()
        );
        assert_eq!(PublicKey::parse_file(&file).unwrap().len(), 2);
        assert_eq!(PublicKey::parse_file("# no key yet\n\n").unwrap(), []);
        assert!(PublicKey::parse_file("RWQ=\n").is_err());
    }

    #[test]
    fn secret_keys_are_checked() {
        let (_, file) = throwaway_key();
        let line = file.lines().nth(1).unwrap();
        let mut bytes = STANDARD.decode(line).unwrap();
        bytes[2] = b'S';
        bytes[3] = b'c';
        let encrypted = format!("{UNTRUSTED} x\n{}\n", STANDARD.encode(&bytes));
        assert!(matches!(
            SecretKey::parse_file(&encrypted),
            Err(MinisignError::EncryptedSecretKey)
        ));
        let mut damaged = STANDARD.decode(line).unwrap();
        damaged[70] ^= 1;
        let damaged = format!("{UNTRUSTED} x\n{}\n", STANDARD.encode(&damaged));
        assert!(matches!(
            SecretKey::parse_file(&damaged),
            Err(MinisignError::BadSecretKey(_))
        ));
        // As minisign -W writes it: no checksum; a damaged seed is still found.
        let mut unchecked = STANDARD.decode(line).unwrap();
        unchecked[126..].fill(0);
        let parse = |bytes: &[u8]| {
            SecretKey::parse_file(&format!("{UNTRUSTED} x\n{}\n", STANDARD.encode(bytes)))
        };
        assert!(parse(&unchecked).is_ok());
        unchecked[62] ^= 1;
        assert!(matches!(
            parse(&unchecked),
            Err(MinisignError::BadSecretKey(_))
        ));
        assert!(SecretKey::parse_file(MINISIGN_PUBLIC).is_err());
    }
}
