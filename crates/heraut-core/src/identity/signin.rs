//! Sign-in: password, second factor, throttling and lockout, sessions with rotating refresh
//! tokens, and turning an access token back into an `Actor`.

use chrono::Duration;
use heraut_auth::jwt::{self, Claims};
use heraut_auth::{password, random, totp};
use heraut_db::{INSTANCE_CHAIN, Scope, memberships, sessions, set_scope, users};
use heraut_proto::auth::{LoginResponse, MfaRequiredResponse, TokenResponse};
use heraut_proto::{ErrorCode, FamilyId, TenantId, UserId};
use sea_orm::DatabaseTransaction;

use crate::records::audit::{Event, record};
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta, normalise_email};

/// The longest wait a throttled account or address is asked for.
const MAX_DELAY_MS: u64 = 15 * 60 * 1000;

impl Core {
    /// `POST /auth/login`.
    pub async fn login(
        &self,
        meta: &RequestMeta,
        email: &str,
        pw: &str,
    ) -> CoreResult<LoginResponse> {
        let email = normalise_email(email);
        let account_key = format!("acct:{email}");
        let ip_key = format!("ip:{}", meta.ip.as_deref().unwrap_or("unknown"));
        let a = &self.config.auth;
        self.check_throttle(&account_key, a.throttle_after_failures, meta)
            .await?;
        self.check_throttle(&ip_key, a.throttle_ip_after_failures, meta)
            .await?;

        let user = users::find_by_email(self.db.conn(), &email).await?;
        // A locked account is refused before its password is looked at, so a locked account
        // cannot be used to test passwords.
        if let Some(u) = &user
            && u.locked
        {
            let txn = self.db.begin(Scope::Instance).await?;
            self.record_signin(&txn, Some(u), &email, meta, "auth.login", "locked")
                .await?;
            txn.commit().await?;
            return Err(CoreError::new(
                ErrorCode::AccountLocked,
                "this account is locked after too many failed sign-ins; ask an administrator to unlock it",
            ));
        }
        let stored = user
            .as_ref()
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| password::dummy_hash(self.hash_params()));
        let given = pw.to_owned();
        let ok = self
            .hashing(move || password::verify(&given, &stored))
            .await?
            && user.as_ref().is_some_and(|u| u.password_hash.is_some());
        let Some(user) = user.filter(|_| ok) else {
            let now_ms = meta.now.timestamp_millis();
            let fails = self.counters.record(&account_key, now_ms).await?;
            self.counters.record(&ip_key, now_ms).await?;
            let known = users::find_by_email(self.db.conn(), &email).await?;
            let txn = self.db.begin(Scope::Instance).await?;
            let lock = known
                .as_ref()
                .filter(|_| fails.count >= a.lockout_after_failures);
            if let Some(u) = lock {
                users::set_locked(&txn, UserId(u.id), true).await?;
                sessions::revoke_all_for_user(&txn, UserId(u.id), "lockout", meta.now).await?;
                self.record_signin(&txn, Some(u), &email, meta, "auth.lockout", "locked")
                    .await?;
            } else {
                self.record_signin(&txn, known.as_ref(), &email, meta, "auth.login", "failure")
                    .await?;
            }
            txn.commit().await?;
            if lock.is_some() {
                // The lock now lives in the database; an administrator's unlock starts afresh.
                self.counters.reset(&account_key).await?;
            }
            return Err(CoreError::new(
                ErrorCode::InvalidCredentials,
                "the e-mail address or password is wrong",
            ));
        };
        // Only the account's counter: a success must not clear what an address did to others.
        self.counters.reset(&account_key).await?;
        let uid = UserId(user.id);
        if let Some(stored) = &user.password_hash
            && password::needs_rehash(stored, self.hash_params())
        {
            let params = self.hash_params();
            let given = pw.to_owned();
            if let Ok(new_hash) = self.hashing(move || password::hash(&given, params)).await? {
                users::rehash_password(self.db.conn(), uid, stored, &new_hash).await?;
            }
        }
        if user.totp_enabled {
            let claims = self.claims(
                uid,
                &random::token(),
                jwt::MFA_AUD,
                meta,
                self.config.auth.mfa_token_ttl_secs,
            );
            let token = self.sign(jwt::MFA_TYP, &claims)?;
            let txn = self.db.begin(Scope::Instance).await?;
            self.record_signin(
                &txn,
                Some(&user),
                &email,
                meta,
                "auth.login",
                "mfa_required",
            )
            .await?;
            txn.commit().await?;
            return Ok(LoginResponse::MfaRequired(MfaRequiredResponse {
                mfa_required: true,
                mfa_token: token,
            }));
        }
        let tokens = self.start_session(&user, meta, "auth.login").await?;
        Ok(LoginResponse::Tokens(tokens))
    }

    /// `POST /auth/mfa`: the second step, with a TOTP code or a recovery code.
    pub async fn login_mfa(
        &self,
        meta: &RequestMeta,
        mfa_token: &str,
        code: &str,
    ) -> CoreResult<TokenResponse> {
        let claims = self
            .keys
            .verify(mfa_token, jwt::MFA_TYP, jwt::MFA_AUD, meta.now.timestamp())
            .map_err(|e| CoreError::new(ErrorCode::TokenInvalid, format!("{e}; sign in again")))?;
        let uid = parse_user(&claims.sub)?;
        let key = format!("mfa:{uid}");
        self.check_throttle(&key, self.config.auth.throttle_after_failures, meta)
            .await?;
        let user = users::find_by_id(self.db.conn(), uid)
            .await?
            .filter(|u| u.totp_enabled && !u.locked)
            .ok_or_else(|| CoreError::new(ErrorCode::TokenInvalid, "sign in again"))?;
        let code = code.trim();
        let is_totp = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
        let txn = self.db.begin(Scope::Instance).await?;
        let accepted = if is_totp {
            let secret = self.open_totp(&user, user.totp_secret.as_deref())?;
            match totp::matching_step(&secret, code, meta.now.timestamp().max(0) as u64) {
                Some(step) => users::accept_totp_step(&txn, uid, step as i64).await?,
                None => false,
            }
        } else {
            let hash = random::sha256_hex(&random::normalise_recovery_code(code));
            let used = users::use_recovery_code(&txn, uid, &hash, meta.now).await?;
            if used {
                self.record_signin(
                    &txn,
                    Some(&user),
                    &user.email,
                    meta,
                    "auth.recovery_code_used",
                    "success",
                )
                .await?;
            }
            used
        };
        if !accepted {
            // Nothing was changed; free the (on SQLite, only) writer before the counter's round
            // trip, then lock and audit in a transaction of their own.
            txn.rollback().await?;
            let fails = self
                .counters
                .record(&key, meta.now.timestamp_millis())
                .await?;
            let txn = self.db.begin(Scope::Instance).await?;
            let lock = fails.count >= self.config.auth.lockout_after_failures;
            if lock {
                users::set_locked(&txn, uid, true).await?;
                sessions::revoke_all_for_user(&txn, uid, "lockout", meta.now).await?;
                self.record_signin(
                    &txn,
                    Some(&user),
                    &user.email,
                    meta,
                    "auth.lockout",
                    "locked",
                )
                .await?;
            } else {
                self.record_signin(&txn, Some(&user), &user.email, meta, "auth.mfa", "failure")
                    .await?;
            }
            txn.commit().await?;
            if lock {
                self.counters.reset(&key).await?;
            }
            return Err(CoreError::new(
                ErrorCode::MfaInvalid,
                "the code is wrong or was already used; wait for the next code from your app",
            ));
        }
        txn.commit().await?;
        self.counters.reset(&key).await?;
        self.start_session(&user, meta, "auth.mfa").await
    }

    /// `POST /auth/refresh`: spends the refresh token and returns new ones. Reusing a spent
    /// token revokes its whole session.
    pub async fn refresh(
        &self,
        meta: &RequestMeta,
        refresh_token: &str,
    ) -> CoreResult<TokenResponse> {
        let invalid = || {
            CoreError::new(
                ErrorCode::TokenInvalid,
                "the refresh token is not valid; sign in again",
            )
        };
        let hash = random::sha256_hex(refresh_token);
        let txn = self.db.begin(Scope::Instance).await?;
        let Some(rt) = sessions::find_refresh_token(&txn, &hash).await? else {
            return Err(invalid());
        };
        let family = FamilyId(rt.session_id);
        let session = sessions::find(&txn, family).await?.ok_or_else(invalid)?;
        if session.revoked_at.is_some()
            || session.expires_at <= meta.now
            || rt.expires_at <= meta.now
        {
            return Err(invalid());
        }
        let user = users::find_by_id(&txn, UserId(session.user_id))
            .await?
            .filter(|u| !u.locked)
            .ok_or_else(invalid)?;
        let spent =
            rt.used_at.is_none() && sessions::spend_refresh_token(&txn, rt.id, meta.now).await?;
        if !spent {
            sessions::revoke(&txn, family, "refresh_token_reuse", meta.now).await?;
            let reuse = "auth.refresh_reuse";
            self.record_signin(
                &txn,
                Some(&user),
                &user.email,
                meta,
                reuse,
                "session_revoked",
            )
            .await?;
            txn.commit().await?;
            return Err(CoreError::new(
                ErrorCode::RefreshReused,
                "this refresh token was already used, so the session has been ended for safety; sign in again",
            ));
        }
        let new_refresh = random::token();
        let ttl = Duration::seconds(self.config.auth.refresh_token_ttl_secs as i64);
        let expires = (meta.now + ttl).min(session.expires_at);
        sessions::add_refresh_token(
            &txn,
            family,
            &random::sha256_hex(&new_refresh),
            meta.now,
            expires,
        )
        .await?;
        txn.commit().await?;
        let user_id = UserId(session.user_id);
        let claims = self.claims(
            user_id,
            &family.to_string(),
            jwt::ACCESS_AUD,
            meta,
            self.config.auth.access_token_ttl_secs,
        );
        Ok(TokenResponse {
            access_token: self.sign(jwt::ACCESS_TYP, &claims)?,
            refresh_token: new_refresh,
            token_type: "Bearer".to_owned(),
            expires_in: self.config.auth.access_token_ttl_secs,
        })
    }

    /// `POST /auth/logout`: ends the session of the access token (and of the refresh token, if given).
    pub async fn logout(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        refresh_token: Option<&str>,
    ) -> CoreResult<()> {
        let txn = self.db.begin(Scope::Instance).await?;
        sessions::revoke(&txn, actor.session, "logout", meta.now).await?;
        if let Some(rt) = refresh_token
            && let Some(row) = sessions::find_refresh_token(&txn, &random::sha256_hex(rt)).await?
            && let Some(s) = sessions::find(&txn, FamilyId(row.session_id)).await?
            && s.user_id == actor.user_id.0
        {
            sessions::revoke(&txn, FamilyId(row.session_id), "logout", meta.now).await?;
        }
        if let Some(u) = users::find_by_id(&txn, actor.user_id).await? {
            self.record_signin(&txn, Some(&u), &u.email, meta, "auth.logout", "success")
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Ends the session a refresh token belongs to, for a browser whose access cookie has run
    /// out when it signs out. An unknown token changes nothing.
    pub async fn logout_by_refresh(
        &self,
        meta: &RequestMeta,
        refresh_token: &str,
    ) -> CoreResult<()> {
        let txn = self.db.begin(Scope::Instance).await?;
        let hash = random::sha256_hex(refresh_token);
        if let Some(row) = sessions::find_refresh_token(&txn, &hash).await?
            && let Some(s) = sessions::find(&txn, FamilyId(row.session_id)).await?
            && s.revoked_at.is_none()
        {
            sessions::revoke(&txn, FamilyId(row.session_id), "logout", meta.now).await?;
            if let Some(u) = users::find_by_id(&txn, UserId(s.user_id)).await? {
                self.record_signin(&txn, Some(&u), &u.email, meta, "auth.logout", "success")
                    .await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// Checks an access token and its session; the person behind it.
    pub async fn authenticate(
        &self,
        access_token: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> CoreResult<Actor> {
        let claims = self
            .keys
            .verify(
                access_token,
                jwt::ACCESS_TYP,
                jwt::ACCESS_AUD,
                now.timestamp(),
            )
            .map_err(|e| CoreError::new(ErrorCode::TokenInvalid, e.to_string()))?;
        let uid = parse_user(&claims.sub)?;
        let family = claims
            .sid
            .parse::<uuid::Uuid>()
            .map(FamilyId)
            .map_err(|_| {
                CoreError::new(ErrorCode::TokenInvalid, "the token has no valid session")
            })?;
        let found = sessions::find_with_user(self.db.read_conn(), family).await?;
        let (_, user) = found
            .filter(|(s, u)| {
                s.revoked_at.is_none() && s.expires_at > now && s.user_id == uid.0 && !u.locked
            })
            .ok_or_else(|| {
                CoreError::new(
                    ErrorCode::TokenInvalid,
                    "the session has ended; sign in again",
                )
            })?;
        Ok(Actor {
            user_id: uid,
            email: user.email,
            instance_admin: user.instance_admin,
            mfa_enabled: user.totp_enabled,
            session: family,
        })
    }

    /// Opens a session and records the sign-in (`action`) with it, in one transaction.
    pub(crate) async fn start_session(
        &self,
        person: &users::User,
        meta: &RequestMeta,
        action: &str,
    ) -> CoreResult<TokenResponse> {
        let user = UserId(person.id);
        let a = &self.config.auth;
        let family = FamilyId::new();
        let refresh = random::token();
        let txn = self.db.begin(Scope::Instance).await?;
        let session_end = meta.now + Duration::seconds(a.session_max_age_secs as i64);
        sessions::create(&txn, family, user, meta.now, session_end).await?;
        let expires =
            (meta.now + Duration::seconds(a.refresh_token_ttl_secs as i64)).min(session_end);
        sessions::add_refresh_token(
            &txn,
            family,
            &random::sha256_hex(&refresh),
            meta.now,
            expires,
        )
        .await?;
        self.record_signin(&txn, Some(person), &person.email, meta, action, "success")
            .await?;
        txn.commit().await?;
        let claims = self.claims(
            user,
            &family.to_string(),
            jwt::ACCESS_AUD,
            meta,
            a.access_token_ttl_secs,
        );
        Ok(TokenResponse {
            access_token: self.sign(jwt::ACCESS_TYP, &claims)?,
            refresh_token: refresh,
            token_type: "Bearer".to_owned(),
            expires_in: a.access_token_ttl_secs,
        })
    }

    fn claims(&self, user: UserId, sid: &str, aud: &str, meta: &RequestMeta, ttl: u64) -> Claims {
        let now = meta.now.timestamp();
        Claims {
            iss: self.keys.issuer().to_owned(),
            aud: aud.to_owned(),
            sub: user.to_string(),
            sid: sid.to_owned(),
            iat: now,
            nbf: now,
            exp: now + ttl as i64,
            jti: uuid::Uuid::new_v4().to_string(),
        }
    }

    fn sign(&self, typ: &str, claims: &Claims) -> CoreResult<String> {
        self.keys
            .sign(typ, claims)
            .map_err(|e| CoreError::internal(format!("signing failed: {e}")))
    }

    pub(crate) fn open_totp(
        &self,
        user: &users::User,
        sealed: Option<&str>,
    ) -> CoreResult<Vec<u8>> {
        let sealed = sealed
            .ok_or_else(|| CoreError::new(ErrorCode::MfaNotStarted, "no two-factor secret"))?;
        let row = user.id.to_string();
        self.secrets
            .open(sealed, &totp_binding(&row))
            .map_err(|e| CoreError::internal(format!("two-factor secret unreadable: {e}")))
    }

    /// Refuses an attempt while `key` is within its growing delay.
    async fn check_throttle(&self, key: &str, after: u32, meta: &RequestMeta) -> CoreResult<()> {
        let f = self.counters.get(key).await?;
        if f.count < after {
            return Ok(());
        }
        let exp = (f.count - after).min(20);
        let delay = self
            .config
            .auth
            .throttle_base_delay_ms
            .saturating_mul(1u64 << exp)
            .min(MAX_DELAY_MS);
        let allowed_at = f.last_ms.saturating_add(delay as i64);
        let now_ms = meta.now.timestamp_millis();
        if now_ms < allowed_at {
            let secs = ((allowed_at - now_ms) as u64).div_ceil(1000).max(1);
            return Err(CoreError::throttled(secs));
        }
        Ok(())
    }

    /// Records a sign-in event, within `txn`, in the instance chain and in the chain of every
    /// tenant the person belongs to. Leaves `txn` scoped to the instance.
    pub(crate) async fn record_signin(
        &self,
        txn: &DatabaseTransaction,
        user: Option<&users::User>,
        email: &str,
        meta: &RequestMeta,
        action: &str,
        outcome: &str,
    ) -> CoreResult<()> {
        let actor = user.map(|u| (UserId(u.id), u.email.as_str()));
        self.record_about_account(txn, user, email, actor, meta, action, outcome)
            .await
    }

    /// Records an event about an account (`user`, or an unknown `email`), done by `actor`
    /// (`None` for the command line), in the instance chain and every chain of the account's
    /// tenants, within `txn`. Leaves `txn` scoped to the instance.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_about_account(
        &self,
        txn: &DatabaseTransaction,
        user: Option<&users::User>,
        email: &str,
        actor: Option<(UserId, &str)>,
        meta: &RequestMeta,
        action: &str,
        outcome: &str,
    ) -> CoreResult<()> {
        let mut chains = vec![INSTANCE_CHAIN];
        if let Some(u) = user {
            set_scope(txn, Scope::User(UserId(u.id))).await?;
            chains.extend(
                memberships::for_user(txn, UserId(u.id))
                    .await?
                    .into_iter()
                    .map(|m| TenantId(m.tenant_id)),
            );
        }
        for chain in chains {
            set_scope(txn, Scope::Tenant(chain)).await?;
            record(
                txn,
                chain,
                actor,
                meta,
                Event {
                    action,
                    target: Some(email.to_owned()),
                    outcome,
                    details: serde_json::json!({}),
                },
            )
            .await?;
        }
        set_scope(txn, Scope::Instance).await?;
        Ok(())
    }
}

pub(crate) fn totp_binding(row: &str) -> heraut_auth::crypto::Binding<'_> {
    heraut_auth::crypto::Binding {
        table: "users",
        column: "totp_secret",
        row,
    }
}

fn parse_user(sub: &str) -> CoreResult<UserId> {
    sub.parse::<uuid::Uuid>()
        .map(UserId)
        .map_err(|_| CoreError::new(ErrorCode::TokenInvalid, "the token names no valid user"))
}
