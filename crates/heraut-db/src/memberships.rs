//! Who belongs to a tenant, with which role. Tenant-owned: every function takes the `TenantId`.

use chrono::{DateTime, Utc};
use heraut_entity::{memberships, users};
use heraut_proto::{TenantId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

pub use heraut_entity::memberships::Model as Membership;

pub async fn add<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    user: UserId,
    role: &str,
    now: DateTime<Utc>,
) -> Result<Membership, DbErr> {
    memberships::ActiveModel {
        tenant_id: Set(tenant.0),
        user_id: Set(user.0),
        role: Set(role.to_owned()),
        created_at: Set(now),
    }
    .insert(conn)
    .await
}

pub async fn get<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    user: UserId,
) -> Result<Option<Membership>, DbErr> {
    memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant.0))
        .filter(memberships::Column::UserId.eq(user.0))
        .one(conn)
        .await
}

/// Members with their user rows, ordered by e-mail address.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
) -> Result<Vec<(Membership, users::Model)>, DbErr> {
    let members = memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant.0))
        .all(conn)
        .await?;
    let ids: Vec<uuid::Uuid> = members.iter().map(|m| m.user_id).collect();
    let people = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .order_by_asc(users::Column::Email)
        .all(conn)
        .await?;
    Ok(people
        .into_iter()
        .filter_map(|u| {
            members
                .iter()
                .find(|m| m.user_id == u.id)
                .cloned()
                .map(|m| (m, u))
        })
        .collect())
}

pub async fn set_role<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    user: UserId,
    role: &str,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE memberships SET role = $1 WHERE tenant_id = $2 AND user_id = $3",
        vec![role.into(), tenant.0.into(), user.0.into()],
    )
    .await?;
    Ok(n == 1)
}

pub async fn remove<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    user: UserId,
) -> Result<bool, DbErr> {
    let res = memberships::Entity::delete_many()
        .filter(memberships::Column::TenantId.eq(tenant.0))
        .filter(memberships::Column::UserId.eq(user.0))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// How many members have `role`. On PostgreSQL the rows are locked until the transaction ends,
/// so two concurrent changes cannot both see "another owner is left" (SQLite has one writer).
pub async fn count_with_role<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    role: &str,
) -> Result<u64, DbErr> {
    let query = memberships::Entity::find()
        .filter(memberships::Column::TenantId.eq(tenant.0))
        .filter(memberships::Column::Role.eq(role));
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        Ok(query.lock_exclusive().all(conn).await?.len() as u64)
    } else {
        query.count(conn).await
    }
}

/// A person's memberships in every tenant (needs `Scope::User` on PostgreSQL).
pub async fn for_user<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
) -> Result<Vec<Membership>, DbErr> {
    memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user.0))
        .all(conn)
        .await
}
