use super::*;
use gvmr_shim::env::Environment;

#[test]
fn a_group_that_hangs_is_an_error_after_its_own_timeout() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static HANG_ENDED: AtomicBool = AtomicBool::new(false);
    fn hang(_: &Context, _: &dyn System) -> Vec<Check> {
        std::thread::sleep(Duration::from_secs(30));
        HANG_ENDED.store(true, Ordering::SeqCst);
        Vec::new()
    }
    fn quick(_: &Context, _: &dyn System) -> Vec<Check> {
        vec![Check::ok("Quick", "quick", "fine")]
    }
    let group = |name, run: GroupFn, millis| Group {
        section: "S",
        name,
        timeout: Duration::from_millis(millis),
        run,
        network: false,
    };
    let checks = run_groups(
        test_context(),
        Arc::new(fake::FakeSystem::new()),
        vec![group("hanging", hang, 200), group("quick", quick, 5000)],
    );
    // Reported without waiting for the hanging group to end.
    assert!(!HANG_ENDED.load(Ordering::SeqCst));
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0].status, Status::Error);
    assert!(checks[0].finding.contains("did not finish within"));
    assert_eq!(checks[1].status, Status::Ok);
}

#[test]
fn offline_skips_network_checks() {
    let mut ctx = test_context();
    ctx.offline = true;
    let sys: Arc<dyn System> = Arc::new(fake::FakeSystem::new());
    let checks = run_checks(ctx, sys);
    assert!(checks.iter().all(|c| c.section != network::SECTION));
    assert!(checks.iter().all(|c| c.section != sources::SECTION));
    assert!(checks.iter().any(|c| c.section == toolchain::SECTION));
}

#[test]
fn the_context_resolves_the_selection_against_installed_versions() {
    let home = tempfile::tempdir().unwrap();
    let root = home.path().to_str().unwrap();
    let settings = Settings::read(&Environment::fixed([
        ("GVMR_GO_VERSION", "1.22.5"),
        ("GVMR_HOME", root),
    ]));
    let ctx = Context::gather(&settings, home.path(), home.path(), Vec::new());
    let selected = ctx.selected.clone().unwrap().unwrap();
    assert_eq!(selected.source, "GVMR_GO_VERSION");
    assert_eq!(selected.install_argument, "1.22.5");
    assert_eq!(ctx.goroot(), None);

    let goroot = home.path().join("versions/go1.22.5");
    std::fs::create_dir_all(goroot.join("bin")).unwrap();
    let ctx = Context::gather(&settings, home.path(), home.path(), Vec::new());
    assert_eq!(ctx.goroot(), Some(goroot.as_path()));

    let settings = Settings::read(&Environment::fixed([("GVMR_HOME", root)]));
    let ctx = Context::gather(&settings, home.path(), home.path(), Vec::new());
    assert!(matches!(ctx.selected, Ok(None)));
}

/// A context with nothing selected and an empty environment (give one with
/// [`Context::with_env`]).
pub fn test_context() -> Context {
    let settings = Settings::read(&Environment::fixed::<&str, &str>([]));
    Context {
        home: PathBuf::from("/gvmr"),
        cwd: PathBuf::from("/work"),
        go: settings.go.clone(),
        settings,
        selected: Ok(None),
        installed: Vec::new(),
        offline: false,
        verify_files: false,
    }
}
