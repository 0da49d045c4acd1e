//! What editors need to use the Go gvmr selects: VS Code's workspace
//! settings ([`vscode`]: found, read as VS Code reads them, and rewritten
//! without losing a setting) and GoLand's rules for a Go SDK home
//! ([`goland`]). `gvmr ide` prints and writes them, `gvmr doctor` checks
//! them; the stable roots they name are `$GVMR_HOME/sdk/`
//! (`store::sdk_links`).

pub mod goland;
pub mod vscode;
