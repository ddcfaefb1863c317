//! Pending OAuth authorisations. Instance-wide: the network's redirect names no tenant, so a
//! row is found by the hash of its `state`, taken once, and carries its tenant.

use chrono::{DateTime, Utc};
use heraut_entity::oauth_states;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait};

pub use heraut_entity::oauth_states::ActiveModel as OauthStateRow;
pub use heraut_entity::oauth_states::Model as OauthState;

pub async fn insert<C: ConnectionTrait>(conn: &C, row: OauthStateRow) -> Result<(), DbErr> {
    row.insert(conn).await.map(|_| ())
}

/// Takes the authorisation with this state hash: reads and deletes it, so that a second use of
/// the same `state` finds nothing. `None` when unknown, already used or expired.
pub async fn take<C: ConnectionTrait>(
    conn: &C,
    state_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<OauthState>, DbErr> {
    let Some(row) = oauth_states::Entity::find_by_id(state_hash.to_owned())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let deleted = crate::exec(
        conn,
        "DELETE FROM oauth_states WHERE state_hash = $1",
        vec![state_hash.into()],
    )
    .await?;
    Ok((deleted == 1 && row.expires_at > now).then_some(row))
}

/// Removes authorisations that expired unused.
pub async fn purge_expired<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "DELETE FROM oauth_states WHERE expires_at <= $1",
        vec![now.into()],
    )
    .await
}
