//! Extractors: the signed-in `AuthUser` and the request's `Meta` (time, address, request id).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use heraut_core::{Actor, RequestMeta};
use heraut_proto::ErrorCode;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::RequestId;
use crate::web_session;

/// The request's metadata, with the current time read once here (the core never reads the clock).
pub struct Meta(pub RequestMeta);

pub(crate) fn meta_of(req: &HttpRequest) -> RequestMeta {
    RequestMeta {
        now: chrono::Utc::now(),
        ip: client_ip(req).map(|ip| ip.to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
    }
}

/// The client's address: the TCP peer, or — when the peer is a trusted proxy — the last address
/// in `X-Forwarded-For` that is not itself a trusted proxy. Headers from anyone else are ignored,
/// so a client cannot choose the address its failed sign-ins are counted under.
pub(crate) fn client_ip(req: &HttpRequest) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr()?.ip();
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.trusted_proxies.clone())
        .unwrap_or_default();
    Some(forwarded_client(
        peer,
        &trusted,
        req.headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok()),
    ))
}

fn forwarded_client<'a>(
    peer: std::net::IpAddr,
    trusted: &[ipnet::IpNet],
    forwarded_for: impl Iterator<Item = &'a str>,
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<std::net::IpAddr> = forwarded_for
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

impl FromRequest for Meta {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Meta(meta_of(req))))
    }
}

/// The signed-in person, from `Authorization: Bearer <access token>` (scripts) or the web UI's
/// access cookie; a state-changing request signed in by cookie must come from this site.
pub struct AuthUser(pub Actor);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_owned());
        let token = match bearer {
            Some(t) => Ok(Some(t)),
            None => match web_session::cookie_value(req, web_session::ACCESS_COOKIE) {
                Some(t) => {
                    let public_url = state
                        .as_ref()
                        .and_then(|s| s.core.config().public_url.clone());
                    web_session::require_this_site(req, public_url.as_deref()).map(|()| Some(t))
                }
                None => Ok(None),
            },
        };
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::new(ErrorCode::Internal, "state missing"))?;
            let token = token?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "sign in and send the access token as `Authorization: Bearer <token>`",
                )
            })?;
            let actor = state.core.authenticate(&token, chrono::Utc::now()).await?;
            Ok(AuthUser(actor))
        })
    }
}

/// A JSON body, read up to the configured size; errors name the field that is wrong.
pub struct ApiJson<T>(pub T);

impl<T> std::ops::Deref for ApiJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use futures_util::StreamExt;
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.core.config().max_body_bytes)
            .unwrap_or(256 * 1024);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let is_json = content_type.starts_with("application/json")
            || (content_type.starts_with("application/") && content_type.contains("+json"));
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let too_large = || {
                ApiError::new(
                    ErrorCode::RequestTooLarge,
                    format!("the body is larger than the {limit} bytes accepted"),
                )
            };
            if !is_json {
                return Err(ApiError::new(
                    ErrorCode::RequestInvalid,
                    "send the body as JSON with `Content-Type: application/json`",
                ));
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::new(
                        ErrorCode::RequestInvalid,
                        format!("the body could not be read: {e}"),
                    )
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            // Every body of this API is a JSON object; serde would also fill a struct from an array.
            if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
                return Err(ApiError::new(
                    ErrorCode::RequestInvalid,
                    "the body must be a JSON object (`{...}`)",
                ));
            }
            let de = &mut serde_json::Deserializer::from_slice(&body);
            serde_path_to_error::deserialize(de)
                .map(ApiJson)
                .map_err(|e| {
                    let path = e.path().to_string();
                    let at = if path == "." {
                        String::new()
                    } else {
                        format!(" at `{path}`")
                    };
                    ApiError::new(
                        ErrorCode::RequestInvalid,
                        format!("the JSON body is not valid{at}: {}", e.inner()),
                    )
                })
        })
    }
}

/// One part of a multipart form.
pub struct FormPart {
    pub file_name: Option<String>,
    pub data: Vec<u8>,
}

/// Reads a multipart form whose parts are all named in `allowed` with their size limits; a part
/// of another name is a 400 that lists the expected ones, a part over its limit a 413.
pub async fn read_form(
    mut form: actix_multipart::Multipart,
    allowed: &[(&str, usize)],
) -> Result<std::collections::HashMap<String, FormPart>, ApiError> {
    use futures_util::StreamExt;
    let bad = |m: String| ApiError::new(ErrorCode::RequestInvalid, m);
    let expected = || {
        allowed
            .iter()
            .map(|(n, _)| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let mut parts = std::collections::HashMap::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| bad(format!("the multipart form is not valid: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let Some(&(_, limit)) = allowed.iter().find(|(n, _)| *n == name) else {
            return Err(bad(format!(
                "unknown form field `{name}`; send {}",
                expected()
            )));
        };
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| bad(format!("the upload broke off: {e}")))?;
            if data.len() + chunk.len() > limit {
                return Err(ApiError::new(
                    ErrorCode::RequestTooLarge,
                    format!("`{name}` is larger than {limit} bytes"),
                ));
            }
            data.extend_from_slice(&chunk);
        }
        parts.insert(name, FormPart { file_name, data });
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> =
            vec!["10.0.0.0/8".parse().unwrap_or_else(|_| unreachable!())];
        let ip = |s: &str| s.parse().unwrap_or_else(|_| unreachable!());
        // From a trusted proxy: the rightmost untrusted hop.
        let got = forwarded_client(
            ip("10.1.1.1"),
            &trusted,
            ["203.0.113.9, 198.51.100.7, 10.2.2.2"].into_iter(),
        );
        assert_eq!(got, ip("198.51.100.7"));
        // From anyone else: the header is ignored.
        let got = forwarded_client(ip("198.51.100.50"), &trusted, ["203.0.113.9"].into_iter());
        assert_eq!(got, ip("198.51.100.50"));
        // A trusted proxy without a usable header: the proxy itself.
        let got = forwarded_client(ip("10.1.1.1"), &trusted, ["garbage"].into_iter());
        assert_eq!(got, ip("10.1.1.1"));
    }
}
