//! Posts are records: a post that reached review is never deleted, and its approval decisions
//! are kept for every submission, not cleared when it is rejected or submitted again.
//! `posts.submissions` counts how often a post went into review (0: a draft that never did, the
//! only kind that may be deleted); `post_approvals` gains `submission` in its key, so that one
//! person's approval of the same revision in an earlier round stays beside the new one; a
//! retracted post keeps when and why it was withdrawn from its networks.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    Submissions,
    RetractedAt,
    RetractReason,
}

/// The approvals table with `submission` in its key; renamed to `post_approvals` once filled.
const NEXT: &str = "post_approvals_next";

fn approvals_table(name: &str, with_submission: bool) -> TableCreateStatement {
    let col = |n: &str| ColumnDef::new(Alias::new(n)).not_null().to_owned();
    let mut key = Index::create();
    key.col(Alias::new("post_id"));
    if with_submission {
        key.col(Alias::new("submission"));
    }
    key.col(Alias::new("revision")).col(Alias::new("user_id"));
    let mut t = Table::create();
    t.table(Alias::new(name))
        .col(col("post_id").uuid())
        .col(col("revision").integer())
        .col(col("user_id").uuid())
        .col(col("tenant_id").uuid())
        .col(col("step").integer())
        .col(col("created_at").timestamp_with_time_zone());
    if with_submission {
        t.col(col("submission").integer());
    }
    t.primary_key(&mut key)
        .foreign_key(
            ForeignKey::create()
                .from(Alias::new(name), Alias::new("tenant_id"))
                .to(Alias::new("tenants"), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .from(Alias::new(name), Alias::new("post_id"))
                .to(Alias::new("posts"), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// Replaces `post_approvals` by a table built from `create`, filled by `copy` (an INSERT …
/// SELECT from `post_approvals` into the new table).
async fn rebuild_approvals(
    m: &SchemaManager<'_>,
    create: TableCreateStatement,
    copy: &str,
) -> Result<(), DbErr> {
    let db = m.get_connection();
    m.create_table(create).await?;
    db.execute_unprepared(copy).await?;
    m.drop_table(Table::drop().table(Alias::new("post_approvals")).to_owned())
        .await?;
    m.rename_table(
        Table::rename()
            .table(Alias::new(NEXT), Alias::new("post_approvals"))
            .to_owned(),
    )
    .await?;
    if m.get_database_backend() == DbBackend::Postgres {
        crate::secure_tenant_tables(db, &["post_approvals"]).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(
                    ColumnDef::new(Posts::Submissions)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        for col in [
            ColumnDef::new(Posts::RetractedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Posts::RetractReason)
                .text()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        // Every post that is past draft, was sent back, or carries a decision went into review
        // at least once.
        m.get_connection()
            .execute_unprepared(
                "UPDATE posts SET submissions = 1 WHERE status <> 'draft' \
                 OR reject_reason IS NOT NULL \
                 OR EXISTS (SELECT 1 FROM post_approvals a WHERE a.post_id = posts.id) \
                 OR EXISTS (SELECT 1 FROM post_comments c WHERE c.post_id = posts.id)",
            )
            .await?;
        rebuild_approvals(
            m,
            approvals_table(NEXT, true),
            &format!(
                "INSERT INTO {NEXT} (post_id, submission, revision, user_id, tenant_id, step, \
                 created_at) SELECT post_id, 1, revision, user_id, tenant_id, step, created_at \
                 FROM post_approvals"
            ),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The old key holds one approval per person and revision: the latest round's.
        rebuild_approvals(
            m,
            approvals_table(NEXT, false),
            &format!(
                "INSERT INTO {NEXT} (post_id, revision, user_id, tenant_id, step, created_at) \
                 SELECT a.post_id, a.revision, a.user_id, a.tenant_id, a.step, a.created_at \
                 FROM post_approvals a WHERE a.submission = (SELECT MAX(b.submission) \
                 FROM post_approvals b WHERE b.post_id = a.post_id AND b.revision = a.revision \
                 AND b.user_id = a.user_id)"
            ),
        )
        .await?;
        for col in [Posts::RetractReason, Posts::RetractedAt, Posts::Submissions] {
            m.alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
