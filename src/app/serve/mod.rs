//! `deterrence-sim serve`: a local web server and the page of the interactive explorer. The
//! server is `std::net` alone (`http`): a thread per connection, at most [`MAX_CONNECTIONS`] at a
//! time, one request each, read with a timeout and bounded in size; batches run on one shared
//! engine pool, so a slow request never blocks the others. The page (HTML, JavaScript, CSS in
//! `page/`) is embedded in the binary and loads nothing else: it draws its charts as inline SVG.
//! The API (`api`) reuses `run`'s loading, validation, tables and results directory, and
//! `replay`'s trace.

pub mod api;
pub mod http;
pub mod tar;

use crate::app::serve::api::{Api, Refusal};
use crate::app::serve::http::{read_request, write_response, Request, Response, MAX_BODY};
use crate::{Error, Result};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Connections served at the same time; more are answered 503 at once.
pub const MAX_CONNECTIONS: usize = 32;

/// How long a connection may take to send its request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

/// Options of `deterrence-sim serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The config (default as for `run`).
    pub config: Option<PathBuf>,
    /// The address to bind: `127.0.0.1` unless `--host` is given.
    pub host: String,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Engine threads (0 = all cores; results do not depend on it).
    pub threads: usize,
}

/// A bound server, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    state: Arc<State>,
}

struct State {
    api: Api,
    addr: SocketAddr,
    active: AtomicUsize,
}

impl Server {
    /// Check the config (as `run` would: a bad one is refused before anything is served), build
    /// the engine pool and bind the address.
    pub fn bind(o: &ServeOptions) -> Result<Server> {
        let (_, _, model) = crate::app::load::resolve(o.config.as_deref(), &Default::default())?;
        let threads = if o.threads == 0 {
            model.run().threads
        } else {
            o.threads
        };
        let api = Api::new(o.config.clone(), threads)?;
        let host = if o.host == "localhost" {
            "127.0.0.1"
        } else {
            o.host.as_str()
        };
        let ip: IpAddr = host.parse().map_err(|_| Error::Usage {
            option: "--host".into(),
            message: format!(
                "`{}` is not an IP address or `localhost` (use 127.0.0.1, ::1, or 0.0.0.0 to listen on every interface)",
                crate::error::excerpt(&o.host)
            ),
        })?;
        let listener = TcpListener::bind((ip, o.port)).map_err(|e| Error::Usage {
            option: "--port".into(),
            message: format!("cannot listen on {ip} port {}: {e}", o.port),
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("listening socket", e))?;
        Ok(Server {
            listener,
            state: Arc::new(State {
                api,
                addr,
                active: AtomicUsize::new(0),
            }),
        })
    }

    /// The address bound (with the port chosen when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.state.addr
    }

    /// The page's address.
    pub fn url(&self) -> String {
        let a = self.addr();
        let host = if a.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            a.ip().to_string()
        };
        match a.ip() {
            IpAddr::V6(_) if !a.ip().is_unspecified() => format!("http://[{host}]:{}/", a.port()),
            _ => format!("http://{host}:{}/", a.port()),
        }
    }

    /// Serve until the process ends.
    pub fn run(self) -> Result<()> {
        for conn in self.listener.incoming() {
            let Ok(stream) = conn else {
                // Out of descriptors or a connection reset before it was accepted: pause, go on.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            let state = Arc::clone(&self.state);
            if state.active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                state.active.fetch_sub(1, Ordering::SeqCst);
                let mut s = stream;
                let _ = write_response(
                    &mut s,
                    &Response::error(503, "busy: too many connections; try again"),
                );
                continue;
            }
            let spawned = std::thread::Builder::new()
                .name("serve-conn".into())
                .spawn(move || {
                    serve_connection(&state, stream);
                    state.active.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                self.state.active.fetch_sub(1, Ordering::SeqCst);
            }
        }
        Ok(())
    }
}

fn serve_connection(state: &State, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(60)));
    let response = match read_request(&mut stream, MAX_BODY) {
        Ok(req) => {
            // A panic in a handler is a bug; the connection gets a 500 and the server lives on.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(state, &req)))
                .unwrap_or_else(|_| Response::error(500, "internal error (a bug: please report it)"))
        }
        Err(Some(e)) => Response::error(e.status, &e.message),
        Err(None) => return,
    };
    let _ = write_response(&mut stream, &response);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// Whether the request's `Host` names this server (a guard against DNS rebinding: a page of
/// another site resolving its name to 127.0.0.1). Only checked when bound to loopback.
fn host_ok(state: &State, req: &Request) -> bool {
    if !state.addr.ip().is_loopback() {
        return true;
    }
    let port = state.addr.port();
    let Some(h) = req.header("host") else { return false };
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|n| h == *n || h == format!("{n}:{port}"))
}

fn route(state: &State, req: &Request) -> Response {
    if !host_ok(state, req) {
        return Response::error(403, "the Host header does not name this server");
    }
    let get = req.method == "GET";
    let post = req.method == "POST";
    let page = |ct: &'static str, body: &str| Response::new(200, ct, body.as_bytes().to_vec());
    match (req.path.as_str(), get, post) {
        ("/" | "/index.html", true, _) => page("text/html; charset=utf-8", PAGE),
        ("/app.js", true, _) => page("text/javascript; charset=utf-8", SCRIPT),
        ("/app.css", true, _) => page("text/css; charset=utf-8", STYLE),
        ("/api/controls", true, _) => answer(state.api.controls()),
        ("/api/run", _, true) => json_body(req)
            .and_then(|r| state.api.run(&r))
            .map_or_else(refused, ok),
        ("/api/replay", _, true) => json_body(req)
            .and_then(|r| state.api.replay(&r))
            .map_or_else(refused, ok),
        ("/api/download", _, true) => json_body(req)
            .and_then(|r| state.api.download(&r))
            .unwrap_or_else(refused),
        ("/" | "/index.html" | "/app.js" | "/app.css" | "/api/controls", false, _) => {
            Response::error(405, "use GET")
        }
        ("/api/run" | "/api/replay" | "/api/download", _, false) => Response::error(405, "use POST"),
        _ => Response::error(404, "no such page"),
    }
}

fn ok(v: serde_json::Value) -> Response {
    Response::json(200, &v)
}

fn refused(r: Refusal) -> Response {
    Response::error(r.0, &r.1)
}

fn answer(r: std::result::Result<serde_json::Value, Refusal>) -> Response {
    r.map_or_else(refused, ok)
}

/// The body as JSON of type `T`; a POST must say it is JSON (so a page of another site cannot
/// send one without the browser asking this server first, which it never allows).
fn json_body<T: serde::de::DeserializeOwned>(req: &Request) -> std::result::Result<T, Refusal> {
    let ct = req.header("content-type").unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("application/json") {
        return Err(Refusal(
            415,
            "send the request as Content-Type: application/json".into(),
        ));
    }
    serde_json::from_slice(&req.body).map_err(|e| {
        Refusal(
            400,
            format!("request body: {}", crate::error::excerpt(&e.to_string())),
        )
    })
}
