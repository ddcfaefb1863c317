//! Network options on a post (a poll, a content warning, follow-up thread parts): `posts.options`
//! holds them as composed (JSON, `{}` for none), `post_targets.options` as approved for each
//! channel, and `post_targets.thread_parts` what the network published for each follow-up part
//! (JSON array of `{remote_id, remote_url}`), so that a retraction withdraws every part.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    Options,
}

#[derive(DeriveIden)]
enum PostTargets {
    Table,
    Options,
    ThreadParts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(
                    ColumnDef::new(Posts::Options)
                        .text()
                        .not_null()
                        .default("{}"),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(PostTargets::Table)
                .add_column(
                    ColumnDef::new(PostTargets::Options)
                        .text()
                        .not_null()
                        .default("{}"),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(PostTargets::Table)
                .add_column(ColumnDef::new(PostTargets::ThreadParts).text().null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, col) in [
            (
                PostTargets::Table.into_iden(),
                PostTargets::ThreadParts.into_iden(),
            ),
            (
                PostTargets::Table.into_iden(),
                PostTargets::Options.into_iden(),
            ),
            (Posts::Table.into_iden(), Posts::Options.into_iden()),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
