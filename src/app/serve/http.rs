//! The HTTP/1.1 the explorer needs, on `std::net` alone: one request per connection
//! (`Connection: close`), a bounded head and a `Content-Length` body, no chunked encoding, and
//! responses with fixed safety headers. Anything else is answered with a 4xx, never a panic.

use std::io::{Read, Write};

/// Largest request head (request line and headers), bytes.
pub const MAX_HEAD: usize = 16 * 1024;

/// Largest request body, bytes (a request is a few dozen `--set` edits).
pub const MAX_BODY: usize = 64 * 1024;

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The target's path, without the query (`/api/run`).
    pub path: String,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
}

impl Request {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response to write.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
    /// Further headers (`Content-Disposition` for a download).
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// A response with `status`, `content_type` and `body`.
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// A JSON response.
    pub fn json(status: u16, v: &serde_json::Value) -> Response {
        Response::new(status, "application/json", v.to_string())
    }

    /// A JSON error `{"error": message}`.
    pub fn error(status: u16, message: &str) -> Response {
        Response::json(status, &serde_json::json!({ "error": message }))
    }
}

/// Why a request could not be read: the status to answer and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    /// 400, 408, 413, 431 or 501.
    pub status: u16,
    /// What was wrong.
    pub message: String,
}

fn fail(status: u16, message: impl Into<String>) -> HttpError {
    HttpError {
        status,
        message: message.into(),
    }
}

/// Read one request from `s`: the head up to [`MAX_HEAD`] bytes, the body up to `max_body`.
/// `Err(None)` when the peer closed or timed out before sending anything.
pub fn read_request(s: &mut impl Read, max_body: usize) -> Result<Request, Option<HttpError>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(k) = find(&buf, b"\r\n\r\n") {
            break k;
        }
        if buf.len() > MAX_HEAD {
            return Err(Some(fail(431, format!("request head over {MAX_HEAD} bytes"))));
        }
        match s.read(&mut chunk) {
            Ok(0) if buf.is_empty() => return Err(None),
            Ok(0) => return Err(Some(fail(400, "connection closed inside the request head"))),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) if buf.is_empty() => return Err(None),
            Err(_) => return Err(Some(fail(408, "request head not received in time"))),
        }
    };
    if head_end > MAX_HEAD {
        return Err(Some(fail(431, format!("request head over {MAX_HEAD} bytes"))));
    }
    let head =
        std::str::from_utf8(&buf[..head_end]).map_err(|_| Some(fail(400, "request head is not UTF-8")))?;
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or("");
    let mut parts = line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) if !m.is_empty() && t.starts_with('/') => (m, t, v),
        _ => return Err(Some(fail(400, "malformed request line"))),
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Some(fail(400, "only HTTP/1.x is served")));
    }
    let mut headers = Vec::new();
    for l in lines {
        let (k, v) = l
            .split_once(':')
            .ok_or_else(|| Some(fail(400, "malformed header line")))?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let req_header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if req_header("transfer-encoding").is_some() {
        return Err(Some(fail(
            501,
            "chunked request bodies are not supported; send Content-Length",
        )));
    }
    let len = match req_header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| Some(fail(400, "Content-Length is not a number")))?,
    };
    if len > max_body {
        return Err(Some(fail(413, format!("request body over {max_body} bytes"))));
    }
    let mut body = buf[head_end + 4..].to_vec();
    if body.len() > len {
        body.truncate(len);
    }
    while body.len() < len {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(Some(fail(400, "request body shorter than Content-Length"))),
            Ok(n) => body.extend_from_slice(&chunk[..n.min(len - body.len())]),
        }
    }
    let path = target.split(['?', '#']).next().unwrap_or("/").to_string();
    Ok(Request {
        method: method.to_string(),
        path,
        headers,
        body,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Write `r` to `s` and close the exchange (`Connection: close`). The page may only load what
/// this server serves (`Content-Security-Policy`), so nothing is fetched from the network.
pub fn write_response(s: &mut impl Write, r: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n\
         Content-Security-Policy: default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
         script-src 'self'; connect-src 'self'; frame-ancestors 'none'\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len()
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(&r.body)?;
    s.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> Result<Request, Option<HttpError>> {
        read_request(&mut &raw[..], MAX_BODY)
    }

    #[test]
    fn parses_a_post_with_a_body_and_a_query() {
        let r = parse(b"POST /api/run?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n{}ab").unwrap();
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/api/run"));
        assert_eq!(r.body, b"{}ab");
        assert_eq!(r.header("host"), Some("a"));
    }

    #[test]
    fn refuses_bad_heads_and_bodies_with_4xx() {
        let status = |raw: &[u8]| parse(raw).unwrap_err().map(|e| e.status);
        assert_eq!(status(b"GARBAGE\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / SPDY/3\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / HTTP/1.1\r\nnocolon\r\n\r\n"), Some(400));
        assert_eq!(status(b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"), Some(400));
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n"),
            Some(413)
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab"),
            Some(400)
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Some(501)
        );
        let mut big = b"GET / HTTP/1.1\r\n".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_HEAD + 10));
        assert_eq!(status(&big), Some(431));
        assert_eq!(status(b""), None);
    }
}
