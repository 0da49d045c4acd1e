//! A [`System`] whose every answer is set by the test. (The environment is
//! not the system's: tests give it to the [`Context`](super::Context), see
//! [`Context::with_env`](super::Context::with_env).)

use super::system::{Output, Run, System};
use crate::net::probe::Network;
use crate::net::url::DisplaySafeUrl;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
pub struct FakeSystem {
    pub files: HashMap<PathBuf, String>,
    pub executables: Vec<PathBuf>,
    /// Answers of `run`, by "program arg1 arg2" prefix.
    pub commands: Vec<(String, Result<Output, String>)>,
    pub ran: Mutex<Vec<String>>,
    pub resolved: HashMap<String, Result<Vec<SocketAddr>, String>>,
    pub refused: Vec<SocketAddr>,
    pub http: HashMap<String, Result<u16, String>>,
}

impl FakeSystem {
    pub fn new() -> FakeSystem {
        FakeSystem::default()
    }
    pub fn with_file(mut self, path: &str, text: &str) -> FakeSystem {
        self.files.insert(path.into(), text.into());
        self
    }
    pub fn with_executable(mut self, path: &str) -> FakeSystem {
        self.executables.push(path.into());
        self
    }
    pub fn with_command(mut self, prefix: &str, stdout: &str) -> FakeSystem {
        let output = Output {
            success: true,
            stdout: stdout.into(),
            stderr: String::new(),
        };
        self.commands.push((prefix.into(), Ok(output)));
        self
    }
    pub fn with_failing_command(mut self, prefix: &str, stderr: &str) -> FakeSystem {
        let output = Output {
            success: false,
            stdout: String::new(),
            stderr: stderr.into(),
        };
        self.commands.push((prefix.into(), Ok(output)));
        self
    }
}

impl System for FakeSystem {
    fn read_file(&self, path: &Path) -> Option<String> {
        self.files.get(path).cloned()
    }
    fn is_executable(&self, path: &Path) -> bool {
        self.executables.iter().any(|p| p == path)
    }
    fn run(&self, run: &Run) -> Result<Output, String> {
        let line = std::iter::once(run.program.display().to_string())
            .chain(run.args.iter().map(|a| a.to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        self.ran.lock().unwrap().push(line.clone());
        self.commands
            .iter()
            .find(|(pattern, _)| line.contains(pattern.as_str()))
            .map(|(_, answer)| answer.clone())
            .unwrap_or_else(|| Err(format!("cannot run {line}: not found")))
    }
}

impl Network for FakeSystem {
    fn resolve(&self, host: &str, port: u16, _: Duration) -> Result<Vec<SocketAddr>, String> {
        self.resolved
            .get(host)
            .cloned()
            .unwrap_or_else(|| Ok(vec![SocketAddr::from(([192, 0, 2, 1], port))]))
    }
    fn connect(&self, addr: SocketAddr, _: Duration) -> Result<(), String> {
        if self.refused.contains(&addr) {
            Err(format!("cannot connect to {addr}: Connection refused"))
        } else {
            Ok(())
        }
    }
    fn http_get(&self, url: &DisplaySafeUrl, _: Duration) -> Result<u16, String> {
        self.http.get(&url.to_string()).cloned().unwrap_or(Ok(200))
    }
}
