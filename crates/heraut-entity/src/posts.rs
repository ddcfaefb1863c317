//! A post: one message for several channels, through review to publication. Tenant-owned.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub author_id: Uuid,
    pub status: String,
    /// Raised by every edit; approvals count for one revision.
    pub revision: i32,
    pub body: String,
    /// JSON object channel id → body for that channel.
    pub variants: String,
    /// JSON array of channel ids.
    pub channel_ids: String,
    /// JSON array of media ids, in order.
    pub media_ids: String,
    pub campaign: Option<String>,
    /// The post this one replies to (a thread): on each channel, it goes out as a reply to
    /// what that post published there.
    pub reply_to: Option<Uuid>,
    /// JSON of the network options (poll, content warning, thread parts); `{}` for none.
    pub options: String,
    pub scheduled_at: Option<DateTimeUtc>,
    /// The IANA time zone the author scheduled in (for display; `scheduled_at` is UTC).
    pub time_zone: String,
    pub emergency: bool,
    /// JSON of the approval steps that apply, fixed at submission.
    pub policy: Option<String>,
    /// Index of the approval step now waiting (while `in_review`).
    pub step: i32,
    pub reject_reason: Option<String>,
    /// How often the post went into review; 0 for a draft that never did (the only kind that
    /// may be deleted: anything else is a record).
    pub submissions: i32,
    /// When the post was withdrawn from its networks, and why.
    pub retracted_at: Option<DateTimeUtc>,
    pub retract_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
