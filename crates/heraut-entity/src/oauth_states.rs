//! An OAuth authorisation under way: found by the hash of its `state`, used once, short-lived.
//! Instance-wide (the network's redirect carries no tenant), each row names its tenant.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_states")]
pub struct Model {
    /// Hex SHA-256 of the `state` parameter (the state itself is never stored).
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub channel_id: Uuid,
    pub plugin: String,
    /// Sealed JSON: the PKCE verifier and the client id and secret.
    pub sealed: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
