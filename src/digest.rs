//! SHA-256 digests: the digest type (parsing the published hex form), and
//! hashing while streaming. A leaf: the layers that download, unpack,
//! verify and record files all hash through it.

use sha2::{Digest, Sha256};
use std::fmt;
use std::io::{self, Read, Write};

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sha256Digest([u8; 32]);

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("expected 64 hexadecimal digits of a SHA-256 checksum, found {found:?}")]
pub struct ParseDigestError {
    found: String,
}

impl Sha256Digest {
    /// Parses a bare hex digest as published in `.sha256` files and the
    /// listing. Surrounding whitespace and a trailing `  filename` (the
    /// `sha256sum` format) are tolerated.
    pub fn parse_hex(text: &str) -> Result<Sha256Digest, ParseDigestError> {
        let err = || ParseDigestError {
            found: text.chars().take(80).collect(),
        };
        let hex = text.split_whitespace().next().ok_or_else(err)?;
        // `from_str_radix` alone would take a sign: "+f" is not a hex pair.
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err());
        }
        let mut out = [0u8; 32];
        for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
            let pair = std::str::from_utf8(pair).map_err(|_| err())?;
            out[i] = u8::from_str_radix(pair, 16).map_err(|_| err())?;
        }
        Ok(Sha256Digest(out))
    }

    /// First and last four bytes, as `904b924d…c7f0`.
    pub fn short(&self) -> String {
        let hex = self.to_string();
        format!("{}…{}", &hex[..8], &hex[60..])
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({self})")
    }
}

/// A writer that hashes everything written through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            written: 0,
        }
    }

    /// A writer whose digest also covers `earlier`: bytes already in the
    /// destination (a resumed download), hashed but not written again.
    pub fn resume(inner: W, mut earlier: impl Read) -> io::Result<Self> {
        let mut sink = HashingWriter::new(io::sink());
        io::copy(&mut earlier, &mut sink)?;
        Ok(HashingWriter {
            inner,
            hasher: sink.hasher,
            written: sink.written,
        })
    }

    /// The digest and byte count of everything written, and the inner writer.
    pub fn finish(self) -> (Sha256Digest, u64, W) {
        (
            Sha256Digest(self.hasher.finalize().into()),
            self.written,
            self.inner,
        )
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The SHA-256 of everything `reader` yields.
pub fn sha256_of(mut reader: impl Read) -> io::Result<Sha256Digest> {
    let mut writer = HashingWriter::new(io::sink());
    io::copy(&mut reader, &mut writer)?;
    Ok(writer.finish().0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn hashes_while_writing() {
        let mut w = HashingWriter::new(Vec::new());
        w.write_all(b"").unwrap();
        let (digest, n, inner) = w.finish();
        assert_eq!(digest.to_string(), EMPTY);
        assert_eq!((n, inner.len()), (0, 0));
        assert_eq!(
            sha256_of(&b"abc"[..]).unwrap().to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn parses_published_forms() {
        let d = Sha256Digest::parse_hex(EMPTY).unwrap();
        assert_eq!(d.to_string(), EMPTY);
        assert_eq!(Sha256Digest::parse_hex(&format!("  {EMPTY}\n")).unwrap(), d);
        assert_eq!(
            Sha256Digest::parse_hex(&format!("{EMPTY}  go.tar.gz\n")).unwrap(),
            d
        );
        assert_eq!(Sha256Digest::parse_hex(&EMPTY.to_uppercase()).unwrap(), d);
        assert_eq!(d.short(), "e3b0c442…b855");
    }

    #[test]
    fn refuses_malformed_digests() {
        for bad in [
            "",
            "abc",
            &EMPTY[1..],
            &format!("{EMPTY}0"),
            &EMPTY.replace('e', "g"),
            "é".repeat(32).as_str(),
        ] {
            assert!(Sha256Digest::parse_hex(bad).is_err(), "{bad:?}");
        }
    }
}

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn digest_like() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9a-fA-F]{62,66}",
            // Signs, spaces and non-ASCII where hex digits belong.
            "[0-9a-f+\\- é]{64}",
            // 32 pairs, some of them signed: `u8::from_str_radix` takes "+f".
            prop::collection::vec(
                prop_oneof![8 => "[0-9a-fA-F]{2}", 1 => "[+\\-][0-9a-f]"],
                32
            )
            .prop_map(|pairs| pairs.concat()),
            ("\\s{0,2}", "[0-9a-fA-F]{64}", "(\\s{1,2}[ -~]{0,20})?")
                .prop_map(|(a, hex, b)| format!("{a}{hex}{b}")),
        ]
    }

    /// Found by `parse_hex_never_panics_and_round_trips`: `u8::from_str_radix`
    /// accepts a leading `+`, so `+1+1…` parsed as `0101…`.
    #[test]
    fn signs_are_not_hex_digits() {
        assert!(Sha256Digest::parse_hex(&"+1".repeat(32)).is_err());
        assert!(Sha256Digest::parse_hex(&"+f".repeat(32)).is_err());
    }

    proptest! {
        #[test]
        fn parse_hex_never_panics_and_round_trips(text in digest_like()) {
            if let Ok(digest) = Sha256Digest::parse_hex(&text) {
                let hex = digest.to_string();
                // Exactly the first word, in lower case: nothing else is accepted.
                let word = text.split_whitespace().next().unwrap_or("");
                prop_assert_eq!(&hex, &word.to_ascii_lowercase(), "{:?}", text);
                prop_assert_eq!(Sha256Digest::parse_hex(&hex), Ok(digest));
            }
        }

        #[test]
        fn every_digest_round_trips(bytes in any::<[u8; 32]>()) {
            let digest = Sha256Digest(bytes);
            prop_assert_eq!(Sha256Digest::parse_hex(&digest.to_string()), Ok(digest));
            prop_assert_eq!(
                Sha256Digest::parse_hex(&digest.to_string().to_uppercase()),
                Ok(digest)
            );
        }
    }
}
