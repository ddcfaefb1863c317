//! Tenant governance: the approval policy and the crisis-mode switch. Tenant-owned: every
//! function takes the `TenantId`.

use chrono::{DateTime, Utc};
use heraut_entity::{approval_policies, crisis_states};
use heraut_proto::{TenantId, UserId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub use heraut_entity::approval_policies::Model as ApprovalPolicy;
pub use heraut_entity::crisis_states::Model as CrisisState;

pub async fn policy<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
) -> Result<Option<ApprovalPolicy>, DbErr> {
    approval_policies::Entity::find()
        .filter(approval_policies::Column::TenantId.eq(tenant.0))
        .one(conn)
        .await
}

/// Stores the policy's steps and emergency steps (JSON), replacing what was there; one
/// statement, so two first writes at once cannot collide.
pub async fn set_policy<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    steps_json: &str,
    emergency_json: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "INSERT INTO approval_policies (tenant_id, steps, emergency_steps, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (tenant_id) DO UPDATE SET steps = excluded.steps, \
         emergency_steps = excluded.emergency_steps, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        vec![
            tenant.0.into(),
            steps_json.into(),
            emergency_json.into(),
            now.into(),
            by.0.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn crisis<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
) -> Result<Option<CrisisState>, DbErr> {
    crisis_states::Entity::find()
        .filter(crisis_states::Column::TenantId.eq(tenant.0))
        .one(conn)
        .await
}

/// Switches crisis mode, replacing the previous state, in one statement.
pub async fn set_crisis<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    active: bool,
    message: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "INSERT INTO crisis_states (tenant_id, active, message, changed_at, changed_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET \
         active = excluded.active, message = excluded.message, \
         changed_at = excluded.changed_at, changed_by = excluded.changed_by",
        vec![
            tenant.0.into(),
            active.into(),
            message.into(),
            now.into(),
            by.0.into(),
        ],
    )
    .await
    .map(|_| ())
}
