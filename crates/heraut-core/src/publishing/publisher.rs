//! The publisher: claims due post targets with a lease and an attempt token, reads back before
//! any retry of a call that may have reached the network, sends through the channel's
//! connector, and records the outcome with a fenced write. Its state lives in the database only;
//! a wake-up (in-process, or from other nodes through Redis) merely shortens the wait.
//! `docs/design/scheduler.md` explains why no target is lost or sent twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use heraut_db::scheduler::{self, Claim, Outcome};
use heraut_db::{Scope, posts, tenants};
use heraut_proto::posts::{PostEvent, PostStatus, TargetStatus};
use heraut_proto::{PostId, TenantId, UserId};
use rand::Rng;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::channels::connector::{OutgoingMedia, OutgoingPost, PublishError, Receipt};
use crate::publishing::posts::post_status_from;
use crate::{Core, CoreError, CoreResult, RequestMeta};

/// Where the publisher gets the time from (the wall clock in the server, a fixed one in tests).
pub type Clock = fn() -> DateTime<Utc>;

/// What the publisher needs to know after a claim, read in the tenant's scope.
struct Work {
    target: posts::Target,
    channel: posts::Channel,
    grace: chrono::Duration,
    thread: Thread,
}

/// Where a reply stands: what it answers on this channel.
enum Thread {
    /// Not a reply.
    None,
    /// The remote id of the post it answers on this channel.
    ReplyTo(String),
    /// The post it answers is not out on this channel yet.
    Waiting,
    /// The post it answers will not be out on this channel.
    Orphaned(String),
}

impl Core {
    /// Wakes this node's publisher (and, through the relay, the others') to look at the queue.
    pub(crate) fn wake_publisher(&self) {
        self.publisher_wake.notify_one();
        if let Some(w) = &self.remote_wake {
            w();
        }
    }

    /// Lets a wake-up from another node through (to the publisher and the job engine).
    pub fn wake_local_publisher(&self) {
        self.publisher_wake.notify_one();
        self.jobs_wake.notify_one();
    }

    /// Runs the publisher until `stop` is set: claims what is due, sends up to `batch_size`
    /// targets at once, sleeps until the next due time, the poll interval or a wake-up.
    pub async fn run_publisher(&self, clock: Clock, mut stop: tokio::sync::watch::Receiver<bool>) {
        let cfg = self.config.publisher.clone();
        let slots = Arc::new(Semaphore::new(cfg.batch_size as usize));
        let mut running: JoinSet<()> = JoinSet::new();
        let poll = Duration::from_millis(u64::from(cfg.poll_interval_ms));
        let refill = (cfg.batch_size as usize / 4).max(1);
        let recorder = self.start_recorder(clock);
        tracing::info!(
            batch = cfg.batch_size,
            lease_secs = cfg.lease_secs,
            "publisher started"
        );
        loop {
            if *stop.borrow() {
                break;
            }
            while running.try_join_next().is_some() {}
            let free = slots.available_permits();
            // Claim in batches: while most slots are busy, wait for sends to finish first.
            if free < refill && !running.is_empty() {
                tokio::select! {
                    _ = running.join_next() => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let claimed = if free == 0 {
                Ok(Vec::new())
            } else {
                self.claim(clock, u32::try_from(free).unwrap_or(1)).await
            };
            let claimed = match claimed {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming due targets failed; trying again");
                    Vec::new()
                }
            };
            let got = claimed.len();
            for claim in claimed {
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    break;
                };
                let core = self.clone();
                let recorder = recorder.clone();
                running.spawn(async move {
                    if let Err(e) = core.process(claim, clock, &recorder).await {
                        tracing::warn!(target_id = %claim.target, error = %e, "publishing a target failed; its lease will run out and it is taken up again");
                    }
                    drop(permit);
                });
            }
            if got > 0 && got == free {
                continue; // more may be due
            }
            // Sleep until the next due time, at most the poll interval; a target that is due
            // but cannot be claimed (crisis mode, a channel to reconnect) must not make this spin.
            let now = clock();
            let wait = match self.next_due().await {
                Ok(Some(next)) if next > now => (next - now).to_std().unwrap_or(poll).min(poll),
                _ => poll,
            };
            tokio::select! {
                _ = self.publisher_wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
                // A finished send frees a slot for the next due target.
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        // Let what is being sent finish and be recorded; a hard kill is covered by leases.
        while running.join_next().await.is_some() {}
        tracing::info!("publisher stopped");
    }

    async fn claim(&self, clock: Clock, limit: u32) -> CoreResult<Vec<Claim>> {
        let now = clock();
        let lease = chrono::Duration::seconds(i64::from(self.config.publisher.lease_secs));
        let txn = self.db.begin(Scope::Scheduler).await?;
        let claims = scheduler::claim_due(&txn, now, now + lease, Uuid::new_v4(), limit).await?;
        txn.commit().await?;
        Ok(claims)
    }

    async fn next_due(&self) -> CoreResult<Option<DateTime<Utc>>> {
        let txn = self.db.begin_read(Scope::Scheduler).await?;
        let next = scheduler::next_due(&txn).await?;
        txn.commit().await?;
        Ok(next)
    }

    async fn load(&self, claim: &Claim) -> CoreResult<Option<Work>> {
        let txn = self.db.begin_read(Scope::Tenant(claim.tenant)).await?;
        let Some(target) = scheduler::claimed_target(&txn, claim).await? else {
            txn.commit().await?;
            return Ok(None);
        };
        let channel = posts::channel(&txn, claim.tenant, target.channel_id)
            .await?
            .ok_or_else(|| CoreError::internal("target without its channel"))?;
        let thread = match target.reply_to {
            None => Thread::None,
            Some(parent) => {
                let parents = posts::targets_of(&txn, claim.tenant, &[parent]).await?;
                match parents.iter().find(|p| p.channel_id == target.channel_id) {
                    Some(p) if p.status == TargetStatus::Published.as_str() => match &p.remote_id {
                        Some(id) => Thread::ReplyTo(id.clone()),
                        None => Thread::Orphaned("the post it replies to has no remote id".into()),
                    },
                    Some(p) if matches!(p.status.as_str(), "failed" | "cancelled") => {
                        Thread::Orphaned(format!(
                            "the post it replies to was not published on this channel ({})",
                            p.status
                        ))
                    }
                    Some(_) => Thread::Waiting,
                    None => Thread::Orphaned(
                        "the post it replies to does not go out on this channel".into(),
                    ),
                }
            }
        };
        txn.commit().await?;
        let tenant = tenants::find_by_id(self.db.read_conn(), claim.tenant)
            .await?
            .ok_or_else(|| CoreError::internal("target without its tenant"))?;
        Ok(Some(Work {
            target,
            channel,
            grace: chrono::Duration::minutes(i64::from(tenant.publish_grace_minutes)),
            thread,
        }))
    }

    /// Takes one claimed target to its next state.
    async fn process(&self, claim: Claim, clock: Clock, recorder: &Recorder) -> CoreResult<()> {
        let Some(work) = self.load(&claim).await? else {
            return Ok(()); // cancelled, or taken over after our lease ran out
        };
        let t = &work.target;
        let connector = match self.connector(&work.channel.plugin).await {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Err(format!(
                "the connector `{}` is not installed",
                work.channel.plugin
            )),
            Err(e) => Err(e.to_string()),
        };
        let connector = match connector {
            Ok(c) => c,
            Err(error) => {
                return self
                    .finish(recorder, claim, work, Outcome::Failed { error })
                    .await;
            }
        };
        let account = self.channel_account(&work.channel)?;
        let timeout = Duration::from_secs(u64::from(self.config.publisher.call_timeout_secs));
        // An earlier claim may have reached the network: read back, never send blindly.
        if t.attempts > 1 {
            let found = tokio::time::timeout(
                timeout,
                connector.find_published(&account, &t.idempotency_key),
            )
            .await
            .unwrap_or_else(|_| Err(PublishError::Transient("read-back timed out".into())));
            match found {
                Ok(Some(receipt)) => {
                    return self.finish(recorder, claim, work, published(receipt)).await;
                }
                Ok(None) => {}
                Err(PublishError::AuthExpired(m)) => {
                    self.needs_reconnect(&claim, &work, &m, clock).await?;
                    let outcome = Outcome::Retry {
                        at: clock(),
                        error: format!("the channel must be reconnected: {m}"),
                    };
                    return self.finish(recorder, claim, work, outcome).await;
                }
                Err(e) => {
                    let outcome = Outcome::Unknown {
                        at: clock() + self.backoff(t.attempts),
                        error: format!("could not read back yet: {e}"),
                    };
                    return self.finish(recorder, claim, work, outcome).await;
                }
            }
        }
        // Stale: after downtime, a government post far past its time waits for a person.
        if !t.confirmed && clock() - t.due_at > work.grace {
            return self
                .finish(recorder, claim, work, Outcome::NeedsConfirmation)
                .await;
        }
        let reply_to = match &work.thread {
            Thread::None => None,
            Thread::ReplyTo(id) => Some(id.clone()),
            Thread::Waiting => {
                let outcome = Outcome::Retry {
                    at: clock() + self.backoff(t.attempts.min(6)),
                    error: "waiting for the post it replies to".to_owned(),
                };
                return self.finish(recorder, claim, work, outcome).await;
            }
            Thread::Orphaned(why) => {
                let outcome = Outcome::Failed { error: why.clone() };
                return self.finish(recorder, claim, work, outcome).await;
            }
        };
        let media = match self.outgoing_media(claim.tenant, &t.media_ids).await {
            Ok(m) => m,
            Err(e) => {
                let outcome = Outcome::Retry {
                    at: clock() + self.backoff(t.attempts),
                    error: format!("the images could not be read: {}", e.detail),
                };
                return self.finish(recorder, claim, work, outcome).await;
            }
        };
        let post = OutgoingPost {
            body: t.body.clone(),
            media,
            idempotency_key: t.idempotency_key.clone(),
            reply_to,
            options: serde_json::from_str(&t.options).unwrap_or_default(),
        };
        let sent = tokio::time::timeout(timeout, connector.publish(&account, &post))
            .await
            .unwrap_or_else(|_| Err(PublishError::Ambiguous("the call timed out".into())));
        let outcome = match sent {
            Ok(receipt) => published(receipt),
            Err(PublishError::Rejected(m)) => Outcome::Failed { error: m },
            Err(PublishError::RateLimited { retry_after_secs }) => Outcome::Retry {
                at: clock() + chrono::Duration::seconds(retry_after_secs.min(86_400) as i64),
                error: format!("rate limited by the network; trying again in {retry_after_secs} s"),
            },
            Err(PublishError::AuthExpired(m)) => {
                self.needs_reconnect(&claim, &work, &m, clock).await?;
                Outcome::Retry {
                    at: clock(),
                    error: format!("the channel must be reconnected: {m}"),
                }
            }
            Err(PublishError::Transient(m))
                if t.attempts >= self.config.publisher.max_attempts as i32 =>
            {
                Outcome::Failed {
                    error: format!("gave up after {} attempts: {m}", t.attempts),
                }
            }
            Err(PublishError::Transient(m)) => Outcome::Retry {
                at: clock() + self.backoff(t.attempts),
                error: m,
            },
            Err(PublishError::Ambiguous(m)) => Outcome::Unknown {
                at: clock() + self.backoff(t.attempts),
                error: m,
            },
        };
        self.finish(recorder, claim, work, outcome).await
    }

    /// The approved images of a target, with their bytes, in order.
    async fn outgoing_media(
        &self,
        tenant: TenantId,
        ids_json: &str,
    ) -> CoreResult<Vec<OutgoingMedia>> {
        let ids: Vec<Uuid> =
            serde_json::from_str(ids_json).map_err(|e| CoreError::internal(e.to_string()))?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let txn = self.db.begin_read(Scope::Tenant(tenant)).await?;
        let rows = posts::media(&txn, tenant, &ids).await?;
        txn.commit().await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let m = rows
                .iter()
                .find(|m| m.id == id)
                .ok_or_else(|| CoreError::internal(format!("media {id} is gone")))?;
            out.push(OutgoingMedia {
                content_type: m.content_type.clone(),
                alt_text: m.alt_text.clone(),
                bytes: self.media_bytes(tenant, id).await?,
            });
        }
        Ok(out)
    }

    /// Exponential backoff with jitter: base·2^(n-1), at most the configured maximum, times a
    /// random factor in [0.5, 1).
    /// The wait before attempt `attempts + 1`: doubling from `backoff_base_ms` up to
    /// `backoff_max_secs`, with jitter (the job engine waits the same way).
    pub(crate) fn backoff(&self, attempts: i32) -> chrono::Duration {
        let cfg = &self.config.publisher;
        let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
        let ms = u64::from(cfg.backoff_base_ms)
            .saturating_mul(1u64 << exp)
            .min(u64::from(cfg.backoff_max_secs) * 1000);
        let jitter: f64 = rand::thread_rng().gen_range(0.5..1.0);
        chrono::Duration::milliseconds((ms as f64 * jitter) as i64)
    }

    async fn needs_reconnect(
        &self,
        claim: &Claim,
        work: &Work,
        message: &str,
        clock: Clock,
    ) -> CoreResult<()> {
        let txn = self.db.begin(Scope::Tenant(claim.tenant)).await?;
        if !posts::mark_needs_reconnect(&txn, claim.tenant, work.channel.id).await? {
            // Another target of the channel got there first: told once is enough.
            txn.commit().await?;
            return Ok(());
        }
        if let Some(owner) = work.channel.created_by {
            let text = format!(
                "The channel “{}” must be reconnected: the network no longer accepts its credentials ({message}). Its posts wait until it is reconnected.",
                work.channel.name
            );
            self.notify(
                &txn,
                claim.tenant,
                UserId(owner),
                Some(work.target.post_id),
                "channel.needs_reconnect",
                text,
                clock(),
            )
            .await?;
        }
        let meta = RequestMeta::cli(clock());
        let event = crate::records::audit::Event {
            action: "channel.needs_reconnect",
            target: Some(work.channel.id.to_string()),
            outcome: "failure",
            details: serde_json::json!({"message": message}),
        };
        crate::records::audit::record(&txn, claim.tenant, None, &meta, event).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Starts the task that records outcomes. Everything that finished while the previous batch
    /// was being written goes into one transaction: one commit (one fsync on SQLite) for many
    /// targets. Each sender waits until its outcome is recorded (or the batch failed, in which
    /// case its lease runs out and the target is read back by the next claim).
    fn start_recorder(&self, clock: Clock) -> Recorder {
        let (tx, mut rx) = mpsc::channel::<(Finish, oneshot::Sender<()>)>(1024);
        let core = self.clone();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < RECORD_BATCH {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let (jobs, done): (Vec<Finish>, Vec<oneshot::Sender<()>>) =
                    batch.into_iter().unzip();
                let n = jobs.len();
                if let Err(e) = core.finish_batch(jobs, clock).await {
                    tracing::warn!(targets = n, error = %e, "recording outcomes failed; the targets are read back after their leases");
                }
                for d in done {
                    let _ = d.send(());
                }
            }
        });
        Recorder { tx }
    }

    /// Hands an outcome to the recorder and waits until it is written.
    async fn finish(
        &self,
        recorder: &Recorder,
        claim: Claim,
        work: Work,
        outcome: Outcome,
    ) -> CoreResult<()> {
        let (done, written) = oneshot::channel();
        recorder
            .tx
            .send((
                Finish {
                    claim,
                    work,
                    outcome,
                },
                done,
            ))
            .await
            .map_err(|_| CoreError::internal("the outcome recorder stopped"))?;
        let _ = written.await;
        Ok(())
    }

    /// Records outcomes (each fenced by its attempt token) with the posts' new statuses, audit
    /// events and notifications, in one transaction. Posts are locked first, in order, then
    /// each tenant's audit chain in order, so two workers' batches cannot deadlock.
    async fn finish_batch(&self, mut jobs: Vec<Finish>, clock: Clock) -> CoreResult<()> {
        jobs.sort_by_key(|j| (j.claim.tenant.0, j.work.target.post_id));
        let Some(first) = jobs.first() else {
            return Ok(());
        };
        let now = clock();
        let txn = self.db.begin(Scope::Tenant(first.claim.tenant)).await?;
        let mut scope = first.claim.tenant;
        let mut locked: HashMap<Uuid, posts::Post> = HashMap::new();
        for j in &jobs {
            let post_id = j.work.target.post_id;
            if locked.contains_key(&post_id) {
                continue;
            }
            if j.claim.tenant != scope {
                scope = j.claim.tenant;
                heraut_db::set_scope(&txn, Scope::Tenant(scope)).await?;
            }
            let post = posts::lock_post(&txn, scope, post_id)
                .await?
                .ok_or_else(|| CoreError::internal("target without its post"))?;
            locked.insert(post_id, post);
        }
        let mut events = Vec::with_capacity(jobs.len());
        for j in &jobs {
            if j.claim.tenant != scope {
                scope = j.claim.tenant;
                heraut_db::set_scope(&txn, Scope::Tenant(scope)).await?;
            }
            let Some(post) = locked.get_mut(&j.work.target.post_id) else {
                continue;
            };
            if let Some(event) = self.finish_one(&txn, j, post, now).await? {
                events.push((j.claim.tenant, event));
            }
        }
        txn.commit().await?;
        for (tenant, event) in events {
            self.events.emit(tenant, event);
        }
        Ok(())
    }

    /// One outcome within the recorder's transaction; `None` when the claim was lost meanwhile
    /// (whoever holds it now decides).
    async fn finish_one(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        job: &Finish,
        post: &mut posts::Post,
        now: DateTime<Utc>,
    ) -> CoreResult<Option<PostEvent>> {
        let Finish {
            claim,
            work,
            outcome,
        } = job;
        let tenant = claim.tenant;
        if !scheduler::finish(txn, claim, outcome, now).await? {
            return Ok(None);
        }
        let statuses = scheduler::target_statuses(txn, tenant, post.id).await?;
        let status = post_status_from(&statuses);
        let author = UserId(post.author_id);
        let mut meta = RequestMeta::cli(now);
        meta.user_agent = Some("heraut-publisher".to_owned());
        let channel = &work.channel.name;
        let (target_status, audit) = match outcome {
            Outcome::Published {
                remote_id,
                remote_url,
                ..
            } => (
                TargetStatus::Published,
                Some((
                    "post.publish",
                    "success",
                    serde_json::json!({
                    "channel": work.channel.id, "remote_id": remote_id, "remote_url": remote_url,
                    "revision": work.target.revision, "attempts": work.target.attempts}),
                )),
            ),
            Outcome::Failed { error } => (
                TargetStatus::Failed,
                Some((
                    "post.publish",
                    "failure",
                    serde_json::json!({
                    "channel": work.channel.id, "error": error, "attempts": work.target.attempts}),
                )),
            ),
            Outcome::Retry { .. } => (TargetStatus::Pending, None),
            Outcome::Unknown { error, .. } => {
                self.notify(txn, tenant, author, Some(post.id), "post.unknown",
                    format!("It is not yet known whether your post reached {channel} ({error}); Heraut is checking before anything is sent again."), now).await?;
                (TargetStatus::Unknown, None)
            }
            Outcome::NeedsConfirmation => {
                self.notify(txn, tenant, author, Some(post.id), "post.needs_confirmation",
                    format!("Your post for {channel} is more than the grace period late and waits for your confirmation or cancellation."), now).await?;
                (
                    TargetStatus::Pending,
                    Some((
                        "post.hold",
                        "success",
                        serde_json::json!({
                    "channel": work.channel.id, "due_at": work.target.due_at, "reason": "overdue past the grace period"}),
                    )),
                )
            }
        };
        if let Some((action, result, details)) = audit {
            let event = crate::records::audit::Event {
                action,
                target: Some(post.id.to_string()),
                outcome: result,
                details,
            };
            crate::records::audit::record(txn, tenant, None, &meta, event).await?;
        }
        if status.as_str() != post.status {
            posts::set_post_status(txn, tenant, post.id, status.as_str(), now).await?;
            post.status = status.as_str().to_owned();
            let message = match status {
                PostStatus::Published => Some(("post.published", "Your post was published on every channel.".to_owned())),
                PostStatus::PartiallyPublished => Some(("post.partially_published", "Your post went out on some channels and failed on others; see the post for details.".to_owned())),
                PostStatus::Failed => Some(("post.failed", "Your post could not be published; see the post for the reason.".to_owned())),
                _ => None,
            };
            if let Some((kind, text)) = message {
                self.notify(txn, tenant, author, Some(post.id), kind, text, now)
                    .await?;
            }
        }
        Ok(Some(PostEvent {
            post_id: PostId(post.id),
            status,
            target_id: Some(work.target.id.to_string()),
            target_status: Some(target_status),
        }))
    }
}

/// One outcome waiting to be recorded.
struct Finish {
    claim: Claim,
    work: Work,
    outcome: Outcome,
}

/// Most outcomes recorded in one transaction.
const RECORD_BATCH: usize = 64;

/// Where a send's outcome goes to be recorded.
#[derive(Clone)]
struct Recorder {
    tx: mpsc::Sender<(Finish, oneshot::Sender<()>)>,
}

fn published(r: Receipt) -> Outcome {
    let parts: Vec<serde_json::Value> = r
        .thread
        .iter()
        .map(|(id, url)| serde_json::json!({"remote_id": id, "remote_url": url}))
        .collect();
    Outcome::Published {
        remote_id: r.remote_id,
        remote_url: r.remote_url,
        thread_parts: (!parts.is_empty()).then(|| serde_json::Value::from(parts).to_string()),
    }
}
