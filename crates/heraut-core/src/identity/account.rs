//! The signed-in person's own account: profile, two-factor enrolment, passwords.

use chrono::Duration;
use heraut_auth::{password, random, totp};
use heraut_db::{Scope, memberships, sessions, tenants, users};
use heraut_proto::auth::{
    MeResponse, MembershipView, RecoveryCodesResponse, TotpEnrolmentResponse,
};
use heraut_proto::tenants::Role;
use heraut_proto::{ErrorCode, TenantId, UserId};

use crate::identity::signin::totp_binding;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

/// Number of recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;

impl Core {
    /// `GET /me`.
    pub async fn me(&self, actor: &Actor) -> CoreResult<MeResponse> {
        let txn = self.db.begin_read(Scope::User(actor.user_id)).await?;
        let user = users::find_by_id(&txn, actor.user_id)
            .await?
            .ok_or_else(|| {
                CoreError::new(ErrorCode::TokenInvalid, "the account no longer exists")
            })?;
        let mut views = Vec::new();
        for m in memberships::for_user(&txn, actor.user_id).await? {
            if let Some(t) = tenants::find_by_id(&txn, TenantId(m.tenant_id)).await? {
                views.push(MembershipView {
                    tenant: t.slug,
                    tenant_id: TenantId(t.id),
                    role: Role::parse(&m.role).unwrap_or(Role::Analyst),
                });
            }
        }
        txn.commit().await?;
        views.sort_by(|a, b| a.tenant.cmp(&b.tenant));
        Ok(MeResponse {
            id: UserId(user.id),
            email: user.email,
            name: user.name,
            instance_admin: user.instance_admin,
            mfa_enabled: user.totp_enabled,
            memberships: views,
        })
    }

    /// `POST /me/mfa/totp`: a new secret to scan; not active until confirmed.
    pub async fn start_totp(&self, actor: &Actor) -> CoreResult<TotpEnrolmentResponse> {
        if actor.mfa_enabled {
            return Err(CoreError::new(
                ErrorCode::MfaAlreadyEnabled,
                "two-factor sign-in is already on; ask a tenant owner to reset it to enrol a new device",
            ));
        }
        let secret = totp::new_secret();
        let row = actor.user_id.to_string();
        let sealed = self
            .secrets
            .seal(&secret, &totp_binding(&row))
            .map_err(|e| CoreError::internal(e.to_string()))?;
        users::set_pending_totp(self.db.conn(), actor.user_id, &sealed).await?;
        let (secret, otpauth_uri) =
            totp::enrolment(&secret, "Heraut", &actor.email).map_err(CoreError::internal)?;
        Ok(TotpEnrolmentResponse {
            secret,
            otpauth_uri,
        })
    }

    /// `POST /me/mfa/totp/confirm`: turns 2FA on with a valid code; returns recovery codes once.
    pub async fn confirm_totp(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        code: &str,
    ) -> CoreResult<RecoveryCodesResponse> {
        let user = users::find_by_id(self.db.conn(), actor.user_id)
            .await?
            .ok_or_else(|| {
                CoreError::new(ErrorCode::TokenInvalid, "the account no longer exists")
            })?;
        if user.totp_enabled {
            return Err(CoreError::new(
                ErrorCode::MfaAlreadyEnabled,
                "two-factor sign-in is already on",
            ));
        }
        let Some(pending) = user.totp_pending_secret.as_deref() else {
            return Err(CoreError::new(
                ErrorCode::MfaNotStarted,
                "start the enrolment first with POST /api/v1/me/mfa/totp",
            ));
        };
        let secret = self.open_totp(&user, Some(pending))?;
        let step = totp::matching_step(&secret, code, meta.now.timestamp().max(0) as u64)
            .ok_or_else(|| {
                CoreError::new(
                    ErrorCode::MfaInvalid,
                    "the code does not match; check the time on your device and try the next code",
                )
            })?;
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| random::recovery_code())
            .collect();
        let hashes: Vec<String> = codes.iter().map(|c| random::sha256_hex(c)).collect();
        let txn = self.db.begin(Scope::User(actor.user_id)).await?;
        if !users::enable_totp(&txn, actor.user_id, pending, step as i64).await? {
            return Err(CoreError::new(
                ErrorCode::MfaAlreadyEnabled,
                "two-factor sign-in is already on",
            ));
        }
        users::replace_recovery_codes(&txn, actor.user_id, &hashes).await?;
        self.record_signin(
            &txn,
            Some(&user),
            &user.email,
            meta,
            "mfa.enabled",
            "success",
        )
        .await?;
        txn.commit().await?;
        Ok(RecoveryCodesResponse {
            recovery_codes: codes,
        })
    }

    /// `POST /auth/set-password`: an invited member (or a reset) sets a password with a one-time token.
    pub async fn set_password(
        &self,
        meta: &RequestMeta,
        token: &str,
        new_password: &str,
    ) -> CoreResult<()> {
        let invalid = || {
            CoreError::new(
                ErrorCode::PasswordTokenInvalid,
                "this set-password link is unknown, used or expired; ask for a new link",
            )
        };
        let hash = random::sha256_hex(token.trim());
        // Check the policy before spending the token, so a rejected password can be retried.
        let user_id = {
            let txn = self.db.begin(Scope::Instance).await?;
            let row = heraut_db::users::find_password_token(&txn, &hash).await?;
            txn.commit().await?;
            row.filter(|t| t.used_at.is_none() && t.expires_at > meta.now)
                .map(|t| UserId(t.user_id))
                .ok_or_else(invalid)?
        };
        let user = users::find_by_id(self.db.conn(), user_id)
            .await?
            .ok_or_else(invalid)?;
        let new_hash = self
            .new_password_hash(new_password, &user.email, user.totp_enabled)
            .await?;
        let txn = self.db.begin(Scope::Instance).await?;
        if !users::consume_password_token(&txn, &hash, user_id, meta.now).await? {
            return Err(invalid());
        }
        users::set_password(&txn, user_id, &new_hash, meta.now).await?;
        users::void_password_tokens(&txn, user_id, meta.now).await?;
        users::set_locked(&txn, user_id, false).await?;
        sessions::revoke_all_for_user(&txn, user_id, "password_set", meta.now).await?;
        let action = "auth.password_set";
        self.record_signin(&txn, Some(&user), &user.email, meta, action, "success")
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// `PUT /me/password`.
    pub async fn change_password(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        current: &str,
        new_password: &str,
    ) -> CoreResult<()> {
        let user = users::find_by_id(self.db.conn(), actor.user_id)
            .await?
            .ok_or_else(|| {
                CoreError::new(ErrorCode::TokenInvalid, "the account no longer exists")
            })?;
        let stored = user
            .password_hash
            .clone()
            .unwrap_or_else(|| password::dummy_hash(self.hash_params()));
        let cur = current.to_owned();
        if !self
            .hashing(move || password::verify(&cur, &stored))
            .await?
        {
            let txn = self.db.begin(Scope::Instance).await?;
            self.record_signin(
                &txn,
                Some(&user),
                &user.email,
                meta,
                "auth.password_change",
                "failure",
            )
            .await?;
            txn.commit().await?;
            return Err(CoreError::new(
                ErrorCode::InvalidCredentials,
                "the current password is wrong",
            ));
        }
        let new_hash = self
            .new_password_hash(new_password, &user.email, user.totp_enabled)
            .await?;
        let txn = self.db.begin(Scope::Instance).await?;
        users::set_password(&txn, actor.user_id, &new_hash, meta.now).await?;
        users::void_password_tokens(&txn, actor.user_id, meta.now).await?;
        sessions::revoke_all_for_user(&txn, actor.user_id, "password_change", meta.now).await?;
        let action = "auth.password_change";
        self.record_signin(&txn, Some(&user), &user.email, meta, action, "success")
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Creates a one-time set-password token for a person; returns the token.
    pub(crate) async fn issue_password_token<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        user: UserId,
        meta: &RequestMeta,
    ) -> CoreResult<String> {
        // Only the newest token works: one issued earlier, perhaps under other rules, dies here.
        users::void_password_tokens(conn, user, meta.now).await?;
        let token = random::token();
        let expires =
            meta.now + Duration::seconds(self.config.auth.set_password_token_ttl_secs as i64);
        users::create_password_token(conn, user, &random::sha256_hex(&token), meta.now, expires)
            .await?;
        Ok(token)
    }
}
