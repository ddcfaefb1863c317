//! What channels read from their networks: inbound items, stored once per (channel, remote id)
//! however often they are fetched, and each channel's cursor. Tenant-owned: every function takes
//! the `TenantId` and puts it in the `WHERE`.

use chrono::{DateTime, Utc};
use heraut_entity::inbound_items;
use heraut_proto::TenantId;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

pub use heraut_entity::inbound_items::ActiveModel as InboundRow;
pub use heraut_entity::inbound_items::Model as InboundItem;

/// Stores `item` unless the channel already holds its remote id; true when it was new.
pub async fn insert_new<C: ConnectionTrait>(conn: &C, item: InboundRow) -> Result<bool, DbErr> {
    let added = inbound_items::Entity::insert(item)
        .on_conflict(
            OnConflict::columns([
                inbound_items::Column::TenantId,
                inbound_items::Column::ChannelId,
                inbound_items::Column::RemoteId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(added > 0)
}

/// How many items a channel holds.
pub async fn count_for_channel<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    channel: Uuid,
) -> Result<u64, DbErr> {
    inbound_items::Entity::find()
        .filter(inbound_items::Column::TenantId.eq(tenant.0))
        .filter(inbound_items::Column::ChannelId.eq(channel))
        .count(conn)
        .await
}

/// Records a reading of the channel: where the next one goes on from (`cursor`, kept when
/// `None`), when, and its error (cleared on success).
pub async fn set_synced<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    channel: Uuid,
    cursor: Option<&str>,
    at: DateTime<Utc>,
    error: Option<&str>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE channels SET inbound_cursor = COALESCE($3, inbound_cursor), synced_at = $4, \
         sync_error = $5 WHERE tenant_id = $1 AND id = $2",
        vec![
            tenant.0.into(),
            channel.into(),
            cursor.map(str::to_owned).into(),
            at.into(),
            error.map(str::to_owned).into(),
        ],
    )
    .await
}

/// Every active channel with its tenant, for the job engine's sweep: run in
/// `Scope::Scheduler`, whose policy lets it see the channels of every tenant (like the
/// publisher's claim, the one other query across tenants).
pub async fn active_channels<C: ConnectionTrait>(conn: &C) -> Result<Vec<(Uuid, TenantId)>, DbErr> {
    use heraut_entity::channels;
    Ok(channels::Entity::find()
        .filter(channels::Column::Status.eq("active"))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, TenantId(c.tenant_id)))
        .collect())
}
