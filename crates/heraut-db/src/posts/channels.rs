//! A tenant's channels: connected, disconnected, needing a reconnect, and their sealed credentials.
//! Tenant-owned: every function takes the `TenantId` and puts it in the `WHERE`.

use heraut_entity::channels;
use heraut_proto::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::*;

pub async fn insert_channel<C: ConnectionTrait>(
    conn: &C,
    channel: channels::ActiveModel,
) -> Result<Channel, DbErr> {
    channel.insert(conn).await
}

pub async fn channel<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<Channel>, DbErr> {
    channels::Entity::find()
        .filter(channels::Column::TenantId.eq(tenant.0))
        .filter(channels::Column::Id.eq(id))
        .one(conn)
        .await
}

/// The tenant's channels that are not disconnected, oldest first.
pub async fn channels<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
) -> Result<Vec<Channel>, DbErr> {
    channels::Entity::find()
        .filter(channels::Column::TenantId.eq(tenant.0))
        .filter(channels::Column::Status.ne("disconnected"))
        .order_by_asc(channels::Column::Id)
        .all(conn)
        .await
}

pub async fn set_channel_status<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
    status: &str,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE channels SET status = $3 WHERE tenant_id = $1 AND id = $2",
        vec![tenant.0.into(), id.into(), status.into()],
    )
    .await
}

pub async fn erase_channel_credentials<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE channels SET credentials = NULL WHERE tenant_id = $1 AND id = $2",
        vec![tenant.0.into(), id.into()],
    )
    .await
}

/// New sealed credentials for a channel (reconnect, OAuth), which makes it `active` again.
pub async fn set_channel_credentials<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
    sealed: &str,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE channels SET credentials = $3, status = 'active' WHERE tenant_id = $1 AND id = $2 AND status <> 'disconnected'",
        vec![tenant.0.into(), id.into(), sealed.into()],
    )
    .await
}

/// Marks an active channel `needs_reconnect`; false when it was not active (already marked).
pub async fn mark_needs_reconnect<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE channels SET status = 'needs_reconnect' WHERE tenant_id = $1 AND id = $2 AND status = 'active'",
        vec![tenant.0.into(), id.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Replaces a channel's sealed credentials if they are still `old` (re-encryption).
pub async fn replace_channel_credentials<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
    old: &str,
    new: &str,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE channels SET credentials = $4 WHERE tenant_id = $1 AND id = $2 AND credentials = $3",
        vec![tenant.0.into(), id.into(), old.into(), new.into()],
    )
    .await?;
    Ok(n == 1)
}
