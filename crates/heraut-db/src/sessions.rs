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

/// A session with its person, in one query (every authenticated request asks for both).
pub async fn find_with_user<C: ConnectionTrait>(
    conn: &C,
    id: FamilyId,
) -> Result<Option<(Session, heraut_entity::users::Model)>, DbErr> {
    use sea_orm::FromQueryResult;
    let sql = crate::to_backend(
        conn,
        "SELECT u.*, s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at, \
         s.expires_at AS s_expires_at, s.revoked_at AS s_revoked_at, \
         s.revoked_reason AS s_revoked_reason \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    );
    let row = conn
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            conn.get_database_backend(),
            sql,
            [id.0.into()],
        ))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let user = heraut_entity::users::Model::from_query_result(&row, "")?;
    let session = Session {
        id: row.try_get("", "s_id")?,
        user_id: row.try_get("", "s_user_id")?,
        created_at: row.try_get("", "s_created_at")?,
        expires_at: row.try_get("", "s_expires_at")?,
        revoked_at: row.try_get("", "s_revoked_at")?,
        revoked_reason: row.try_get("", "s_revoked_reason")?,
    };
    Ok(Some((session, user)))
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
