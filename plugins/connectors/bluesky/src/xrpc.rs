//! The few XRPC calls of the connector, against the channel's PDS, and what their errors mean
//! for the host.
//!
//! XRPC errors are JSON `{"error": "<Name>", "message": "…"}` with an HTTP status. The host
//! holds the session and adds `Authorization: Bearer <accessJwt>` to every request; the
//! connector never sees it.

use heraut_plugin_sdk::{CallError, http};
use serde::Deserialize;
use serde_json::{Value, json};

/// Seconds to wait after a 429 that says nothing about when to retry.
const DEFAULT_WAIT: u32 = 60;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The PDS answered with an error status: the XRPC error name (empty if the body was not
    /// an XRPC error) and message, and, for a 429, the seconds to wait if it said.
    Xrpc {
        status: u16,
        error: String,
        message: String,
        wait: Option<u32>,
    },
    /// No usable answer: refused by the host's gate, unreachable, timed out, or not the JSON
    /// expected.
    Http(http::Error),
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

impl Error {
    /// The error of a non-2xx response. `ratelimit_reset` is the `ratelimit-reset` header (the
    /// Unix time, in seconds, when the limit resets), `retry_after` the `retry-after` header
    /// (seconds); `now_secs` the current Unix time.
    pub fn from_response(
        status: u16,
        body: &[u8],
        retry_after: Option<&str>,
        ratelimit_reset: Option<&str>,
        now_secs: u64,
    ) -> Self {
        let (error, message) = match serde_json::from_slice::<ErrorBody>(body) {
            Ok(b) => (b.error, b.message),
            Err(_) => (
                String::new(),
                String::from_utf8_lossy(body).chars().take(300).collect(),
            ),
        };
        let wait = (status == 429)
            .then(|| {
                let after = retry_after.and_then(|v| v.trim().parse::<u32>().ok());
                let reset = ratelimit_reset
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|at| u32::try_from(at.saturating_sub(now_secs)).unwrap_or(u32::MAX));
                after.or(reset).map(|s| s.max(1))
            })
            .flatten();
        Self::Xrpc {
            status,
            error,
            message,
            wait,
        }
    }

    /// The record (or repository) asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Xrpc { status: 400 | 404, error, message, .. }
            if error == "RecordNotFound" || message.starts_with("Could not locate record"))
    }

    /// The session is missing, expired or refused.
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Xrpc { status, error, .. }
            if *status == 401
                || matches!(error.as_str(), "ExpiredToken" | "InvalidToken" | "AuthMissing"))
    }

    /// Too many requests.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Self::Xrpc { status: 429, .. })
    }

    /// A 4xx answer other than auth and rate limits: the PDS refused the request itself, so
    /// sending it again as it is cannot succeed.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Xrpc {
                status: 400..=499,
                ..
            }
        ) && !self.is_auth()
            && !self.is_rate_limited()
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Xrpc {
                status,
                error,
                message,
                ..
            } => {
                let message: String = message.chars().take(300).collect();
                match (error.is_empty(), message.is_empty()) {
                    (true, _) => write!(f, "the PDS answered {status}: {message}"),
                    (false, true) => write!(f, "the PDS answered {status} {error}"),
                    (false, false) => write!(f, "the PDS answered {status} {error}: {message}"),
                }
            }
            Self::Http(e) => e.fmt(f),
        }
    }
}

impl From<http::Error> for Error {
    fn from(e: http::Error) -> Self {
        Self::Http(e)
    }
}

/// 401 and refused tokens: reconnect; 429: wait; 5xx: retry; other 4xx: the PDS refused the
/// post, do not retry. Failures without an answer as the SDK maps them.
impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        match &e {
            Error::Http(inner) => CallError::from(inner.clone()),
            _ if e.is_auth() => CallError::AuthExpired(format!(
                "{e}; reconnect the channel with a new app password"
            )),
            Error::Xrpc {
                status: 429, wait, ..
            } => CallError::RateLimited(wait.unwrap_or(DEFAULT_WAIT)),
            Error::Xrpc { status, .. } if *status >= 500 => CallError::Transient(e.to_string()),
            Error::Xrpc { .. } => CallError::Rejected(e.to_string()),
        }
    }
}

/// A record as `getRecord` returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct RecordView {
    pub uri: String,
    #[serde(default)]
    pub cid: Option<String>,
    #[serde(default)]
    pub value: Value,
}

/// What `createRecord` returns.
#[derive(Debug, Clone, Deserialize)]
pub struct Created {
    pub uri: String,
    pub cid: String,
}

#[derive(Deserialize)]
struct Uploaded {
    blob: Value,
}

#[derive(Deserialize)]
struct Resolved {
    did: String,
}

/// The channel's PDS.
pub struct Pds {
    base: String,
}

impl Pds {
    /// The PDS at `url` (`https://bsky.social`).
    pub fn new(url: &str) -> Self {
        Self {
            base: url.trim().trim_end_matches('/').to_owned(),
        }
    }

    fn url(&self, method: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}/xrpc/{method}", self.base);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.push_str(&http::encode(v));
        }
        url
    }

    fn send(request: http::Request) -> Result<http::Response, Error> {
        let response = request.header("accept", "application/json").send()?;
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        let now_secs = heraut_plugin_sdk::host::now_millis() / 1000;
        Err(Error::from_response(
            response.status,
            &response.body,
            response.header("retry-after"),
            response.header("ratelimit-reset"),
            now_secs,
        ))
    }

    /// `com.atproto.repo.getRecord`: the record, or `None` if it does not exist.
    pub fn get_record(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<RecordView>, Error> {
        let url = self.url(
            "com.atproto.repo.getRecord",
            &[("repo", repo), ("collection", collection), ("rkey", rkey)],
        );
        match Self::send(http::get(&url)) {
            Ok(response) => Ok(Some(response.json()?)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `com.atproto.repo.createRecord` with the record key given.
    pub fn create_record(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
        record: &Value,
    ) -> Result<Created, Error> {
        let url = self.url("com.atproto.repo.createRecord", &[]);
        let body =
            json!({ "repo": repo, "collection": collection, "rkey": rkey, "record": record });
        Ok(Self::send(http::post(&url).json(&body)?)?.json()?)
    }

    /// `com.atproto.repo.deleteRecord`. A record that does not exist is no error.
    pub fn delete_record(&self, repo: &str, collection: &str, rkey: &str) -> Result<(), Error> {
        let url = self.url("com.atproto.repo.deleteRecord", &[]);
        let body = json!({ "repo": repo, "collection": collection, "rkey": rkey });
        match Self::send(http::post(&url).json(&body)?) {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `com.atproto.repo.uploadBlob`: the blob to put in a record.
    pub fn upload_blob(&self, mime_type: &str, bytes: Vec<u8>) -> Result<Value, Error> {
        let url = self.url("com.atproto.repo.uploadBlob", &[]);
        let uploaded: Uploaded = Self::send(http::post(&url).body(mime_type, bytes))?.json()?;
        Ok(uploaded.blob)
    }

    /// `com.atproto.identity.resolveHandle`: the handle's DID, or `None` when the PDS cannot
    /// resolve it (a 4xx other than auth and rate limits).
    pub fn resolve_handle(&self, handle: &str) -> Result<Option<String>, Error> {
        let url = self.url("com.atproto.identity.resolveHandle", &[("handle", handle)]);
        match Self::send(http::get(&url)) {
            Ok(response) => Ok(Some(response.json::<Resolved>()?.did)),
            Err(e) if e.is_refusal() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, body: &str) -> Error {
        Error::from_response(status, body.as_bytes(), None, None, 1_000)
    }

    #[test]
    fn not_found() {
        assert!(
            err(
                400,
                r#"{"error":"RecordNotFound","message":"Could not locate record: at://x"}"#
            )
            .is_not_found()
        );
        // Older PDS versions name no error.
        assert!(
            err(
                400,
                r#"{"error":"InvalidRequest","message":"Could not locate record: at://x"}"#
            )
            .is_not_found()
        );
        assert!(
            !err(
                400,
                r#"{"error":"InvalidRequest","message":"Could not find repo: x"}"#
            )
            .is_not_found()
        );
        assert!(!err(500, r#"{"error":"RecordNotFound"}"#).is_not_found());
    }

    #[test]
    fn auth_errors_ask_for_a_reconnect() {
        for e in [
            err(
                401,
                r#"{"error":"AuthMissing","message":"Authentication Required"}"#,
            ),
            err(
                400,
                r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
            ),
            err(
                400,
                r#"{"error":"InvalidToken","message":"Token could not be verified"}"#,
            ),
            err(401, "Unauthorized"),
        ] {
            assert!(e.is_auth(), "{e}");
            assert!(!e.is_refusal());
            assert!(
                matches!(CallError::from(e), CallError::AuthExpired(m) if m.contains("reconnect"))
            );
        }
    }

    #[test]
    fn rate_limits_wait() {
        let e = Error::from_response(
            429,
            br#"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#,
            None,
            Some("1300"),
            1_000,
        );
        assert!(matches!(CallError::from(e), CallError::RateLimited(300)));
        let e = Error::from_response(429, b"", Some("7"), Some("1300"), 1_000);
        assert!(matches!(CallError::from(e), CallError::RateLimited(7)));
        let e = Error::from_response(429, b"", None, Some("900"), 1_000);
        assert!(matches!(CallError::from(e), CallError::RateLimited(1)));
        let e = Error::from_response(429, b"", Some("Wed, 21 Oct 2015 07:28:00 GMT"), None, 0);
        assert!(matches!(CallError::from(e), CallError::RateLimited(60)));
    }

    #[test]
    fn refusals_and_passing_failures() {
        let e = err(
            400,
            r#"{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"}"#,
        );
        assert!(e.is_refusal());
        let CallError::Rejected(m) = CallError::from(e) else {
            panic!("not rejected")
        };
        assert!(
            m.contains("InvalidRequest: Invalid app.bsky.feed.post record"),
            "{m}"
        );
        assert!(matches!(
            CallError::from(err(413, r#"{"error":"PayloadTooLarge"}"#)),
            CallError::Rejected(_)
        ));
        assert!(matches!(
            CallError::from(err(
                500,
                r#"{"error":"InternalServerError","message":"Internal Server Error"}"#
            )),
            CallError::Transient(_)
        ));
        let e = err(502, "<html>Bad Gateway</html>");
        assert_eq!(
            e.to_string(),
            "the PDS answered 502: <html>Bad Gateway</html>"
        );
        assert!(matches!(CallError::from(e), CallError::Transient(_)));
        assert!(matches!(
            CallError::from(Error::Http(http::Error::Failed("timed out".into()))),
            CallError::Transient(_)
        ));
    }

    #[test]
    fn urls() {
        let pds = Pds::new(" https://pds.example/ ");
        assert_eq!(
            pds.url(
                "com.atproto.repo.getRecord",
                &[
                    ("repo", "alice.test"),
                    ("collection", "app.bsky.feed.post"),
                    ("rkey", "3k")
                ]
            ),
            "https://pds.example/xrpc/com.atproto.repo.getRecord?repo=alice.test&collection=app.bsky.feed.post&rkey=3k"
        );
        assert_eq!(
            pds.url("com.atproto.identity.resolveHandle", &[("handle", "a b&c")]),
            "https://pds.example/xrpc/com.atproto.identity.resolveHandle?handle=a%20b%26c"
        );
    }
}
