//! The plugin registry: installed plugins, their manifests and the hosts the instance
//! administrator approved. Instance-wide, not tenant-owned.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Plugins {
    Table,
    Id,
    Name,
    Version,
    World,
    ApiVersion,
    Sha256,
    Manifest,
    Enabled,
    ApprovedHosts,
    InstalledAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Plugins::Table)
                .col(
                    ColumnDef::new(Plugins::Id)
                        .string_len(40)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Plugins::Name).string_len(200).not_null())
                .col(ColumnDef::new(Plugins::Version).string_len(40).not_null())
                .col(ColumnDef::new(Plugins::World).string_len(20).not_null())
                .col(
                    ColumnDef::new(Plugins::ApiVersion)
                        .string_len(20)
                        .not_null(),
                )
                .col(ColumnDef::new(Plugins::Sha256).string_len(64).not_null())
                .col(ColumnDef::new(Plugins::Manifest).text().not_null())
                .col(ColumnDef::new(Plugins::Enabled).boolean().not_null())
                .col(ColumnDef::new(Plugins::ApprovedHosts).text().not_null())
                .col(
                    ColumnDef::new(Plugins::InstalledAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Plugins::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(&format!(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON plugins TO {}",
                    crate::APP_ROLE
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Plugins::Table).to_owned())
            .await
    }
}
