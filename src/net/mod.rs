//! Getting bytes from the network: the one HTTP client ([`http`]) and the
//! one URL type, which never prints a password ([`url`]), the
//! retry policy every fetch shares ([`retry`]), resumable downloads from a
//! list of mirrors ([`download`]), where releases come from ([`sources`]:
//! presets, `GVMR_MIRROR`, `GVMR_INDEX_URL`), credentials for private
//! mirrors ([`credentials`], [`netrc`]), Go module proxy lists
//! ([`goproxy`]) and whether a source answers ([`probe`]).

pub mod credentials;
pub mod download;
pub mod goproxy;
pub mod http;
pub mod netrc;
pub mod probe;
pub mod retry;
pub mod sources;
pub mod url;
