//! `inbound_items.conversation`: the network's id of the conversation a received item belongs to
//! (a direct-message thread, a post's replies), where the network has one, so that the inbox can
//! group what it receives.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InboundItems {
    Table,
    Conversation,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(InboundItems::Table)
                .add_column(ColumnDef::new(InboundItems::Conversation).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(InboundItems::Table)
                .drop_column(InboundItems::Conversation)
                .to_owned(),
        )
        .await
    }
}
