//! A person who signs in; not owned by a tenant (one person can belong to several).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub instance_admin: bool,
    /// Encrypted (see `heraut_auth::crypto`).
    pub totp_secret: Option<String>,
    /// Encrypted; set between enrolment start and confirmation.
    pub totp_pending_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub locked: bool,
    pub created_at: DateTimeUtc,
    pub password_changed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
