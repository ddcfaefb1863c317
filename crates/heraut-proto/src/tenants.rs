//! Tenants, members, roles and the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{ChannelId, PostId, TenantId, UserId};

/// Government level of an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenantLevel {
    Municipal,
    Provincial,
    State,
    Federal,
    Other,
}

impl TenantLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Municipal => "municipal",
            Self::Provincial => "provincial",
            Self::State => "state",
            Self::Federal => "federal",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "municipal" => Self::Municipal,
            "provincial" => Self::Provincial,
            "state" => Self::State,
            "federal" => Self::Federal,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

/// A member's role in one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Approver,
    Editor,
    Analyst,
    RecordsOfficer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Approver,
        Role::Editor,
        Role::Analyst,
        Role::RecordsOfficer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Approver => "approver",
            Self::Editor => "editor",
            Self::Analyst => "analyst",
            Self::RecordsOfficer => "records_officer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// Lowercase letters, digits and hyphens, 2–63 characters; used in URLs. `instance` is reserved.
    #[schema(
        pattern = "^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$",
        min_length = 2,
        max_length = 63
    )]
    pub slug: String,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    pub level: TenantLevel,
    /// Slug of the parent tenant.
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$")]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct TenantSettings {
    /// Every member must use two-factor sign-in.
    pub require_mfa: bool,
    /// IANA time zone, e.g. `Europe/Amsterdam`.
    pub time_zone: String,
    /// Minutes a scheduled post may be late before a person must confirm it.
    pub publish_grace_minutes: u32,
}

/// A change of tenant settings; fields left out stay as they are.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// Every member must use two-factor sign-in.
    #[serde(default)]
    pub require_mfa: Option<bool>,
    /// IANA time zone, e.g. `Europe/Amsterdam`.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Minutes a scheduled post may be late before a person must confirm it (0–1440).
    #[serde(default, deserialize_with = "crate::int::opt_u32")]
    #[schema(maximum = 1440)]
    pub publish_grace_minutes: Option<u32>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TenantView {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub level: TenantLevel,
    /// Slug of the parent tenant.
    pub parent: Option<String>,
    pub settings: TenantSettings,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TenantList {
    pub items: Vec<TenantView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    #[schema(format = Email, max_length = 320)]
    pub email: String,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AddMemberResponse {
    pub user_id: UserId,
    pub email: String,
    pub role: Role,
    /// One-time token for `/api/v1/auth/set-password`; only for a new user.
    pub set_password_token: Option<String>,
}

/// A one-time token for `/api/v1/auth/set-password`, to pass on to the person.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PasswordResetResponse {
    pub set_password_token: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    pub role: Role,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub mfa_enabled: bool,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AuditEventView {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_email: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
    /// Hex SHA-256 of this event chained to the one before.
    pub hash: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEventView>,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AuditVerifyResponse {
    pub valid: bool,
    pub events_checked: u64,
    /// Sequence number of the first event whose hash does not match.
    pub first_broken_event: Option<i64>,
}

/// The roles that may approve posts, and so may be named in an approval step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApproverRole {
    Owner,
    Approver,
}

impl From<ApproverRole> for Role {
    fn from(r: ApproverRole) -> Self {
        match r {
            ApproverRole::Owner => Role::Owner,
            ApproverRole::Approver => Role::Approver,
        }
    }
}

/// One step of an approval policy: `approvals_required` different people with `role` approve.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalStep {
    /// What the step is called, e.g. `Communications lead`.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// The role whose members approve at this step.
    pub role: ApproverRole,
    /// How many different people must approve (1–10).
    #[schema(minimum = 1, maximum = 10)]
    #[serde(deserialize_with = "crate::int::u32")]
    pub approvals_required: u32,
}

/// A tenant's approval policy: ordered steps; with none, roles that may publish publish directly.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicyBody {
    #[schema(max_items = 10)]
    pub steps: Vec<ApprovalStep>,
    /// The short approval of an emergency broadcast (`POST …/emergency`, owners only); the
    /// sending owner never counts. Absent: one other owner approves.
    #[serde(default = "default_emergency_steps")]
    #[schema(max_items = 2)]
    pub emergency_steps: Vec<ApprovalStep>,
}

/// One other owner approves an emergency broadcast.
pub fn default_emergency_steps() -> Vec<ApprovalStep> {
    vec![ApprovalStep {
        name: "Emergency".to_owned(),
        role: ApproverRole::Owner,
        approvals_required: 1,
    }]
}

/// Crisis mode: while active, nothing scheduled goes out and the banner shows the message.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrisisRequest {
    pub active: bool,
    /// The banner text; required when switching on (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct CrisisView {
    pub active: bool,
    pub message: String,
    /// When it was last switched; null if never.
    pub changed_at: Option<DateTime<Utc>>,
    pub changed_by: Option<UserId>,
    /// Targets that became due while crisis mode was on and wait for a person's decision.
    #[serde(default)]
    pub held: Vec<HeldTarget>,
}

/// A target that crisis mode held: it waits for a person to confirm or cancel it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeldTarget {
    pub post_id: PostId,
    pub target_id: String,
    pub channel_id: ChannelId,
    pub due_at: DateTime<Utc>,
}
