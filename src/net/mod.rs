//! Getting bytes from the network: the one HTTP client ([`http`]), the
//! retry policy every fetch shares ([`retry`]), resumable downloads from a
//! list of mirrors ([`download`]) and Go module proxy lists ([`goproxy`]).

pub mod download;
pub mod goproxy;
pub mod http;
pub mod retry;
