//! How the checks see the machine: files, commands, the network. (The
//! environment comes from the settings, in the [`Context`](super::Context).)
//! [`RealSystem`] is the machine; tests use a fake.

use crate::net::http::Http;
use crate::net::probe::Network;
use crate::net::url::DisplaySafeUrl;
use std::ffi::OsStr;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished command printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// A command to run: program, arguments, extra environment, directory.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    pub program: &'a Path,
    pub args: &'a [&'a str],
    pub env: &'a [(&'a str, String)],
    pub dir: Option<&'a Path>,
    pub timeout: Duration,
}

pub trait System: Network {
    /// A (small) text file; `None` when it cannot be read.
    fn read_file(&self, path: &Path) -> Option<String>;
    /// Whether `path` is an executable file.
    fn is_executable(&self, path: &Path) -> bool;
    /// Runs a command, killing it after its timeout (an `Err` then).
    fn run(&self, run: &Run) -> Result<Output, String>;
    /// Every `program` on `path`'s entries, in order.
    fn path_lookup(&self, program: &str, path: Option<&OsStr>) -> Vec<PathBuf> {
        let Some(path) = path else {
            return Vec::new();
        };
        std::env::split_paths(path)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(program))
            .filter(|candidate| self.is_executable(candidate))
            .collect()
    }
}

/// The machine; its requests go through gvmr's HTTP client.
pub struct RealSystem {
    http: Http,
}

impl RealSystem {
    pub fn new(http: Http) -> RealSystem {
        RealSystem { http }
    }
}

impl System for RealSystem {
    fn read_file(&self, path: &Path) -> Option<String> {
        let mut text = String::new();
        std::fs::File::open(path)
            .ok()?
            .take(1024 * 1024)
            .read_to_string(&mut text)
            .ok()?;
        Some(text)
    }

    fn is_executable(&self, path: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }

    fn run(&self, run: &Run) -> Result<Output, String> {
        let mut command = Command::new(run.program);
        command
            .args(run.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in run.env {
            command.env(name, value);
        }
        if let Some(dir) = run.dir {
            command.current_dir(dir);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", run.program.display()))?;
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(pipe) = pipe {
                    let _ = pipe.take(1024 * 1024).read_to_end(&mut bytes);
                }
                String::from_utf8_lossy(&bytes).into_owned()
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let deadline = Instant::now() + run.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "{} did not finish within {} s",
                        run.program.display(),
                        run.timeout.as_secs_f64()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("cannot wait for {}: {e}", run.program.display())),
            }
        };
        Ok(Output {
            success: status.success(),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        })
    }
}

impl Network for RealSystem {
    fn resolve(&self, host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
        self.http.resolve(host, port, timeout)
    }

    fn connect(&self, addr: SocketAddr, timeout: Duration) -> Result<(), String> {
        self.http.connect(addr, timeout)
    }

    fn http_get(&self, url: &DisplaySafeUrl, timeout: Duration) -> Result<u16, String> {
        self.http.http_get(url, timeout)
    }
}
