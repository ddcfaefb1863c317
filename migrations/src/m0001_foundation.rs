//! Tenants, users, memberships, sessions and tokens, and the audit log.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Slug,
    Name,
    Level,
    ParentId,
    RequireMfa,
    TimeZone,
    PublishGraceMinutes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    InstanceAdmin,
    TotpSecret,
    TotpPendingSecret,
    TotpEnabled,
    TotpLastStep,
    Locked,
    CreatedAt,
    PasswordChangedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum PasswordTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    TenantId,
    Seq,
    OccurredAt,
    ActorId,
    ActorEmail,
    Ip,
    UserAgent,
    Action,
    Target,
    Outcome,
    RequestId,
    Details,
    PrevHash,
    Hash,
}

fn uuid_pk<T: IntoIden>(col: T) -> ColumnDef {
    let mut c = ColumnDef::new(col);
    c.uuid().not_null().primary_key();
    c
}

fn ts<T: IntoIden>(col: T) -> ColumnDef {
    let mut c = ColumnDef::new(col);
    c.timestamp_with_time_zone().not_null();
    c
}

fn ts_null<T: IntoIden>(col: T) -> ColumnDef {
    let mut c = ColumnDef::new(col);
    c.timestamp_with_time_zone().null();
    c
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(uuid_pk(Tenants::Id))
                .col(
                    ColumnDef::new(Tenants::Slug)
                        .string_len(63)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Tenants::Name).string_len(200).not_null())
                .col(ColumnDef::new(Tenants::Level).string_len(20).not_null())
                .col(ColumnDef::new(Tenants::ParentId).uuid().null())
                .col(ColumnDef::new(Tenants::RequireMfa).boolean().not_null())
                .col(ColumnDef::new(Tenants::TimeZone).string_len(64).not_null())
                .col(
                    ColumnDef::new(Tenants::PublishGraceMinutes)
                        .integer()
                        .not_null(),
                )
                .col(ts(Tenants::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Tenants::Table, Tenants::ParentId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(uuid_pk(Users::Id))
                .col(
                    ColumnDef::new(Users::Email)
                        .string_len(320)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Users::Name).string_len(200).not_null())
                .col(ColumnDef::new(Users::PasswordHash).text().null())
                .col(ColumnDef::new(Users::InstanceAdmin).boolean().not_null())
                .col(ColumnDef::new(Users::TotpSecret).text().null())
                .col(ColumnDef::new(Users::TotpPendingSecret).text().null())
                .col(ColumnDef::new(Users::TotpEnabled).boolean().not_null())
                .col(ColumnDef::new(Users::TotpLastStep).big_integer().null())
                .col(ColumnDef::new(Users::Locked).boolean().not_null())
                .col(ts(Users::CreatedAt))
                .col(ts_null(Users::PasswordChangedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(ColumnDef::new(Memberships::TenantId).uuid().not_null())
                .col(ColumnDef::new(Memberships::UserId).uuid().not_null())
                .col(ColumnDef::new(Memberships::Role).string_len(32).not_null())
                .col(ts(Memberships::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(Memberships::TenantId)
                        .col(Memberships::UserId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_memberships_user")
                .table(Memberships::Table)
                .col(Memberships::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(uuid_pk(RecoveryCodes::Id))
                .col(ColumnDef::new(RecoveryCodes::UserId).uuid().not_null())
                .col(
                    ColumnDef::new(RecoveryCodes::CodeHash)
                        .string_len(64)
                        .not_null(),
                )
                .col(ts_null(RecoveryCodes::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recovery_codes_user")
                .table(RecoveryCodes::Table)
                .col(RecoveryCodes::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(uuid_pk(Sessions::Id))
                .col(ColumnDef::new(Sessions::UserId).uuid().not_null())
                .col(ts(Sessions::CreatedAt))
                .col(ts(Sessions::ExpiresAt))
                .col(ts_null(Sessions::RevokedAt))
                .col(
                    ColumnDef::new(Sessions::RevokedReason)
                        .string_len(64)
                        .null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(uuid_pk(RefreshTokens::Id))
                .col(ColumnDef::new(RefreshTokens::SessionId).uuid().not_null())
                .col(
                    ColumnDef::new(RefreshTokens::TokenHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(ts(RefreshTokens::CreatedAt))
                .col(ts(RefreshTokens::ExpiresAt))
                .col(ts_null(RefreshTokens::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RefreshTokens::Table, RefreshTokens::SessionId)
                        .to(Sessions::Table, Sessions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PasswordTokens::Table)
                .col(uuid_pk(PasswordTokens::Id))
                .col(ColumnDef::new(PasswordTokens::UserId).uuid().not_null())
                .col(
                    ColumnDef::new(PasswordTokens::TokenHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(ts(PasswordTokens::CreatedAt))
                .col(ts(PasswordTokens::ExpiresAt))
                .col(ts_null(PasswordTokens::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PasswordTokens::Table, PasswordTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(uuid_pk(AuditEvents::Id))
                .col(ColumnDef::new(AuditEvents::TenantId).uuid().not_null())
                .col(ColumnDef::new(AuditEvents::Seq).big_integer().not_null())
                .col(ts(AuditEvents::OccurredAt))
                .col(ColumnDef::new(AuditEvents::ActorId).uuid().null())
                .col(
                    ColumnDef::new(AuditEvents::ActorEmail)
                        .string_len(320)
                        .null(),
                )
                .col(ColumnDef::new(AuditEvents::Ip).string_len(64).null())
                .col(
                    ColumnDef::new(AuditEvents::UserAgent)
                        .string_len(512)
                        .null(),
                )
                .col(
                    ColumnDef::new(AuditEvents::Action)
                        .string_len(64)
                        .not_null(),
                )
                .col(ColumnDef::new(AuditEvents::Target).string_len(200).null())
                .col(
                    ColumnDef::new(AuditEvents::Outcome)
                        .string_len(32)
                        .not_null(),
                )
                .col(ColumnDef::new(AuditEvents::RequestId).string_len(64).null())
                .col(ColumnDef::new(AuditEvents::Details).text().not_null())
                .col(
                    ColumnDef::new(AuditEvents::PrevHash)
                        .string_len(64)
                        .not_null(),
                )
                .col(ColumnDef::new(AuditEvents::Hash).string_len(64).not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_events_tenant_seq")
                .table(AuditEvents::Table)
                .col(AuditEvents::TenantId)
                .col(AuditEvents::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditEvents::Table.into_iden(),
            PasswordTokens::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
