//! The job engine's queue. A job is claimed with a lease (`lease_until`) and a fencing token
//! (`lease_token`, raised at every claim): only the holder of the current token can finish it or
//! commit work under it, so a node whose lease ran out (it stalled, or was killed and its job
//! claimed again) changes nothing. On PostgreSQL claims skip rows another node is claiming
//! (`SKIP LOCKED`); on SQLite the single writer serialises them. `jobs` is instance-wide: the
//! work of a job runs in the scope of the tenant it names.

use chrono::{DateTime, Utc};
use heraut_entity::jobs;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};
use uuid::Uuid;

pub use heraut_entity::jobs::Model as Job;

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub tenant: Option<Uuid>,
    /// One job per key: enqueueing the same key again changes nothing.
    pub dedupe_key: &'a str,
    pub payload: String,
}

/// How a claimed job ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// Done; runs again at this time (a periodic job), or never (`None`).
    Done(Option<DateTime<Utc>>),
    /// Failed this time; tries again at `at`.
    Retry { at: DateTime<Utc>, error: String },
    /// Failed for good (or too often): kept for an administrator to see and retry.
    Dead(String),
}

/// Enqueues `job` due at `due_at` unless a job with its key exists; true when it was added.
pub async fn ensure<C: ConnectionTrait>(
    conn: &C,
    job: NewJob<'_>,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let row = jobs::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(job.kind.to_owned()),
        tenant_id: Set(job.tenant),
        dedupe_key: Set(job.dedupe_key.to_owned()),
        payload: Set(job.payload),
        state: Set("queued".to_owned()),
        due_at: Set(due_at),
        attempts: Set(0),
        lease_owner: Set(None),
        lease_until: Set(None),
        lease_token: Set(0),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let added = jobs::Entity::insert(row)
        .on_conflict(
            OnConflict::column(jobs::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(added > 0)
}

/// Makes the job with this key due now; a dead job is queued again. A running job is marked to
/// run again as soon as it ends (its `due_at` after its claim's `updated_at`), for what came
/// after it started. True when a job was found.
pub async fn run_now<C: ConnectionTrait>(
    conn: &C,
    dedupe_key: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE jobs SET state = 'queued', due_at = $2, updated_at = $2, \
         attempts = CASE WHEN state = 'dead' THEN 0 ELSE attempts END \
         WHERE dedupe_key = $1 AND state IN ('queued', 'done', 'dead')",
        vec![dedupe_key.into(), now.into()],
    )
    .await?;
    if n > 0 {
        return Ok(true);
    }
    let n = crate::exec(
        conn,
        "UPDATE jobs SET due_at = $2 WHERE dedupe_key = $1 AND state = 'running'",
        vec![dedupe_key.into(), now.into()],
    )
    .await?;
    if n > 0 {
        return Ok(true);
    }
    Ok(jobs::Entity::find()
        .filter(jobs::Column::DedupeKey.eq(dedupe_key))
        .one(conn)
        .await?
        .is_some())
}

/// Claims up to `limit` jobs that are due (or whose holder's lease ran out) for `owner` until
/// `lease_until`, each with a new fencing token and one attempt more.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Job>, DbErr> {
    let lock = if conn.get_database_backend() == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $3, \
         lease_token = lease_token + 1, attempts = attempts + 1, updated_at = $2 \
         WHERE id IN (SELECT id FROM jobs \
           WHERE (state = 'queued' AND due_at <= $2) OR (state = 'running' AND lease_until < $2) \
           ORDER BY due_at LIMIT $4 {lock}) \
         RETURNING *"
    );
    let backend = conn.get_database_backend();
    Job::find_by_statement(Statement::from_sql_and_values(
        backend,
        crate::to_backend(conn, &sql),
        [
            owner.into(),
            now.into(),
            lease_until.into(),
            i64::from(limit).into(),
        ],
    ))
    .all(conn)
    .await
}

/// True while `token` is the job's current claim; call it inside the transaction that commits
/// the job's work, so that work done under a lost lease is rolled back, not committed.
pub async fn holds<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    token: i64,
    _now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        // Leaves `updated_at` at the claim's time: `run_now` compares with it.
        "UPDATE jobs SET lease_owner = lease_owner \
         WHERE id = $1 AND lease_token = $2 AND state = 'running'",
        vec![id.into(), token.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Ends a claim as `finish` says; false when `token` is no longer the current claim (fenced).
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    token: i64,
    finish: &Finish,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let fenced = "WHERE id = $1 AND lease_token = $2 AND state = 'running'";
    // Asked to run again while it ran (`run_now`): due at that request, not at `$3`.
    let again = "due_at = CASE WHEN due_at > updated_at THEN due_at ELSE $3 END";
    let n = match finish {
        Finish::Done(Some(at)) => {
            crate::exec(
                conn,
                &format!(
                    "UPDATE jobs SET state = 'queued', {again}, attempts = 0, \
                     last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $4 \
                     {fenced}"
                ),
                vec![id.into(), token.into(), (*at).into(), now.into()],
            )
            .await?
        }
        Finish::Done(None) => {
            crate::exec(
                conn,
                &format!(
                    "UPDATE jobs SET state = 'done', last_error = NULL, lease_owner = NULL, \
                     lease_until = NULL, updated_at = $3 {fenced}"
                ),
                vec![id.into(), token.into(), now.into()],
            )
            .await?
        }
        Finish::Retry { at, error } => {
            crate::exec(
                conn,
                &format!(
                    "UPDATE jobs SET state = 'queued', {again}, last_error = $4, \
                     lease_owner = NULL, lease_until = NULL, updated_at = $5 {fenced}"
                ),
                vec![
                    id.into(),
                    token.into(),
                    (*at).into(),
                    error.clone().into(),
                    now.into(),
                ],
            )
            .await?
        }
        Finish::Dead(error) => {
            crate::exec(
                conn,
                &format!(
                    "UPDATE jobs SET state = 'dead', last_error = $3, lease_owner = NULL, \
                     lease_until = NULL, updated_at = $4 {fenced}"
                ),
                vec![id.into(), token.into(), error.clone().into(), now.into()],
            )
            .await?
        }
    };
    Ok(n == 1)
}

/// Jobs in `state` (every state when `None`), the longest waiting first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    state: Option<&str>,
    limit: u64,
) -> Result<Vec<Job>, DbErr> {
    let mut q = jobs::Entity::find();
    if let Some(s) = state {
        q = q.filter(jobs::Column::State.eq(s));
    }
    q.order_by_asc(jobs::Column::UpdatedAt)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<Job>, DbErr> {
    jobs::Entity::find_by_id(id).one(conn).await
}

/// Queues a dead job again, due now, with a fresh attempt budget; false when it is not dead.
pub async fn retry<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE jobs SET state = 'queued', due_at = $2, attempts = 0, updated_at = $2 \
         WHERE id = $1 AND state = 'dead'",
        vec![id.into(), now.into()],
    )
    .await?;
    Ok(n == 1)
}

/// When the next queued job falls due, for the engine's sleep.
pub async fn next_due<C: ConnectionTrait>(conn: &C) -> Result<Option<DateTime<Utc>>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        next: Option<DateTime<Utc>>,
    }
    let backend = conn.get_database_backend();
    let row = Row::find_by_statement(Statement::from_string(
        backend,
        "SELECT MIN(due_at) AS next FROM jobs WHERE state = 'queued'",
    ))
    .one(conn)
    .await?;
    Ok(row.and_then(|r| r.next))
}
