//! What Go publishes: platforms and archive names ([`platform`]) and the
//! release listing that says which releases exist ([`listing`]).

pub mod listing;
pub mod platform;
