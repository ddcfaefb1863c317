//! Connecting channels and threads: the pending OAuth authorisations (instance-wide, found by
//! their `state` when the network sends the person back) and the post a post replies to (on the
//! post, and copied to its targets so that the publisher needs no second read).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OauthStates {
    Table,
    StateHash,
    TenantId,
    UserId,
    ChannelId,
    Plugin,
    Sealed,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    ReplyTo,
}

#[derive(DeriveIden)]
enum PostTargets {
    Table,
    ReplyTo,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OauthStates::Table)
                .col(
                    ColumnDef::new(OauthStates::StateHash)
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(OauthStates::TenantId).uuid().not_null())
                .col(ColumnDef::new(OauthStates::UserId).uuid().not_null())
                .col(ColumnDef::new(OauthStates::ChannelId).uuid().not_null())
                .col(
                    ColumnDef::new(OauthStates::Plugin)
                        .string_len(40)
                        .not_null(),
                )
                .col(ColumnDef::new(OauthStates::Sealed).text().not_null())
                .col(
                    ColumnDef::new(OauthStates::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(OauthStates::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(ColumnDef::new(Posts::ReplyTo).uuid().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(PostTargets::Table)
                .add_column(ColumnDef::new(PostTargets::ReplyTo).uuid().null())
                .to_owned(),
        )
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(&format!(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON oauth_states TO {}",
                    crate::APP_ROLE
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(PostTargets::Table)
                .drop_column(PostTargets::ReplyTo)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .drop_column(Posts::ReplyTo)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(OauthStates::Table).to_owned())
            .await
    }
}
