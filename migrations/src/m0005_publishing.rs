//! Publishing: channels, posts with their revisions, approval decisions and comments, post
//! targets (the scheduler's state machine, one row per post and channel) and in-app
//! notifications. All tenant-owned. On PostgreSQL the publisher's cross-tenant claim runs with
//! `app.scheduler = 'on'`, which a second policy lets see `post_targets`, `channels` and
//! `crisis_states` (ids, times and switches; it reads content only in the tenant's own scope).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}
fn uuid(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .to_owned()
}
fn uuid_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().null().to_owned()
}
fn text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .text()
        .not_null()
        .to_owned()
}
fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().null().to_owned()
}
fn time(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
fn time_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}
fn int(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .integer()
        .not_null()
        .to_owned()
}
fn flag(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .boolean()
        .not_null()
        .to_owned()
}
fn tenant_fk(table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Alias::new(table), Alias::new("tenant_id"))
        .to(Alias::new("tenants"), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
fn fk(table: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Alias::new(table), Alias::new(col))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// The tables in creation order (dropped in reverse).
pub const TABLES: &[&str] = &[
    "media",
    "channels",
    "posts",
    "post_revisions",
    "post_approvals",
    "post_comments",
    "post_targets",
    "notifications",
];

/// Tables the publisher's claim may see across tenants.
const SCHEDULER_VISIBLE: &[&str] = &["post_targets", "channels", "crisis_states"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("approval_policies"))
                .add_column(text_null("emergency_steps"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("media"))
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(
                    ColumnDef::new(Alias::new("file_name"))
                        .string_len(255)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("content_type"))
                        .string_len(100)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("size_bytes"))
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("sha256"))
                        .string_len(64)
                        .not_null(),
                )
                .col(text("alt_text"))
                .col(uuid("created_by"))
                .col(time("created_at"))
                .foreign_key(&mut tenant_fk("media"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("channels"))
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(
                    ColumnDef::new(Alias::new("plugin"))
                        .string_len(40)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("name"))
                        .string_len(200)
                        .not_null(),
                )
                .col(text("settings"))
                .col(text_null("credentials"))
                .col(
                    ColumnDef::new(Alias::new("status"))
                        .string_len(20)
                        .not_null(),
                )
                .col(time("created_at"))
                .col(uuid_null("created_by"))
                .foreign_key(&mut tenant_fk("channels"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("posts"))
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(uuid("author_id"))
                .col(
                    ColumnDef::new(Alias::new("status"))
                        .string_len(24)
                        .not_null(),
                )
                .col(int("revision"))
                .col(text("body"))
                .col(text("variants"))
                .col(text("channel_ids"))
                .col(text("media_ids"))
                .col(text_null("campaign"))
                .col(time_null("scheduled_at"))
                .col(
                    ColumnDef::new(Alias::new("time_zone"))
                        .string_len(64)
                        .not_null(),
                )
                .col(flag("emergency"))
                .col(text_null("policy"))
                .col(int("step"))
                .col(text_null("reject_reason"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut tenant_fk("posts"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("posts_by_tenant_status")
                .table(Alias::new("posts"))
                .col(Alias::new("tenant_id"))
                .col(Alias::new("status"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("post_revisions"))
                .col(uuid("post_id"))
                .col(int("revision"))
                .col(uuid("tenant_id"))
                .col(text("content"))
                .col(uuid("edited_by"))
                .col(time("edited_at"))
                .primary_key(
                    Index::create()
                        .col(Alias::new("post_id"))
                        .col(Alias::new("revision")),
                )
                .foreign_key(&mut tenant_fk("post_revisions"))
                .foreign_key(&mut fk("post_revisions", "post_id", "posts"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("post_approvals"))
                .col(uuid("post_id"))
                .col(int("revision"))
                .col(uuid("user_id"))
                .col(uuid("tenant_id"))
                .col(int("step"))
                .col(time("created_at"))
                // One person counts once per revision, whatever the step.
                .primary_key(
                    Index::create()
                        .col(Alias::new("post_id"))
                        .col(Alias::new("revision"))
                        .col(Alias::new("user_id")),
                )
                .foreign_key(&mut tenant_fk("post_approvals"))
                .foreign_key(&mut fk("post_approvals", "post_id", "posts"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("post_comments"))
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(uuid("post_id"))
                .col(int("revision"))
                .col(uuid("user_id"))
                .col(ColumnDef::new(Alias::new("kind")).string_len(20).not_null())
                .col(text("text"))
                .col(time("created_at"))
                .foreign_key(&mut tenant_fk("post_comments"))
                .foreign_key(&mut fk("post_comments", "post_id", "posts"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("post_targets"))
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(uuid("post_id"))
                .col(uuid("channel_id"))
                .col(int("revision"))
                .col(text("body"))
                .col(text("media_ids"))
                .col(
                    ColumnDef::new(Alias::new("status"))
                        .string_len(20)
                        .not_null(),
                )
                .col(flag("emergency"))
                .col(time("due_at"))
                .col(time("next_attempt_at"))
                .col(int("attempts"))
                .col(time_null("lease_until"))
                .col(uuid_null("attempt_token"))
                .col(time_null("sending_at"))
                .col(
                    ColumnDef::new(Alias::new("idempotency_key"))
                        .string_len(80)
                        .not_null(),
                )
                .col(text_null("remote_id"))
                .col(text_null("remote_url"))
                .col(text_null("last_error"))
                .col(flag("needs_confirmation"))
                .col(flag("confirmed"))
                .col(time_null("published_at"))
                .col(time("updated_at"))
                .foreign_key(&mut tenant_fk("post_targets"))
                .foreign_key(&mut fk("post_targets", "post_id", "posts"))
                .foreign_key(&mut fk("post_targets", "channel_id", "channels"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("post_targets_due")
                .table(Alias::new("post_targets"))
                .col(Alias::new("status"))
                .col(Alias::new("next_attempt_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("post_targets_by_post")
                .table(Alias::new("post_targets"))
                .col(Alias::new("post_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("post_targets_idempotency")
                .table(Alias::new("post_targets"))
                .col(Alias::new("idempotency_key"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("notifications"))
                .col(id("id"))
                .col(uuid("tenant_id"))
                .col(uuid("user_id"))
                .col(uuid_null("post_id"))
                .col(ColumnDef::new(Alias::new("kind")).string_len(40).not_null())
                .col(text("message"))
                .col(time("created_at"))
                .col(time_null("read_at"))
                .foreign_key(&mut tenant_fk("notifications"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("notifications_by_user")
                .table(Alias::new("notifications"))
                .col(Alias::new("tenant_id"))
                .col(Alias::new("user_id"))
                .to_owned(),
        )
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            let role = crate::APP_ROLE;
            let db = m.get_connection();
            crate::secure_tenant_tables(db, TABLES).await?;
            for table in SCHEDULER_VISIBLE {
                db.execute_unprepared(&format!(
                    "CREATE POLICY scheduler ON {table} TO {role}
                       USING (current_setting('app.scheduler', true) = 'on')
                       WITH CHECK (current_setting('app.scheduler', true) = 'on');"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP POLICY IF EXISTS scheduler ON crisis_states")
                .await?;
        }
        for table in TABLES.iter().rev() {
            m.drop_table(Table::drop().table(Alias::new(*table)).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Alias::new("approval_policies"))
                .drop_column(Alias::new("emergency_steps"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
