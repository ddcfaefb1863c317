//! One post on one channel: the publisher's unit of work and its state. Tenant-owned.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub post_id: Uuid,
    pub channel_id: Uuid,
    pub revision: i32,
    /// Exactly what was approved for this channel.
    pub body: String,
    /// JSON array of the approved media ids (media never change once uploaded).
    pub media_ids: String,
    /// `pending`, `publishing`, `published`, `failed`, `unknown` or `cancelled`.
    pub status: String,
    pub emergency: bool,
    pub due_at: DateTimeUtc,
    pub next_attempt_at: DateTimeUtc,
    pub attempts: i32,
    pub lease_until: Option<DateTimeUtc>,
    /// Fencing token of the current claim; every state write checks it.
    pub attempt_token: Option<Uuid>,
    /// Set just before the network call: a claim that finds it set reads back first.
    pub sending_at: Option<DateTimeUtc>,
    pub idempotency_key: String,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub last_error: Option<String>,
    /// The post this one replies to (copied from the post at approval).
    pub reply_to: Option<Uuid>,
    /// JSON of the network options as approved; `{}` for none.
    pub options: String,
    /// JSON array of `{remote_id, remote_url}`: the published follow-up parts of a thread.
    pub thread_parts: Option<String>,
    /// Overdue past the tenant's grace period, or held by crisis mode: a person decides.
    pub needs_confirmation: bool,
    pub confirmed: bool,
    pub published_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
