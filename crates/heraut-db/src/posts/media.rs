//! Uploaded images of a tenant.
//! Tenant-owned: every function takes the `TenantId` and puts it in the `WHERE`.

use heraut_proto::TenantId;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::*;

pub async fn insert_media<C: ConnectionTrait>(conn: &C, m: MediaRow) -> Result<Media, DbErr> {
    m.insert(conn).await
}

/// The tenant's media among `ids` (in no particular order; missing ones are left out).
pub async fn media<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<Vec<Media>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    heraut_entity::media::Entity::find()
        .filter(heraut_entity::media::Column::TenantId.eq(tenant.0))
        .filter(heraut_entity::media::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}
