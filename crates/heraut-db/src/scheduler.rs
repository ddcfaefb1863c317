//! The publisher's queries: claiming due targets with a lease and an attempt token, and the
//! fenced state writes that follow. Claims run in `Scope::Scheduler` (they see ids and times
//! of every tenant's targets); everything else runs in the target's tenant scope.
//! See `docs/design/scheduler.md`.

use chrono::{DateTime, Utc};
use heraut_entity::post_targets;
use heraut_proto::TenantId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    Statement,
};
use uuid::Uuid;

use crate::posts::Target;

/// A target this worker now holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub target: Uuid,
    pub tenant: TenantId,
    pub token: Uuid,
}

/// Statuses a claim may pick up: waiting ones, ones whose worker's lease ran out, and ones
/// whose outcome is unknown (they are read back first).
const CLAIMABLE: &str = "t.status IN ('pending', 'publishing', 'unknown') \
     AND t.next_attempt_at <= $1 AND (t.lease_until IS NULL OR t.lease_until < $1) \
     AND NOT t.needs_confirmation \
     AND (t.emergency OR NOT EXISTS (SELECT 1 FROM crisis_states c \
          WHERE c.tenant_id = t.tenant_id AND c.active)) \
     AND EXISTS (SELECT 1 FROM channels ch WHERE ch.id = t.channel_id AND ch.status = 'active')";

/// Claims up to `limit` due targets for `lease_until`, marking them `publishing` with a fresh
/// attempt token. The claim is the moment of sending: it records `sending_at`, and from then on
/// the network may see the post, so any later claim of the same target reads back first
/// (`attempts > 1`). On PostgreSQL, rows another worker is claiming are skipped
/// (`SKIP LOCKED`); on SQLite the single writer serialises claims.
pub async fn claim_due<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    token: Uuid,
    limit: u32,
) -> Result<Vec<Claim>, DbErr> {
    let lock = if conn.get_database_backend() == DbBackend::Postgres {
        "FOR UPDATE OF t SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE post_targets SET status = 'publishing', lease_until = $2, attempt_token = $3, \
         attempts = attempts + 1, sending_at = $1, updated_at = $1 \
         WHERE id IN (SELECT t.id FROM post_targets t WHERE {CLAIMABLE} \
           ORDER BY t.next_attempt_at LIMIT $4 {lock}) \
         RETURNING id, tenant_id"
    );
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        tenant_id: Uuid,
    }
    let backend = conn.get_database_backend();
    let rows = Row::find_by_statement(Statement::from_sql_and_values(
        backend,
        crate::to_backend(conn, &sql),
        [
            now.into(),
            lease_until.into(),
            token.into(),
            i64::from(limit).into(),
        ],
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Claim {
            target: r.id,
            tenant: TenantId(r.tenant_id),
            token,
        })
        .collect())
}

/// When the next target falls due (claimable or not yet), for the publisher's sleep.
pub async fn next_due<C: ConnectionTrait>(conn: &C) -> Result<Option<DateTime<Utc>>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        next: Option<DateTime<Utc>>,
    }
    let backend = conn.get_database_backend();
    let row = Row::find_by_statement(Statement::from_string(
        backend,
        "SELECT MIN(next_attempt_at) AS next FROM post_targets \
         WHERE status IN ('pending', 'unknown') AND NOT needs_confirmation",
    ))
    .one(conn)
    .await?;
    Ok(row.and_then(|r| r.next))
}

/// The claimed target, if this claim still holds it.
pub async fn claimed_target<C: ConnectionTrait>(
    conn: &C,
    claim: &Claim,
) -> Result<Option<Target>, DbErr> {
    post_targets::Entity::find()
        .filter(post_targets::Column::TenantId.eq(claim.tenant.0))
        .filter(post_targets::Column::Id.eq(claim.target))
        .filter(post_targets::Column::AttemptToken.eq(claim.token))
        .filter(post_targets::Column::Status.eq("publishing"))
        .one(conn)
        .await
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Published {
        remote_id: String,
        remote_url: Option<String>,
        /// JSON array of the thread's published follow-up parts, if it has any.
        thread_parts: Option<String>,
    },
    /// Try again at `at` (transient error or rate limit).
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    /// Unknown whether it reached the network: read back at `at`.
    Unknown {
        at: DateTime<Utc>,
        error: String,
    },
    Failed {
        error: String,
    },
    /// Overdue past the grace period: a person confirms or cancels.
    NeedsConfirmation,
}

/// Ends the claim with `outcome`; false when the claim was no longer held.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    claim: &Claim,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let parts = match outcome {
        Outcome::Published { thread_parts, .. } => thread_parts.clone(),
        _ => None,
    };
    let (status, next, remote_id, remote_url, error, published_at, confirm) = match outcome {
        Outcome::Published {
            remote_id,
            remote_url,
            ..
        } => (
            "published",
            now,
            Some(remote_id.clone()),
            remote_url.clone(),
            None,
            Some(now),
            false,
        ),
        Outcome::Retry { at, error } => {
            ("pending", *at, None, None, Some(error.clone()), None, false)
        }
        Outcome::Unknown { at, error } => {
            ("unknown", *at, None, None, Some(error.clone()), None, false)
        }
        Outcome::Failed { error } => ("failed", now, None, None, Some(error.clone()), None, false),
        Outcome::NeedsConfirmation => ("pending", now, None, None, None, None, true),
    };
    let n = crate::exec(
        conn,
        "UPDATE post_targets SET status = $4, next_attempt_at = $5, \
         remote_id = COALESCE($6, remote_id), remote_url = COALESCE($7, remote_url), \
         last_error = $8, published_at = COALESCE($9, published_at), \
         needs_confirmation = $10, lease_until = NULL, attempt_token = NULL, updated_at = $11, \
         thread_parts = COALESCE($12, thread_parts) \
         WHERE tenant_id = $1 AND id = $2 AND attempt_token = $3",
        vec![
            claim.tenant.0.into(),
            claim.target.into(),
            claim.token.into(),
            status.into(),
            next.into(),
            remote_id.into(),
            remote_url.into(),
            error.into(),
            published_at.into(),
            confirm.into(),
            now.into(),
            parts.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// The statuses of a post's targets, for the post's own status.
pub async fn target_statuses<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    post: Uuid,
) -> Result<Vec<String>, DbErr> {
    Ok(post_targets::Entity::find()
        .filter(post_targets::Column::TenantId.eq(tenant.0))
        .filter(post_targets::Column::PostId.eq(post))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| t.status)
        .collect())
}

/// A channel by its id alone, across tenants (the scheduler's scope sees every channel): for
/// addresses that name no tenant, like a public feed. The caller checks what it may show.
pub async fn channel_by_id<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
) -> Result<Option<heraut_entity::channels::Model>, DbErr> {
    heraut_entity::channels::Entity::find_by_id(id)
        .one(conn)
        .await
}
