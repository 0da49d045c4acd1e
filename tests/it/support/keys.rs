//! OpenPGP keys and detached signatures for tests, made with sequoia-openpgp,
//! plus a helper that makes a key and a signature with the real `gpg`.
//!
//! A [`TestKey`] is shaped like the Go release key: a certification-only
//! primary key with a signing subkey that makes the signatures.

use sequoia_openpgp as openpgp;

use openpgp::Cert;
use openpgp::armor;
use openpgp::cert::prelude::*;
use openpgp::packet::Key;
use openpgp::packet::Packet;
use openpgp::packet::key::{Key4, SecretParts, SubordinateRole};
use openpgp::packet::signature::SignatureBuilder;
use openpgp::serialize::{Serialize, SerializeInto};
use openpgp::types::Curve;
use openpgp::types::{KeyFlags, ReasonForRevocation, SignatureType};
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

/// A fresh Ed25519 signing key to become a subkey, created at `created`.
fn new_subkey(created: SystemTime) -> Key<SecretParts, SubordinateRole> {
    let mut key: Key<SecretParts, SubordinateRole> = Key4::generate_ecc(true, Curve::Ed25519)
        .expect("generate a subkey")
        .into();
    key.set_creation_time(created)
        .expect("set the subkey's creation time");
    key
}

/// A subkey binding signature for `subkey` on `cert`'s primary, made by
/// `signer` (the primary, for a valid one), with the subkey's
/// back-signature embedded, dated `created`.
fn subkey_binding(
    cert: &Cert,
    signer: &mut dyn openpgp::crypto::Signer,
    subkey: &Key<SecretParts, SubordinateRole>,
    created: SystemTime,
) -> openpgp::packet::Signature {
    let mut subkey_signer = subkey
        .clone()
        .into_keypair()
        .expect("the subkey's secret is unencrypted");
    let backsig = SignatureBuilder::new(SignatureType::PrimaryKeyBinding)
        .set_signature_creation_time(created)
        .expect("set the back-signature time")
        .sign_primary_key_binding(&mut subkey_signer, cert.primary_key().key(), subkey)
        .expect("make the back-signature");
    let builder = SignatureBuilder::new(SignatureType::SubkeyBinding)
        .set_signature_creation_time(created)
        .expect("set the binding time")
        .set_key_flags(KeyFlags::empty().set_signing())
        .expect("set the key flags")
        .set_embedded_signature(backsig)
        .expect("embed the back-signature");
    subkey
        .bind(signer, cert, builder)
        .expect("make the binding")
}

impl TestKey {
    fn primary_signer(&self) -> openpgp::crypto::KeyPair {
        self.cert
            .primary_key()
            .key()
            .clone()
            .parts_into_secret()
            .expect("the test primary has its secret")
            .into_keypair()
            .expect("the test primary's secret is unencrypted")
    }

    /// The same primary key (and user id) with a NEW signing subkey,
    /// created at `created` and validly bound (binding signature by the
    /// primary, back-signature by the subkey); the old subkeys are left
    /// out, so the returned key signs with the new one. Google adding its
    /// yearly subkey, in small. Merge both public certificates
    /// (`Cert::merge_public`) for the updated key file.
    pub fn with_new_subkey(&self, created: SystemTime) -> TestKey {
        let subkey = new_subkey(created);
        let binding = subkey_binding(&self.cert, &mut self.primary_signer(), &subkey, created);
        let (cert, _) = self
            .cert
            .clone()
            .retain_subkeys(|_| false)
            .insert_packets(vec![Packet::SecretSubkey(subkey), binding.into()])
            .expect("add the new subkey");
        TestKey { cert }
    }

    /// The same key with its signing subkey revoked by the primary for
    /// `reason`, the revocation dated `at`: a soft reason (`KeySuperseded`,
    /// `KeyRetired`) leaves signatures made before `at` valid, a hard one
    /// (`KeyCompromised`) invalidates them all. The secret is kept, so the
    /// returned key can still sign (as a thief with the subkey could).
    pub fn with_revoked_subkey(&self, reason: ReasonForRevocation, at: SystemTime) -> TestKey {
        let subkey = self.signing_subkey().key().clone();
        let revocation = SubkeyRevocationBuilder::new()
            .set_reason_for_revocation(reason, b"revoked by the test")
            .expect("set the reason for revocation")
            .set_signature_creation_time(at)
            .expect("set the revocation time")
            .build(&mut self.primary_signer(), &self.cert, &subkey, None)
            .expect("make the subkey revocation");
        let (cert, _) = self
            .cert
            .clone()
            .insert_packets(vec![Packet::from(revocation)])
            .expect("add the revocation");
        TestKey { cert }
    }

    /// The public certificate plus a signing subkey with NO binding
    /// signature; returns (armored certificate, the subkey's fingerprint).
    pub fn public_with_unbound_subkey(&self) -> (Vec<u8>, String) {
        let subkey = new_subkey(SystemTime::now() - Duration::from_secs(30));
        let fpr = subkey.fingerprint().to_hex();
        self.public_with_packets(vec![Packet::PublicSubkey(subkey.take_secret().0)], fpr)
    }

    /// The public certificate plus a signing subkey whose binding signature
    /// was made by `other`'s primary key instead of this one's.
    pub fn public_with_foreign_bound_subkey(&self, other: &TestKey) -> (Vec<u8>, String) {
        let created = SystemTime::now() - Duration::from_secs(30);
        let subkey = new_subkey(created);
        let binding = subkey_binding(&self.cert, &mut other.primary_signer(), &subkey, created);
        let fpr = subkey.fingerprint().to_hex();
        self.public_with_packets(
            vec![Packet::PublicSubkey(subkey.take_secret().0), binding.into()],
            fpr,
        )
    }

    /// The public certificate plus a signing subkey carrying a copy of the
    /// binding signature of this key's real subkey (a transplanted, so
    /// tampered, binding: it signs the other subkey, not this one).
    pub fn public_with_transplanted_binding(&self) -> (Vec<u8>, String) {
        let binding = self
            .signing_subkey()
            .self_signatures()
            .next()
            .expect("the test subkey is bound")
            .clone();
        let subkey = new_subkey(SystemTime::now() - Duration::from_secs(30));
        let fpr = subkey.fingerprint().to_hex();
        self.public_with_packets(
            vec![Packet::PublicSubkey(subkey.take_secret().0), binding.into()],
            fpr,
        )
    }

    fn public_with_packets(&self, packets: Vec<Packet>, fpr: String) -> (Vec<u8>, String) {
        // Serialized by hand: a parsed `Cert` would drop or sort what does
        // not verify, and the point is to serve exactly these packets.
        let mut out = Vec::new();
        let mut writer =
            armor::Writer::new(&mut out, armor::Kind::PublicKey).expect("start the armor writer");
        for packet in self.cert.clone().strip_secret_key_material().into_packets() {
            packet.serialize(&mut writer).expect("serialize a packet");
        }
        for packet in packets {
            packet.serialize(&mut writer).expect("serialize a packet");
        }
        writer.finalize().expect("finish the armor");
        (out, fpr)
    }
}

/// Wraps binary signature packets (one or several, concatenated) in ASCII
/// armor ("-----BEGIN PGP SIGNATURE-----").
pub fn armor_signature(binary: &[u8]) -> Vec<u8> {
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
