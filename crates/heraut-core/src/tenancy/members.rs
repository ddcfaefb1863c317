//! Members of a tenant and their roles.

use heraut_auth::Permission;
use heraut_db::{Scope, memberships, sessions, set_scope, users};
use heraut_proto::tenants::{AddMemberRequest, AddMemberResponse, MemberList, MemberView, Role};
use heraut_proto::{ErrorCode, UserId};

use crate::records::audit::record_by;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta, check_email, normalise_email};

fn member_not_found() -> CoreError {
    CoreError::new(ErrorCode::MemberNotFound, "no such member in this tenant")
}

impl Core {
    /// `GET /tenants/{tenant}/members`, ordered by e-mail address; `cursor` is the last address
    /// of the previous page.
    pub async fn list_members(
        &self,
        actor: &Actor,
        slug: &str,
        limit: Option<u64>,
        cursor: Option<String>,
    ) -> CoreResult<MemberList> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::MembersRead)
            .await?;
        let limit = crate::paging::page_limit(limit)? as usize;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let rows = memberships::list(&txn, ctx.tenant_id).await?;
        txn.commit().await?;
        let mut rest = rows
            .into_iter()
            .filter(|(_, u)| {
                cursor
                    .as_ref()
                    .is_none_or(|c| u.email.as_str() > c.as_str())
            })
            .map(|(m, u)| MemberView {
                user_id: UserId(u.id),
                email: u.email,
                name: u.name,
                role: Role::parse(&m.role).unwrap_or(Role::Analyst),
                mfa_enabled: u.totp_enabled,
                joined_at: m.created_at,
            });
        let items: Vec<MemberView> = rest.by_ref().take(limit).collect();
        let more = rest.next().is_some();
        let next_cursor = more
            .then(|| items.last().map(|m| m.email.clone()))
            .flatten();
        Ok(MemberList { items, next_cursor })
    }

    /// `POST /tenants/{tenant}/members`: adds a person; a new person gets a set-password token.
    pub async fn add_member(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        req: AddMemberRequest,
    ) -> CoreResult<AddMemberResponse> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::MembersManage)
            .await?;
        let email = normalise_email(&req.email);
        check_email(&email)?;
        let name = req.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                "name must be 1–200 characters",
            ));
        }
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let existing = users::find_by_email(&txn, &email).await?;
        let (user_id, token) = match existing {
            Some(u) => {
                if memberships::get(&txn, ctx.tenant_id, UserId(u.id))
                    .await?
                    .is_some()
                {
                    return Err(CoreError::new(
                        ErrorCode::AlreadyMember,
                        format!("{email} is already a member; change their role instead"),
                    ));
                }
                // Joining another agency voids reset tokens issued under the old owner's rights
                // (an invitation not yet used stays valid, or the person could never start).
                if u.password_hash.is_some() {
                    users::void_password_tokens(&txn, UserId(u.id), meta.now).await?;
                }
                (UserId(u.id), None)
            }
            None => {
                let id = UserId::new();
                users::insert(&txn, id, &email, name, None, false, meta.now).await?;
                let token = self.issue_password_token(&txn, id, meta).await?;
                (id, Some(token))
            }
        };
        memberships::add(&txn, ctx.tenant_id, user_id, req.role.as_str(), meta.now).await?;
        record_by(&txn, ctx.tenant_id, actor, meta, "member.add", user_id.to_string(), serde_json::json!({"email": email, "role": req.role.as_str(), "new_user": token.is_some()})).await?;
        txn.commit().await?;
        if let Some(t) = &token {
            let kind = crate::mail::TokenMail::Invitation {
                tenant_name: &ctx.tenant.name,
            };
            self.mail_token(&email, t, kind);
        }
        Ok(AddMemberResponse {
            user_id,
            email,
            role: req.role,
            set_password_token: token,
        })
    }

    /// `PATCH /tenants/{tenant}/members/{user_id}`.
    pub async fn update_member(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        user: UserId,
        role: Role,
    ) -> CoreResult<MemberView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::MembersManage)
            .await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let current = memberships::get(&txn, ctx.tenant_id, user)
            .await?
            .ok_or_else(member_not_found)?;
        if current.role == Role::Owner.as_str()
            && role != Role::Owner
            && memberships::count_with_role(&txn, ctx.tenant_id, Role::Owner.as_str()).await? <= 1
        {
            return Err(CoreError::new(
                ErrorCode::LastOwner,
                "make someone else owner before changing the last owner's role",
            ));
        }
        memberships::set_role(&txn, ctx.tenant_id, user, role.as_str()).await?;
        let person = users::find_by_id(&txn, user)
            .await?
            .ok_or_else(member_not_found)?;
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "member.role_change",
            user.to_string(),
            serde_json::json!({"from": current.role, "to": role.as_str()}),
        )
        .await?;
        txn.commit().await?;
        Ok(MemberView {
            user_id: user,
            email: person.email,
            name: person.name,
            role,
            mfa_enabled: person.totp_enabled,
            joined_at: current.created_at,
        })
    }

    /// `DELETE /tenants/{tenant}/members/{user_id}`.
    pub async fn remove_member(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        user: UserId,
    ) -> CoreResult<()> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::MembersManage)
            .await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let current = memberships::get(&txn, ctx.tenant_id, user)
            .await?
            .ok_or_else(member_not_found)?;
        if current.role == Role::Owner.as_str()
            && memberships::count_with_role(&txn, ctx.tenant_id, Role::Owner.as_str()).await? <= 1
        {
            return Err(CoreError::new(
                ErrorCode::LastOwner,
                "a tenant needs at least one owner; add another owner first",
            ));
        }
        memberships::remove(&txn, ctx.tenant_id, user).await?;
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "member.remove",
            user.to_string(),
            serde_json::json!({"role": current.role}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Checks that `actor` may reset `user`'s credentials from this tenant: instance admins
    /// always; owners only for someone who belongs to no other tenant and is not an instance
    /// admin, so an owner of one agency can never take over an account another agency relies on.
    async fn check_may_reset(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        actor: &Actor,
        tenant: heraut_proto::TenantId,
        user: UserId,
    ) -> CoreResult<users::User> {
        set_scope(txn, Scope::TenantUser(tenant, user)).await?;
        memberships::get(txn, tenant, user)
            .await?
            .ok_or_else(member_not_found)?;
        let person = users::find_by_id(txn, user)
            .await?
            .ok_or_else(member_not_found)?;
        // The administrator's shortcut counts only with the 2FA administrators must have.
        let as_admin =
            actor.instance_admin && (actor.mfa_enabled || !self.config.auth.require_mfa_for_admins);
        if !as_admin {
            let elsewhere = memberships::for_user(txn, user)
                .await?
                .iter()
                .any(|m| m.tenant_id != tenant.0);
            if elsewhere || person.instance_admin {
                return Err(CoreError::new(
                    ErrorCode::Forbidden,
                    "this person also belongs to another tenant or administers the instance; \
                     ask an instance administrator to reset their sign-in",
                ));
            }
        }
        set_scope(txn, Scope::Tenant(tenant)).await?;
        Ok(person)
    }

    /// `POST /tenants/{tenant}/members/{user_id}/mfa-reset`: turns a member's 2FA off so they
    /// can enrol a new device; ends their sessions.
    pub async fn reset_member_mfa(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        user: UserId,
    ) -> CoreResult<()> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::MembersManage)
            .await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let person = self
            .check_may_reset(&txn, actor, ctx.tenant_id, user)
            .await?;
        users::disable_totp(&txn, user).await?;
        sessions::revoke_all_for_user(&txn, user, "mfa_reset", meta.now).await?;
        // In every chain the account appears in, as the command line does.
        let by = Some((actor.user_id, actor.email.as_str()));
        self.record_about_account(
            &txn,
            Some(&person),
            &person.email,
            by,
            meta,
            "mfa.reset",
            "success",
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// `POST /tenants/{tenant}/members/{user_id}/password-reset`: a one-time set-password token
    /// for a member who forgot their password. Their two-factor sign-in stays as it is.
    pub async fn reset_member_password(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        user: UserId,
    ) -> CoreResult<String> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::MembersManage)
            .await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let person = self
            .check_may_reset(&txn, actor, ctx.tenant_id, user)
            .await?;
        let token = self.issue_password_token(&txn, user, meta).await?;
        let by = Some((actor.user_id, actor.email.as_str()));
        let action = "auth.password_reset_issued";
        self.record_about_account(
            &txn,
            Some(&person),
            &person.email,
            by,
            meta,
            action,
            "success",
        )
        .await?;
        txn.commit().await?;
        self.mail_token(&person.email, &token, crate::mail::TokenMail::Reset);
        Ok(token)
    }
}
