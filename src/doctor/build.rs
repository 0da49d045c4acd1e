//! It builds: hello world with the selected toolchain, with cgo when a C
//! compiler is there, and cross-compiled for windows/arm64.

use super::system::{Run, System};
use super::toolchain::first_line;
use super::{Check, Context};
use std::path::Path;
use std::time::{Duration, Instant};

pub const SECTION: &str = "Build";
const STEP_TIMEOUT: Duration = Duration::from_secs(90);
pub const GROUP_TIMEOUT: Duration = Duration::from_secs(240);

const HELLO: &str =
    "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from gvmr doctor\") }\n";
const HELLO_CGO: &str = "package main\n\n// int answer(void) { return 42; }\nimport \"C\"\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from cgo\", C.answer()) }\n";

pub fn checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let Some(goroot) = ctx.goroot() else {
        return vec![Check::warning(
            SECTION,
            "build",
            "skipped: no installed version is selected",
            "",
            &[],
        )];
    };
    let tmp = match tempfile::Builder::new().prefix("gvmr-doctor").tempdir() {
        Ok(tmp) => tmp,
        Err(e) => {
            return vec![Check::error(
                SECTION,
                "build",
                format!("cannot create a temporary directory: {e}"),
                "go build fails too: it needs a writable TMPDIR",
                &["export TMPDIR=$HOME/tmp; mkdir -p $TMPDIR"],
            )];
        }
    };
    let plain = tmp.path().join("hello");
    let cgo = tmp.path().join("cgo");
    for (dir, source) in [(&plain, HELLO), (&cgo, HELLO_CGO)] {
        let written = std::fs::create_dir_all(dir)
            .and_then(|_| {
                std::fs::write(dir.join("go.mod"), "module example.org/hello\n\ngo 1.21\n")
            })
            .and_then(|_| std::fs::write(dir.join("main.go"), source));
        if let Err(e) = written {
            return vec![Check::error(
                SECTION,
                "build",
                format!("cannot write to {}: {e}", dir.display()),
                "go build fails too: it needs a writable TMPDIR",
                &[],
            )];
        }
    }
    let go = goroot.join("bin/go");
    let user_path = ctx.settings.process.path.as_deref();
    let path = match user_path {
        Some(p) => format!("{}:{}", goroot.join("bin").display(), p.to_string_lossy()),
        None => goroot.join("bin").display().to_string(),
    };
    let base = |extra: &[(&'static str, &str)]| {
        let mut env: Vec<(&str, String)> = vec![
            ("GOROOT", goroot.display().to_string()),
            ("GOTOOLCHAIN", "local".into()),
            ("GOFLAGS", "-mod=mod".into()),
            ("GOPROXY", "off".into()),
            ("PATH", path.clone()),
        ];
        env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        env
    };
    let go_run = |args: &[&str], env: &[(&str, String)], dir: &Path| {
        sys.run(&Run {
            program: &go,
            args,
            env,
            dir: Some(dir),
            timeout: STEP_TIMEOUT,
        })
    };
    let fix = || {
        vec![format!(
            "cd \"$(mktemp -d)\" && go mod init x && printf 'package main\\nfunc main(){{}}\\n' > m.go && {} build -x .   (to see the failing step)",
            go.display()
        )]
    };
    let failed = |name: &str, what: String, started: Instant| {
        Check::error(
            SECTION,
            name.to_string(),
            what,
            "go build fails for every project",
            &[],
        )
        .with_fix(fix())
        .took(started)
    };

    let mut checks = Vec::new();
    // 1. build and run.
    let started = Instant::now();
    let env = base(&[("CGO_ENABLED", "0")]);
    match go_run(&["build", "-o", "hello", "."], &env, &plain) {
        Ok(out) if out.success => {
            let built = Instant::now();
            let run = sys.run(&Run {
                program: &plain.join("hello"),
                args: &[],
                env: &[],
                dir: Some(&plain),
                timeout: Duration::from_secs(10),
            });
            match run {
                Ok(out) if out.success && out.stdout.contains("hello from gvmr doctor") => {
                    checks.push(
                        Check::ok(
                            SECTION,
                            "build and run",
                            format!(
                                "hello world built in {:.1} s and ran in {:.1} s",
                                (built - started).as_secs_f64(),
                                built.elapsed().as_secs_f64()
                            ),
                        )
                        .took(started),
                    );
                }
                Ok(out) => checks.push(failed(
                    "build and run",
                    format!(
                        "hello world built but did not run: {}",
                        first_line(&out.stderr)
                    ),
                    started,
                )),
                Err(e) => checks.push(failed(
                    "build and run",
                    format!("hello world built but did not run: {e}"),
                    started,
                )),
            }
        }
        Ok(out) => {
            checks.push(failed(
                "build and run",
                format!(
                    "go build of hello world failed: {}",
                    first_line(&out.stderr)
                ),
                started,
            ));
            return checks;
        }
        Err(e) => {
            checks.push(failed(
                "build and run",
                format!("go build of hello world: {e}"),
                started,
            ));
            return checks;
        }
    }

    // 2. cgo, when there is a C compiler.
    let started = Instant::now();
    let cc = go_run(&["env", "CC"], &base(&[]), &plain)
        .ok()
        .filter(|o| o.success)
        .map(|o| o.stdout.trim().to_string())
        .filter(|cc| !cc.is_empty())
        .unwrap_or_else(|| "gcc".into());
    let compiler = cc.split_whitespace().next().unwrap_or("gcc").to_string();
    let found = if compiler.contains('/') {
        sys.is_executable(Path::new(&compiler))
    } else {
        !sys.path_lookup(&compiler, user_path).is_empty()
    };
    if !found {
        checks.push(Check::warning(
            SECTION,
            "cgo",
            format!("skipped: no C compiler ({compiler}, from go env CC) on PATH"),
            format!("packages that use cgo fail: \"cgo: C compiler \\\"{compiler}\\\" not found\"; set CGO_ENABLED=0 for pure-Go builds"),
            &["install a C compiler (e.g. apt install gcc), or export CGO_ENABLED=0"],
        ));
    } else if ctx.settings.process.cgo_enabled.as_deref() == Some("0") {
        checks.push(Check::ok(
            SECTION,
            "cgo",
            "skipped: CGO_ENABLED=0 in the environment",
        ));
    } else {
        let env = base(&[("CGO_ENABLED", "1")]);
        let check = match go_run(&["build", "-o", "hello", "."], &env, &cgo) {
            Ok(out) if out.success => Check::ok(
                SECTION,
                "cgo",
                format!(
                    "a cgo program built with {compiler} in {:.1} s",
                    started.elapsed().as_secs_f64()
                ),
            ),
            Ok(out) => Check::warning(
                SECTION,
                "cgo",
                format!(
                    "a cgo program does not build with {compiler}: {}",
                    first_line(&out.stderr)
                ),
                "packages that use cgo fail to build",
                &[
                    "check the C compiler and its headers (e.g. apt install build-essential), or export CGO_ENABLED=0",
                ],
            ),
            Err(e) => Check::warning(
                SECTION,
                "cgo",
                format!("a cgo build: {e}"),
                "packages that use cgo fail to build",
                &[],
            ),
        };
        checks.push(check.took(started));
    }

    // 3. cross-compile.
    let started = Instant::now();
    let env = base(&[
        ("CGO_ENABLED", "0"),
        ("GOOS", "windows"),
        ("GOARCH", "arm64"),
    ]);
    let check = match go_run(&["build", "-o", "hello.exe", "."], &env, &plain) {
        Ok(out) if out.success => Check::ok(
            SECTION,
            "cross-compile",
            format!(
                "GOOS=windows GOARCH=arm64 build in {:.1} s",
                started.elapsed().as_secs_f64()
            ),
        ),
        Ok(out) => Check::warning(
            SECTION,
            "cross-compile",
            format!(
                "GOOS=windows GOARCH=arm64 go build failed: {}",
                first_line(&out.stderr)
            ),
            "cross-compiling fails (the toolchain's sources for other platforms may be damaged)",
            &[],
        )
        .with_fix(vec!["gvmr doctor --verify-files".into()]),
        Err(e) => Check::warning(SECTION, "cross-compile", e, "cross-compiling fails", &[]),
    };
    checks.push(check.took(started));
    checks
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeSystem;
    use super::super::{Selected, Status, test_context};
    use super::*;
    use gvmr_shim::GoVersion;

    fn ctx(goroot: Option<&str>) -> Context {
        let mut ctx = test_context().with_env(&[("PATH", "/usr/bin")]);
        ctx.selected = Ok(Some(Selected {
            system: None,
            notes: Vec::new(),
            overridden: None,
            version: Some(GoVersion::parse("1.22.5").unwrap()),
            goroot: goroot.map(Into::into),
            source: "GVMR_GO_VERSION".into(),
            requirement: "go1.22.5".into(),
            install_argument: "1.22.5".into(),
        }));
        ctx
    }

    const GO: &str = "/gvmr/versions/go1.22.5/bin/go";

    #[test]
    fn a_working_toolchain_builds_runs_cgo_and_cross_compiles() {
        let sys = FakeSystem::new()
            .with_executable("/usr/bin/gcc")
            .with_command(&format!("{GO} build"), "")
            .with_command(&format!("{GO} env CC"), "gcc\n")
            .with_command("/hello", "hello from gvmr doctor\n");
        let checks = checks(&ctx(Some("/gvmr/versions/go1.22.5")), &sys);
        let names: Vec<_> = checks.iter().map(|c| c.check.as_str()).collect();
        assert_eq!(names, ["build and run", "cgo", "cross-compile"]);
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:#?}");
        let ran = sys.ran.lock().unwrap().join("\n");
        assert!(ran.contains(&format!("{GO} build -o hello.exe .")), "{ran}");
    }

    #[test]
    fn a_failing_build_is_an_error_and_stops() {
        let sys = FakeSystem::new()
            .with_failing_command(&format!("{GO} build"), "runtime: cannot find package\n");
        let checks = checks(&ctx(Some("/gvmr/versions/go1.22.5")), &sys);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].status, Status::Error);
        assert!(checks[0].finding.contains("cannot find package"));
    }

    #[test]
    fn no_c_compiler_is_a_warning() {
        let sys = FakeSystem::new()
            .with_command(&format!("{GO} build"), "")
            .with_command(&format!("{GO} env CC"), "gcc\n")
            .with_command("/hello", "hello from gvmr doctor\n");
        let checks = checks(&ctx(Some("/gvmr/versions/go1.22.5")), &sys);
        assert_eq!(checks[1].status, Status::Warning);
        assert!(checks[1].finding.contains("no C compiler (gcc"));
    }

    #[test]
    fn nothing_installed_skips_with_a_warning() {
        let checks = checks(&ctx(None), &FakeSystem::new());
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].status, Status::Warning);
        assert!(checks[0].finding.starts_with("skipped"));
    }
}
