//! The job engine's queue: one row per piece of background work, claimed with a lease. Instance-wide
//! (the engine claims across tenants); each job names the tenant its work runs for.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What the work is, e.g. `channel.sync`.
    pub kind: String,
    pub tenant_id: Option<Uuid>,
    /// One job per key (e.g. `channel.sync:<channel id>`): enqueueing it again changes nothing.
    pub dedupe_key: String,
    /// JSON the kind reads.
    pub payload: String,
    /// `queued`, `running`, `done` or `dead`.
    pub state: String,
    pub due_at: DateTimeUtc,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// Raised at every claim: a node whose lease ran out can no longer finish the job.
    pub lease_token: i64,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
