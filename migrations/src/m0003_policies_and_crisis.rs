//! A tenant's approval policy and its crisis-mode switch, both tenant-owned with row-level
//! security on PostgreSQL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApprovalPolicies {
    Table,
    TenantId,
    Steps,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum CrisisStates {
    Table,
    TenantId,
    Active,
    Message,
    ChangedAt,
    ChangedBy,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

const TABLES: &[&str] = &["approval_policies", "crisis_states"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApprovalPolicies::Table)
                .col(
                    ColumnDef::new(ApprovalPolicies::TenantId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(ApprovalPolicies::Steps).text().not_null())
                .col(
                    ColumnDef::new(ApprovalPolicies::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(ApprovalPolicies::UpdatedBy).uuid().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(ApprovalPolicies::Table, ApprovalPolicies::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CrisisStates::Table)
                .col(
                    ColumnDef::new(CrisisStates::TenantId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(CrisisStates::Active).boolean().not_null())
                .col(ColumnDef::new(CrisisStates::Message).text().not_null())
                .col(
                    ColumnDef::new(CrisisStates::ChangedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(CrisisStates::ChangedBy).uuid().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(CrisisStates::Table, CrisisStates::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            let db = m.get_connection();
            crate::secure_tenant_tables(db, TABLES).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CrisisStates::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ApprovalPolicies::Table).to_owned())
            .await?;
        Ok(())
    }
}
