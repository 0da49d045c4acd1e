//! gvmr's integration tests, one binary: each module drives the real
//! `gvmr` binary (and the shims, real shells, direnv and, in the end-to-end
//! modules `e2e_*`, real Go toolchains) against servers on 127.0.0.1.
//! [`support`] is compiled once for all of them.

mod support;

mod crash_and_concurrency;
mod deb;
mod default_packages;
mod disk;
mod dist;
mod doctor;
mod e2e_default_packages;
mod e2e_first_use;
mod e2e_proxy_modes;
mod e2e_real_go;
mod e2e_switch;
mod editors;
mod env;
mod errors;
mod everyday;
mod get_sh;
mod go_env;
mod help;
mod hook_watch;
mod hooks;
mod hostile_inputs;
mod install;
mod install_failures;
mod install_robustness;
mod keys;
mod layout;
mod list;
mod mirror_sources;
mod mirror_sync;
mod network_faults;
mod output;
mod proxy_install;
mod readme;
mod select;
mod self_update;
mod shims;
mod sumdb;
mod support_selftest;
mod uninstall;
mod upgrade;
