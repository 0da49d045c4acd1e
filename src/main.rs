mod checksum;
mod platform;
mod signature;
fn main() {}
