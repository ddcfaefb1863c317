//! Sign-in routes.

use actix_web::{HttpRequest, HttpResponse, post, web};
use heraut_proto::auth::{
    LoginRequest, LoginResponse, LogoutRequest, MfaRequest, RefreshRequest, SetPasswordRequest,
    TokenResponse, WebSessionResponse,
};
use heraut_proto::{ErrorCode, Problem};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};
use crate::web_session;

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

/// The web UI signs in here: like `/auth/login`, but the session goes into HttpOnly cookies.
#[utoipa::path(post, path = "/api/v1/auth/web/login", tag = "sign-in", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in (cookies set), or a request for the second factor", body = WebSessionResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail address or password", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not sent from a page of this site", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "Account locked", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Throttled; see Retry-After", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/web/login")]
pub async fn post_web_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    web_session::require_this_site(&req, state.core.config().public_url.as_deref())?;
    let out = state
        .core
        .login(&meta.0, &body.email, &body.password)
        .await?;
    Ok(match out {
        LoginResponse::Tokens(tokens) => {
            web_session::signed_in(tokens, state.core.config().auth.refresh_token_ttl_secs)
        }
        LoginResponse::MfaRequired(m) => HttpResponse::Ok().json(WebSessionResponse {
            mfa_required: true,
            mfa_token: Some(m.mfa_token),
            expires_in: None,
        }),
    })
}

/// The web UI's second factor: a TOTP code or a recovery code; sets the session cookies.
#[utoipa::path(post, path = "/api/v1/auth/web/mfa", tag = "sign-in", request_body = MfaRequest,
    responses(
        (status = 200, description = "Signed in (cookies set)", body = WebSessionResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong, reused or expired code or token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not sent from a page of this site", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Throttled", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/web/mfa")]
pub async fn post_web_mfa(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    body: ApiJson<MfaRequest>,
) -> Result<HttpResponse, ApiError> {
    web_session::require_this_site(&req, state.core.config().public_url.as_deref())?;
    let tokens = state
        .core
        .login_mfa(&meta.0, &body.mfa_token, &body.code)
        .await?;
    Ok(web_session::signed_in(
        tokens,
        state.core.config().auth.refresh_token_ttl_secs,
    ))
}

/// Renews the web UI's session from its refresh cookie (spent and replaced).
#[utoipa::path(post, path = "/api/v1/auth/web/refresh", tag = "sign-in",
    responses(
        (status = 200, description = "New cookies set", body = WebSessionResponse),
        (status = 401, description = "No, an expired or a reused refresh cookie (reuse ends the session)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not sent from a page of this site", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/web/refresh")]
pub async fn post_web_refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
) -> Result<HttpResponse, ApiError> {
    web_session::require_this_site(&req, state.core.config().public_url.as_deref())?;
    let Some(refresh) = web_session::cookie_value(&req, web_session::REFRESH_COOKIE) else {
        return Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "no session cookie; sign in",
        ));
    };
    let tokens = state.core.refresh(&meta.0, &refresh).await?;
    Ok(web_session::signed_in(
        tokens,
        state.core.config().auth.refresh_token_ttl_secs,
    ))
}

/// Ends the web UI's session and removes its cookies.
#[utoipa::path(post, path = "/api/v1/auth/web/logout", tag = "sign-in",
    responses(
        (status = 204, description = "Session ended, cookies removed"),
        (status = 403, description = "Not sent from a page of this site", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/auth/web/logout")]
pub async fn post_web_logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
) -> Result<HttpResponse, ApiError> {
    web_session::require_this_site(&req, state.core.config().public_url.as_deref())?;
    let refresh = web_session::cookie_value(&req, web_session::REFRESH_COOKIE);
    let access = web_session::cookie_value(&req, web_session::ACCESS_COOKIE);
    let actor = match access {
        Some(t) => state.core.authenticate(&t, meta.0.now).await.ok(),
        None => None,
    };
    match (actor, refresh) {
        (Some(actor), refresh) => {
            state
                .core
                .logout(&meta.0, &actor, refresh.as_deref())
                .await?
        }
        (None, Some(refresh)) => state.core.logout_by_refresh(&meta.0, &refresh).await?,
        (None, None) => {}
    }
    Ok(web_session::clear(HttpResponse::NoContent()))
}
