//! Outbound HTTP of plugins. A plugin sends requests through `wasi:http/outgoing-handler`; the
//! host answers them here, behind the gate of [`crate::egress`]:
//!
//! - the destination must pass [`EgressPolicy::check`] (approved host, https or a listed local
//!   peer), at the first request and at every redirect, which the host follows itself;
//! - names are resolved by the host's resolver, which refuses private and special addresses, so
//!   the address that is checked is the address that is connected to; IP literals are checked
//!   directly;
//! - timeouts, request and response sizes and the requests in flight per plugin are capped;
//! - the channel's credentials are added here, as the manifest says, and any echo of them in a
//!   response is blanked before the plugin reads it: the plugin never holds them;
//! - every request is counted, by plugin and outcome.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use tokio::sync::Semaphore;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use crate::egress::{EgressPolicy, Refusal, is_forbidden};
use crate::manifest::Auth;

/// Caps on outbound requests.
#[derive(Debug, Clone)]
pub struct HttpCaps {
    /// Connecting, TLS included.
    pub connect_timeout: Duration,
    /// A whole request, from sending to the last byte of the response.
    pub request_timeout: Duration,
    /// Largest request body a plugin may send (images included).
    pub max_request_bytes: usize,
    /// Largest response body a plugin may receive.
    pub max_response_bytes: usize,
    /// Redirects followed per request.
    pub max_redirects: usize,
    /// Requests in flight at one moment, per plugin.
    pub per_plugin_concurrency: usize,
}

impl Default for HttpCaps {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(8),
            max_request_bytes: 32 * 1024 * 1024,
            max_response_bytes: 4 * 1024 * 1024,
            max_redirects: 5,
            per_plugin_concurrency: 8,
        }
    }
}

/// Where the host puts a channel's credential in a plugin's requests.
#[derive(Clone)]
pub enum Injection {
    /// A header, e.g. `Authorization: Bearer <token>`.
    Header { name: String, value: String },
    /// A query parameter, e.g. `?access_token=<token>`.
    Query { name: String, value: String },
    /// `prefix` and the token before the request's path: `/bot<token>/sendMessage`.
    PathPrefix { prefix: String, value: String },
    /// A signature header, `v1=<hex HMAC-SHA256(key, "<timestamp>.<body>")>`, and the
    /// timestamp (Unix seconds) in its own header.
    Hmac {
        header: String,
        timestamp_header: String,
        key: String,
    },
}

impl Injection {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: &str) -> Self {
        Self::Header {
            name: "authorization".to_owned(),
            value: format!("Bearer {token}"),
        }
    }

    /// The secret part, blanked in responses.
    fn secret(&self) -> &str {
        match self {
            Self::Header { value, .. } => value
                .rsplit_once(' ')
                .map_or(value.as_str(), |(_, token)| token),
            Self::Query { value, .. } | Self::PathPrefix { value, .. } => value,
            Self::Hmac { key, .. } => key,
        }
    }
}

/// The signature of [`Injection::Hmac`]: `v1=` and the lowercase hex HMAC-SHA256 of
/// `<timestamp>.<body>` under `key`.
pub fn hmac_signature(key: &[u8], timestamp: u64, body: &[u8]) -> String {
    use hmac::{Mac, SimpleHmac};
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match SimpleHmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

impl std::fmt::Debug for Injection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Header { name, .. } => write!(f, "Header({name}: …)"),
            Self::Query { name, .. } => write!(f, "Query({name}=…)"),
            Self::PathPrefix { prefix, .. } => write!(f, "PathPrefix({prefix}…)"),
            Self::Hmac { header, .. } => write!(f, "Hmac({header})"),
        }
    }
}

/// What the requests of one call may do.
#[derive(Debug, Clone)]
pub struct CallNet {
    /// The plugin's id, for the concurrency limit and the metrics.
    pub plugin: String,
    pub policy: EgressPolicy,
    pub credentials: Option<Injection>,
    /// The one origin (`https://social.example`) that receives `credentials`: the channel's
    /// own server. A request to any other host, approved or not, goes without them.
    pub credential_origin: Option<String>,
}

/// Outcome labels of the request counter.
pub const OUTCOMES: [&str; 4] = ["sent", "refused", "failed", "too_large"];

/// The host's HTTP client and the counters, shared by every call.
pub struct Outbound {
    client: reqwest::Client,
    caps: HttpCaps,
    permits: Mutex<HashMap<String, Arc<Semaphore>>>,
    counts: Mutex<HashMap<(String, &'static str), u64>>,
}

impl Outbound {
    pub fn new(caps: HttpCaps) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(CheckedResolver))
            .connect_timeout(caps.connect_timeout)
            .user_agent(concat!("Heraut/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            caps,
            permits: Mutex::new(HashMap::new()),
            counts: Mutex::new(HashMap::new()),
        })
    }

    pub fn caps(&self) -> &HttpCaps {
        &self.caps
    }

    /// Requests so far, as (plugin, outcome, count), sorted.
    pub fn counts(&self) -> Vec<(String, &'static str, u64)> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<_> = counts
            .iter()
            .map(|((p, o), n)| (p.clone(), *o, *n))
            .collect();
        out.sort();
        out
    }

    fn count(&self, plugin: &str, outcome: &'static str) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry((plugin.to_owned(), outcome)).or_insert(0) += 1;
    }

    fn permits(&self, plugin: &str) -> Arc<Semaphore> {
        let mut permits = self.permits.lock().unwrap_or_else(|p| p.into_inner());
        permits
            .entry(plugin.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.caps.per_plugin_concurrency)))
            .clone()
    }

    /// Sends one request of a plugin through the gate, following redirects.
    async fn send(
        self: Arc<Self>,
        net: Arc<CallNet>,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        refusals: Arc<Mutex<Vec<String>>>,
    ) -> Result<http::Response<WasiBody>, HttpError> {
        let plugin = net.plugin.clone();
        let outcome = self.send_inner(&net, request, options).await;
        match &outcome {
            Ok(_) => self.count(&plugin, "sent"),
            Err(Failure::Refused(why)) => {
                self.count(&plugin, "refused");
                refusals
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(format!("outbound request refused: {why}"));
            }
            Err(Failure::TooLarge(_)) => self.count(&plugin, "too_large"),
            Err(Failure::Http(_)) => self.count(&plugin, "failed"),
        }
        outcome.map_err(Failure::into_http)
    }

    /// A request the host makes itself for a plugin's channel (OAuth token exchange, opening a
    /// session): the plugin's gate, caps and counters apply, and `net`'s credentials if any.
    /// Gives the status, the headers and the body; an error says what was refused or failed.
    pub async fn host_request(
        &self,
        net: &CallNet,
        request: http::Request<Bytes>,
    ) -> Result<(http::StatusCode, http::HeaderMap, Bytes), String> {
        let request = request.map(|b| Full::new(b).map_err(|never| match never {}).boxed_unsync());
        let outcome = self.send_inner(net, request, None).await;
        let (label, result) = match outcome {
            Ok(response) => {
                let (parts, body) = response.into_parts();
                match body.collect().await {
                    Ok(b) => ("sent", Ok((parts.status, parts.headers, b.to_bytes()))),
                    Err(e) => ("failed", Err(format!("the answer could not be read: {e}"))),
                }
            }
            Err(Failure::Refused(why)) => ("refused", Err(format!("refused: {why}"))),
            Err(Failure::TooLarge(cap)) => (
                "too_large",
                Err(format!("the answer is larger than {cap} bytes")),
            ),
            Err(Failure::Http(e)) => ("failed", Err(format!("the request failed: {e}"))),
        };
        self.count(&net.plugin, label);
        result
    }

    async fn send_inner(
        &self,
        net: &CallNet,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<http::Response<WasiBody>, Failure> {
        let permits = self.permits(&net.plugin);
        let _permit = permits
            .acquire_owned()
            .await
            .map_err(|_| Failure::Http(HttpError::ConnectionLimitReached))?;
        let (parts, body) = request.into_parts();
        let body = read_capped(body, self.caps.max_request_bytes)
            .await
            .map_err(|e| match e {
                Capped::TooLarge => Failure::Http(HttpError::HttpRequestBodySize(Some(
                    self.caps.max_request_bytes as u64,
                ))),
                Capped::Body(e) => Failure::Http(e),
            })?;
        let timeout = options
            .and_then(|o| o.first_byte_timeout)
            .map_or(self.caps.request_timeout, |t| {
                t.min(self.caps.request_timeout)
            });
        let mut method = parts.method;
        let mut url = reqwest::Url::parse(&parts.uri.to_string())
            .map_err(|_| Failure::Http(HttpError::HttpRequestUriInvalid))?;
        let mut headers = parts.headers;
        let mut body = body;
        // Credentials go only to the channel's own origin, and only when the plugin asked for
        // it: not to another host, nor to where a request redirects.
        let asked = url.origin().ascii_serialization();
        let origin = net.credential_origin.as_deref().filter(|o| *o == asked);
        for _ in 0..=self.caps.max_redirects {
            let response = self
                .send_once(
                    net,
                    (&method, &url),
                    &headers,
                    body.clone(),
                    timeout,
                    origin,
                )
                .await?;
            let status = response.status();
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok());
            match location {
                Some(next) if status.is_redirection() => {
                    // 303, and 301/302 after a POST, continue as a GET without a body.
                    if status == http::StatusCode::SEE_OTHER
                        || (method == http::Method::POST && matches!(status.as_u16(), 301 | 302))
                    {
                        method = http::Method::GET;
                        body = Bytes::new();
                        headers.remove(http::header::CONTENT_TYPE);
                        headers.remove(http::header::CONTENT_LENGTH);
                    }
                    url = next;
                }
                _ => return self.answer(net, response).await,
            }
        }
        Err(Failure::Http(HttpError::LoopDetected))
    }

    /// One hop: the gate, the credentials (for `origin` only; none without one), the request.
    async fn send_once(
        &self,
        net: &CallNet,
        (method, url): (&http::Method, &reqwest::Url),
        headers: &http::HeaderMap,
        body: Bytes,
        timeout: Duration,
        origin: Option<&str>,
    ) -> Result<reqwest::Response, Failure> {
        let authority = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err(Failure::Http(HttpError::HttpRequestUriInvalid)),
        };
        let dest = net
            .policy
            .check(url.scheme(), &authority)
            .map_err(Failure::Refused)?;
        let mut target = url.clone();
        let mut headers = headers.clone();
        let literal = dest
            .host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
        if dest.local_peer {
            // A listed local peer: connect to the address resolved here (ranges unchecked).
            let addrs = net.policy.resolve(&dest).await.map_err(Failure::Refused)?;
            let addr: SocketAddr = addrs[0];
            target
                .set_ip_host(addr.ip())
                .map_err(|()| Failure::Http(HttpError::HttpRequestUriInvalid))?;
            if let Ok(host) = http::HeaderValue::from_str(&authority) {
                headers.insert(http::header::HOST, host);
            }
        } else if let Some(ip) = literal
            && is_forbidden(ip)
        {
            return Err(Failure::Refused(Refusal::PrivateAddress {
                host: dest.host.clone(),
                ip,
            }));
        }
        if let Some(creds) = net
            .credentials
            .as_ref()
            .filter(|_| origin == Some(url.origin().ascii_serialization().as_str()))
        {
            match creds {
                Injection::Header { name, value } => {
                    let name = http::HeaderName::from_bytes(name.as_bytes())
                        .map_err(|_| Failure::Http(HttpError::ConfigurationError))?;
                    let value = http::HeaderValue::from_str(value)
                        .map_err(|_| Failure::Http(HttpError::ConfigurationError))?;
                    headers.insert(name, value);
                }
                Injection::Query { name, value } => {
                    target.query_pairs_mut().append_pair(name, value);
                }
                Injection::PathPrefix { prefix, value } => {
                    let path = format!("{prefix}{value}{}", target.path());
                    target.set_path(&path);
                }
                Injection::Hmac {
                    header,
                    timestamp_header,
                    key,
                } => {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs());
                    let signature = hmac_signature(key.as_bytes(), now, &body);
                    for (name, value) in [(header, signature), (timestamp_header, now.to_string())]
                    {
                        let name = http::HeaderName::from_bytes(name.as_bytes())
                            .map_err(|_| Failure::Http(HttpError::ConfigurationError))?;
                        let value = http::HeaderValue::from_str(&value)
                            .map_err(|_| Failure::Http(HttpError::ConfigurationError))?;
                        headers.insert(name, value);
                    }
                }
            }
        }
        self.client
            .request(method.clone(), target)
            .headers(headers)
            .body(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| Failure::from_reqwest(&e.without_url()))
    }

    /// The response as the plugin sees it: body read within the cap, credentials blanked.
    async fn answer(
        &self,
        net: &CallNet,
        response: reqwest::Response,
    ) -> Result<http::Response<WasiBody>, Failure> {
        let cap = self.caps.max_response_bytes;
        if response.content_length().is_some_and(|n| n > cap as u64) {
            return Err(Failure::TooLarge(cap));
        }
        let status = response.status();
        let mut headers = response.headers().clone();
        let mut body = Vec::new();
        let mut response = response;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > cap {
                        return Err(Failure::TooLarge(cap));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(Failure::from_reqwest(&e.without_url())),
            }
        }
        if let Some(creds) = &net.credentials {
            let secret = creds.secret();
            if !secret.is_empty() {
                body = blank(&body, secret.as_bytes());
                for value in headers.values_mut() {
                    let bytes = blank(value.as_bytes(), secret.as_bytes());
                    if let Ok(v) = http::HeaderValue::from_bytes(&bytes) {
                        *value = v;
                    }
                }
            }
        }
        headers.remove(http::header::CONTENT_LENGTH);
        headers.remove(http::header::TRANSFER_ENCODING);
        let mut out = http::Response::new(
            Full::new(Bytes::from(body))
                .map_err(|never| match never {})
                .boxed_unsync(),
        );
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

/// Replaces every occurrence of `secret` in `data`.
fn blank(data: &[u8], secret: &[u8]) -> Vec<u8> {
    const MASK: &[u8] = b"[credential]";
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(secret) {
            out.extend_from_slice(MASK);
            i += secret.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

enum Capped {
    TooLarge,
    Body(HttpError),
}

async fn read_capped(mut body: WasiBody, cap: usize) -> Result<Bytes, Capped> {
    let mut buf = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(Capped::Body)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > cap {
                return Err(Capped::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

/// Why a request did not get a response.
enum Failure {
    Refused(Refusal),
    TooLarge(usize),
    Http(HttpError),
}

impl Failure {
    fn from_reqwest(e: &reqwest::Error) -> Self {
        // Callers pass the error `without_url()`: a URL may carry a credential (`/bot<token>`).
        // The resolver's refusal travels inside the connect error.
        let mut source: Option<&dyn std::error::Error> = Some(e);
        while let Some(s) = source {
            if let Some(r) = s.downcast_ref::<Refusal>() {
                return Self::Refused(r.clone());
            }
            source = s.source();
        }
        if e.is_timeout() {
            Self::Http(HttpError::InternalError(Some(format!(
                "the request timed out: {}",
                chain(e)
            ))))
        } else if e.is_connect() {
            Self::Http(HttpError::InternalError(Some(format!(
                "could not connect: {}",
                chain(e)
            ))))
        } else {
            Self::Http(HttpError::InternalError(Some(chain(e))))
        }
    }

    fn into_http(self) -> HttpError {
        match self {
            Self::Refused(why) => {
                HttpError::InternalError(Some(format!("refused by the host's gate: {why}")))
            }
            Self::TooLarge(cap) => HttpError::HttpResponseBodySize(Some(cap as u64)),
            Self::Http(e) => e,
        }
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Resolves names for the client and refuses private and special addresses.
struct CheckedResolver;

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| {
                    Box::new(Refusal::Unresolvable {
                        host: host.clone(),
                        error: e.to_string(),
                    }) as Box<dyn std::error::Error + Send + Sync>
                })?
                .collect();
            if let Some(a) = addrs.iter().find(|a| is_forbidden(a.ip())) {
                return Err(Box::new(Refusal::PrivateAddress { host, ip: a.ip() })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The wasi:http hooks of one store: every request goes to [`Outbound::send`] with the call's
/// [`CallNet`]; a call without one has no network at all.
pub struct Gate {
    pub(crate) outbound: Arc<Outbound>,
    pub(crate) net: Option<Arc<CallNet>>,
    pub(crate) refusals: Arc<Mutex<Vec<String>>>,
}

impl WasiHttpHooks for Gate {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<WasiBody>,
                        Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                    ),
                    HttpError,
                >,
            > + Send,
    > {
        let outbound = self.outbound.clone();
        let refusals = self.refusals.clone();
        let Some(net) = self.net.clone() else {
            refusals
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push("outbound request refused: this call has no network".to_owned());
            return Box::new(async {
                Err(HttpError::InternalError(Some(
                    "refused by the host's gate: this call has no network".to_owned(),
                )))
            });
        };
        Box::new(async move {
            let response = outbound.send(net, request, options, refusals).await?;
            Ok((
                response,
                Box::new(async { Ok(()) })
                    as Box<dyn Future<Output = Result<(), HttpError>> + Send>,
            ))
        })
    }
}

/// Where the host puts a channel's credential in the plugin's requests: `secret` looks one
/// up by name. `None` when the plugin takes none or the channel has none. A session's
/// token is not here: the host opens the session first (see `heraut-core`).
pub fn injection(auth: &Auth, secret: impl Fn(&str) -> Option<String>) -> Option<Injection> {
    let value = secret(auth.credential_key()?)?;
    match auth {
        Auth::None | Auth::Session { .. } => None,
        Auth::Token {
            header,
            scheme,
            query,
            path_prefix,
            ..
        } => Some(match (path_prefix, query, header) {
            (Some(prefix), _, _) => Injection::PathPrefix {
                prefix: prefix.clone(),
                value,
            },
            (None, Some(q), _) => Injection::Query {
                name: q.clone(),
                value,
            },
            (None, None, h) => Injection::Header {
                name: h.clone().unwrap_or_else(|| "authorization".to_owned()),
                value: match scheme.as_deref() {
                    Some("") => value,
                    Some(s) => format!("{s} {value}"),
                    None if h.is_none() => format!("Bearer {value}"),
                    None => value,
                },
            },
        }),
        Auth::Oauth2 { .. } => Some(Injection::bearer(&value)),
        Auth::Hmac {
            header,
            timestamp_header,
            ..
        } => Some(Injection::Hmac {
            header: header.clone(),
            timestamp_header: timestamp_header.clone(),
            key: value,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_credentials_are_blanked() {
        let out = blank(b"token=s3cret&again=s3cret", b"s3cret");
        assert_eq!(out, b"token=[credential]&again=[credential]");
        let bearer = Injection::Header {
            name: "authorization".to_owned(),
            value: "Bearer abc".to_owned(),
        };
        assert_eq!(bearer.secret(), "abc");
        assert_eq!(format!("{bearer:?}"), "Header(authorization: …)");
    }
}
