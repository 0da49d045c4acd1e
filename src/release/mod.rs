//! What Go publishes: platforms and archive names ([`platform`]) and the
//! release listing that says which releases exist ([`listing`]), and what
//! it says about support and newer patches ([`support`]).

pub mod listing;
pub mod platform;
pub mod support;
