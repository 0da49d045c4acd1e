//! Go's signed note format (`golang.org/x/mod/sumdb/note`), verification
//! side: verifier keys `name+hash+base64(0x01 || Ed25519 public key)` and
//! notes of text, a blank line, and lines `— name base64(keyhash || sig)`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

/// Largest note accepted.
pub const MAX_NOTE_SIZE: usize = 64 * 1024;
/// Most signature lines parsed in one note.
const MAX_SIGNATURES: usize = 100;
const ALG_ED25519: u8 = 1;
const SIG_PREFIX: &str = "\u{2014} ";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed verifier key {0:?} (want name+hash+key)")]
    BadVerifierKey(String),
    #[error("verifier key {0:?}: the key hash does not match the name and key")]
    VerifierHashMismatch(String),
    #[error("verifier key {0:?}: unknown signature algorithm")]
    UnknownAlgorithm(String),
    #[error("malformed note")]
    Malformed,
    #[error("note is larger than {MAX_NOTE_SIZE} bytes")]
    TooLarge,
    #[error("invalid signature for key {name}+{hash:08x}")]
    InvalidSignature { name: String, hash: u32 },
    #[error("note has no verifiable signatures (signed by: {})", if .0.is_empty() { "nobody".to_string() } else { .0.join(", ") })]
    Unverified(Vec<String>),
}

/// The key hash: the first 4 bytes (big-endian) of
/// SHA-256(name || "\n" || key), where key includes the algorithm byte.
pub fn key_hash(name: &str, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Names are non-empty, without spaces and without '+'.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(char::is_whitespace) && !name.contains('+')
}

/// A verifier: one named Ed25519 public key.
#[derive(Debug, Clone)]
pub struct Verifier {
    name: String,
    hash: u32,
    key: VerifyingKey,
}

impl Verifier {
    /// Parses `name+hash+base64key`.
    pub fn parse(vkey: &str) -> Result<Verifier, NoteError> {
        let bad = || NoteError::BadVerifierKey(vkey.to_string());
        let (name, rest) = vkey.split_once('+').ok_or_else(bad)?;
        let (hash16, key64) = rest.split_once('+').ok_or_else(bad)?;
        if hash16.len() != 8 || !hash16.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let hash = u32::from_str_radix(hash16, 16).map_err(|_| bad())?;
        let key = STANDARD.decode(key64).map_err(|_| bad())?;
        if !is_valid_name(name) || key.is_empty() {
            return Err(bad());
        }
        if hash != key_hash(name, &key) {
            return Err(NoteError::VerifierHashMismatch(vkey.to_string()));
        }
        if key[0] != ALG_ED25519 {
            return Err(NoteError::UnknownAlgorithm(vkey.to_string()));
        }
        let bytes: [u8; 32] = key[1..].try_into().map_err(|_| bad())?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad())?;
        Ok(Verifier {
            name: name.to_string(),
            hash,
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    #[cfg(test)]
    pub fn key_hash(&self) -> u32 {
        self.hash
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = Signature::from_slice(sig) else {
            return false;
        };
        self.key.verify_strict(msg, &sig).is_ok()
    }
}

/// A note whose text carries at least one valid signature by the verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, ending in a newline.
    pub text: String,
    /// Names (`name+hash`) of signatures that were not checked: by keys
    /// other than the verifier's.
    pub unverified: Vec<String>,
}

/// Parses `msg` and checks that it carries a valid signature by `verifier`.
/// Signatures by other keys are ignored; an invalid signature by the
/// verifier's key is an error.
pub fn open(msg: &[u8], verifier: &Verifier) -> Result<Note, NoteError> {
    if msg.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge);
    }
    let msg = std::str::from_utf8(msg).map_err(|_| NoteError::Malformed)?;
    if msg.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed);
    }
    let split = msg.rfind("\n\n").ok_or(NoteError::Malformed)?;
    let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed);
    }
    let mut verified = false;
    let mut unverified: Vec<String> = Vec::new();
    for (count, line) in sigs[..sigs.len() - 1].split('\n').enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::Malformed);
        }
        let line = line.strip_prefix(SIG_PREFIX).ok_or(NoteError::Malformed)?;
        let (name, b64) = line.split_once(' ').ok_or(NoteError::Malformed)?;
        let sig = STANDARD.decode(b64).map_err(|_| NoteError::Malformed)?;
        if !is_valid_name(name) || b64.is_empty() || sig.len() < 5 {
            return Err(NoteError::Malformed);
        }
        let hash = u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]);
        if name != verifier.name || hash != verifier.hash {
            let id = format!("{name}+{hash:08x}");
            if !unverified.contains(&id) {
                unverified.push(id);
            }
            continue;
        }
        if verified {
            continue; // a repeated signature by the same key
        }
        if !verifier.verify(text.as_bytes(), &sig[4..]) {
            return Err(NoteError::InvalidSignature {
                name: name.to_string(),
                hash,
            });
        }
        verified = true;
    }
    if !verified {
        return Err(NoteError::Unverified(unverified));
    }
    Ok(Note {
        text: text.to_string(),
        unverified,
    })
}

/// Signs `text` (which must end in a newline) with an Ed25519 key: the
/// note a checksum database serves. Tests only: gvmr never signs.
#[cfg(test)]
pub fn sign(text: &str, name: &str, key: &ed25519_dalek::SigningKey) -> String {
    use ed25519_dalek::Signer as _;
    assert!(text.ends_with('\n'));
    let hash = key_hash(name, &verifier_key_bytes(key));
    let mut sig = hash.to_be_bytes().to_vec();
    sig.extend_from_slice(&key.sign(text.as_bytes()).to_bytes());
    format!("{text}\n{SIG_PREFIX}{name} {}\n", STANDARD.encode(sig))
}

#[cfg(test)]
fn verifier_key_bytes(key: &ed25519_dalek::SigningKey) -> Vec<u8> {
    let mut bytes = vec![ALG_ED25519];
    bytes.extend_from_slice(key.verifying_key().as_bytes());
    bytes
}

/// The verifier key string (`name+hash+base64`) of a signing key.
#[cfg(test)]
pub fn verifier_key(name: &str, key: &ed25519_dalek::SigningKey) -> String {
    let bytes = verifier_key_bytes(key);
    format!(
        "{name}+{:08x}+{}",
        key_hash(name, &bytes),
        STANDARD.encode(&bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors from Go's sumdb/note/note_test.go.
    const PETER_KEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const ENOCH_KEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    #[test]
    fn verifier_keys() {
        let v = Verifier::parse(PETER_KEY).unwrap();
        assert_eq!(v.name(), "PeterNeumann");
        assert_eq!(v.key_hash(), 0xc74f20a3);
        let b = PETER_KEY.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if i != 0 || j != b.len() {
                    let s = std::str::from_utf8(&b[i..j]).unwrap();
                    assert!(Verifier::parse(s).is_err(), "{s}");
                }
            }
        }
        for i in 0..b.len() {
            let mut m = b.to_vec();
            m[i] += 1;
            let s = String::from_utf8(m).unwrap();
            assert!(Verifier::parse(&s).is_err(), "{s}");
        }
        // Wrong key length and unknown algorithm, with adjusted key hashes.
        assert!(
            Verifier::parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            )
            .is_err()
        );
        assert_eq!(
            Verifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .unwrap_err(),
            NoteError::UnknownAlgorithm(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW".into()
            )
        );
        // The key gvmr embeds parses.
        Verifier::parse("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")
            .unwrap();
    }

    #[test]
    fn open_notes() {
        let peter = Verifier::parse(PETER_KEY).unwrap();
        let enoch = Verifier::parse(ENOCH_KEY).unwrap();
        let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        let n = open(both.as_bytes(), &peter).unwrap();
        assert_eq!(n.text, TEXT);
        assert_eq!(n.unverified, ["EnochRoot+af0cfe78"]);
        let n = open(both.as_bytes(), &enoch).unwrap();
        assert_eq!(n.unverified, ["PeterNeumann+c74f20a3"]);

        // Only an unknown key signed it.
        let only_enoch = format!("{TEXT}\n{ENOCH_SIG}");
        assert_eq!(
            open(only_enoch.as_bytes(), &peter).unwrap_err(),
            NoteError::Unverified(vec!["EnochRoot+af0cfe78".into()])
        );

        // Too many signatures.
        let many = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
        assert_eq!(
            open(many.as_bytes(), &peter).unwrap_err(),
            NoteError::Malformed
        );

        // Invalid signature (longer base64).
        let bad = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        assert_eq!(
            open(bad.as_bytes(), &peter).unwrap_err(),
            NoteError::InvalidSignature {
                name: "PeterNeumann".into(),
                hash: 0xc74f20a3
            }
        );

        // Duplicated signatures, and a bad one by an unknown key.
        let dup = format!(
            "{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{}ABCD{}",
            &ENOCH_SIG[..60],
            &ENOCH_SIG[60..]
        );
        let n = open(dup.as_bytes(), &peter).unwrap();
        assert_eq!(n.unverified, ["EnochRoot+af0cfe78"]);

        // Malformed notes.
        let bad_msgs = [
            TEXT.to_string(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\x01{TEXT}\n{PETER_SIG}"),
            format!(
                "{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
            ),
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
            format!("{TEXT}\n— PeterNeumann x08go/ZJ!!!\n"),
        ];
        for msg in &bad_msgs {
            assert_eq!(
                open(msg.as_bytes(), &peter).unwrap_err(),
                NoteError::Malformed,
                "{msg:?}"
            );
        }
        let mut invalid_utf8 = b"\xff".to_vec();
        invalid_utf8.extend_from_slice(format!("{TEXT}\n{PETER_SIG}").as_bytes());
        assert_eq!(
            open(&invalid_utf8, &peter).unwrap_err(),
            NoteError::Malformed
        );

        // A signature claiming Peter's name with another key hash is not his.
        let wrong_hash = format!("{TEXT}\n{}", PETER_SIG.replace("x08g", "xxxx"));
        assert!(matches!(
            open(wrong_hash.as_bytes(), &peter).unwrap_err(),
            NoteError::Unverified(_)
        ));

        // Oversized.
        let huge = format!("{}\n{PETER_SIG}", "a\n".repeat(MAX_NOTE_SIZE / 2));
        assert_eq!(
            open(huge.as_bytes(), &peter).unwrap_err(),
            NoteError::TooLarge
        );
    }

    #[test]
    fn sign_matches_go() {
        // The private key of Go's TestSign, "PRIVATE+KEY+PeterNeumann+c74f20a3+
        // AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz": 0x01 || seed.
        let skey = STANDARD
            .decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
            .unwrap();
        let key = ed25519_dalek::SigningKey::from_bytes(&skey[1..].try_into().unwrap());
        assert_eq!(verifier_key("PeterNeumann", &key), PETER_KEY);
        assert_eq!(
            sign(TEXT, "PeterNeumann", &key),
            format!("{TEXT}\n{PETER_SIG}")
        );
    }
}
