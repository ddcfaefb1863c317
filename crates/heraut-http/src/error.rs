//! The one place errors become HTTP answers: `application/problem+json` with a stable code.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use heraut_core::CoreError;
use heraut_proto::{ErrorCode, Problem};

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub CoreError);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        Self(e)
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self(CoreError::new(code, detail))
    }
}

/// A problem response for `code`; also used by handlers of malformed input.
pub fn problem_response(code: ErrorCode, detail: &str, retry_after: Option<u64>) -> HttpResponse {
    problem_with_items(code, detail, retry_after, Vec::new())
}

/// A problem response with per-item details.
pub fn problem_with_items(
    code: ErrorCode,
    detail: &str,
    retry_after: Option<u64>,
    items: Vec<heraut_proto::ProblemItem>,
) -> HttpResponse {
    let mut p = Problem::new(code, detail);
    p.retry_after = retry_after;
    p.errors = items;
    let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = HttpResponse::build(status);
    resp.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    ));
    if let Some(secs) = retry_after {
        resp.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    if status == StatusCode::UNAUTHORIZED {
        resp.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
    }
    resp.json(p)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let e = &self.0;
        match e.code {
            ErrorCode::Internal | ErrorCode::Unavailable => {
                let mut chain = String::new();
                let mut src: Option<&(dyn std::error::Error + 'static)> =
                    std::error::Error::source(e);
                while let Some(s) = src {
                    chain.push_str(": ");
                    chain.push_str(&s.to_string());
                    src = s.source();
                }
                tracing::error!(code = e.code.as_str(), detail = %e.detail, cause = %chain, "request failed");
            }
            _ => tracing::debug!(code = e.code.as_str(), detail = %e.detail, "request refused"),
        }
        let detail = match e.code {
            ErrorCode::Internal => {
                "an unexpected error occurred; the request id identifies it in the server log"
            }
            _ => e.detail.as_str(),
        };
        problem_with_items(e.code, detail, e.retry_after, e.items.clone())
    }
}

pub fn path_error(
    err: actix_web::error::PathError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    let detail = format!("a part of the URL is not valid: {err}");
    actix_web::error::InternalError::from_response(
        err,
        problem_response(ErrorCode::RequestInvalid, &detail, None),
    )
    .into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    let detail = format!("the query string is not valid: {err}");
    actix_web::error::InternalError::from_response(
        err,
        problem_response(ErrorCode::RequestInvalid, &detail, None),
    )
    .into()
}
