//! Stable error codes and the problem+json body (RFC 9457) every error is sent as.

use serde::{Deserialize, Serialize};

/// A machine-readable error code. The string form (`auth.invalid_credentials`) is stable: the
/// web UI and scripts match on it, so a code is never renamed once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ErrorCode {
    #[serde(rename = "request.invalid")]
    RequestInvalid,
    #[serde(rename = "request.too_large")]
    RequestTooLarge,
    #[serde(rename = "request.not_found")]
    RouteNotFound,
    #[serde(rename = "request.method_not_allowed")]
    MethodNotAllowed,
    #[serde(rename = "auth.invalid_credentials")]
    InvalidCredentials,
    #[serde(rename = "auth.unauthenticated")]
    Unauthenticated,
    #[serde(rename = "auth.token_invalid")]
    TokenInvalid,
    #[serde(rename = "auth.mfa_invalid")]
    MfaInvalid,
    #[serde(rename = "auth.mfa_enrolment_required")]
    MfaEnrolmentRequired,
    #[serde(rename = "auth.mfa_already_enabled")]
    MfaAlreadyEnabled,
    #[serde(rename = "auth.mfa_not_started")]
    MfaNotStarted,
    #[serde(rename = "auth.throttled")]
    Throttled,
    #[serde(rename = "auth.account_locked")]
    AccountLocked,
    #[serde(rename = "auth.refresh_reused")]
    RefreshReused,
    #[serde(rename = "auth.password_policy")]
    PasswordPolicy,
    #[serde(rename = "auth.password_token_invalid")]
    PasswordTokenInvalid,
    #[serde(rename = "auth.forbidden")]
    Forbidden,
    /// A state-changing request signed in by cookie that did not come from this site.
    #[serde(rename = "auth.csrf_rejected")]
    CsrfRejected,
    #[serde(rename = "tenant.not_found")]
    TenantNotFound,
    #[serde(rename = "tenant.slug_taken")]
    TenantSlugTaken,
    #[serde(rename = "tenant.parent_not_found")]
    TenantParentNotFound,
    #[serde(rename = "member.not_found")]
    MemberNotFound,
    #[serde(rename = "member.already_member")]
    AlreadyMember,
    #[serde(rename = "member.last_owner")]
    LastOwner,
    #[serde(rename = "validation.failed")]
    ValidationFailed,
    #[serde(rename = "plugin.not_found")]
    PluginNotFound,
    #[serde(rename = "plugin.invalid")]
    PluginInvalid,
    #[serde(rename = "post.not_found")]
    PostNotFound,
    #[serde(rename = "post.wrong_state")]
    PostWrongState,
    #[serde(rename = "post.invalid")]
    PostInvalid,
    /// The post reached review or a network: it is a public record and cannot be deleted
    /// (a published one is retracted instead).
    #[serde(rename = "post.is_record")]
    PostIsRecord,
    #[serde(rename = "approval.self_approval_forbidden")]
    SelfApprovalForbidden,
    #[serde(rename = "approval.already_approved")]
    AlreadyApproved,
    #[serde(rename = "channel.not_found")]
    ChannelNotFound,
    #[serde(rename = "channel.invalid")]
    ChannelInvalid,
    /// Connecting a channel through OAuth failed: an unknown, used or expired `state`, a
    /// refusal by the person or the network.
    #[serde(rename = "channel.oauth_failed")]
    OauthFailed,
    /// The `state` of an OAuth callback is unknown, already used or expired.
    #[serde(rename = "channel.oauth_state_unknown")]
    OauthStateUnknown,
    #[serde(rename = "notification.not_found")]
    NotificationNotFound,
    #[serde(rename = "media.not_found")]
    MediaNotFound,
    #[serde(rename = "media.invalid")]
    MediaInvalid,
    #[serde(rename = "job.not_found")]
    JobNotFound,
    /// Only a dead job can be retried.
    #[serde(rename = "job.not_dead")]
    JobNotDead,
    #[serde(rename = "internal")]
    Internal,
    #[serde(rename = "unavailable")]
    Unavailable,
}

impl ErrorCode {
    /// The stable string form, as sent in `code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequestInvalid => "request.invalid",
            Self::RequestTooLarge => "request.too_large",
            Self::RouteNotFound => "request.not_found",
            Self::MethodNotAllowed => "request.method_not_allowed",
            Self::InvalidCredentials => "auth.invalid_credentials",
            Self::Unauthenticated => "auth.unauthenticated",
            Self::TokenInvalid => "auth.token_invalid",
            Self::MfaInvalid => "auth.mfa_invalid",
            Self::MfaEnrolmentRequired => "auth.mfa_enrolment_required",
            Self::MfaAlreadyEnabled => "auth.mfa_already_enabled",
            Self::MfaNotStarted => "auth.mfa_not_started",
            Self::Throttled => "auth.throttled",
            Self::AccountLocked => "auth.account_locked",
            Self::RefreshReused => "auth.refresh_reused",
            Self::PasswordPolicy => "auth.password_policy",
            Self::PasswordTokenInvalid => "auth.password_token_invalid",
            Self::Forbidden => "auth.forbidden",
            Self::CsrfRejected => "auth.csrf_rejected",
            Self::TenantNotFound => "tenant.not_found",
            Self::TenantSlugTaken => "tenant.slug_taken",
            Self::TenantParentNotFound => "tenant.parent_not_found",
            Self::MemberNotFound => "member.not_found",
            Self::AlreadyMember => "member.already_member",
            Self::LastOwner => "member.last_owner",
            Self::ValidationFailed => "validation.failed",
            Self::PluginNotFound => "plugin.not_found",
            Self::PluginInvalid => "plugin.invalid",
            Self::PostNotFound => "post.not_found",
            Self::PostWrongState => "post.wrong_state",
            Self::PostIsRecord => "post.is_record",
            Self::PostInvalid => "post.invalid",
            Self::SelfApprovalForbidden => "approval.self_approval_forbidden",
            Self::AlreadyApproved => "approval.already_approved",
            Self::ChannelNotFound => "channel.not_found",
            Self::ChannelInvalid => "channel.invalid",
            Self::OauthFailed => "channel.oauth_failed",
            Self::OauthStateUnknown => "channel.oauth_state_unknown",
            Self::NotificationNotFound => "notification.not_found",
            Self::MediaNotFound => "media.not_found",
            Self::MediaInvalid => "media.invalid",
            Self::JobNotFound => "job.not_found",
            Self::JobNotDead => "job.not_dead",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    /// The HTTP status this code is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::RequestInvalid | Self::PasswordPolicy | Self::OauthFailed => 400,
            Self::InvalidCredentials
            | Self::Unauthenticated
            | Self::TokenInvalid
            | Self::MfaInvalid
            | Self::RefreshReused
            | Self::PasswordTokenInvalid => 401,
            Self::Forbidden
            | Self::CsrfRejected
            | Self::MfaEnrolmentRequired
            | Self::SelfApprovalForbidden => 403,
            Self::RouteNotFound
            | Self::TenantNotFound
            | Self::MemberNotFound
            | Self::TenantParentNotFound
            | Self::PluginNotFound
            | Self::PostNotFound
            | Self::ChannelNotFound
            | Self::OauthStateUnknown
            | Self::NotificationNotFound
            | Self::MediaNotFound
            | Self::JobNotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::TenantSlugTaken
            | Self::AlreadyMember
            | Self::LastOwner
            | Self::MfaAlreadyEnabled
            | Self::MfaNotStarted
            | Self::PostWrongState
            | Self::PostIsRecord
            | Self::JobNotDead
            | Self::AlreadyApproved => 409,
            Self::RequestTooLarge => 413,
            Self::ValidationFailed
            | Self::PluginInvalid
            | Self::PostInvalid
            | Self::ChannelInvalid
            | Self::MediaInvalid => 422,
            Self::AccountLocked => 423,
            Self::Throttled => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }

    /// A short human title for the problem.
    pub fn title(self) -> &'static str {
        match self {
            Self::RequestInvalid => "The request is not valid",
            Self::RequestTooLarge => "The request body is too large",
            Self::RouteNotFound => "No such route",
            Self::MethodNotAllowed => "Method not allowed on this route",
            Self::InvalidCredentials => "E-mail address or password is wrong",
            Self::Unauthenticated => "Sign-in required",
            Self::TokenInvalid => "The token is not valid",
            Self::MfaInvalid => "The two-factor code is not valid",
            Self::MfaEnrolmentRequired => "Two-factor sign-in must be set up first",
            Self::MfaAlreadyEnabled => "Two-factor sign-in is already on",
            Self::MfaNotStarted => "Two-factor enrolment has not been started",
            Self::Throttled => "Too many attempts",
            Self::AccountLocked => "The account is locked",
            Self::RefreshReused => "The session was ended because a refresh token was reused",
            Self::PasswordPolicy => "The password does not meet the policy",
            Self::PasswordTokenInvalid => "The set-password link is not valid",
            Self::Forbidden => "Not allowed",
            Self::CsrfRejected => "The request did not come from this site",
            Self::TenantNotFound => "Tenant not found",
            Self::TenantSlugTaken => "A tenant with this slug exists",
            Self::TenantParentNotFound => "Parent tenant not found",
            Self::MemberNotFound => "Member not found",
            Self::AlreadyMember => "Already a member",
            Self::LastOwner => "A tenant needs at least one owner",
            Self::ValidationFailed => "Validation failed",
            Self::PluginNotFound => "Plugin not found",
            Self::PluginInvalid => "The plugin cannot be installed",
            Self::PostNotFound => "Post not found",
            Self::PostWrongState => "The post is not in a state that allows this",
            Self::PostIsRecord => "The post is a public record and cannot be deleted",
            Self::PostInvalid => "The post cannot be accepted as it is",
            Self::SelfApprovalForbidden => "You cannot approve your own post",
            Self::AlreadyApproved => "You already approved this version",
            Self::ChannelNotFound => "Channel not found",
            Self::ChannelInvalid => "The channel settings are not valid",
            Self::OauthFailed => "The channel could not be connected",
            Self::OauthStateUnknown => "Unknown, used or expired authorisation",
            Self::NotificationNotFound => "Notification not found",
            Self::MediaNotFound => "Media not found",
            Self::MediaInvalid => "The file cannot be accepted",
            Self::JobNotFound => "Job not found",
            Self::JobNotDead => "Only a dead job can be tried again",
            Self::Internal => "Internal error",
            Self::Unavailable => "Service unavailable",
        }
    }
}

/// `application/problem+json` body (RFC 9457) with Heraut's stable `code`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`urn:heraut:problem:<code>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong and what to do about it, for a person.
    pub detail: String,
    /// Stable machine-readable code, e.g. `auth.invalid_credentials`.
    pub code: String,
    /// The request id, also in the `x-request-id` header, for support and the audit log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Seconds to wait before trying again (429 answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Per-item details of a validation problem, e.g. one per channel a post does not fit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
}

/// One thing wrong with a request, e.g. a post variant too long for its channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProblemItem {
    /// The channel the problem is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// The field of the request, e.g. `variants`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:heraut:problem:{}", code.as_str()),
            title: code.title().to_owned(),
            status: code.status(),
            detail: detail.into(),
            code: code.as_str().to_owned(),
            request_id: None,
            retry_after: None,
            errors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_name_matches_as_str() {
        for code in [
            ErrorCode::RequestInvalid,
            ErrorCode::InvalidCredentials,
            ErrorCode::TenantNotFound,
            ErrorCode::AccountLocked,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(json.as_str(), Some(code.as_str()));
        }
    }
}
