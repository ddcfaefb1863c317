//! The audit log: one hash chain per tenant, `h_i = SHA-256(h_{i-1} ‖ canonical(entry_i))`.
//! Append-only: nothing here updates or deletes, and on PostgreSQL the app role cannot.

use chrono::{DateTime, SubsecRound, Utc};
use heraut_entity::audit_events;
use heraut_proto::{TenantId, UserId};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use sha2::{Digest, Sha256};

pub use heraut_entity::audit_events::Model as AuditEvent;

/// The hash before the first event of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event to append.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub actor_id: Option<UserId>,
    pub actor_email: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

/// The canonical bytes of an event: a JSON array in fixed field order.
pub fn canonical(e: &AuditEvent) -> Vec<u8> {
    serde_json::json!([
        e.tenant_id.to_string(),
        e.seq,
        e.occurred_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        e.actor_id.map(|a| a.to_string()),
        e.actor_email,
        e.ip,
        e.user_agent,
        e.action,
        e.target,
        e.outcome,
        e.request_id,
        e.details,
    ])
    .to_string()
    .into_bytes()
}

/// `SHA-256(prev_hash ‖ canonical(event))` as hex.
pub fn chain_hash(prev_hash: &str, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(e));
    hex::encode(h.finalize())
}

fn clip(s: Option<String>, max: usize) -> Option<String> {
    s.map(|v| v.chars().take(max).collect())
}

/// Appends an event to a tenant's chain. Call inside the transaction of the change it records,
/// so the event and the change commit together.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    event: NewEvent,
    now: DateTime<Utc>,
) -> Result<AuditEvent, DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres {
        // Serialise appends per chain; SQLite already has a single writer.
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))",
            [tenant.0.to_string().into()],
        ))
        .await?;
    }
    let last = audit_events::Entity::find()
        .filter(audit_events::Column::TenantId.eq(tenant.0))
        .order_by_desc(audit_events::Column::Seq)
        .limit(1)
        .one(conn)
        .await?;
    let (seq, prev_hash) = match last {
        Some(l) => (l.seq + 1, l.hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut model = AuditEvent {
        id: uuid::Uuid::now_v7(),
        tenant_id: tenant.0,
        seq,
        occurred_at: now.trunc_subsecs(6),
        actor_id: event.actor_id.map(|a| a.0),
        actor_email: clip(event.actor_email, 320),
        ip: clip(event.ip, 64),
        user_agent: clip(event.user_agent, 512),
        action: event.action,
        target: clip(event.target, 200),
        outcome: event.outcome,
        request_id: clip(event.request_id, 64),
        details: event.details.to_string(),
        prev_hash: prev_hash.clone(),
        hash: String::new(),
    };
    model.hash = chain_hash(&prev_hash, &model);
    let active: audit_events::ActiveModel = model.clone().into();
    // The row is what we built; reading it back would cost a statement on SQLite.
    audit_events::Entity::insert(active)
        .exec_without_returning(conn)
        .await?;
    Ok(model)
}

/// Filters for listing events.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub actor: Option<UserId>,
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only events with a smaller sequence number (newest first paging).
    pub before_seq: Option<i64>,
}

/// Events of a tenant, newest first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    f: &Filter,
    limit: u64,
) -> Result<Vec<AuditEvent>, DbErr> {
    let mut q = audit_events::Entity::find()
        .filter(audit_events::Column::TenantId.eq(tenant.0))
        .order_by_desc(audit_events::Column::Seq);
    if let Some(a) = f.actor {
        q = q.filter(audit_events::Column::ActorId.eq(a.0));
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_events::Column::Action.eq(a.clone()));
    }
    if let Some(s) = f.since {
        q = q.filter(audit_events::Column::OccurredAt.gte(s));
    }
    if let Some(u) = f.until {
        q = q.filter(audit_events::Column::OccurredAt.lt(u));
    }
    if let Some(b) = f.before_seq {
        q = q.filter(audit_events::Column::Seq.lt(b));
    }
    q.limit(limit).all(conn).await
}

/// Result of checking a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub valid: bool,
    pub events_checked: u64,
    pub first_broken_event: Option<i64>,
}

/// Recomputes a tenant's chain from the start, in pages; detects a changed byte, a removed or
/// inserted event, and a reordering.
pub async fn verify<C: ConnectionTrait>(conn: &C, tenant: TenantId) -> Result<Verification, DbErr> {
    const PAGE: u64 = 1000;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let mut checked = 0u64;
    loop {
        let page = audit_events::Entity::find()
            .filter(audit_events::Column::TenantId.eq(tenant.0))
            .filter(audit_events::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_events::Column::Seq)
            .limit(PAGE)
            .all(conn)
            .await?;
        let n = page.len() as u64;
        for e in page {
            checked += 1;
            let ok = e.seq == expected_seq
                && e.tenant_id == tenant.0
                && e.prev_hash == prev
                && chain_hash(&prev, &e) == e.hash;
            if !ok {
                return Ok(Verification {
                    valid: false,
                    events_checked: checked,
                    first_broken_event: Some(e.seq.min(expected_seq)),
                });
            }
            prev = e.hash;
            expected_seq += 1;
        }
        if n < PAGE {
            break;
        }
    }
    Ok(Verification {
        valid: true,
        events_checked: checked,
        first_broken_event: None,
    })
}
