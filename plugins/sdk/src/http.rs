//! An HTTP client over `wasi:http`, for a connector to reach its network.
//!
//! ```ignore
//! let status: Status = http::post(&format!("{base}/api/v1/statuses"))
//!     .header("Idempotency-Key", &post.idempotency_key)
//!     .json(&serde_json::json!({ "status": post.body }))?
//!     .send()?
//!     .error_for_status()?
//!     .json()?;
//! ```
//!
//! Every request passes the host's gate: the host must have approved the destination, and it
//! adds the channel's credentials itself. A request the gate refuses fails with an error that
//! says why.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::StreamError;

use crate::CallError;

/// Why a request got no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The URL cannot be sent (no scheme or host).
    BadUrl(String),
    /// The request did not complete: refused by the host, unreachable, timed out, too large.
    Failed(String),
    /// The network answered with an error status (and, with a 429 or 503, perhaps the
    /// seconds to wait).
    Status {
        status: u16,
        body: String,
        retry_after: Option<u32>,
    },
    /// The body is not the JSON expected.
    Json(String),
    /// The network answered with success (2xx) but its body cannot be read: it may well have
    /// done what was asked, so the outcome is unknown.
    Unreadable { status: u16, why: String },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadUrl(u) => write!(f, "`{u}` is not an http(s) URL"),
            Self::Failed(why) => write!(f, "the request failed: {why}"),
            Self::Status { status, body, .. } => {
                let body: String = body.chars().take(300).collect();
                write!(f, "the network answered {status}: {body}")
            }
            Self::Json(why) => write!(f, "the network's answer is not the JSON expected: {why}"),
            Self::Unreadable { status, why } => write!(
                f,
                "the network answered {status} but its answer cannot be read ({why}); whether it \
                 acted is unknown, so Heraut reads back before trying again"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// The usual mapping of a failed request onto what the host should do next: a refused request
/// or an unexpected error body is not retried, a 401 asks for a reconnect, a 429 waits, the rest
/// is retried with backoff. A success whose body cannot be read is retried too: the host reads
/// back (`find-published`) before every retry, so a post the network did create is found, not
/// sent twice nor marked failed.
impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        match &e {
            Error::Status { status: 401, .. } => CallError::AuthExpired(e.to_string()),
            Error::Status {
                status: 429,
                retry_after,
                ..
            } => CallError::RateLimited(retry_after.unwrap_or(60)),
            Error::Status { status, .. } if *status >= 500 => CallError::Transient(e.to_string()),
            Error::Status { .. } | Error::BadUrl(_) | Error::Json(_) => {
                CallError::Rejected(e.to_string())
            }
            Error::Failed(why) if why.contains("refused by the host") => {
                CallError::Rejected(e.to_string())
            }
            Error::Failed(_) | Error::Unreadable { .. } => CallError::Transient(e.to_string()),
        }
    }
}

/// A request being built.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    timeout_ms: Option<u64>,
}

pub fn get(url: &str) -> Request {
    Request::new(Method::Get, url)
}

pub fn post(url: &str) -> Request {
    Request::new(Method::Post, url)
}

pub fn put(url: &str) -> Request {
    Request::new(Method::Put, url)
}

pub fn delete(url: &str) -> Request {
    Request::new(Method::Delete, url)
}

impl Request {
    pub fn new(method: Method, url: &str) -> Self {
        Self {
            method,
            url: url.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout_ms: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.as_bytes().to_vec()));
        self
    }

    /// A JSON body, with its content type.
    pub fn json<T: Serialize>(self, value: &T) -> Result<Self, Error> {
        let body = serde_json::to_vec(value).map_err(|e| Error::Json(e.to_string()))?;
        Ok(self.body("application/json", body))
    }

    /// A form body (`application/x-www-form-urlencoded`).
    pub fn form(self, fields: &[(&str, &str)]) -> Self {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.body("application/x-www-form-urlencoded", body.into_bytes())
    }

    /// A body of any type, e.g. an image.
    pub fn body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers.retain(|(n, _)| n != "content-type");
        self.headers
            .push(("content-type".to_owned(), content_type.as_bytes().to_vec()));
        self.body = body;
        self
    }

    /// Time to wait for the answer; the host caps it.
    pub fn timeout_ms(mut self, ms: u64) -> Self {
        self.timeout_ms = Some(ms);
        self
    }

    /// Sends the request and reads the whole response.
    pub fn send(self) -> Result<Response, Error> {
        let bad = || Error::BadUrl(self.url.clone());
        let (scheme, rest) = self.url.split_once("://").ok_or_else(bad)?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            _ => return Err(bad()),
        };
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        if authority.is_empty() {
            return Err(bad());
        }
        let path = if path.is_empty() { "/" } else { path };
        let mut headers = self.headers.clone();
        if !self.body.is_empty() || matches!(self.method, Method::Post | Method::Put) {
            headers.push((
                "content-length".to_owned(),
                self.body.len().to_string().into_bytes(),
            ));
        }
        let fields = Fields::from_list(&headers).map_err(|e| Error::Failed(format!("{e:?}")))?;
        let request = OutgoingRequest::new(fields);
        let failed = |what: &str| Error::Failed(what.to_owned());
        request
            .set_method(&self.method)
            .map_err(|()| failed("bad method"))?;
        request
            .set_scheme(Some(&scheme))
            .map_err(|()| failed("bad scheme"))?;
        request.set_authority(Some(authority)).map_err(|()| bad())?;
        request
            .set_path_with_query(Some(path))
            .map_err(|()| bad())?;
        let options = RequestOptions::new();
        if let Some(ms) = self.timeout_ms {
            let _ = options.set_first_byte_timeout(Some(ms * 1_000_000));
        }
        let body = request.body().map_err(|()| failed("no request body"))?;
        let pending =
            outgoing_handler::handle(request, Some(options)).map_err(|e| code_error(&e))?;
        {
            let stream = body.write().map_err(|()| failed("no body stream"))?;
            for chunk in self.body.chunks(4096) {
                stream
                    .blocking_write_and_flush(chunk)
                    .map_err(stream_error)?;
            }
        }
        OutgoingBody::finish(body, None).map_err(|e| code_error(&e))?;
        pending.subscribe().block();
        let response = match pending.get() {
            Some(Ok(Ok(r))) => r,
            Some(Ok(Err(e))) => return Err(code_error(&e)),
            Some(Err(())) | None => return Err(failed("the response was lost")),
        };
        let status = response.status();
        let headers = response
            .headers()
            .entries()
            .into_iter()
            .map(|(n, v)| (n, String::from_utf8_lossy(&v).into_owned()))
            .collect();
        let incoming = response
            .consume()
            .map_err(|()| failed("no response body"))?;
        let body = read_all(&incoming)?;
        IncomingBody::finish(incoming);
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn read_all(incoming: &IncomingBody) -> Result<Vec<u8>, Error> {
    let stream = incoming
        .stream()
        .map_err(|()| Error::Failed("no response stream".to_owned()))?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return Ok(body),
            Err(e) => return Err(stream_error(e)),
        }
    }
}

fn code_error(e: &ErrorCode) -> Error {
    Error::Failed(match e {
        ErrorCode::InternalError(Some(why)) => why.clone(),
        ErrorCode::HttpResponseBodySize(Some(n)) => {
            format!("the response is larger than the {n} bytes the host allows")
        }
        ErrorCode::HttpRequestBodySize(Some(n)) => {
            format!("the request is larger than the {n} bytes the host allows")
        }
        other => format!("{other:?}"),
    })
}

fn stream_error(e: StreamError) -> Error {
    match e {
        StreamError::Closed => Error::Failed("the connection closed".to_owned()),
        StreamError::LastOperationFailed(io) => match wasip2::http::types::http_error_code(&io) {
            Some(code) => code_error(&code),
            None => Error::Failed(io.to_debug_string()),
        },
    }
}

/// Percent-encoding for form fields and query values.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A whole response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; a 2xx body that is not the JSON expected is [`Error::Unreadable`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| {
            if (200..300).contains(&self.status) {
                Error::Unreadable {
                    status: self.status,
                    why: e.to_string(),
                }
            } else {
                Error::Json(e.to_string())
            }
        })
    }

    /// The response if its status is 2xx, or [`Error::Status`].
    pub fn error_for_status(self) -> Result<Self, Error> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(Error::Status {
                status: self.status,
                body: self.text(),
                retry_after: self.retry_after(),
            })
        }
    }

    /// Seconds from a `Retry-After` header given in seconds.
    pub fn retry_after(&self) -> Option<u32> {
        self.header("retry-after")?.trim().parse().ok()
    }
}
