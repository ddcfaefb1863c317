//! The web UI's session: the access and refresh tokens in two `__Host-` cookies (HttpOnly,
//! Secure, SameSite=Strict) instead of in the page's script, and the check that a state-changing
//! request signed in by cookie comes from this site (Fetch Metadata, else `Origin`).

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use heraut_proto::ErrorCode;
use heraut_proto::auth::{TokenResponse, WebSessionResponse};

use crate::error::ApiError;

/// The short-lived access token (the JWT), sent with every request.
pub const ACCESS_COOKIE: &str = "__Host-heraut-access";
/// The rotating refresh token, spent at `/api/v1/auth/web/refresh`.
pub const REFRESH_COOKIE: &str = "__Host-heraut-refresh";

fn cookie(name: &'static str, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(Duration::seconds(max_age_secs))
        .finish()
}

/// 200 with both cookies set from new tokens; the body says how long the access cookie lasts.
pub fn signed_in(tokens: TokenResponse, refresh_ttl_secs: u64) -> HttpResponse {
    let secs = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    HttpResponse::Ok()
        .cookie(cookie(
            ACCESS_COOKIE,
            tokens.access_token,
            secs(tokens.expires_in),
        ))
        .cookie(cookie(
            REFRESH_COOKIE,
            tokens.refresh_token,
            secs(refresh_ttl_secs),
        ))
        .json(WebSessionResponse {
            mfa_required: false,
            mfa_token: None,
            expires_in: Some(tokens.expires_in),
        })
}

/// Removes both cookies from the browser.
pub fn clear(mut builder: HttpResponseBuilder) -> HttpResponse {
    builder
        .cookie(cookie(ACCESS_COOKIE, String::new(), 0))
        .cookie(cookie(REFRESH_COOKIE, String::new(), 0))
        .finish()
}

pub fn cookie_value(req: &HttpRequest, name: &str) -> Option<String> {
    req.cookie(name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// `scheme://host[:port]` of an absolute URL, lower-cased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{}://{}", scheme, authority).to_ascii_lowercase())
}

/// True when a browser says the request comes from a page of this site: `Sec-Fetch-Site:
/// same-origin`, or — from browsers without Fetch Metadata — an `Origin` whose host is the one
/// the request was sent to (or the configured public address).
pub fn from_this_site(req: &HttpRequest, public_url: Option<&str>) -> bool {
    let text = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin";
    }
    let Some(origin) = text(header::ORIGIN.as_str()).and_then(|o| origin_of(&o)) else {
        return false;
    };
    if public_url.and_then(origin_of).is_some_and(|p| p == origin) {
        return true;
    }
    let host = text(header::HOST.as_str()).map(|h| h.to_ascii_lowercase());
    host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, a)| a == h))
}

/// The CSRF defence for cookie sessions: a state-changing request must come from this site.
pub fn require_this_site(req: &HttpRequest, public_url: Option<&str>) -> Result<(), ApiError> {
    if is_safe(req.method()) || from_this_site(req, public_url) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::CsrfRejected,
        "a request signed in by cookie must come from a page of this site; scripts send `Authorization: Bearer` instead",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn post(headers: &[(&str, &str)]) -> HttpRequest {
        let mut r = TestRequest::post().uri("/api/v1/tenants/a/posts");
        for (k, v) in headers {
            r = r.insert_header((*k, *v));
        }
        r.to_http_request()
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(from_this_site(
            &post(&[("sec-fetch-site", "same-origin")]),
            None
        ));
        for other in ["same-site", "cross-site", "none"] {
            let r = post(&[
                ("sec-fetch-site", other),
                ("origin", "http://heraut.test"),
                ("host", "heraut.test"),
            ]);
            assert!(!from_this_site(&r, None), "{other}");
        }
    }

    #[test]
    fn origin_must_name_the_host_or_the_public_address() {
        let same = post(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(from_this_site(&same, None));
        let other = post(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(!from_this_site(&other, None));
        let port = post(&[
            ("origin", "http://127.0.0.1:9999"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(!from_this_site(&port, None));
        let proxied = post(&[
            ("origin", "https://social.gov.example"),
            ("host", "10.0.0.5:8080"),
        ]);
        assert!(from_this_site(
            &proxied,
            Some("https://social.gov.example/")
        ));
        assert!(!from_this_site(&post(&[("origin", "null")]), None));
        assert!(!from_this_site(&post(&[]), None));
    }

    #[test]
    fn safe_methods_pass_without_headers() {
        let get = TestRequest::get().uri("/api/v1/me").to_http_request();
        assert!(require_this_site(&get, None).is_ok());
        assert!(require_this_site(&post(&[]), None).is_err());
    }
}
