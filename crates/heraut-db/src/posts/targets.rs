//! A post's targets (one per channel) as people act on them: queued, cancelled, confirmed,
//! retried, held by crisis mode, published and deleted. The publisher's claims are in `scheduler`.
//! Tenant-owned: every function takes the `TenantId` and puts it in the `WHERE`.

use chrono::{DateTime, Utc};
use heraut_entity::post_targets;
use heraut_proto::TenantId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::*;

pub async fn insert_target<C: ConnectionTrait>(
    conn: &C,
    target: post_targets::ActiveModel,
) -> Result<(), DbErr> {
    heraut_entity::post_targets::Entity::insert(target)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// The targets of some posts, in channel order.
pub async fn targets_of<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    posts: &[Uuid],
) -> Result<Vec<Target>, DbErr> {
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    post_targets::Entity::find()
        .filter(post_targets::Column::TenantId.eq(tenant.0))
        .filter(post_targets::Column::PostId.is_in(posts.iter().copied()))
        .order_by_asc(post_targets::Column::Id)
        .all(conn)
        .await
}

/// Removes the targets of a post that were never claimed (an approved post being edited);
/// returns how many were left that had started.
pub async fn withdraw_unstarted_targets<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "DELETE FROM post_targets WHERE tenant_id = $1 AND post_id = $2 \
         AND status = 'pending' AND sending_at IS NULL",
        vec![tenant.0.into(), post.into()],
    )
    .await?;
    let left = post_targets::Entity::find()
        .filter(post_targets::Column::TenantId.eq(tenant.0))
        .filter(post_targets::Column::PostId.eq(post))
        .all(conn)
        .await?;
    Ok(left.len() as u64)
}

/// Cancels every target of a post that is waiting (`pending`): not yet claimed, or waiting for a
/// retry after the network refused it, or for confirmation. A claimed target may be on the
/// network already and is left to finish.
pub async fn cancel_targets<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE post_targets SET status = 'cancelled', attempt_token = NULL, lease_until = NULL, \
         needs_confirmation = FALSE, updated_at = $3 \
         WHERE tenant_id = $1 AND post_id = $2 AND status = 'pending'",
        vec![tenant.0.into(), post.into(), now.into()],
    )
    .await
}

/// A person confirms targets that wait for confirmation: they go out now.
pub async fn confirm_targets<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE post_targets SET needs_confirmation = FALSE, confirmed = TRUE, \
         next_attempt_at = $3, updated_at = $3 \
         WHERE tenant_id = $1 AND post_id = $2 AND status = 'pending' AND needs_confirmation",
        vec![tenant.0.into(), post.into(), now.into()],
    )
    .await
}

/// The targets published on a channel and still there, newest first.
pub async fn published_on_channel<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    channel: Uuid,
    limit: u64,
) -> Result<Vec<Target>, DbErr> {
    post_targets::Entity::find()
        .filter(post_targets::Column::TenantId.eq(tenant.0))
        .filter(post_targets::Column::ChannelId.eq(channel))
        .filter(post_targets::Column::Status.eq("published"))
        .order_by_desc(post_targets::Column::PublishedAt)
        .limit(limit)
        .all(conn)
        .await
}

/// A published target removed from its network.
pub async fn set_target_deleted<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE post_targets SET status = 'deleted', updated_at = $3 \
         WHERE tenant_id = $1 AND id = $2 AND status = 'published'",
        vec![tenant.0.into(), id.into(), now.into()],
    )
    .await
}

/// Failed targets go back to the queue with a fresh attempt budget. `attempts` stays above
/// zero, so the next claim reads back first in case a failed attempt did reach the network.
pub async fn retry_failed_targets<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE post_targets SET status = 'pending', attempts = 1, next_attempt_at = $3, \
         confirmed = TRUE, last_error = NULL, updated_at = $3 \
         WHERE tenant_id = $1 AND post_id = $2 AND status = 'failed'",
        vec![tenant.0.into(), post.into(), now.into()],
    )
    .await
}

/// Pending targets that became due by `now` (crisis mode held them), not emergency ones.
pub async fn overdue_targets<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<Vec<Target>, DbErr> {
    post_targets::Entity::find()
        .filter(post_targets::Column::TenantId.eq(tenant.0))
        .filter(post_targets::Column::Status.eq("pending"))
        .filter(post_targets::Column::Emergency.eq(false))
        .filter(post_targets::Column::DueAt.lte(now))
        .order_by_asc(post_targets::Column::DueAt)
        .all(conn)
        .await
}

/// Marks targets as waiting for a person's confirmation.
pub async fn require_confirmation<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for id in ids {
        crate::exec(
            conn,
            "UPDATE post_targets SET needs_confirmation = TRUE, updated_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'pending'",
            vec![tenant.0.into(), (*id).into(), now.into()],
        )
        .await?;
    }
    Ok(())
}
