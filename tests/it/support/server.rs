//! A small, real HTTP/1.1 server on 127.0.0.1 for integration tests.
//!
//! Built on `std::net` only: one accept thread, one thread per connection,
//! and every response is sent with `Connection: close` (the connection is
//! closed after each response, so there is no keep-alive to get wrong).
//!
//! Tests put content at paths, read back a log of the requests made, and
//! inject per-path faults (an error status, a truncated body, a stall, a
//! dropped connection, a redirect, a slow or over-long body, a server that
//! ignores `Range`, a failure that clears after N requests, a host that
//! accepts and never answers) to exercise gvmr's error handling. The
//! `Range` and `Authorization` headers of each request are recorded, and
//! the server can require HTTP Basic auth ([`TestServer::require_basic_auth`]).
//!
//! ```ignore
//! let server = TestServer::start();
//! server.put("/dl/go1.22.5.linux-amd64.tar.gz", archive_bytes);
//! let url = server.url("/dl/go1.22.5.linux-amd64.tar.gz");
//! // ... run gvmr ...
//! assert_eq!(server.count("/dl/go1.22.5.linux-amd64.tar.gz"), 1);
//! ```

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a connection may wait for the client to send or accept bytes.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// A fault injected for every request of one path, until cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Respond with this status, `Content-Length: 0` and an empty body.
    Status(u16),
    /// Send the headers of the normal response (with the correct
    /// `Content-Length`) but only the first N body bytes, then close.
    Truncate(usize),
    /// Send the headers of the normal response, wait this long, then send
    /// the body. The wait ends early when the server is dropped.
    Stall(Duration),
    /// Read the request, then close the connection without any response.
    Reset,
    /// Answer the first `times` requests with `status` (and a
    /// `Retry-After: <seconds>` header when given), then serve normally.
    FailTimes {
        status: u16,
        times: usize,
        retry_after: Option<u64>,
    },
    /// Like [`Fault::FailTimes`], with `Retry-After` as an HTTP-date this
    /// far in the future (the other form of the header).
    FailTimesUntil {
        status: u16,
        times: usize,
        after: Duration,
    },
    /// Like [`Fault::Reset`] for the first `n` requests; later ones are
    /// served normally.
    ResetTimes(usize),
    /// Serve the whole body with 200 whatever `Range` asks for.
    IgnoreRange,
    /// Answer `302 Found` with `Location:` this target (a path such as
    /// "/other/file", or a full URL). Two paths redirecting to each other
    /// make a loop.
    Redirect(String),
    /// Serve normally, but send the body `bytes_per_write` bytes at a time
    /// with `delay` between writes: slow but steady.
    Trickle {
        bytes_per_write: usize,
        delay: Duration,
    },
    /// Send the normal head (its `Content-Length` is the real size), then
    /// the body followed by this many extra bytes.
    LongerBody(usize),
    /// Like [`Fault::Truncate`] for the first request only; later ones are
    /// served normally (honouring `Range`).
    TruncateOnce(usize),
    /// Read the request, then send nothing at all for this long (a host
    /// that accepts connections but never answers), then close. The wait
    /// ends early when the server is dropped.
    Silence(Duration),
}

impl Fault {
    /// For a fault that fails a number of times: one failure (to answer
    /// this request with), or `None` once they are used up.
    fn fail_once(&mut self) -> Option<Fault> {
        let (Fault::FailTimes { times, .. } | Fault::FailTimesUntil { times, .. }) = self else {
            return Some(self.clone());
        };
        if *times == 0 {
            return None;
        }
        *times -= 1;
        Some(self.clone())
    }
}

/// What the server serves, which faults are active, and what was asked for.
#[derive(Default)]
struct State {
    files: HashMap<String, Arc<Vec<u8>>>,
    faults: HashMap<String, Fault>,
    /// "METHOD target" for every request received, in order.
    log: Vec<String>,
    /// The path and `Range` header (if any) of every request, in order.
    ranges: Vec<(String, Option<String>)>,
    /// The path and `Authorization` header (if any) of every request.
    authorizations: Vec<(String, Option<String>)>,
    /// The `Authorization` value every request must carry, if any.
    required_auth: Option<String>,
}

/// A running test server; it stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    shutdown: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Binds `127.0.0.1:0` (a free port) and starts serving.
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("local address of the test server");
        let state = Arc::new(Mutex::new(State::default()));
        let shutdown = Arc::new(AtomicBool::new(false));

        let accept_thread = {
            let state = Arc::clone(&state);
            let shutdown = Arc::clone(&shutdown);
            thread::Builder::new()
                .name(format!("test-server-{}", addr.port()))
                .spawn(move || accept_loop(listener, state, shutdown))
                .expect("spawn the test server's accept thread")
        };

        TestServer {
            addr,
            state,
            shutdown,
            accept_thread: Some(accept_thread),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The full URL of `path`, which starts with `/`.
    pub fn url(&self, path: &str) -> String {
        assert!(
            path.starts_with('/'),
            "server paths start with '/': {path:?}"
        );
        format!("{}{}", self.base(), path)
    }

    /// Serves `body` at `path` (e.g. "/dl/go1.22.5.linux-amd64.tar.gz"),
    /// replacing what was there.
    pub fn put(&self, path: &str, body: impl Into<Vec<u8>>) {
        assert!(
            path.starts_with('/'),
            "server paths start with '/': {path:?}"
        );
        self.lock()
            .files
            .insert(path.to_string(), Arc::new(body.into()));
    }

    /// Stops serving `path`: it answers 404 from now on.
    pub fn remove(&self, path: &str) {
        self.lock().files.remove(path);
    }

    /// The body currently served at `path`, if any.
    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        self.lock().files.get(path).map(|b| b.as_ref().clone())
    }

    /// Injects `fault` into every request of `path` until [`clear_fault`].
    ///
    /// [`clear_fault`]: TestServer::clear_fault
    pub fn fault(&self, path: &str, fault: Fault) {
        self.lock().faults.insert(path.to_string(), fault);
    }

    /// Serves `path` normally again.
    pub fn clear_fault(&self, path: &str) {
        self.lock().faults.remove(path);
    }

    /// Every request so far, in order, as "GET /path" (the method and the
    /// request target exactly as sent, query string included).
    pub fn requests(&self) -> Vec<String> {
        self.lock().log.clone()
    }

    /// Forgets the requests logged so far.
    pub fn clear_requests(&self) {
        let mut state = self.lock();
        state.log.clear();
        state.ranges.clear();
        state.authorizations.clear();
    }

    /// From now on, answers `401 Unauthorized` (with `WWW-Authenticate:
    /// Basic`) to every request without HTTP Basic auth for `login` and
    /// `password`.
    pub fn require_basic_auth(&self, login: &str, password: &str) {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
        self.lock().required_auth = Some(format!("Basic {token}"));
    }

    /// The `Authorization` header of every request for `path` (ignoring any
    /// query string), in order: `None` for a request without one.
    pub fn authorizations(&self, path: &str) -> Vec<Option<String>> {
        self.lock()
            .authorizations
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, auth)| auth.clone())
            .collect()
    }

    /// The `Range` header of every request for `path` (ignoring any query
    /// string), in order: `None` for a request without one.
    pub fn ranges(&self, path: &str) -> Vec<Option<String>> {
        self.lock()
            .ranges
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, range)| range.clone())
            .collect()
    }

    /// How many GET requests asked for `path` (ignoring any query string).
    pub fn count(&self, path: &str) -> usize {
        self.lock()
            .log
            .iter()
            .filter_map(|line| line.strip_prefix("GET "))
            .filter(|target| strip_query(target) == path)
            .count()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked while holding
        // it; the data is still usable for a test.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.store(true, Ordering::SeqCst);
        // Unblock `accept` by connecting to ourselves; the accept loop sees
        // the flag and exits. Should that connection fail, the thread is left
        // blocked in `accept` rather than hanging the test in `join`.
        let woken = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(handle) = self.accept_thread.take()
            && woken
        {
            let _ = handle.join();
        }
    }
}

fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>, shutdown: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if shutdown.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let state = Arc::clone(&state);
        let shutdown = Arc::clone(&shutdown);
        // A failed spawn just drops this connection.
        let _ = thread::Builder::new()
            .name("test-server-conn".to_string())
            .spawn(move || {
                // Errors (client went away, timeouts) end the connection;
                // nothing here panics on what a client sends.
                let _ = handle_connection(stream, &state, &shutdown);
            });
    }
}

/// A parsed request head.
struct Request {
    method: String,
    target: String,
    range: Option<String>,
    authorization: Option<String>,
}

/// What to answer for a successful body lookup.
struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

fn handle_connection(
    mut stream: TcpStream,
    state: &Mutex<State>,
    shutdown: &AtomicBool,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    if shutdown.load(Ordering::SeqCst) {
        return Ok(());
    }

    let request = match read_request(&mut stream)? {
        Some(Ok(request)) => request,
        // The client connected and closed without a request (e.g. the
        // server's own wake-up connection).
        None => return Ok(()),
        Some(Err(message)) => {
            let response = simple(400, message);
            return write_response(&mut stream, &response, true, None);
        }
    };

    let path = strip_query(&request.target).to_string();
    let (file, fault, denied) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .log
            .push(format!("{} {}", request.method, request.target));
        state.ranges.push((path.clone(), request.range.clone()));
        state
            .authorizations
            .push((path.clone(), request.authorization.clone()));
        let denied = state
            .required_auth
            .as_ref()
            .is_some_and(|required| request.authorization.as_ref() != Some(required));
        let file = state
            .files
            .get(&request.target)
            .or_else(|| state.files.get(&path))
            .cloned();
        let key = if state.faults.contains_key(&request.target) {
            request.target.clone()
        } else {
            path.clone()
        };
        // Faults that count requests change with each one.
        let fault = match state.faults.get_mut(&key) {
            Some(counted @ (Fault::FailTimes { .. } | Fault::FailTimesUntil { .. })) => {
                counted.fail_once()
            }
            Some(Fault::ResetTimes(n)) => {
                if *n == 0 {
                    None
                } else {
                    *n -= 1;
                    Some(Fault::Reset)
                }
            }
            Some(Fault::TruncateOnce(n)) => {
                let n = *n;
                state.faults.remove(&key);
                Some(Fault::Truncate(n))
            }
            other => other.cloned(),
        };
        (file, fault, denied)
    };
    if denied {
        let mut response = simple(401, "401 unauthorized\n");
        response
            .headers
            .push(("WWW-Authenticate", "Basic realm=\"test\"".to_string()));
        return write_response(&mut stream, &response, true, None);
    }

    let is_head = request.method == "HEAD";
    if request.method != "GET" && !is_head {
        let mut response = simple(405, "only GET and HEAD are supported\n");
        response.headers.push(("Allow", "GET, HEAD".to_string()));
        return write_response(&mut stream, &response, true, None);
    }

    let response = match fault {
        Some(Fault::Reset) => {
            let _ = stream.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some(Fault::Silence(wait)) => {
            stall(wait, shutdown);
            let _ = stream.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some(Fault::Status(status)) => Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        },
        Some(Fault::FailTimes {
            status,
            retry_after,
            ..
        }) => Response {
            status,
            headers: retry_after
                .map(|secs| ("Retry-After", secs.to_string()))
                .into_iter()
                .collect(),
            body: Vec::new(),
        },
        Some(Fault::FailTimesUntil { status, after, .. }) => Response {
            status,
            headers: vec![(
                "Retry-After",
                httpdate::fmt_http_date(std::time::SystemTime::now() + after),
            )],
            body: Vec::new(),
        },
        Some(Fault::Redirect(ref location)) => Response {
            status: 302,
            headers: vec![("Location", location.clone())],
            body: Vec::new(),
        },
        _ => match file {
            None => simple(404, format!("404 page not found: {path}\n")),
            Some(body) if fault == Some(Fault::IgnoreRange) => respond_with_body(&body, None),
            Some(body) => respond_with_body(&body, request.range.as_deref()),
        },
    };

    let send_body = !is_head;
    match fault {
        Some(Fault::Truncate(n)) => write_response(&mut stream, &response, send_body, Some(n)),
        Some(Fault::Stall(wait)) => {
            write_head(&mut stream, &response)?;
            stall(wait, shutdown);
            if send_body {
                stream.write_all(&response.body)?;
            }
            stream.flush()?;
            let _ = stream.shutdown(Shutdown::Write);
            Ok(())
        }
        Some(Fault::Trickle {
            bytes_per_write,
            delay,
        }) => {
            write_head(&mut stream, &response)?;
            if send_body {
                for chunk in response.body.chunks(bytes_per_write.max(1)) {
                    if shutdown.load(Ordering::SeqCst) {
                        break;
                    }
                    stream.write_all(chunk)?;
                    stream.flush()?;
                    stall(delay, shutdown);
                }
            }
            let _ = stream.shutdown(Shutdown::Write);
            Ok(())
        }
        Some(Fault::LongerBody(extra)) => {
            write_head(&mut stream, &response)?;
            if send_body {
                stream.write_all(&response.body)?;
                stream.write_all(&vec![b'X'; extra])?;
            }
            stream.flush()?;
            let _ = stream.shutdown(Shutdown::Write);
            Ok(())
        }
        _ => write_response(&mut stream, &response, send_body, None),
    }
}

/// Sleeps for `wait` in short steps, returning early when the server stops.
fn stall(wait: Duration, shutdown: &AtomicBool) {
    let end = Instant::now() + wait;
    while !shutdown.load(Ordering::SeqCst) {
        let now = Instant::now();
        if now >= end {
            break;
        }
        thread::sleep((end - now).min(Duration::from_millis(50)));
    }
}

/// Reads the request head. `None` when the client sent nothing at all;
/// `Some(Err(..))` for a malformed request.
fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Result<Request, String>>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = find(&head, b"\r\n\r\n") {
            head.truncate(end);
            break;
        }
        if head.len() > MAX_HEAD_BYTES {
            return Ok(Some(Err("request head too large\n".to_string())));
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            if head.is_empty() {
                return Ok(None);
            }
            return Ok(Some(Err("incomplete request\n".to_string())));
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(Some(parse_head(&head)))
}

fn parse_head(head: &[u8]) -> Result<Request, String> {
    let text = std::str::from_utf8(head).map_err(|_| "request head is not UTF-8\n".to_string())?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("malformed request line: {request_line:?}\n"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() {
        return Err(format!("unsupported request line: {request_line:?}\n"));
    }
    // An absolute-form target ("http://host:port/path") is reduced to its path.
    let target = match target.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(slash) => &rest[slash..],
            None => "/",
        },
        None => target,
    };
    if !target.starts_with('/') {
        return Err(format!("unsupported request target: {target:?}\n"));
    }
    let mut range = None;
    let mut authorization = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if name.eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            } else if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_string());
            }
        }
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        range,
        authorization,
    })
}

/// A 200 with the whole body, or a 206/416 when a `Range` header applies.
///
/// Supported: a single `bytes=N-`, `bytes=N-M` or `bytes=-SUFFIX` range.
/// Anything else (other units, several ranges, bad syntax) is ignored, as
/// RFC 9110 allows, and the whole body is sent.
fn respond_with_body(body: &[u8], range: Option<&str>) -> Response {
    let len = body.len() as u64;
    let whole = || Response {
        status: 200,
        headers: vec![("Accept-Ranges", "bytes".to_string())],
        body: body.to_vec(),
    };
    let Some(spec) = range.and_then(|r| r.strip_prefix("bytes=")) else {
        return whole();
    };
    let Some((first, last)) = spec.trim().split_once('-') else {
        return whole();
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |s: &str| s.parse::<u64>().ok();
    let (start, end_inclusive) = match (first.is_empty(), last.is_empty()) {
        // bytes=N- and bytes=N-M
        (false, _) => {
            let Some(start) = parse(first) else {
                return whole();
            };
            let end = if last.is_empty() {
                len.saturating_sub(1)
            } else {
                let Some(end) = parse(last) else {
                    return whole();
                };
                if end < start {
                    return whole();
                }
                end.min(len.saturating_sub(1))
            };
            if start >= len {
                return unsatisfiable(len);
            }
            (start, end)
        }
        // bytes=-SUFFIX: the last SUFFIX bytes
        (true, false) => {
            let Some(suffix) = parse(last) else {
                return whole();
            };
            if suffix == 0 || len == 0 {
                return unsatisfiable(len);
            }
            (len.saturating_sub(suffix), len - 1)
        }
        (true, true) => return whole(),
    };
    Response {
        status: 206,
        headers: vec![
            ("Accept-Ranges", "bytes".to_string()),
            (
                "Content-Range",
                format!("bytes {start}-{end_inclusive}/{len}"),
            ),
        ],
        body: body[start as usize..=end_inclusive as usize].to_vec(),
    }
}

fn unsatisfiable(len: u64) -> Response {
    let mut response = simple(416, "range not satisfiable\n");
    response
        .headers
        .push(("Content-Range", format!("bytes */{len}")));
    response
}

fn simple(status: u16, body: impl Into<String>) -> Response {
    Response {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".to_string())],
        body: body.into().into_bytes(),
    }
}

fn write_head(stream: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

/// Writes the head and (unless `send_body` is false) the body, cut to
/// `limit` bytes when given, then closes the connection.
fn write_response(
    stream: &mut TcpStream,
    response: &Response,
    send_body: bool,
    limit: Option<usize>,
) -> std::io::Result<()> {
    write_head(stream, response)?;
    if send_body {
        let n = limit.unwrap_or(usize::MAX).min(response.body.len());
        stream.write_all(&response.body[..n])?;
    }
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Write);
    // Drain what the client may still send so closing does not turn into a
    // TCP reset that destroys the response before the client reads it.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 1024];
    while let Ok(n) = stream.read(&mut sink) {
        if n == 0 {
            break;
        }
    }
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn strip_query(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or(target)
}
