//! Tenant governance: the approval policy and the crisis-mode switch. Tenant-owned: every
//! function takes the `TenantId`.

use chrono::{DateTime, Utc};
use heraut_entity::{approval_policies, crisis_states};
use heraut_proto::{TenantId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

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

/// Stores the policy's steps (JSON), replacing what was there.
pub async fn set_policy<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    steps_json: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let updated = crate::exec(
        conn,
        "UPDATE approval_policies SET steps = $1, updated_at = $2, updated_by = $3 WHERE tenant_id = $4",
        vec![steps_json.into(), now.into(), by.0.into(), tenant.0.into()],
    )
    .await?;
    if updated == 0 {
        approval_policies::ActiveModel {
            tenant_id: Set(tenant.0),
            steps: Set(steps_json.to_owned()),
            updated_at: Set(now),
            updated_by: Set(Some(by.0)),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
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

/// Switches crisis mode, replacing the previous state.
pub async fn set_crisis<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    active: bool,
    message: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let updated = crate::exec(
        conn,
        "UPDATE crisis_states SET active = $1, message = $2, changed_at = $3, changed_by = $4 WHERE tenant_id = $5",
        vec![active.into(), message.into(), now.into(), by.0.into(), tenant.0.into()],
    )
    .await?;
    if updated == 0 {
        crisis_states::ActiveModel {
            tenant_id: Set(tenant.0),
            active: Set(active),
            message: Set(message.to_owned()),
            changed_at: Set(now),
            changed_by: Set(Some(by.0)),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}
