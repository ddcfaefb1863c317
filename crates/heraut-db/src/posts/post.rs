//! The posts themselves: created, changed, listed, locked, and, while never in review, deleted.
//! Tenant-owned: every function takes the `TenantId` and puts it in the `WHERE`.

use chrono::{DateTime, Utc};
use heraut_entity::posts;
use heraut_proto::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::*;

pub async fn insert_post<C: ConnectionTrait>(
    conn: &C,
    post: posts::ActiveModel,
) -> Result<Post, DbErr> {
    post.insert(conn).await
}

/// Sets a post's status (the publisher's one change to a post).
pub async fn set_post_status<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE posts SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
        vec![tenant.0.into(), id.into(), status.into(), now.into()],
    )
    .await
}

pub async fn update_post<C: ConnectionTrait>(
    conn: &C,
    post: posts::ActiveModel,
) -> Result<Post, DbErr> {
    post.update(conn).await
}

pub async fn post<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<Post>, DbErr> {
    posts::Entity::find()
        .filter(posts::Column::TenantId.eq(tenant.0))
        .filter(posts::Column::Id.eq(id))
        .one(conn)
        .await
}

/// The post, locked for the rest of the transaction on PostgreSQL (SQLite has one writer), so
/// two decisions on one post happen one after the other.
pub async fn lock_post<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<Post>, DbErr> {
    let mut q = posts::Entity::find()
        .filter(posts::Column::TenantId.eq(tenant.0))
        .filter(posts::Column::Id.eq(id));
    if conn.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    q.one(conn).await
}

/// What a list of posts may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    pub status: Option<String>,
    pub campaign: Option<String>,
    /// Posts that list this channel (matched in the JSON array of ids).
    pub channel: Option<Uuid>,
    pub scheduled_from: Option<DateTime<Utc>>,
    pub scheduled_to: Option<DateTime<Utc>>,
    /// Only posts with ids below this one (the cursor).
    pub before: Option<Uuid>,
}

/// Newest first.
pub async fn list_posts<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    filter: &PostFilter,
    limit: u64,
) -> Result<Vec<Post>, DbErr> {
    let mut q = posts::Entity::find().filter(posts::Column::TenantId.eq(tenant.0));
    if let Some(s) = &filter.status {
        q = q.filter(posts::Column::Status.eq(s.as_str()));
    }
    if let Some(c) = &filter.campaign {
        q = q.filter(posts::Column::Campaign.eq(c.as_str()));
    }
    if let Some(ch) = filter.channel {
        q = q.filter(posts::Column::ChannelIds.contains(ch.to_string()));
    }
    if let Some(t) = filter.scheduled_from {
        q = q.filter(posts::Column::ScheduledAt.gte(t));
    }
    if let Some(t) = filter.scheduled_to {
        q = q.filter(posts::Column::ScheduledAt.lt(t));
    }
    if let Some(b) = filter.before {
        q = q.filter(posts::Column::Id.lt(b));
    }
    q.order_by_desc(posts::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Removes a draft that never went into review, with its revisions: it is not a record yet.
/// Anything else is left alone (0 rows), whatever the caller checked before.
pub async fn delete_draft<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
) -> Result<u64, DbErr> {
    const NEVER_SUBMITTED: &str = "SELECT id FROM posts WHERE tenant_id = $1 AND id = $2 \
         AND status = 'draft' AND submissions = 0";
    for table in ["post_comments", "post_revisions"] {
        crate::exec(
            conn,
            &format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND post_id = $2 \
                 AND post_id IN ({NEVER_SUBMITTED})"
            ),
            vec![tenant.0.into(), id.into()],
        )
        .await?;
    }
    crate::exec(
        conn,
        &format!("DELETE FROM posts WHERE tenant_id = $1 AND id IN ({NEVER_SUBMITTED})"),
        vec![tenant.0.into(), id.into()],
    )
    .await
}

/// Marks the post as withdrawn from its networks, with the reason.
pub async fn set_retracted<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE posts SET retracted_at = $3, retract_reason = $4, updated_at = $3 \
         WHERE tenant_id = $1 AND id = $2",
        vec![tenant.0.into(), id.into(), now.into(), reason.into()],
    )
    .await
}
