//! Administration from the command line: the first instance admin, unlocking, audit checks.

use heraut_auth::password;
use heraut_db::{INSTANCE_CHAIN, Scope, tenants, users};
use heraut_proto::tenants::AuditVerifyResponse;
use heraut_proto::{ErrorCode, TenantId, UserId};

use crate::audit::Event;
use crate::{Core, CoreError, CoreResult, RequestMeta, blocking, check_email, normalise_email};

impl Core {
    /// Creates an instance administrator, or makes an existing person one (password unchanged).
    /// Returns the user id and whether the person is new.
    pub async fn create_admin(
        &self,
        meta: &RequestMeta,
        email: &str,
        pw: &str,
    ) -> CoreResult<(UserId, bool)> {
        let email = normalise_email(email);
        check_email(&email)?;
        if let Some(u) = users::find_by_email(self.db.conn(), &email).await? {
            users::set_instance_admin(self.db.conn(), UserId(u.id), true).await?;
            self.record_instance(
                None,
                meta,
                Event {
                    action: "admin.grant",
                    target: Some(email.clone()),
                    outcome: "success",
                    details: serde_json::json!({}),
                },
            )
            .await?;
            return Ok((UserId(u.id), false));
        }
        password::check_policy(pw, &email, false)
            .map_err(|m| CoreError::new(ErrorCode::PasswordPolicy, m))?;
        let params = self.hash_params();
        let given = pw.to_owned();
        let hash = blocking(move || password::hash(&given, params))
            .await?
            .map_err(CoreError::internal)?;
        let id = UserId::new();
        let txn = self.db.begin(Scope::Instance).await?;
        let local = email.split('@').next().unwrap_or("admin").to_owned();
        users::insert(&txn, id, &email, &local, Some(hash), true, meta.now).await?;
        txn.commit().await?;
        self.record_instance(
            None,
            meta,
            Event {
                action: "admin.create",
                target: Some(email),
                outcome: "success",
                details: serde_json::json!({}),
            },
        )
        .await?;
        Ok((id, true))
    }

    /// Unlocks an account locked after failed sign-ins.
    pub async fn unlock_user(&self, meta: &RequestMeta, email: &str) -> CoreResult<()> {
        let email = normalise_email(email);
        let u = users::find_by_email(self.db.conn(), &email)
            .await?
            .ok_or_else(|| {
                CoreError::new(ErrorCode::MemberNotFound, format!("no account {email}"))
            })?;
        users::set_locked(self.db.conn(), UserId(u.id), false).await?;
        self.counters.reset(&format!("acct:{email}")).await?;
        self.counters.reset(&format!("mfa:{}", u.id)).await?;
        self.record_instance(
            None,
            meta,
            Event {
                action: "auth.unlock",
                target: Some(email),
                outcome: "success",
                details: serde_json::json!({}),
            },
        )
        .await
    }

    /// Verifies the chain of the tenant with `slug`, or the instance's own chain for `instance`.
    pub async fn verify_chain_by_slug(&self, slug: &str) -> CoreResult<AuditVerifyResponse> {
        let id = if slug == "instance" {
            INSTANCE_CHAIN
        } else {
            let t = tenants::find_by_slug(self.db.conn(), slug)
                .await?
                .ok_or_else(|| CoreError::tenant_not_found(slug))?;
            TenantId(t.id)
        };
        self.verify_chain(id).await
    }
}
