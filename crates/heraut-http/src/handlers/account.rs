//! The signed-in person's own account.

use actix_web::{HttpResponse, get, post, put, web};
use heraut_proto::Problem;
use heraut_proto::auth::{
    ChangePasswordRequest, MeResponse, RecoveryCodesResponse, TotpConfirmRequest,
    TotpEnrolmentResponse,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};

/// Who am I: profile, 2FA state and memberships.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, description = "The signed-in person", body = MeResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/me")]
pub async fn get_me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.core.me(&user.0).await?))
}

/// Start TOTP enrolment: a secret and an otpauth URI for a QR code.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp", tag = "account", security(("bearer" = [])),
    responses((status = 200, description = "Secret and otpauth URI", body = TotpEnrolmentResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "2FA already on", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/me/mfa/totp")]
pub async fn post_totp(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.core.start_totp(&user.0).await?))
}

/// Confirm TOTP enrolment with a code; returns ten recovery codes, shown once.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp/confirm", tag = "account", security(("bearer" = [])),
    request_body = TotpConfirmRequest,
    responses((status = 200, description = "2FA is on", body = RecoveryCodesResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in, or wrong code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not started, or already on", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/me/mfa/totp/confirm")]
pub async fn post_totp_confirm(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    body: ApiJson<TotpConfirmRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(
        state
            .core
            .confirm_totp(&meta.0, &user.0, &body.code)
            .await?,
    ))
}

/// Change the password; ends every session.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "account", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed; sign in again"),
        (status = 400, description = "Malformed body or password policy", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in, or wrong current password", body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/me/password")]
pub async fn put_password(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    body: ApiJson<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .core
        .change_password(&meta.0, &user.0, &body.current_password, &body.new_password)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
