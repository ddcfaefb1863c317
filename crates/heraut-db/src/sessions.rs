//! Sessions and their rotating refresh tokens. Reuse of a spent token revokes the whole family.

use chrono::{DateTime, Utc};
use heraut_entity::{refresh_tokens, sessions};
use heraut_proto::{FamilyId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

pub use heraut_entity::refresh_tokens::Model as RefreshToken;
pub use heraut_entity::sessions::Model as Session;

pub async fn create<C: ConnectionTrait>(
    conn: &C,
    id: FamilyId,
    user: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    sessions::ActiveModel {
        id: Set(id.0),
        user_id: Set(user.0),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(conn)
    .await
    .map(|_| ())
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: FamilyId) -> Result<Option<Session>, DbErr> {
    sessions::Entity::find_by_id(id.0).one(conn).await
}

pub async fn add_refresh_token<C: ConnectionTrait>(
    conn: &C,
    session: FamilyId,
    hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_tokens::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        session_id: Set(session.0),
        token_hash: Set(hash.to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await
    .map(|_| ())
}

pub async fn find_refresh_token<C: ConnectionTrait>(
    conn: &C,
    hash: &str,
) -> Result<Option<RefreshToken>, DbErr> {
    refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(hash))
        .one(conn)
        .await
}

/// Spends a refresh token; false when it was already spent (by a parallel request too).
pub async fn spend_refresh_token<C: ConnectionTrait>(
    conn: &C,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
        vec![now.into(), id.into()],
    )
    .await?;
    Ok(n == 1)
}

pub async fn revoke<C: ConnectionTrait>(
    conn: &C,
    id: FamilyId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
        vec![now.into(), reason.into(), id.0.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Revokes every session of a person (password change, MFA reset, lockout).
pub async fn revoke_all_for_user<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL",
        vec![now.into(), reason.into(), user.0.into()],
    )
    .await
}
