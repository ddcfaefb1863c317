//! What a channel's network said to or about the tenant (a mention, a comment, a reply, a message,
//! a quote), stored once per remote id however often it is fetched. Tenant-owned.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbound_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub channel_id: Uuid,
    pub remote_id: String,
    /// `mention`, `comment`, `reply`, `message` or `quote`.
    pub kind: String,
    pub author_handle: Option<String>,
    pub author_name: Option<String>,
    pub author_url: Option<String>,
    pub body: String,
    pub remote_url: Option<String>,
    /// Remote id of what it answers, if anything.
    pub in_reply_to: Option<String>,
    /// The network's id of the conversation it belongs to, where it has one.
    pub conversation: Option<String>,
    /// When the network says it was written.
    pub received_at: DateTimeUtc,
    pub fetched_at: DateTimeUtc,
    /// `open` or `done`.
    pub status: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
