//! The plugin registry. Instance-wide: no tenant in it.

use chrono::{DateTime, Utc};
use heraut_entity::plugins;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};

pub use heraut_entity::plugins::Model as Plugin;

pub async fn find<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<Plugin>, DbErr> {
    plugins::Entity::find_by_id(id.to_owned()).one(conn).await
}

pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<Plugin>, DbErr> {
    plugins::Entity::find()
        .order_by_asc(plugins::Column::Id)
        .all(conn)
        .await
}

/// Installs or upgrades a plugin; an upgrade keeps whether it is enabled and keeps the
/// approvals of hosts the new manifest still declares (`approved_hosts_json`, decided by the caller).
#[allow(clippy::too_many_arguments)]
pub async fn upsert<C: ConnectionTrait>(
    conn: &C,
    p: &Plugin,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "INSERT INTO plugins (id, name, version, world, api_version, sha256, manifest, enabled, \
         approved_hosts, installed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version, \
         world = excluded.world, api_version = excluded.api_version, sha256 = excluded.sha256, \
         manifest = excluded.manifest, approved_hosts = excluded.approved_hosts, updated_at = excluded.updated_at",
        vec![
            p.id.clone().into(),
            p.name.clone().into(),
            p.version.clone().into(),
            p.world.clone().into(),
            p.api_version.clone().into(),
            p.sha256.clone().into(),
            p.manifest.clone().into(),
            p.enabled.into(),
            p.approved_hosts.clone().into(),
            now.into(),
        ],
    )
    .await
    .map(|_| ())
}

/// Enables or disables a plugin and sets its approved hosts.
pub async fn set_state<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    enabled: bool,
    approved_hosts_json: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE plugins SET enabled = $1, approved_hosts = $2, updated_at = $3 WHERE id = $4",
        vec![
            enabled.into(),
            approved_hosts_json.into(),
            now.into(),
            id.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}
