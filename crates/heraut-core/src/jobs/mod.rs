//! Jobs: the one engine background work runs on. A job is a row of `jobs` (kind, tenant,
//! payload, due time), claimed with a lease and a fencing token, run by its kind's handler and
//! finished with a fenced write: done (and, for periodic work, due again), retried with
//! exponential backoff and jitter, or dead after too many attempts, for an instance
//! administrator to see and retry. A new kind of background work is a new kind here, not a new
//! loop. The first kind reads channels' networks (`sync`).

pub mod sync;

use std::time::Duration;

use chrono::{DateTime, Utc};
use heraut_db::Scope;
use heraut_db::jobs::{self, Finish, Job};
use heraut_proto::ErrorCode;
use heraut_proto::jobs::{JobList, JobState, JobView};

use crate::publishing::publisher::Clock;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

/// Jobs claimed at once per node.
const BATCH: u32 = 16;
/// How often the engine makes sure every active channel has its sync job.
const SWEEP_EVERY: Duration = Duration::from_secs(30);

fn view(j: Job) -> JobView {
    JobView {
        id: j.id.to_string(),
        kind: j.kind,
        tenant_id: j.tenant_id.map(heraut_proto::TenantId),
        state: JobState::parse(&j.state).unwrap_or(JobState::Queued),
        due_at: j.due_at,
        attempts: u32::try_from(j.attempts).unwrap_or(0),
        last_error: j.last_error,
        updated_at: j.updated_at,
    }
}

impl Core {
    /// Wakes this node's job engine (and, through the relay, the other nodes').
    pub(crate) fn wake_jobs(&self) {
        self.jobs_wake.notify_one();
        if let Some(w) = &self.remote_wake {
            w();
        }
    }

    /// Runs the job engine until `stop` is set: claims what is due, runs it, sleeps until the
    /// next due time, the poll interval or a wake-up.
    pub async fn run_jobs(&self, clock: Clock, mut stop: tokio::sync::watch::Receiver<bool>) {
        let owner = uuid::Uuid::new_v4().to_string();
        let poll = Duration::from_millis(u64::from(self.config.publisher.poll_interval_ms))
            .max(Duration::from_millis(250));
        let mut last_sweep: Option<DateTime<Utc>> = None;
        tracing::info!("job engine started");
        loop {
            if *stop.borrow() {
                break;
            }
            let now = clock();
            let sweep = chrono::Duration::from_std(SWEEP_EVERY).unwrap_or_default();
            if last_sweep.is_none_or(|t| now - t >= sweep) {
                if let Err(e) = self.ensure_sync_jobs(now).await {
                    tracing::warn!(error = %e.detail, "could not schedule channel syncs");
                }
                last_sweep = Some(now);
            }
            let claimed = match self.claim_jobs(&owner, clock()).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e.detail, "claiming jobs failed");
                    Vec::new()
                }
            };
            let busy = !claimed.is_empty();
            // The claimed jobs run side by side (a slow network holds up only its own job).
            let mut running = tokio::task::JoinSet::new();
            for job in claimed {
                let core = self.clone();
                running.spawn(async move { core.run_and_finish(job, clock).await });
            }
            while running.join_next().await.is_some() {}
            if busy {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = self.jobs_wake.notified() => {}
                _ = stop.changed() => {}
            }
        }
        tracing::info!("job engine stopped");
    }

    /// Runs a claimed job and records how it ended, under its claim.
    async fn run_and_finish(&self, job: Job, clock: Clock) {
        let (id, token, kind) = (job.id, job.lease_token, job.kind.clone());
        let finish = self.run_job(job, clock).await;
        let done = async {
            let txn = self.db.begin(Scope::Scheduler).await?;
            let held = jobs::finish(&txn, id, token, &finish, clock()).await?;
            txn.commit().await?;
            Ok::<bool, sea_orm::DbErr>(held)
        };
        match done.await {
            Ok(true) => {}
            Ok(false) => tracing::info!(%id, kind, "a job's lease ran out; another node has it"),
            Err(e) => {
                tracing::warn!(%id, kind, error = %e, "finishing a job failed; it is claimed again after its lease")
            }
        }
    }

    async fn claim_jobs(&self, owner: &str, now: DateTime<Utc>) -> CoreResult<Vec<Job>> {
        let lease = chrono::Duration::seconds(i64::from(self.config.publisher.lease_secs));
        let txn = self.db.begin(Scope::Scheduler).await?;
        let claimed = jobs::claim(&txn, owner, now, now + lease, BATCH).await?;
        txn.commit().await?;
        Ok(claimed)
    }

    /// Runs one claimed job by its kind.
    async fn run_job(&self, job: Job, clock: Clock) -> Finish {
        let finish = match job.kind.as_str() {
            sync::KIND => self.sync_channel(&job, clock).await,
            other => Finish::Dead(format!("no job kind `{other}` in this Heraut")),
        };
        match finish {
            Finish::Retry { error, .. }
                if job.attempts >= self.config.publisher.max_attempts as i32 =>
            {
                Finish::Dead(format!("gave up after {} attempts: {error}", job.attempts))
            }
            other => other,
        }
    }

    /// When a job that failed `attempts` times tries again: the publisher's backoff (doubling
    /// from its base, up to its maximum), with jitter so that nodes do not retry in step.
    pub(crate) fn job_backoff(&self, now: DateTime<Utc>, attempts: i32) -> DateTime<Utc> {
        now + self.backoff(attempts)
    }

    /// `GET /admin/jobs` (instance administrators): jobs in `state` (`dead` by default).
    pub async fn list_jobs(&self, actor: &Actor, state: Option<JobState>) -> CoreResult<JobList> {
        self.require_admin(actor)?;
        let state = state.unwrap_or(JobState::Dead);
        let items = jobs::list(self.db.read_conn(), Some(state.as_str()), 200)
            .await?
            .into_iter()
            .map(view)
            .collect();
        Ok(JobList {
            items,
            next_cursor: None,
        })
    }

    /// `POST /admin/jobs/{id}/retry` (instance administrators): a dead job runs again now.
    pub async fn retry_job(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        id: &str,
    ) -> CoreResult<JobView> {
        self.require_admin(actor)?;
        let not_found = || {
            CoreError::new(
                ErrorCode::JobNotFound,
                format!("no job `{id}` in this Heraut"),
            )
        };
        let uuid = uuid::Uuid::parse_str(id).map_err(|_| not_found())?;
        // The instance's audit chain is written in its scope; `jobs` is instance-wide.
        let txn = self
            .db
            .begin(Scope::Tenant(heraut_db::INSTANCE_CHAIN))
            .await?;
        let job = jobs::find(&txn, uuid).await?.ok_or_else(not_found)?;
        if !jobs::retry(&txn, uuid, meta.now).await? {
            return Err(CoreError::new(
                ErrorCode::JobNotDead,
                format!(
                    "the job is {}; only a dead job can be tried again",
                    job.state
                ),
            ));
        }
        let event = crate::records::audit::Event {
            action: "job.retry",
            target: Some(id.to_owned()),
            outcome: "success",
            details: serde_json::json!({"kind": job.kind, "last_error": job.last_error}),
        };
        crate::records::audit::record(
            &txn,
            heraut_db::INSTANCE_CHAIN,
            Some((actor.user_id, &actor.email)),
            meta,
            event,
        )
        .await?;
        let stored = jobs::find(&txn, uuid).await?.ok_or_else(not_found)?;
        txn.commit().await?;
        self.wake_jobs();
        Ok(view(stored))
    }
}
