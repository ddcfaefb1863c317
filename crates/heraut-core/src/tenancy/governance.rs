//! Tenant governance: the approval policy that decides who must approve a post, and crisis mode.

use chrono::{DateTime, Utc};
use heraut_auth::Permission;
use heraut_db::{Scope, governance};
use heraut_proto::tenants::HeldTarget;
use heraut_proto::tenants::{
    ApprovalPolicyBody, ApprovalStep, ApproverRole, CrisisRequest, CrisisView,
};
use heraut_proto::{ChannelId, ErrorCode, PostId, TenantId, UserId};

use crate::records::audit::record_by;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

/// Longest crisis banner, in characters.
pub const MAX_CRISIS_MESSAGE: usize = 500;
/// Most steps a policy may have.
pub const MAX_STEPS: usize = 10;

/// The policy of a tenant that never set one: one approver approves.
pub fn default_policy() -> ApprovalPolicyBody {
    ApprovalPolicyBody {
        emergency_steps: heraut_proto::tenants::default_emergency_steps(),
        steps: vec![ApprovalStep {
            name: "Review".to_owned(),
            role: ApproverRole::Approver,
            approvals_required: 1,
        }],
    }
}

fn invalid(detail: String) -> CoreError {
    CoreError::new(ErrorCode::ValidationFailed, detail)
}

/// Checks a policy and returns it with names trimmed.
pub fn validate_policy(body: ApprovalPolicyBody) -> CoreResult<ApprovalPolicyBody> {
    if body.steps.len() > MAX_STEPS {
        return Err(invalid(format!(
            "a policy has at most {MAX_STEPS} steps ({} given)",
            body.steps.len()
        )));
    }
    if body.emergency_steps.len() > MAX_EMERGENCY_STEPS {
        return Err(invalid(format!(
            "an emergency broadcast has at most {MAX_EMERGENCY_STEPS} steps, to stay short"
        )));
    }
    Ok(ApprovalPolicyBody {
        steps: checked_steps(body.steps, "step")?,
        emergency_steps: checked_steps(body.emergency_steps, "emergency step")?,
    })
}

/// Most steps of an emergency broadcast.
pub const MAX_EMERGENCY_STEPS: usize = 2;

fn checked_steps(given: Vec<ApprovalStep>, what: &str) -> CoreResult<Vec<ApprovalStep>> {
    let mut steps = Vec::with_capacity(given.len());
    for (i, step) in given.into_iter().enumerate() {
        let n = format!("{what} {}", i + 1);
        let name = step.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid(format!("{n}: the name must be 1–100 characters")));
        }
        if !(1..=10).contains(&step.approvals_required) {
            return Err(invalid(format!(
                "{n}: approvals_required must be between 1 and 10"
            )));
        }
        steps.push(ApprovalStep { name, ..step });
    }
    Ok(steps)
}

/// The tenant's policy as stored, or the default one.
pub(crate) async fn stored_policy<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: heraut_proto::TenantId,
) -> CoreResult<ApprovalPolicyBody> {
    let Some(p) = governance::policy(conn, tenant).await? else {
        return Ok(default_policy());
    };
    let bad = |e: serde_json::Error| CoreError::internal(format!("stored policy unreadable: {e}"));
    Ok(ApprovalPolicyBody {
        steps: serde_json::from_str(&p.steps).map_err(bad)?,
        emergency_steps: match p.emergency_steps {
            Some(e) => serde_json::from_str(&e).map_err(bad)?,
            None => heraut_proto::tenants::default_emergency_steps(),
        },
    })
}

/// A target crisis mode holds, as shown.
fn held(t: &heraut_db::posts::Target) -> HeldTarget {
    HeldTarget {
        post_id: PostId(t.post_id),
        target_id: t.id.to_string(),
        channel_id: ChannelId(t.channel_id),
        due_at: t.due_at,
    }
}

impl Core {
    /// Pending targets due by `now` in a tenant (what crisis mode is holding).
    async fn held_targets(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> CoreResult<Vec<HeldTarget>> {
        let txn = self.db.begin_read(Scope::Tenant(tenant)).await?;
        let list = heraut_db::posts::overdue_targets(&txn, tenant, now).await?;
        txn.commit().await?;
        Ok(list.iter().map(held).collect())
    }

    /// `GET /tenants/{tenant}/approval-policy`.
    pub async fn approval_policy(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> CoreResult<ApprovalPolicyBody> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let policy = stored_policy(&txn, ctx.tenant_id).await;
        txn.commit().await?;
        policy
    }

    /// `PUT /tenants/{tenant}/approval-policy` (owners).
    pub async fn set_approval_policy(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        body: ApprovalPolicyBody,
    ) -> CoreResult<ApprovalPolicyBody> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::TenantSettingsManage)
            .await?;
        let policy = validate_policy(body)?;
        let to_json = |v: &Vec<ApprovalStep>| {
            serde_json::to_string(v).map_err(|e| CoreError::internal(e.to_string()))
        };
        let (steps, emergency) = (to_json(&policy.steps)?, to_json(&policy.emergency_steps)?);
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let before = stored_policy(&txn, ctx.tenant_id).await?;
        governance::set_policy(
            &txn,
            ctx.tenant_id,
            &steps,
            &emergency,
            actor.user_id,
            meta.now,
        )
        .await?;
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "approval_policy.change",
            slug.to_owned(),
            serde_json::json!({"before": before.steps, "after": policy.steps,
                "emergency_before": before.emergency_steps,
                "emergency_after": policy.emergency_steps}),
        )
        .await?;
        txn.commit().await?;
        Ok(policy)
    }

    /// `GET /tenants/{tenant}/crisis`: every member sees the banner and, while it is on, what
    /// it holds.
    pub async fn crisis(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
    ) -> CoreResult<CrisisView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let state = governance::crisis(&txn, ctx.tenant_id).await?;
        txn.commit().await?;
        let held = if state.as_ref().is_some_and(|s| s.active) {
            self.held_targets(ctx.tenant_id, meta.now).await?
        } else {
            Vec::new()
        };
        Ok(match state {
            Some(s) => CrisisView {
                active: s.active,
                message: s.message,
                changed_at: Some(s.changed_at),
                changed_by: s.changed_by.map(UserId),
                held,
            },
            None => CrisisView {
                active: false,
                message: String::new(),
                changed_at: None,
                changed_by: None,
                held,
            },
        })
    }

    /// `PUT /tenants/{tenant}/crisis` (owners): switch crisis mode on or off.
    pub async fn set_crisis(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        req: CrisisRequest,
    ) -> CoreResult<CrisisView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::CrisisManage)
            .await?;
        let message = req
            .message
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        if req.active && message.is_empty() {
            return Err(invalid(
                "switching crisis mode on needs a `message` for the banner members will see"
                    .to_owned(),
            ));
        }
        if message.chars().count() > MAX_CRISIS_MESSAGE {
            return Err(invalid(format!(
                "the message must be at most {MAX_CRISIS_MESSAGE} characters"
            )));
        }
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let was_active = governance::crisis(&txn, ctx.tenant_id)
            .await?
            .is_some_and(|s| s.active);
        governance::set_crisis(
            &txn,
            ctx.tenant_id,
            req.active,
            &message,
            actor.user_id,
            meta.now,
        )
        .await?;
        // On release, what became due meanwhile waits for a person: confirm or cancel each.
        let held = if was_active && !req.active {
            let list = heraut_db::posts::overdue_targets(&txn, ctx.tenant_id, meta.now).await?;
            let ids: Vec<uuid::Uuid> = list.iter().map(|t| t.id).collect();
            heraut_db::posts::require_confirmation(&txn, ctx.tenant_id, &ids, meta.now).await?;
            list.iter().map(held).collect()
        } else {
            Vec::new()
        };
        let action = match (was_active, req.active) {
            (false, true) => "crisis.activate",
            (true, false) => "crisis.release",
            _ => "crisis.update",
        };
        let details = serde_json::json!({"active": req.active, "message": message,
            "held": held.iter().map(|h| &h.target_id).collect::<Vec<_>>()});
        record_by(&txn, ctx.tenant_id, actor, meta, action, slug, details).await?;
        txn.commit().await?;
        Ok(CrisisView {
            active: req.active,
            message,
            changed_at: Some(meta.now),
            changed_by: Some(actor.user_id),
            held,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, role: ApproverRole, n: u32) -> ApprovalStep {
        ApprovalStep {
            name: name.to_owned(),
            role,
            approvals_required: n,
        }
    }

    #[test]
    fn policies_are_checked_step_by_step() {
        let ok = validate_policy(ApprovalPolicyBody {
            steps: vec![
                step(" Comms lead ", ApproverRole::Approver, 1),
                step("Legal", ApproverRole::Owner, 2),
            ],
            emergency_steps: vec![step("Duty officer", ApproverRole::Owner, 1)],
        });
        assert_eq!(
            ok.ok().map(|p| p.steps[0].name.clone()),
            Some("Comms lead".to_owned())
        );
        assert!(
            validate_policy(ApprovalPolicyBody {
                steps: vec![],
                emergency_steps: vec![],
            })
            .is_ok()
        );
        for (bad, needle) in [
            (
                vec![step("x", ApproverRole::Approver, 0)],
                "between 1 and 10",
            ),
            (vec![step("", ApproverRole::Approver, 1)], "1–100"),
            (
                (0..11)
                    .map(|i| step(&format!("s{i}"), ApproverRole::Approver, 1))
                    .collect(),
                "at most 10",
            ),
        ] {
            let err = validate_policy(ApprovalPolicyBody {
                steps: bad,
                emergency_steps: vec![],
            })
            .err()
            .map(|e| e.detail)
            .unwrap_or_default();
            assert!(err.contains(needle), "{err}");
        }
    }
}
