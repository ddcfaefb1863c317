//! Posts, their approval, their targets on each channel, channels and notifications.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::tenants::ApprovalStep;
use crate::{ChannelId, MediaId, PostId, UserId};

/// A field that may be absent (leave as is), `null` (clear) or a value (set).
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A post's place in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Draft,
    InReview,
    /// Approved and waiting for its time.
    Approved,
    Publishing,
    Published,
    PartiallyPublished,
    Failed,
    Cancelled,
}

impl PostStatus {
    pub const ALL: [Self; 8] = [
        Self::Draft,
        Self::InReview,
        Self::Approved,
        Self::Publishing,
        Self::Published,
        Self::PartiallyPublished,
        Self::Failed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Approved => "approved",
            Self::Publishing => "publishing",
            Self::Published => "published",
            Self::PartiallyPublished => "partially_published",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A post's state on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Pending,
    Publishing,
    Published,
    Failed,
    /// The network may or may not have it; Heraut reads back before anything else.
    Unknown,
    Cancelled,
    /// Published, then removed from the network at a person's request (the record stays).
    Deleted,
}

impl TargetStatus {
    pub const ALL: [Self; 7] = [
        Self::Pending,
        Self::Publishing,
        Self::Published,
        Self::Failed,
        Self::Unknown,
        Self::Cancelled,
        Self::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Publishing => "publishing",
            Self::Published => "published",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::Cancelled => "cancelled",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// `POST /tenants/{tenant}/posts`: a new draft.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePostRequest {
    /// The text every channel gets unless it has a variant.
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
    /// The channels to publish on (at least one, all of this tenant).
    pub channels: Vec<ChannelId>,
    /// Channel id → the text for that channel instead of `body`.
    #[serde(default)]
    pub variants: BTreeMap<ChannelId, String>,
    /// Uploaded images (`POST …/media`), in order; each carries its alt text.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub media: Vec<MediaId>,
    /// When to publish (RFC 3339 with offset; stored in UTC). Absent: as soon as approved.
    #[serde(default)]
    pub scheduled_at: Option<DateTime<FixedOffset>>,
    /// The IANA time zone the schedule was chosen in (default: the tenant's).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// A campaign tag for filtering and reports.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub campaign: Option<String>,
    /// A post of this tenant that this one replies to (a thread). On each channel the reply
    /// goes out as an answer to what that post published there, so its channels must be among
    /// that post's channels; it waits until that post is out.
    #[serde(default)]
    pub reply_to: Option<PostId>,
    /// A poll under the post, on the channels that carry polls.
    #[serde(default)]
    pub poll: Option<PollSpec>,
    /// A content warning: the text stays folded behind it.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub content_warning: Option<String>,
    /// Follow-up parts, each published as an answer to the one before.
    #[serde(default)]
    #[schema(max_items = 25)]
    pub thread: Vec<String>,
}

/// A poll under a post.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PollSpec {
    /// The answers to choose from, in order.
    #[schema(min_items = 2, max_items = 10)]
    pub options: Vec<String>,
    /// How long it stays open.
    #[serde(deserialize_with = "crate::int::u32")]
    #[schema(minimum = 60)]
    pub expires_in_seconds: u32,
    /// Whether a person may choose more than one answer.
    #[serde(default)]
    pub multiple: bool,
}

/// `PATCH /tenants/{tenant}/posts/{id}`: change what is given; `null` clears a schedule or campaign.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePostRequest {
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub channels: Option<Vec<ChannelId>>,
    #[serde(default)]
    pub variants: Option<BTreeMap<ChannelId, String>>,
    #[serde(default)]
    pub media: Option<Vec<MediaId>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub scheduled_at: Option<Option<DateTime<FixedOffset>>>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub campaign: Option<Option<String>>,
    /// `null` removes the poll.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<PollSpec>)]
    pub poll: Option<Option<PollSpec>>,
    /// `null` removes the content warning.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub content_warning: Option<Option<String>>,
    #[serde(default)]
    pub thread: Option<Vec<String>>,
}

/// `POST …/approve`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// `POST …/reject`: the reason goes back to the author.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// `POST …/retract`: why the post is withdrawn from its networks (kept in the record).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetractRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// `POST …/comments`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

/// `POST /tenants/{tenant}/emergency`: one message to every active channel.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyRequest {
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
}

/// One approval given.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApprovalView {
    pub user_id: UserId,
    /// Index of the step it counted for (0 is the first).
    pub step: u32,
    /// The revision approved.
    #[serde(default)]
    pub revision: u32,
    /// The round of review it was given in (1 is the first submission).
    #[serde(default)]
    pub round: u32,
    pub at: DateTime<Utc>,
}

/// Where a post is in its approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApprovalProgress {
    /// The steps that apply, fixed when the post was submitted.
    pub steps: Vec<ApprovalStep>,
    /// Index of the step waiting now (equal to the number of steps once approved).
    pub current_step: u32,
    /// Approvals of the current revision.
    pub approvals: Vec<ApprovalView>,
}

/// A comment, approval note or rejection reason.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CommentView {
    pub id: String,
    pub user_id: UserId,
    /// `comment`, `approval` or `rejection`.
    pub kind: String,
    pub text: String,
    pub revision: u32,
    pub at: DateTime<Utc>,
}

/// The post on one channel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TargetView {
    pub id: String,
    pub channel_id: ChannelId,
    pub status: TargetStatus,
    /// The text that goes out on this channel (what was approved).
    pub body: String,
    pub due_at: DateTime<Utc>,
    pub attempts: u32,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub last_error: Option<String>,
    /// Overdue past the grace period or held in crisis mode: waits for `confirm` or `cancel`.
    pub needs_confirmation: bool,
    pub published_at: Option<DateTime<Utc>>,
    /// The follow-up parts of a thread as published, in order.
    pub thread_parts: Vec<PublishedPart>,
}

/// One published follow-up part of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublishedPart {
    pub remote_id: String,
    pub remote_url: Option<String>,
}

/// What a post said at one revision, for reviewers comparing versions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RevisionView {
    pub revision: u32,
    pub body: String,
    pub channels: Vec<ChannelId>,
    pub variants: BTreeMap<ChannelId, String>,
    pub media: Vec<MediaId>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub campaign: Option<String>,
    pub edited_by: UserId,
    pub edited_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RevisionList {
    pub items: Vec<RevisionView>,
}

/// A post with its targets and approval state.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PostView {
    pub id: PostId,
    pub status: PostStatus,
    pub revision: u32,
    pub author_id: UserId,
    pub body: String,
    pub channels: Vec<ChannelId>,
    pub variants: BTreeMap<ChannelId, String>,
    pub media: Vec<MediaId>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub campaign: Option<String>,
    /// The post this one replies to, if it is part of a thread.
    pub reply_to: Option<PostId>,
    pub poll: Option<PollSpec>,
    pub content_warning: Option<String>,
    /// Follow-up parts, each published as an answer to the one before.
    pub thread: Vec<String>,
    pub emergency: bool,
    /// Why it was last rejected, until it is submitted again.
    pub reject_reason: Option<String>,
    /// True once the post went into review: it is a public record, never deleted (a draft
    /// that never did may be deleted).
    pub is_record: bool,
    /// When the post was withdrawn from its networks (`…/retract`), and why.
    pub retracted_at: Option<DateTime<Utc>>,
    pub retract_reason: Option<String>,
    pub approval: Option<ApprovalProgress>,
    /// Every approval the post was given, in every round of review and for every revision,
    /// oldest first: the record, kept when later edits or rejections made them no longer count
    /// (with a single post only; empty in lists).
    #[serde(default)]
    pub approval_history: Vec<ApprovalView>,
    pub targets: Vec<TargetView>,
    pub comments: Vec<CommentView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PostList {
    pub items: Vec<PostView>,
    pub next_cursor: Option<String>,
}

/// An uploaded image.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MediaView {
    pub id: MediaId,
    pub file_name: String,
    /// Detected from the file's content: `image/jpeg`, `image/png`, `image/gif` or `image/webp`.
    pub content_type: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub alt_text: String,
    pub created_at: DateTime<Utc>,
}

/// The multipart form of `POST …/media` (for the API document).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct MediaUpload {
    /// The image.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the image shows, for people who cannot see it (1–1500 characters).
    pub alt_text: String,
}

/// `POST /tenants/{tenant}/channels`: connect a channel.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannelRequest {
    /// The connector's plugin id.
    pub plugin: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The connector's channel settings.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Credentials, stored encrypted and never returned.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `PUT /tenants/{tenant}/channels/{id}/credentials`: new credentials (reconnect).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelCredentialsRequest {
    /// Stored encrypted and never returned; the keys the connector takes (`access_token`,
    /// `app_password`, `bot_token`, `secret`).
    #[schema(value_type = Object)]
    pub credentials: serde_json::Map<String, serde_json::Value>,
}

/// `POST /tenants/{tenant}/channels/{id}/oauth/start`: where to send the person.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct OauthStartView {
    /// The network's authorisation page; it sends the person back to
    /// `/api/v1/oauth/callback`. Valid for 10 minutes, once.
    pub authorize_url: String,
    pub expires_at: DateTime<Utc>,
}

/// `GET /api/v1/oauth/callback`: what the network sends back.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OauthCallbackParams {
    /// The single-use value Heraut put in the authorisation link.
    #[param(min_length = 1)]
    pub state: String,
    pub code: Option<String>,
    /// Set instead of `code` when the person or the network refused.
    pub error: Option<String>,
    pub error_description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChannelView {
    pub id: ChannelId,
    pub plugin: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// `active`, `needs_reconnect` or `disconnected`.
    pub status: String,
    pub has_credentials: bool,
    pub created_at: DateTime<Utc>,
    /// When Heraut last read the channel's network (mentions, comments, replies); null if never.
    #[serde(default)]
    pub synced_at: Option<DateTime<Utc>>,
    /// Why the last reading failed, if it did.
    #[serde(default)]
    pub sync_error: Option<String>,
    /// Whether its connector reads the network (mentions, replies…).
    #[serde(default)]
    pub reads_network: bool,
}

/// A reading of a channel's network asked for (`POST …/channels/{id}/sync`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncView {
    pub channel_id: ChannelId,
    pub requested_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChannelList {
    pub items: Vec<ChannelView>,
    pub next_cursor: Option<String>,
}

/// Something that happened to one of your posts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// `post.approved`, `post.rejected`, `post.published`, `post.partially_published`,
    /// `post.failed`, `post.needs_confirmation` or `post.unknown`.
    pub kind: String,
    pub message: String,
    pub post_id: Option<PostId>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
}

/// A live update, sent as a server-sent event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PostEvent {
    pub post_id: PostId,
    pub status: PostStatus,
    /// The target that changed, when one did.
    pub target_id: Option<String>,
    pub target_status: Option<TargetStatus>,
}

/// Answer of `POST …/posts/validate`: what submitting this content would object to, including
/// each channel's connector, without storing anything.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PostCheck {
    /// True when nothing is wrong.
    pub valid: bool,
    /// One item per problem, with the channel it concerns where there is one.
    pub problems: Vec<crate::ProblemItem>,
}
