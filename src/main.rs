//! The `gvmr` executable: everything is in the library ([`gvmr::main`]).

fn main() -> std::process::ExitCode {
    gvmr::main()
}
