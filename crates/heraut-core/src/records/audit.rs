//! Reading and verifying the audit log, and the helper every use case records events with.

use heraut_auth::Permission;
use heraut_db::Scope;
use heraut_db::audit::{self, Filter, NewEvent};
use heraut_proto::tenants::{AuditEventView, AuditList, AuditVerifyResponse};
use heraut_proto::{TenantId, UserId};
use sea_orm::ConnectionTrait;

use crate::{Actor, Core, CoreResult, RequestMeta};

/// What happened, to whom, with what outcome.
pub(crate) struct Event<'a> {
    pub action: &'a str,
    pub target: Option<String>,
    pub outcome: &'a str,
    pub details: serde_json::Value,
}

/// Appends an event to `tenant`'s chain within `conn`'s transaction.
pub(crate) async fn record<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    actor: Option<(UserId, &str)>,
    meta: &RequestMeta,
    event: Event<'_>,
) -> CoreResult<()> {
    audit::append(
        conn,
        tenant,
        NewEvent {
            actor_id: actor.map(|a| a.0),
            actor_email: actor.map(|a| a.1.to_owned()),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            action: event.action.to_owned(),
            target: event.target,
            outcome: event.outcome.to_owned(),
            request_id: meta.request_id.clone(),
            details: event.details,
        },
        meta.now,
    )
    .await?;
    Ok(())
}

/// Records a successful action of a signed-in `actor` in `tenant`'s chain, within `conn`'s
/// transaction.
pub(crate) async fn record_by<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    actor: &Actor,
    meta: &RequestMeta,
    action: &str,
    target: impl Into<String>,
    details: serde_json::Value,
) -> CoreResult<()> {
    let event = Event {
        action,
        target: Some(target.into()),
        outcome: "success",
        details,
    };
    record(
        conn,
        tenant,
        Some((actor.user_id, &actor.email)),
        meta,
        event,
    )
    .await
}

/// Query of the audit list.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    pub actor: Option<UserId>,
    pub action: Option<String>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

fn view(e: audit::AuditEvent) -> AuditEventView {
    AuditEventView {
        seq: e.seq,
        occurred_at: e.occurred_at,
        actor_id: e.actor_id.map(UserId),
        actor_email: e.actor_email,
        ip: e.ip,
        user_agent: e.user_agent,
        action: e.action,
        target: e.target,
        outcome: e.outcome,
        request_id: e.request_id,
        details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
        hash: e.hash,
    }
}

impl Core {
    /// Events of a tenant, newest first, filtered.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        slug: &str,
        q: AuditQuery,
    ) -> CoreResult<AuditList> {
        let ctx = self.tenant_ctx(actor, slug, Permission::AuditRead).await?;
        let limit = crate::paging::page_limit(q.limit)?;
        let before_seq = match &q.cursor {
            Some(c) => Some(c.parse::<i64>().map_err(|_| crate::paging::bad_cursor())?),
            None => None,
        };
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let filter = Filter {
            actor: q.actor,
            action: q.action,
            since: q.since,
            until: q.until,
            before_seq,
        };
        let rows = audit::list(&txn, ctx.tenant_id, &filter, limit + 1).await?;
        txn.commit().await?;
        let more = rows.len() as u64 > limit;
        let items: Vec<AuditEventView> = rows.into_iter().take(limit as usize).map(view).collect();
        let next_cursor = more
            .then(|| items.last().map(|e| e.seq.to_string()))
            .flatten();
        Ok(AuditList { items, next_cursor })
    }

    /// Recomputes a tenant's chain.
    pub async fn verify_audit(&self, actor: &Actor, slug: &str) -> CoreResult<AuditVerifyResponse> {
        let ctx = self.tenant_ctx(actor, slug, Permission::AuditRead).await?;
        self.verify_chain(ctx.tenant_id).await
    }

    /// Recomputes a chain without an actor (the CLI); `INSTANCE_CHAIN` for the instance's own.
    pub async fn verify_chain(&self, tenant: TenantId) -> CoreResult<AuditVerifyResponse> {
        let txn = self.db.begin_read(Scope::Tenant(tenant)).await?;
        let v = audit::verify(&txn, tenant).await?;
        txn.commit().await?;
        Ok(AuditVerifyResponse {
            valid: v.valid,
            events_checked: v.events_checked,
            first_broken_event: v.first_broken_event,
        })
    }
}
