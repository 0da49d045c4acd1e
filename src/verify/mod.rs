//! Everything that decides whether bytes can be trusted: expected SHA-256
//! digests ([`checksum`]; the digest itself is [`crate::digest`]), Go's
//! OpenPGP release signatures ([`signature`]) and the signing keys gvmr
//! trusts ([`keys`]), the Go checksum database ([`sumdb`]) and the module
//! tree hash it vouches for ([`dirhash`]); minisign signatures, which sign
//! gvmr's own releases ([`minisign`]).

pub mod checksum;
pub mod dirhash;
pub mod keys;
pub mod minisign;
pub mod signature;
pub mod sumdb;
