//! The `channel.sync` kind: reads what is new on a channel's network through its connector and
//! stores it as inbound items, once each by remote id. Every active channel has one such job
//! (the engine's sweep makes sure), due every `inbound.poll_interval_seconds` and at once on
//! `POST …/channels/{id}/sync`. A page's items and the cursor after them commit in one
//! transaction that also checks the job's lease, so the cursor never passes items that were
//! not stored, and a node whose lease ran out stores nothing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use heraut_auth::Permission;
use heraut_db::inbound::{self, InboundRow};
use heraut_db::jobs::{self, Finish, Job, NewJob};
use heraut_db::{Scope, posts};
use heraut_proto::posts::SyncView;
use heraut_proto::{ChannelId, TenantId};
use sea_orm::Set;
use uuid::Uuid;

use crate::channels::connect::channel_not_found;
use crate::channels::connector::{Activity, PublishError};
use crate::publishing::publisher::Clock;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

pub const KIND: &str = "channel.sync";

/// Pages read in one run; the job runs again at once when the network had more.
const PAGES_PER_RUN: usize = 20;
/// How long before a channel whose connector does not read its network is asked again (an
/// upgrade may have taught it).
const NOT_READING_AGAIN: Duration = Duration::from_secs(3600);

fn key(channel: Uuid) -> String {
    format!("{KIND}:{channel}")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    channel: Uuid,
}

fn row(tenant: TenantId, channel: Uuid, a: Activity, now: DateTime<Utc>) -> InboundRow {
    InboundRow {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        channel_id: Set(channel),
        remote_id: Set(a.remote_id),
        kind: Set(a.kind),
        author_handle: Set(a.author_handle),
        author_name: Set(a.author_name),
        author_url: Set(a.author_url),
        body: Set(a.body),
        remote_url: Set(a.remote_url),
        in_reply_to: Set(a.in_reply_to),
        conversation: Set(a.conversation),
        received_at: Set(a.created_at),
        fetched_at: Set(now),
        status: Set("open".to_owned()),
    }
}

impl Core {
    /// Gives every active channel its sync job (a no-op for those that have one).
    pub(crate) async fn ensure_sync_jobs(&self, now: DateTime<Utc>) -> CoreResult<()> {
        let txn = self.db.begin(Scope::Scheduler).await?;
        for (channel, tenant) in inbound::active_channels(&txn).await? {
            self.schedule_sync(&txn, tenant, channel, now).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Gives a channel its sync job, due at `due` (a no-op when it has one).
    pub(crate) async fn schedule_sync<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        channel: Uuid,
        due: DateTime<Utc>,
    ) -> CoreResult<()> {
        let payload = serde_json::to_string(&Payload { channel })
            .map_err(|e| CoreError::internal(e.to_string()))?;
        let job = NewJob {
            kind: KIND,
            tenant: Some(tenant.0),
            dedupe_key: &key(channel),
            payload,
        };
        jobs::ensure(conn, job, due, due).await?;
        Ok(())
    }

    /// `POST …/channels/{id}/sync`: read the channel's network now instead of at the next
    /// interval.
    pub async fn sync_channel_now(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<SyncView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        let uuid = Uuid::parse_str(id).map_err(|_| channel_not_found(id))?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let channel = posts::channel(&txn, ctx.tenant_id, uuid)
            .await?
            .filter(|c| c.status != "disconnected")
            .ok_or_else(|| channel_not_found(id))?;
        if channel.status != "active" {
            return Err(CoreError::new(
                heraut_proto::ErrorCode::ChannelInvalid,
                "the channel must be reconnected before Heraut can read it",
            ));
        }
        if !self.reads_network(&channel.plugin).await {
            return Err(CoreError::new(
                heraut_proto::ErrorCode::ChannelInvalid,
                format!(
                    "the connector `{}` does not read its network yet; nothing to fetch",
                    channel.plugin
                ),
            ));
        }
        self.schedule_sync(&txn, ctx.tenant_id, uuid, meta.now)
            .await?;
        jobs::run_now(&txn, &key(uuid), meta.now).await?;
        txn.commit().await?;
        self.wake_jobs();
        Ok(SyncView {
            channel_id: ChannelId(uuid),
            requested_at: meta.now,
        })
    }

    /// Runs one `channel.sync` job.
    pub(crate) async fn sync_channel(&self, job: &Job, clock: Clock) -> Finish {
        let interval =
            chrono::Duration::seconds(i64::from(self.config.inbound.poll_interval_seconds));
        let (Some(tenant), Ok(payload)) = (
            job.tenant_id.map(TenantId),
            serde_json::from_str::<Payload>(&job.payload),
        ) else {
            return Finish::Dead("the job names no tenant or no channel".to_owned());
        };
        let failed = |e: CoreError| Finish::Retry {
            at: self.job_backoff(clock(), job.attempts),
            error: e.detail,
        };
        let channel = match self.read_channel(tenant, payload.channel).await {
            Ok(Some(c)) => c,
            // Gone: nothing to read any more.
            Ok(None) => return Finish::Done(None),
            Err(e) => return failed(e),
        };
        if channel.status != "active" {
            // Waits for a reconnect; the job stays, due again later.
            return Finish::Done(Some(clock() + interval));
        }
        let not_reading = || {
            let again = chrono::Duration::from_std(NOT_READING_AGAIN).unwrap_or(interval);
            Finish::Done(Some(clock() + again.max(interval)))
        };
        let connector = match self.connector(&channel.plugin).await {
            Ok(Some(c)) => c,
            // Its plugin may be installed again, or learn to read: asked again later.
            Ok(None) => return not_reading(),
            Err(e) => return failed(e),
        };
        if !connector.reads_activity() {
            return not_reading();
        }
        let account = match self.channel_account(&channel) {
            Ok(a) => a,
            Err(e) => return Finish::Dead(e.detail),
        };
        let timeout = Duration::from_secs(u64::from(self.config.publisher.call_timeout_secs));
        let mut cursor = channel.inbound_cursor.clone();
        for _ in 0..PAGES_PER_RUN {
            let fetched = tokio::time::timeout(
                timeout,
                connector.fetch_activity(&account, cursor.as_deref()),
            )
            .await
            .unwrap_or_else(|_| Err(PublishError::Transient("the network took too long".into())));
            let page = match fetched {
                Ok(Some(p)) => p,
                Ok(None) => return not_reading(),
                Err(e) => return self.sync_failed(tenant, &channel, job, e, clock).await,
            };
            let now = clock();
            let next = page.next_cursor.clone();
            let stored = async {
                let txn = self.db.begin(Scope::Tenant(tenant)).await?;
                if !jobs::holds(&txn, job.id, job.lease_token, now).await? {
                    return Ok::<bool, sea_orm::DbErr>(false);
                }
                for item in page.items {
                    inbound::insert_new(&txn, row(tenant, channel.id, item, now)).await?;
                }
                inbound::set_synced(&txn, tenant, channel.id, next.as_deref(), now, None).await?;
                txn.commit().await?;
                Ok(true)
            };
            match stored.await {
                Ok(true) => {}
                // Another node holds the job now; this run stores nothing more.
                Ok(false) => return Finish::Done(None),
                Err(e) => return failed(e.into()),
            }
            if next.is_some() {
                cursor = next;
            }
            if !page.more {
                break;
            }
        }
        Finish::Done(Some(clock() + interval))
    }

    async fn read_channel(
        &self,
        tenant: TenantId,
        channel: Uuid,
    ) -> CoreResult<Option<posts::Channel>> {
        let txn = self.db.begin_read(Scope::Tenant(tenant)).await?;
        let found = posts::channel(&txn, tenant, channel)
            .await?
            .filter(|c| c.status != "disconnected");
        txn.commit().await?;
        Ok(found)
    }

    /// What a failed reading becomes: waiting out a rate limit, retrying with backoff, or
    /// dead when the network refused (for an administrator to see). Its error is shown on the
    /// channel.
    async fn sync_failed(
        &self,
        tenant: TenantId,
        channel: &posts::Channel,
        job: &Job,
        e: PublishError,
        clock: Clock,
    ) -> Finish {
        let now = clock();
        let message = e.to_string();
        let noted = async {
            let txn = self.db.begin(Scope::Tenant(tenant)).await?;
            inbound::set_synced(&txn, tenant, channel.id, None, now, Some(&message)).await?;
            txn.commit().await
        };
        if let Err(e) = noted.await {
            tracing::warn!(channel = %channel.id, error = %e, "could not record a failed sync");
        }
        match e {
            PublishError::RateLimited { retry_after_secs } => Finish::Retry {
                at: now + chrono::Duration::seconds(retry_after_secs.min(86_400) as i64),
                error: message,
            },
            PublishError::Rejected(m) => Finish::Dead(m),
            _ => Finish::Retry {
                at: self.job_backoff(now, job.attempts),
                error: message,
            },
        }
    }
}
