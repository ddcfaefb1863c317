//! Sign-in routes.

use actix_web::{HttpResponse, post, web};
use heraut_proto::Problem;
use heraut_proto::auth::{
    LoginRequest, LoginResponse, LogoutRequest, MfaRequest, RefreshRequest, SetPasswordRequest,
    TokenResponse,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};

/// Sign in with e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "sign-in", request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens, or a request for the second factor", body = LoginResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail address or password", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "Account locked", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Throttled; see Retry-After", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/login")]
pub async fn post_login(
    state: web::Data<AppState>,
    meta: Meta,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let out = state
        .core
        .login(&meta.0, &body.email, &body.password)
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Second factor: a TOTP code or a recovery code.
#[utoipa::path(post, path = "/api/v1/auth/mfa", tag = "sign-in", request_body = MfaRequest,
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong, reused or expired code or token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Throttled", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/mfa")]
pub async fn post_mfa(
    state: web::Data<AppState>,
    meta: Meta,
    body: ApiJson<MfaRequest>,
) -> Result<HttpResponse, ApiError> {
    let out = state
        .core
        .login_mfa(&meta.0, &body.mfa_token, &body.code)
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Exchange a refresh token for new tokens; the old one is spent.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "sign-in", request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired or reused token (reuse ends the session)", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/refresh")]
pub async fn post_refresh(
    state: web::Data<AppState>,
    meta: Meta,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let out = state.core.refresh(&meta.0, &body.refresh_token).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// End the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "sign-in", request_body(content = LogoutRequest, description = "Optional"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Session ended"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/logout")]
pub async fn post_logout(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    body: Option<ApiJson<LogoutRequest>>,
) -> Result<HttpResponse, ApiError> {
    let rt = body.and_then(|b| b.into_inner().refresh_token);
    state.core.logout(&meta.0, &user.0, rt.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set a password with a one-time token (invitation or reset).
#[utoipa::path(post, path = "/api/v1/auth/set-password", tag = "sign-in", request_body = SetPasswordRequest,
    responses(
        (status = 204, description = "Password set; sign in with it"),
        (status = 400, description = "Malformed body, or the password does not meet the policy", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, used or expired token", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/set-password")]
pub async fn post_set_password(
    state: web::Data<AppState>,
    meta: Meta,
    body: ApiJson<SetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .core
        .set_password(&meta.0, &body.token, &body.password)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
