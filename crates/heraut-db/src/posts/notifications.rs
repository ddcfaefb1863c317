//! A person's notifications in a tenant.
//! Tenant-owned: every function takes the `TenantId` and puts it in the `WHERE`.

use chrono::{DateTime, Utc};
use heraut_entity::notifications;
use heraut_proto::TenantId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::*;

pub async fn insert_notification<C: ConnectionTrait>(
    conn: &C,
    n: notifications::ActiveModel,
) -> Result<(), DbErr> {
    heraut_entity::notifications::Entity::insert(n)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// A person's notifications in a tenant, newest first.
pub async fn notifications<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    user: Uuid,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Notification>, DbErr> {
    let mut q = notifications::Entity::find()
        .filter(notifications::Column::TenantId.eq(tenant.0))
        .filter(notifications::Column::UserId.eq(user));
    if let Some(b) = before {
        q = q.filter(notifications::Column::Id.lt(b));
    }
    q.order_by_desc(notifications::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn mark_notification_read<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    user: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE notifications SET read_at = COALESCE(read_at, $4) \
         WHERE tenant_id = $1 AND user_id = $2 AND id = $3",
        vec![tenant.0.into(), user.into(), id.into(), now.into()],
    )
    .await
}
