//! Channels, posts, their revisions, approvals, comments, targets and notifications.
//! Tenant-owned: every function takes the `TenantId` and puts it in the `WHERE`.

use chrono::{DateTime, Utc};
use heraut_entity::{
    channels, notifications, post_approvals, post_comments, post_revisions, post_targets, posts,
};
use heraut_proto::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub use heraut_entity::channels::ActiveModel as ChannelRow;
pub use heraut_entity::channels::Model as Channel;
pub use heraut_entity::media::ActiveModel as MediaRow;
pub use heraut_entity::media::Model as Media;
pub use heraut_entity::notifications::ActiveModel as NotificationRow;
pub use heraut_entity::notifications::Model as Notification;
pub use heraut_entity::post_approvals::ActiveModel as ApprovalRow;
pub use heraut_entity::post_approvals::Model as Approval;
pub use heraut_entity::post_comments::ActiveModel as CommentRow;
pub use heraut_entity::post_comments::Model as Comment;
pub use heraut_entity::post_revisions::ActiveModel as RevisionRow;
pub use heraut_entity::post_targets::ActiveModel as TargetRow;
pub use heraut_entity::post_targets::Model as Target;
pub use heraut_entity::posts::ActiveModel as PostRow;
pub use heraut_entity::posts::Model as Post;

// ---- channels ----

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

// ---- media ----

pub async fn insert_media<C: ConnectionTrait>(conn: &C, m: MediaRow) -> Result<Media, DbErr> {
    m.insert(conn).await
}

/// The tenant's media among `ids` (in no particular order; missing ones are left out).
pub async fn media<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<Vec<Media>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    heraut_entity::media::Entity::find()
        .filter(heraut_entity::media::Column::TenantId.eq(tenant.0))
        .filter(heraut_entity::media::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

// ---- posts ----

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

// ---- revisions, approvals, comments ----

pub async fn insert_revision<C: ConnectionTrait>(
    conn: &C,
    revision: post_revisions::ActiveModel,
) -> Result<(), DbErr> {
    heraut_entity::post_revisions::Entity::insert(revision)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// Every revision of a post, oldest first.
pub async fn revisions<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
) -> Result<Vec<heraut_entity::post_revisions::Model>, DbErr> {
    post_revisions::Entity::find()
        .filter(post_revisions::Column::TenantId.eq(tenant.0))
        .filter(post_revisions::Column::PostId.eq(post))
        .order_by_asc(post_revisions::Column::Revision)
        .all(conn)
        .await
}

/// Who wrote a revision.
pub async fn insert_approval<C: ConnectionTrait>(
    conn: &C,
    approval: post_approvals::ActiveModel,
) -> Result<(), DbErr> {
    heraut_entity::post_approvals::Entity::insert(approval)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// Everyone who wrote a revision of the post (its author included), each once.
pub async fn editors<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    let mut people: Vec<Uuid> = post_revisions::Entity::find()
        .select_only()
        .column(post_revisions::Column::EditedBy)
        .filter(post_revisions::Column::TenantId.eq(tenant.0))
        .filter(post_revisions::Column::PostId.eq(post))
        .into_tuple()
        .all(conn)
        .await?;
    people.sort_unstable();
    people.dedup();
    Ok(people)
}

/// The approvals of one revision in one round of review (earlier rounds are kept, not counted).
pub async fn approvals<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
    (submission, revision): (i32, i32),
) -> Result<Vec<Approval>, DbErr> {
    post_approvals::Entity::find()
        .filter(post_approvals::Column::TenantId.eq(tenant.0))
        .filter(post_approvals::Column::PostId.eq(post))
        .filter(post_approvals::Column::Submission.eq(submission))
        .filter(post_approvals::Column::Revision.eq(revision))
        .order_by_asc(post_approvals::Column::CreatedAt)
        .all(conn)
        .await
}

pub async fn insert_comment<C: ConnectionTrait>(
    conn: &C,
    comment: post_comments::ActiveModel,
) -> Result<(), DbErr> {
    heraut_entity::post_comments::Entity::insert(comment)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

pub async fn comments<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
) -> Result<Vec<Comment>, DbErr> {
    post_comments::Entity::find()
        .filter(post_comments::Column::TenantId.eq(tenant.0))
        .filter(post_comments::Column::PostId.eq(post))
        .order_by_asc(post_comments::Column::Id)
        .all(conn)
        .await
}

// ---- targets, as seen by people ----

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

/// Failed targets go back to the queue with a fresh attempt budget. `attempts` stays above
/// zero, so the next claim reads back first in case a failed attempt did reach the network.
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

// ---- notifications ----

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
