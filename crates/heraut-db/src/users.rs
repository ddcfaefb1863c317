//! People, their passwords, two-factor secrets and recovery codes. Not tenant-owned.

use chrono::{DateTime, Utc};
use heraut_entity::{password_tokens, recovery_codes, users};
use heraut_proto::UserId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

pub use heraut_entity::users::Model as User;

pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    email: &str,
    name: &str,
    password_hash: Option<String>,
    instance_admin: bool,
    now: DateTime<Utc>,
) -> Result<User, DbErr> {
    users::ActiveModel {
        id: Set(id.0),
        email: Set(email.to_owned()),
        name: Set(name.to_owned()),
        password_hash: Set(password_hash),
        instance_admin: Set(instance_admin),
        totp_secret: Set(None),
        totp_pending_secret: Set(None),
        totp_enabled: Set(false),
        totp_last_step: Set(None),
        locked: Set(false),
        created_at: Set(now),
        password_changed_at: Set(None),
    }
    .insert(conn)
    .await
}

pub async fn find_by_email<C: ConnectionTrait>(
    conn: &C,
    email: &str,
) -> Result<Option<User>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(conn)
        .await
}

pub async fn find_by_id<C: ConnectionTrait>(conn: &C, id: UserId) -> Result<Option<User>, DbErr> {
    users::Entity::find_by_id(id.0).one(conn).await
}

pub async fn set_password<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
        vec![hash.into(), now.into(), id.0.into()],
    )
    .await
    .map(|_| ())
}

/// Replaces the hash after a login with raised parameters, only if it is still the old one.
pub async fn rehash_password<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    old_hash: &str,
    new_hash: &str,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3",
        vec![new_hash.into(), id.0.into(), old_hash.into()],
    )
    .await
    .map(|_| ())
}

pub async fn set_instance_admin<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    admin: bool,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "UPDATE users SET instance_admin = $1 WHERE id = $2",
        vec![admin.into(), id.0.into()],
    )
    .await
    .map(|_| ())
}

pub async fn set_locked<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    locked: bool,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "UPDATE users SET locked = $1 WHERE id = $2",
        vec![locked.into(), id.0.into()],
    )
    .await
    .map(|_| ())
}

/// Stores the encrypted secret of an enrolment that is not yet confirmed.
pub async fn set_pending_totp<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    sealed: &str,
) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "UPDATE users SET totp_pending_secret = $1 WHERE id = $2",
        vec![sealed.into(), id.0.into()],
    )
    .await
    .map(|_| ())
}

/// People with an encrypted secret (confirmed or pending), for re-encryption under a new key.
pub async fn with_secrets<C: ConnectionTrait>(conn: &C) -> Result<Vec<User>, DbErr> {
    users::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(users::Column::TotpSecret.is_not_null())
                .add(users::Column::TotpPendingSecret.is_not_null()),
        )
        .all(conn)
        .await
}

/// Replaces a person's encrypted secrets, only if they are still the values read before (a
/// concurrent enrolment or reset wins, and is re-encrypted on the next run).
pub async fn replace_secrets<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    old: (Option<&str>, Option<&str>),
    new: (Option<&str>, Option<&str>),
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE users SET totp_secret = $1, totp_pending_secret = $2 WHERE id = $3 \
         AND totp_secret IS NOT DISTINCT FROM $4 AND totp_pending_secret IS NOT DISTINCT FROM $5",
        vec![
            new.0.map(str::to_owned).into(),
            new.1.map(str::to_owned).into(),
            id.0.into(),
            old.0.map(str::to_owned).into(),
            old.1.map(str::to_owned).into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// Turns two-factor sign-in on with the confirmed secret; `step` is the step just used.
pub async fn enable_totp<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    sealed: &str,
    step: i64,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE users SET totp_secret = $1, totp_pending_secret = NULL, totp_enabled = TRUE, \
         totp_last_step = $2 WHERE id = $3 AND totp_enabled = FALSE",
        vec![sealed.into(), step.into(), id.0.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Turns two-factor sign-in off (a reset by a tenant owner or admin).
pub async fn disable_totp<C: ConnectionTrait>(conn: &C, id: UserId) -> Result<(), DbErr> {
    crate::exec(
        conn,
        "UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled = FALSE, \
         totp_last_step = NULL WHERE id = $1",
        vec![id.0.into()],
    )
    .await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(id.0))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Accepts a TOTP step once: true only if it is later than every step accepted before. Atomic,
/// so two parallel requests with the same code cannot both succeed.
pub async fn accept_totp_step<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    step: i64,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_enabled = TRUE \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
        vec![step.into(), id.0.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Replaces a person's recovery codes with new hashes.
pub async fn replace_recovery_codes<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    hashes: &[String],
) -> Result<(), DbErr> {
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(id.0))
        .exec(conn)
        .await?;
    for h in hashes {
        recovery_codes::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            user_id: Set(id.0),
            code_hash: Set(h.clone()),
            used_at: Set(None),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Spends a recovery code; true only the first time.
pub async fn use_recovery_code<C: ConnectionTrait>(
    conn: &C,
    id: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        vec![now.into(), id.0.into(), hash.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Stores a set-password token's hash.
pub async fn create_password_token<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    password_tokens::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        user_id: Set(user.0),
        token_hash: Set(hash.to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await
    .map(|_| ())
}

/// A set-password token by its hash, spent or not.
pub async fn find_password_token<C: ConnectionTrait>(
    conn: &C,
    hash: &str,
) -> Result<Option<password_tokens::Model>, DbErr> {
    password_tokens::Entity::find()
        .filter(password_tokens::Column::TokenHash.eq(hash))
        .one(conn)
        .await
}

/// Voids every unused set-password token of a person (a newer one was issued, the password
/// changed, or the account gained rights elsewhere).
pub async fn void_password_tokens<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    crate::exec(
        conn,
        "UPDATE password_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        vec![now.into(), user.0.into()],
    )
    .await
}

/// Spends `user`'s set-password token once, if it has not expired.
pub async fn consume_password_token<C: ConnectionTrait>(
    conn: &C,
    hash: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = crate::exec(
        conn,
        "UPDATE password_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1",
        vec![now.into(), hash.into(), user.0.into()],
    )
    .await?;
    Ok(n == 1)
}
