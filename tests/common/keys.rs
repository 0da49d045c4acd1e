//! OpenPGP keys and detached signatures for tests, made with sequoia-openpgp,
//! plus a helper that makes a key and a signature with the real `gpg`.
//!
//! A [`TestKey`] is shaped like the Go release key: a certification-only
//! primary key with a signing subkey that makes the signatures.

use sequoia_openpgp as openpgp;

use openpgp::Cert;
use openpgp::armor;
use openpgp::cert::prelude::*;
use openpgp::packet::Packet;
use openpgp::packet::key::SecretParts;
use openpgp::packet::signature::SignatureBuilder;
use openpgp::serialize::{Serialize, SerializeInto};
use openpgp::types::{KeyFlags, SignatureType};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

/// A generated certificate, secret keys included.
pub struct TestKey {
    pub cert: Cert,
}

impl TestKey {
    /// A fresh Ed25519 key: a certification-only primary and one signing
    /// subkey, neither expiring, created a minute ago (sequoia's default
    /// back-dating, so signatures made "now" are clearly after it).
    pub fn generate(userid: &str) -> TestKey {
        Self::build(userid, None, None)
    }

    /// Like [`generate`](TestKey::generate), but the keys are created at
    /// `primary_created` (the subkey at the same time) and the signing
    /// subkey expires `subkey_validity` after that, when given.
    ///
    /// E.g. a key created two years ago whose subkey was valid for one
    /// year: signatures dated in the first year verify, later ones do not.
    pub fn generate_with(
        userid: &str,
        primary_created: SystemTime,
        subkey_validity: Option<Duration>,
    ) -> TestKey {
        Self::build(userid, Some(primary_created), subkey_validity)
    }

    fn build(
        userid: &str,
        created: Option<SystemTime>,
        subkey_validity: Option<Duration>,
    ) -> TestKey {
        let (cert, _revocation) = CertBuilder::new()
            .set_cipher_suite(CipherSuite::Cv25519)
            .set_creation_time(created)
            .set_primary_key_flags(KeyFlags::empty().set_certification())
            .add_userid(userid)
            .add_subkey(KeyFlags::empty().set_signing(), subkey_validity, None)
            .generate()
            .expect("generate a test OpenPGP key");
        TestKey { cert }
    }

    /// The armored public certificate (no secret key material): a keyring
    /// file for `GVMR_KEYRING`.
    pub fn public_armored(&self) -> Vec<u8> {
        self.cert
            .armored()
            .to_vec()
            .expect("serialize the public certificate")
    }

    /// Writes [`public_armored`](TestKey::public_armored) to `path`.
    pub fn write_keyring(&self, path: &Path) {
        std::fs::write(path, self.public_armored())
            .unwrap_or_else(|e| panic!("write keyring {}: {e}", path.display()));
    }

    /// Hex fingerprint of the primary key (upper case, no spaces).
    pub fn fingerprint_hex(&self) -> String {
        self.cert.fingerprint().to_hex()
    }

    /// Hex fingerprint of the signing subkey.
    pub fn signing_subkey_fingerprint_hex(&self) -> String {
        self.signing_subkey().key().fingerprint().to_hex()
    }

    /// An armored detached signature over `data`, made now by the signing
    /// subkey (like `gpg --detach-sign --armor`).
    pub fn sign_detached(&self, data: &[u8]) -> Vec<u8> {
        self.sign_detached_at(data, SystemTime::now())
    }

    /// An armored detached signature over `data` whose creation time is
    /// `time`, whether or not the subkey was valid then: use it for
    /// signatures from the future, from before the key existed, or from
    /// after the subkey expired.
    pub fn sign_detached_at(&self, data: &[u8], time: SystemTime) -> Vec<u8> {
        armor_signature(&self.signature_packet(data, time))
    }

    /// A binary (unarmored) detached signature over `data`, made now.
    pub fn sign_detached_binary(&self, data: &[u8]) -> Vec<u8> {
        self.signature_packet(data, SystemTime::now())
    }

    /// The one signing subkey, with its secret, looked up *without* a policy
    /// or a reference time, so that an expired subkey can still sign.
    fn signing_subkey(&self) -> SubordinateKeyAmalgamation<'_, SecretParts> {
        let mut subkeys = self.cert.keys().subkeys().secret();
        let subkey = subkeys.next().expect("the test key has a signing subkey");
        assert!(
            subkeys.next().is_none(),
            "the test key has exactly one subkey"
        );
        subkey
    }

    /// A serialized binary signature packet over `data`, dated `time`.
    ///
    /// `SignatureBuilder::sign_message` signs with whatever key pair it is
    /// given and only fills in the creation time and issuer subpackets; it
    /// does not check that the key is alive at `time`. That is what lets
    /// tests make signatures the verifier must reject.
    fn signature_packet(&self, data: &[u8], time: SystemTime) -> Vec<u8> {
        let mut keypair = self
            .signing_subkey()
            .key()
            .clone()
            .into_keypair()
            .expect("the test subkey's secret is unencrypted");
        let signature = SignatureBuilder::new(SignatureType::Binary)
            .set_signature_creation_time(time)
            .expect("set the signature creation time")
            .sign_message(&mut keypair, data)
            .expect("sign the data");
        let mut out = Vec::new();
        Packet::from(signature)
            .serialize(&mut out)
            .expect("serialize the signature");
        out
    }
}

/// Wraps a binary signature in ASCII armor ("-----BEGIN PGP SIGNATURE-----").
fn armor_signature(binary: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer =
        armor::Writer::new(&mut out, armor::Kind::Signature).expect("start the armor writer");
    std::io::Write::write_all(&mut writer, binary).expect("write the armored signature");
    writer.finalize().expect("finish the armored signature");
    out
}

/// Makes a key and a detached signature over the file `data_path` with the
/// real GnuPG, for interoperability tests.
///
/// The key is shaped like the Go release key: an Ed25519 certification-only
/// primary key with an Ed25519 signing subkey, which makes the signature.
/// Returns (armored public key, armored detached signature); both are also
/// written to `workdir` as `gpg-public.asc` and `<data file name>.asc`.
///
/// GnuPG runs in batch mode with an empty passphrase, in a fresh home
/// directory under /tmp (kept short: gpg-agent's socket path is limited to
/// about 100 bytes) that is removed afterwards, together with its agent.
///
/// Panics with a clear message if `gpg` is not installed (Debian package
/// `gnupg`) or any step fails.
pub fn gpg_sign_detached(data_path: &Path, workdir: &Path) -> (Vec<u8>, Vec<u8>) {
    let home = tempfile::Builder::new()
        .prefix("gpg")
        .tempdir_in("/tmp")
        .expect("create a GnuPG home under /tmp");
    let homedir = home.path();
    // Stop the agent gpg starts, whatever happens below.
    let _agent = AgentGuard(homedir);

    let gpg = |args: &[&str]| -> Vec<u8> {
        let output = Command::new("gpg")
            .arg("--homedir")
            .arg(homedir)
            .args([
                "--batch",
                "--no-tty",
                "--quiet",
                "--pinentry-mode",
                "loopback",
            ])
            .args(["--passphrase", ""])
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `gpg` ({e}): GnuPG is needed for the interop tests \
                     (install the Debian package `gnupg`)"
                )
            });
        assert!(
            output.status.success(),
            "gpg {args:?} failed with {}:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };

    let uid = "Test <t@example.org>";
    gpg(&["--quick-generate-key", uid, "ed25519", "cert", "never"]);
    let fingerprint = primary_fingerprint(&gpg(&["--list-keys", "--with-colons", uid]))
        .expect("gpg lists the key it just made");
    gpg(&["--quick-add-key", &fingerprint, "ed25519", "sign", "never"]);

    let data = data_path
        .to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", data_path.display()));
    let signature = gpg(&["--armor", "--detach-sign", "--output", "-", data]);
    let public = gpg(&["--armor", "--export", &fingerprint]);
    assert!(
        public.starts_with(b"-----BEGIN PGP PUBLIC KEY BLOCK-----"),
        "gpg exported an armored key"
    );
    assert!(
        signature.starts_with(b"-----BEGIN PGP SIGNATURE-----"),
        "gpg made an armored signature"
    );

    let name = data_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".to_string());
    std::fs::write(workdir.join("gpg-public.asc"), &public).expect("write gpg-public.asc");
    std::fs::write(workdir.join(format!("{name}.asc")), &signature)
        .expect("write the gpg signature");
    (public, signature)
}

/// The fingerprint on the first `fpr` record of `gpg --with-colons` output.
fn primary_fingerprint(colons: &[u8]) -> Option<String> {
    String::from_utf8_lossy(colons)
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .map(str::to_string)
}

/// Kills the gpg-agent of a GnuPG home when dropped.
struct AgentGuard<'a>(&'a Path);

impl Drop for AgentGuard<'_> {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.0)
            .args(["--kill", "gpg-agent"])
            .output();
    }
}
