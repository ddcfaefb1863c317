//! Every schema change of Heraut, in order, each with its way back. The same migrations run on
//! SQLite and PostgreSQL; PostgreSQL additionally gets row-level security and the app role.

pub use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_postgres_security;
mod m0003_policies_and_crisis;
mod m0004_plugins;
mod m0005_publishing;
mod m0006_connecting;
mod m0007_records;
mod m0008_jobs;
mod m0009_post_options;
mod m0010_inbound_conversation;

/// Tables that belong to one tenant: each has `tenant_id` and, on PostgreSQL, a row-level
/// security policy. A test fails when a table here lacks a policy.
pub const TENANT_OWNED_TABLES: &[&str] = &[
    "memberships",
    "audit_events",
    "approval_policies",
    "crisis_states",
    "media",
    "channels",
    "posts",
    "post_revisions",
    "post_approvals",
    "post_comments",
    "post_targets",
    "notifications",
    "inbound_items",
];

/// Instance-wide tables that name a tenant in a `tenant_id` column without being tenant-owned:
/// their rows are found before any tenant is known. `oauth_states`: the network's redirect
/// carries only the `state`, whose hash is the key; the row then names the tenant it is for.
/// `jobs`: the job engine claims due jobs of every tenant; each job's work then runs in the
/// scope of the tenant it names.
pub const INSTANCE_TABLES_NAMING_A_TENANT: &[&str] = &["oauth_states", "jobs"];

/// The PostgreSQL role the application runs as. It owns nothing, so row-level security applies
/// to it; the connecting user must be allowed to `SET ROLE` to it (the migration grants that).
pub const APP_ROLE: &str = "heraut_app";

/// Grants the app role its rights on tenant-owned `tables` and puts them under row-level
/// security with the `tenant_isolation` policy (PostgreSQL only; the caller checks).
pub(crate) async fn secure_tenant_tables(
    db: &SchemaManagerConnection<'_>,
    tables: &[&str],
) -> Result<(), DbErr> {
    for table in tables {
        db.execute_unprepared(&format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE};
             ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
             ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
             CREATE POLICY tenant_isolation ON {table} TO {APP_ROLE}
               USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
               WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);"
        ))
        .await?;
    }
    Ok(())
}

/// The migrator used by `heraut migrate` and on start.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_postgres_security::Migration),
            Box::new(m0003_policies_and_crisis::Migration),
            Box::new(m0004_plugins::Migration),
            Box::new(m0005_publishing::Migration),
            Box::new(m0006_connecting::Migration),
            Box::new(m0007_records::Migration),
            Box::new(m0008_jobs::Migration),
            Box::new(m0009_post_options::Migration),
            Box::new(m0010_inbound_conversation::Migration),
        ]
    }
}
