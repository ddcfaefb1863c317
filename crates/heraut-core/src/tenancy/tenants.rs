//! Tenants: creating them (instance admins), listing, and the tenant context every tenant route
//! starts from.

use heraut_auth::Permission;
use heraut_auth::permissions::allows;
use heraut_db::{Scope, memberships, tenants};
use heraut_proto::tenants::{
    CreateTenantRequest, Role, TenantLevel, TenantList, TenantSettings, TenantView,
    UpdateTenantRequest,
};
use heraut_proto::{ErrorCode, TenantId};

use crate::paging::page_limit;
use crate::records::audit::record_by;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

/// The name `heraut admin audit-verify` uses for the instance's own chain (reserved as a slug).
pub const INSTANCE_SLUG: &str = "instance";

/// What instance administrators may do in any tenant, member or not.
const ADMIN_PERMISSIONS: &[Permission] = &[
    Permission::TenantRead,
    Permission::TenantSettingsManage,
    Permission::MembersRead,
    Permission::MembersManage,
    Permission::AuditRead,
];

/// A tenant route's checked context: the tenant exists, the actor may see it, and holds the
/// permission asked for.
#[derive(Debug, Clone)]
pub struct TenantCtx {
    pub tenant_id: TenantId,
    pub tenant: tenants::Tenant,
    /// The actor's role, when they are a member.
    pub role: Option<Role>,
}

fn check_slug(slug: &str) -> CoreResult<()> {
    let ok = (2..=63).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && slug != INSTANCE_SLUG;
    if ok {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::RequestInvalid,
            format!(
                "slug `{slug}` must be 2–63 lowercase letters, digits or hyphens, not starting or ending with a hyphen, and not `instance`"
            ),
        ))
    }
}

pub(crate) fn view(t: tenants::Tenant, parent_slug: Option<String>) -> TenantView {
    TenantView {
        id: TenantId(t.id),
        slug: t.slug,
        name: t.name,
        level: TenantLevel::parse(&t.level).unwrap_or(TenantLevel::Other),
        parent: parent_slug,
        settings: TenantSettings {
            require_mfa: t.require_mfa,
            time_zone: t.time_zone,
            publish_grace_minutes: t.publish_grace_minutes.max(0) as u32,
        },
        created_at: t.created_at,
    }
}

impl Core {
    /// Resolves `slug` for `actor` and checks `permission`. A tenant the actor cannot see is
    /// answered exactly like one that does not exist.
    pub async fn tenant_ctx(
        &self,
        actor: &Actor,
        slug: &str,
        permission: Permission,
    ) -> CoreResult<TenantCtx> {
        let tenant = tenants::find_by_slug(self.db.read_conn(), slug)
            .await?
            .ok_or_else(|| CoreError::tenant_not_found(slug))?;
        let tenant_id = TenantId(tenant.id);
        let txn = self
            .db
            .begin_read(Scope::TenantUser(tenant_id, actor.user_id))
            .await?;
        let membership = memberships::get(&txn, tenant_id, actor.user_id).await?;
        txn.commit().await?;
        let role = membership.and_then(|m| Role::parse(&m.role));
        let as_admin = actor.instance_admin && ADMIN_PERMISSIONS.contains(&permission);
        if role.is_none() && !as_admin {
            return Err(CoreError::tenant_not_found(slug));
        }
        let by_role = role.is_some_and(|r| allows(r, permission));
        if role.is_some() && tenant.require_mfa && !actor.mfa_enabled {
            return Err(CoreError::new(
                ErrorCode::MfaEnrolmentRequired,
                format!(
                    "tenant `{slug}` requires two-factor sign-in; set it up under /api/v1/me/mfa/totp first"
                ),
            ));
        }
        // Whenever the administrator's rights, not a role, are what allows this: 2FA first.
        if as_admin && !by_role {
            self.require_admin_mfa(actor)?;
        }
        let allowed = as_admin || by_role;
        if !allowed {
            return Err(CoreError::new(
                ErrorCode::Forbidden,
                format!("your role in `{slug}` does not allow this"),
            ));
        }
        Ok(TenantCtx {
            tenant_id,
            tenant,
            role,
        })
    }

    pub(crate) fn require_admin(&self, actor: &Actor) -> CoreResult<()> {
        if !actor.instance_admin {
            return Err(CoreError::new(
                ErrorCode::Forbidden,
                "only instance administrators may do this",
            ));
        }
        self.require_admin_mfa(actor)
    }

    fn require_admin_mfa(&self, actor: &Actor) -> CoreResult<()> {
        if self.config.auth.require_mfa_for_admins && !actor.mfa_enabled {
            return Err(CoreError::new(
                ErrorCode::MfaEnrolmentRequired,
                "instance administrators must set up two-factor sign-in first (/api/v1/me/mfa/totp)",
            ));
        }
        Ok(())
    }

    /// `POST /tenants` (instance admin).
    pub async fn create_tenant(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        req: CreateTenantRequest,
    ) -> CoreResult<TenantView> {
        self.require_admin(actor)?;
        let slug = req.slug.trim().to_owned();
        check_slug(&slug)?;
        let name = req.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                "name must be 1–200 characters",
            ));
        }
        let parent =
            match &req.parent {
                Some(p) => Some(tenants::find_by_slug(self.db.conn(), p).await?.ok_or_else(
                    || {
                        CoreError::new(
                            ErrorCode::TenantParentNotFound,
                            format!("no parent tenant `{p}`"),
                        )
                    },
                )?),
                None => None,
            };
        let id = TenantId::new();
        let txn = self.db.begin(Scope::Tenant(id)).await?;
        let created = tenants::insert(
            &txn,
            tenants::NewTenant {
                id,
                slug: &slug,
                name,
                level: req.level.as_str(),
                parent_id: parent.as_ref().map(|p| TenantId(p.id)),
                require_mfa: true,
                time_zone: "UTC",
                publish_grace_minutes: 15,
                now: meta.now,
            },
        )
        .await
        .map_err(|e| {
            if heraut_db::is_unique_violation(&e) {
                CoreError::new(
                    ErrorCode::TenantSlugTaken,
                    format!("slug `{slug}` is taken; choose another"),
                )
            } else {
                e.into()
            }
        })?;
        record_by(
            &txn,
            id,
            actor,
            meta,
            "tenant.create",
            slug.clone(),
            serde_json::json!({"name": name, "level": req.level.as_str(), "parent": req.parent}),
        )
        .await?;
        txn.commit().await?;
        Ok(view(created, parent.map(|p| p.slug)))
    }

    /// `GET /tenants`: the caller's tenants (every tenant for an instance admin).
    pub async fn list_tenants(
        &self,
        actor: &Actor,
        limit: Option<u64>,
        cursor: Option<String>,
    ) -> CoreResult<TenantList> {
        let limit = page_limit(limit)?;
        let txn = self.db.begin_read(Scope::User(actor.user_id)).await?;
        let rows = if actor.instance_admin {
            self.require_admin_mfa(actor)?;
            tenants::list_all(&txn, cursor.as_deref(), limit + 1).await?
        } else {
            tenants::list_for_user(&txn, actor.user_id, cursor.as_deref(), limit + 1).await?
        };
        let mut items = Vec::new();
        let more = rows.len() as u64 > limit;
        for t in rows.into_iter().take(limit as usize) {
            let parent = match t.parent_id {
                Some(p) => tenants::find_by_id(&txn, TenantId(p))
                    .await?
                    .map(|p| p.slug),
                None => None,
            };
            items.push(view(t, parent));
        }
        txn.commit().await?;
        let next_cursor = more.then(|| items.last().map(|t| t.slug.clone())).flatten();
        Ok(TenantList { items, next_cursor })
    }

    /// `GET /tenants/{tenant}`.
    pub async fn get_tenant(&self, actor: &Actor, slug: &str) -> CoreResult<TenantView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let parent = match ctx.tenant.parent_id {
            Some(p) => tenants::find_by_id(self.db.read_conn(), TenantId(p))
                .await?
                .map(|p| p.slug),
            None => None,
        };
        Ok(view(ctx.tenant, parent))
    }

    /// `PATCH /tenants/{tenant}`: name and settings (owners; instance admins).
    pub async fn update_tenant(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        req: UpdateTenantRequest,
    ) -> CoreResult<TenantView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::TenantSettingsManage)
            .await?;
        let t = &ctx.tenant;
        let name = req
            .name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&t.name)
            .to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                "name must be 1–200 characters",
            ));
        }
        let time_zone = req.time_zone.clone().unwrap_or_else(|| t.time_zone.clone());
        if time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                format!(
                    "`{time_zone}` is not an IANA time zone; use a name like `Europe/Amsterdam`"
                ),
            ));
        }
        let grace = req
            .publish_grace_minutes
            .map_or(t.publish_grace_minutes, |g| g as i32);
        if !(0..=1440).contains(&grace) {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                "publish_grace_minutes must be between 0 and 1440",
            ));
        }
        let require_mfa = req.require_mfa.unwrap_or(t.require_mfa);
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        tenants::update_settings(&txn, ctx.tenant_id, &name, require_mfa, &time_zone, grace)
            .await?;
        let before = serde_json::json!({
            "name": t.name, "require_mfa": t.require_mfa,
            "time_zone": t.time_zone, "publish_grace_minutes": t.publish_grace_minutes,
        });
        let after = serde_json::json!({
            "name": name, "require_mfa": require_mfa,
            "time_zone": time_zone, "publish_grace_minutes": grace,
        });
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "tenant.settings_change",
            slug.to_owned(),
            serde_json::json!({"before": before, "after": after}),
        )
        .await?;
        txn.commit().await?;
        let updated = tenants::find_by_id(self.db.conn(), ctx.tenant_id)
            .await?
            .ok_or_else(|| CoreError::tenant_not_found(slug))?;
        let parent = match updated.parent_id {
            Some(p) => tenants::find_by_id(self.db.conn(), TenantId(p))
                .await?
                .map(|p| p.slug),
            None => None,
        };
        Ok(view(updated, parent))
    }
}
