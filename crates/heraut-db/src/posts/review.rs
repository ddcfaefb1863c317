//! A post's review: its revisions, the approvals of each round and the comments.
//! Tenant-owned: every function takes the `TenantId` and puts it in the `WHERE`.

use heraut_entity::{post_approvals, post_comments, post_revisions};
use heraut_proto::TenantId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::*;

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

/// Records one person's approval of a revision in a round of review.
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

/// Every approval of a post, in every round of review, oldest first.
pub async fn approval_history<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
) -> Result<Vec<Approval>, DbErr> {
    post_approvals::Entity::find()
        .filter(post_approvals::Column::TenantId.eq(tenant.0))
        .filter(post_approvals::Column::PostId.eq(post))
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
