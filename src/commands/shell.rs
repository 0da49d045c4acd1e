//! Wiring gvmr into shells: `gvmr hook`, the per-prompt `hook-env`,
//! `gvmr direnv` and `gvmr shims`.

use crate::error::Error;
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::hook::{self, HookShell};
use crate::ui::{self, Ui};

pub fn hook(shell: HookShell) -> Result<(), Error> {
    ui::out(hook::script(shell)?)?;
    Ok(())
}

pub fn hook_env(
    settings: &Settings,
    store: &Store,
    shell: HookShell,
    pid: u32,
) -> Result<(), Error> {
    ui::out(hook::hook_env(
        &settings.selection,
        &settings.go,
        store,
        &settings.hook_state_dirs,
        settings.auto_install().map_err(|e| e.to_string()),
        shell,
        pid,
    )?)?;
    Ok(())
}

pub fn direnv() -> Result<(), Error> {
    ui::out(hook::direnvrc()?)?;
    Ok(())
}

pub fn shims(store: &Store, ui: &Ui) -> Result<(), Error> {
    for path in crate::switch::shim_files::write_shims(store)? {
        ui.status(format!("Wrote {}", path.display()));
    }
    Ok(())
}
