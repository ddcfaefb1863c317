//! A connected account on a network that posts go out to. Tenant-owned.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The connector (plugin id) that talks to the network.
    pub plugin: String,
    pub name: String,
    /// JSON object of the connector's channel settings.
    pub settings: String,
    /// Credentials sealed with the instance's secret key; never returned.
    pub credentials: Option<String>,
    /// `active`, `needs_reconnect` or `disconnected`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
    /// Where reading the network goes on from (the connector's opaque cursor).
    pub inbound_cursor: Option<String>,
    /// When the channel was last read.
    pub synced_at: Option<DateTimeUtc>,
    /// Why the last reading failed, if it did.
    pub sync_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
