//! Administration from the command line: the first instance admin, unlocking, 2FA resets,
//! audit checks. Each change and its audit event commit together.

use heraut_db::{INSTANCE_CHAIN, Scope, sessions, tenants, users};
use heraut_proto::tenants::AuditVerifyResponse;
use heraut_proto::{ErrorCode, TenantId, UserId};

use crate::records::audit::{Event, record};
use crate::{Core, CoreError, CoreResult, RequestMeta, check_email, normalise_email};

/// What became of an e-mail the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    /// No SMTP server is configured.
    NotConfigured,
    Sent,
    Failed(String),
}

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
        let existing = users::find_by_email(self.db.conn(), &email).await?;
        let hash = match &existing {
            Some(_) => None,
            None => Some(self.new_password_hash(pw, &email, false).await?),
        };
        let txn = self.db.begin(Scope::Tenant(INSTANCE_CHAIN)).await?;
        let (id, action) = match existing {
            Some(u) => {
                users::set_instance_admin(&txn, UserId(u.id), true).await?;
                // A reset token issued while they were an ordinary member must not reach an admin.
                users::void_password_tokens(&txn, UserId(u.id), meta.now).await?;
                (UserId(u.id), "admin.grant")
            }
            None => {
                let id = UserId::new();
                let local = email.split('@').next().unwrap_or("admin").to_owned();
                users::insert(&txn, id, &email, &local, hash, true, meta.now).await?;
                (id, "admin.create")
            }
        };
        let event = Event {
            action,
            target: Some(email.clone()),
            outcome: "success",
            details: serde_json::json!({"user_id": id.to_string()}),
        };
        record(&txn, INSTANCE_CHAIN, None, meta, event).await?;
        txn.commit().await?;
        Ok((id, action == "admin.create"))
    }

    /// Unlocks an account locked after failed sign-ins.
    pub async fn unlock_user(&self, meta: &RequestMeta, email: &str) -> CoreResult<()> {
        let email = normalise_email(email);
        let u = self.account(&email).await?;
        let txn = self.db.begin(Scope::Instance).await?;
        users::set_locked(&txn, UserId(u.id), false).await?;
        self.record_about_account(&txn, Some(&u), &email, None, meta, "auth.unlock", "success")
            .await?;
        txn.commit().await?;
        // This process's counters (every node's, with Redis). A server without Redis forgot its
        // own count when it locked the account.
        self.counters.reset(&format!("acct:{email}")).await?;
        self.counters.reset(&format!("mfa:{}", u.id)).await?;
        Ok(())
    }

    /// Turns off an account's two-factor sign-in (device and recovery codes lost) and ends its
    /// sessions; the person enrols again after signing in with their password.
    pub async fn reset_mfa_by_admin(&self, meta: &RequestMeta, email: &str) -> CoreResult<()> {
        let email = normalise_email(email);
        let u = self.account(&email).await?;
        let txn = self.db.begin(Scope::Instance).await?;
        users::disable_totp(&txn, UserId(u.id)).await?;
        sessions::revoke_all_for_user(&txn, UserId(u.id), "mfa_reset", meta.now).await?;
        self.record_about_account(&txn, Some(&u), &email, None, meta, "mfa.reset", "success")
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Issues a one-time set-password token for an account (a forgotten password); returns it.
    pub async fn reset_password_by_admin(
        &self,
        meta: &RequestMeta,
        email: &str,
    ) -> CoreResult<(String, MailOutcome)> {
        let email = normalise_email(email);
        let u = self.account(&email).await?;
        let txn = self.db.begin(Scope::Instance).await?;
        let token = self.issue_password_token(&txn, UserId(u.id), meta).await?;
        let action = "auth.password_reset_issued";
        self.record_about_account(&txn, Some(&u), &email, None, meta, action, "success")
            .await?;
        txn.commit().await?;
        // The command line waits for the delivery (its process ends right after) and says how it went.
        let outcome = match self.token_mail(&email, &token, crate::mail::TokenMail::Reset) {
            None => MailOutcome::NotConfigured,
            Some(delivery) => match delivery.await {
                Ok(()) => MailOutcome::Sent,
                Err(e) => MailOutcome::Failed(e),
            },
        };
        Ok((token, outcome))
    }

    async fn account(&self, email: &str) -> CoreResult<users::User> {
        users::find_by_email(self.db.conn(), email)
            .await?
            .ok_or_else(|| CoreError::new(ErrorCode::MemberNotFound, format!("no account {email}")))
    }

    /// Verifies the chain of the tenant with `slug`, or the instance's own chain for `instance`.
    pub async fn verify_chain_by_slug(&self, slug: &str) -> CoreResult<AuditVerifyResponse> {
        let id = if slug == crate::tenancy::tenants::INSTANCE_SLUG {
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

impl Core {
    /// Copies the SQLite database to `file` (consistent, while serving) and records it in the
    /// instance's audit chain. `false` on PostgreSQL, where `pg_dump` is the tool.
    pub async fn backup_database(
        &self,
        meta: &RequestMeta,
        file: &std::path::Path,
    ) -> CoreResult<bool> {
        if self.db.backup_sqlite(file).await?.is_none() {
            return Ok(false);
        }
        let txn = self.db.begin(Scope::Tenant(INSTANCE_CHAIN)).await?;
        let event = Event {
            action: "backup.create",
            target: Some(file.display().to_string()),
            outcome: "success",
            details: serde_json::json!({}),
        };
        record(&txn, INSTANCE_CHAIN, None, meta, event).await?;
        txn.commit().await?;
        Ok(true)
    }
}

/// What `heraut admin rotate-secrets` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rotation {
    /// Values now sealed under the current key.
    pub re_encrypted: u64,
    /// Values that were already under the current key.
    pub current: u64,
    /// Values changed by someone else meanwhile; run again.
    pub skipped: u64,
}

impl Core {
    /// Re-encrypts every secret at rest that is sealed under an older key with the current key
    /// (the first line of the secrets key file). Afterwards the old key can be removed.
    pub async fn rotate_secrets(&self, meta: &RequestMeta) -> CoreResult<Rotation> {
        let mut r = Rotation::default();
        let people = users::with_secrets(self.db.conn()).await?;
        for u in people {
            let row = u.id.to_string();
            let binding = crate::identity::signin::totp_binding(&row);
            let reseal = |v: &Option<String>| -> CoreResult<(Option<String>, bool)> {
                match v {
                    Some(sealed) if self.secrets.is_stale(sealed) => {
                        let plain = self
                            .secrets
                            .open(sealed, &binding)
                            .map_err(|e| CoreError::internal(format!("user {row}: {e}")))?;
                        let fresh = self
                            .secrets
                            .seal(&plain, &binding)
                            .map_err(|e| CoreError::internal(e.to_string()))?;
                        Ok((Some(fresh), true))
                    }
                    other => Ok((other.clone(), false)),
                }
            };
            let (secret, a) = reseal(&u.totp_secret)?;
            let (pending, b) = reseal(&u.totp_pending_secret)?;
            if !(a || b) {
                r.current += 1;
                continue;
            }
            let old = (u.totp_secret.as_deref(), u.totp_pending_secret.as_deref());
            let new = (secret.as_deref(), pending.as_deref());
            if users::replace_secrets(self.db.conn(), UserId(u.id), old, new).await? {
                r.re_encrypted += 1;
            } else {
                r.skipped += 1;
            }
        }
        // Channel credentials, tenant by tenant.
        let mut after: Option<String> = None;
        loop {
            let page = tenants::list_all(self.db.conn(), after.as_deref(), 200).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.slug.clone());
            for tenant in page {
                let tenant_id = TenantId(tenant.id);
                let txn = self.db.begin(Scope::Tenant(tenant_id)).await?;
                for c in heraut_db::posts::channels(&txn, tenant_id).await? {
                    let Some(sealed) = c.credentials.as_deref() else {
                        continue;
                    };
                    if !self.secrets.is_stale(sealed) {
                        r.current += 1;
                        continue;
                    }
                    let row = c.id.to_string();
                    let binding = crate::channels::connect::credentials_binding(&row);
                    let plain = self
                        .secrets
                        .open(sealed, &binding)
                        .map_err(|e| CoreError::internal(format!("channel {row}: {e}")))?;
                    let fresh = self
                        .secrets
                        .seal(&plain, &binding)
                        .map_err(|e| CoreError::internal(e.to_string()))?;
                    let done = heraut_db::posts::replace_channel_credentials(
                        &txn, tenant_id, c.id, sealed, &fresh,
                    )
                    .await?;
                    if done {
                        r.re_encrypted += 1;
                    } else {
                        r.skipped += 1;
                    }
                }
                txn.commit().await?;
            }
        }
        let txn = self.db.begin(Scope::Tenant(INSTANCE_CHAIN)).await?;
        let details = serde_json::json!({
            "key_id": self.secrets.current_key_id(),
            "re_encrypted": r.re_encrypted, "current": r.current, "skipped": r.skipped,
        });
        let event = Event {
            action: "secrets.rotate",
            target: None,
            outcome: "success",
            details,
        };
        record(&txn, INSTANCE_CHAIN, None, meta, event).await?;
        txn.commit().await?;
        Ok(r)
    }
}
