//! The tenant registry. Not tenant-owned: a tenant is looked up by slug before its context exists.

use chrono::{DateTime, Utc};
use heraut_entity::{memberships, tenants};
use heraut_proto::{TenantId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub use heraut_entity::tenants::Model as Tenant;

/// A new tenant's fields.
pub struct NewTenant<'a> {
    pub id: TenantId,
    pub slug: &'a str,
    pub name: &'a str,
    pub level: &'a str,
    pub parent_id: Option<TenantId>,
    pub require_mfa: bool,
    pub time_zone: &'a str,
    pub publish_grace_minutes: i32,
    pub now: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(conn: &C, t: NewTenant<'_>) -> Result<Tenant, DbErr> {
    tenants::ActiveModel {
        id: Set(t.id.0),
        slug: Set(t.slug.to_owned()),
        name: Set(t.name.to_owned()),
        level: Set(t.level.to_owned()),
        parent_id: Set(t.parent_id.map(|p| p.0)),
        require_mfa: Set(t.require_mfa),
        time_zone: Set(t.time_zone.to_owned()),
        publish_grace_minutes: Set(t.publish_grace_minutes),
        created_at: Set(t.now),
    }
    .insert(conn)
    .await
}

/// Changes a tenant's name and settings.
pub async fn update_settings<C: ConnectionTrait>(
    conn: &C,
    id: TenantId,
    name: &str,
    require_mfa: bool,
    time_zone: &str,
    publish_grace_minutes: i32,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "UPDATE tenants SET name = $1, require_mfa = $2, time_zone = $3, publish_grace_minutes = $4 \
         WHERE id = $5",
        vec![
            name.into(),
            require_mfa.into(),
            time_zone.into(),
            publish_grace_minutes.into(),
            id.0.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn find_by_slug<C: ConnectionTrait>(
    conn: &C,
    slug: &str,
) -> Result<Option<Tenant>, DbErr> {
    tenants::Entity::find()
        .filter(tenants::Column::Slug.eq(slug))
        .one(conn)
        .await
}

pub async fn find_by_id<C: ConnectionTrait>(
    conn: &C,
    id: TenantId,
) -> Result<Option<Tenant>, DbErr> {
    tenants::Entity::find_by_id(id.0).one(conn).await
}

/// All tenants ordered by slug, after `after_slug`.
pub async fn list_all<C: ConnectionTrait>(
    conn: &C,
    after_slug: Option<&str>,
    limit: u64,
) -> Result<Vec<Tenant>, DbErr> {
    let mut q = tenants::Entity::find().order_by_asc(tenants::Column::Slug);
    if let Some(after) = after_slug {
        q = q.filter(tenants::Column::Slug.gt(after));
    }
    q.limit(limit).all(conn).await
}

/// Tenants a person belongs to, ordered by slug (needs `Scope::User` on PostgreSQL).
pub async fn list_for_user<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    after_slug: Option<&str>,
    limit: u64,
) -> Result<Vec<Tenant>, DbErr> {
    let ids: Vec<uuid::Uuid> = memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user.0))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.tenant_id)
        .collect();
    let mut q = tenants::Entity::find()
        .filter(tenants::Column::Id.is_in(ids))
        .order_by_asc(tenants::Column::Slug);
    if let Some(after) = after_slug {
        q = q.filter(tenants::Column::Slug.gt(after));
    }
    q.limit(limit).all(conn).await
}
