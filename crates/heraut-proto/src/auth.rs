//! Sign-in and account bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{TenantId, UserId};
use crate::tenants::Role;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Tokens of a signed-in session.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque, single-use; exchange at `/api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
}

/// Password was right and a second factor is needed.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct MfaRequiredResponse {
    /// Always true.
    pub mfa_required: bool,
    /// Short-lived token to send with the code to `/api/v1/auth/mfa`.
    pub mfa_token: String,
}

/// Answer of `POST /auth/login`: tokens, or a request for the second factor.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginResponse {
    Tokens(TokenResponse),
    MfaRequired(MfaRequiredResponse),
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaRequest {
    pub mfa_token: String,
    /// A 6-digit TOTP code or one of the recovery codes.
    pub code: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// Optional: the refresh token of the session to end; without it, the session of the
    /// access token is ended.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    pub token: String,
    pub password: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct MembershipView {
    /// Tenant slug.
    pub tenant: String,
    pub tenant_id: TenantId,
    pub role: Role,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub instance_admin: bool,
    pub mfa_enabled: bool,
    pub memberships: Vec<MembershipView>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TotpEnrolmentResponse {
    /// Base32 secret, for manual entry.
    pub secret: String,
    /// `otpauth://` URI to show as a QR code.
    pub otpauth_uri: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirmRequest {
    pub code: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RecoveryCodesResponse {
    /// Ten single-use codes; shown once, store them safely.
    pub recovery_codes: Vec<String>,
}

/// Answer of the web UI's sign-in routes (`/api/v1/auth/web/…`). The session itself is in two
/// HttpOnly cookies the browser keeps; no token is in the body except the short-lived
/// `mfa_token` that asks for the second factor.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct WebSessionResponse {
    /// True when the password was right and a second factor is needed next.
    pub mfa_required: bool,
    /// Send it with the code to `/api/v1/auth/web/mfa`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
    /// Seconds until the access cookie runs out (renew at `/api/v1/auth/web/refresh`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}
