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

/// The request's metadata, with the current time read once here (the core never reads the clock).
pub struct Meta(pub RequestMeta);

pub(crate) fn meta_of(req: &HttpRequest) -> RequestMeta {
    RequestMeta {
        now: chrono::Utc::now(),
        // The peer address only: forwarded headers are not trusted, so they cannot dodge throttling.
        ip: req.peer_addr().map(|a| a.ip().to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
    }
}

impl FromRequest for Meta {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Meta(meta_of(req))))
    }
}

/// The signed-in person, from `Authorization: Bearer <access token>`.
pub struct AuthUser(pub Actor);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|t| t.trim().to_owned());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::new(ErrorCode::Internal, "state missing"))?;
            let token = token.ok_or_else(|| {
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
