//! One job engine for background work, and what the first new kind brings in: `jobs`
//! (instance-wide: claimed across tenants with a lease and a fencing token, each naming its
//! tenant), `inbound_items` (what a channel's network said to or about the tenant, once each by
//! remote id) and, on `channels`, the inbound cursor and when the channel was last read.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    TenantId,
    DedupeKey,
    Payload,
    State,
    DueAt,
    Attempts,
    LeaseOwner,
    LeaseUntil,
    LeaseToken,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InboundItems {
    Table,
    Id,
    TenantId,
    ChannelId,
    RemoteId,
    Kind,
    AuthorHandle,
    AuthorName,
    AuthorUrl,
    Body,
    RemoteUrl,
    InReplyTo,
    ReceivedAt,
    FetchedAt,
    Status,
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    InboundCursor,
    SyncedAt,
    SyncError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let at = |c: Jobs| {
            ColumnDef::new(c)
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(ColumnDef::new(Jobs::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Jobs::Kind).string_len(60).not_null())
                .col(ColumnDef::new(Jobs::TenantId).uuid().null())
                .col(
                    ColumnDef::new(Jobs::DedupeKey)
                        .string_len(200)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Jobs::Payload).text().not_null())
                .col(ColumnDef::new(Jobs::State).string_len(20).not_null())
                .col(at(Jobs::DueAt))
                .col(
                    ColumnDef::new(Jobs::Attempts)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(ColumnDef::new(Jobs::LeaseOwner).string_len(100).null())
                .col(
                    ColumnDef::new(Jobs::LeaseUntil)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(Jobs::LeaseToken)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .col(ColumnDef::new(Jobs::LastError).text().null())
                .col(at(Jobs::CreatedAt))
                .col(at(Jobs::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("jobs_due")
                .table(Jobs::Table)
                .col(Jobs::State)
                .col(Jobs::DueAt)
                .to_owned(),
        )
        .await?;
        let text = |c: InboundItems| ColumnDef::new(c).text().null().to_owned();
        m.create_table(
            Table::create()
                .table(InboundItems::Table)
                .col(
                    ColumnDef::new(InboundItems::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(InboundItems::TenantId).uuid().not_null())
                .col(ColumnDef::new(InboundItems::ChannelId).uuid().not_null())
                .col(
                    ColumnDef::new(InboundItems::RemoteId)
                        .string_len(1024)
                        .not_null(),
                )
                .col(ColumnDef::new(InboundItems::Kind).string_len(20).not_null())
                .col(text(InboundItems::AuthorHandle))
                .col(text(InboundItems::AuthorName))
                .col(text(InboundItems::AuthorUrl))
                .col(ColumnDef::new(InboundItems::Body).text().not_null())
                .col(text(InboundItems::RemoteUrl))
                .col(text(InboundItems::InReplyTo))
                .col(
                    ColumnDef::new(InboundItems::ReceivedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(InboundItems::FetchedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(InboundItems::Status)
                        .string_len(20)
                        .not_null()
                        .default("open"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("inbound_items_once")
                .table(InboundItems::Table)
                .col(InboundItems::TenantId)
                .col(InboundItems::ChannelId)
                .col(InboundItems::RemoteId)
                .unique()
                .to_owned(),
        )
        .await?;
        for col in [Channels::InboundCursor, Channels::SyncError] {
            m.alter_table(
                Table::alter()
                    .table(Channels::Table)
                    .add_column(ColumnDef::new(col).text().null())
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Channels::Table)
                .add_column(
                    ColumnDef::new(Channels::SyncedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            let db = m.get_connection();
            db.execute_unprepared(&format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO {}",
                crate::APP_ROLE
            ))
            .await?;
            crate::secure_tenant_tables(db, &["inbound_items"]).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Channels::SyncedAt,
            Channels::SyncError,
            Channels::InboundCursor,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Channels::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(InboundItems::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await
    }
}
