//! PostgreSQL only: the application role, which does not own the tables, and row-level
//! security on every tenant-owned table as a second layer behind the repositories' `WHERE`.
//! The audit log is append-only for the application role. On SQLite this is a no-op.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// The tenant-owned tables this migration secures (later migrations secure their own).
const TABLES: &[&str] = &["memberships", "audit_events"];

#[derive(DeriveMigrationName)]
pub struct Migration;

fn app_role() -> String {
    crate::APP_ROLE.to_owned()
}

const TENANT_MATCH: &str = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let role = app_role();
        let db = m.get_connection();
        db.execute_unprepared(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                 CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS;
               END IF;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END $$;
             DO $$ BEGIN
               IF NOT pg_has_role(CURRENT_USER, '{role}', 'MEMBER') THEN
                 EXECUTE 'GRANT {role} TO ' || quote_ident(CURRENT_USER);
               END IF;
             EXCEPTION WHEN OTHERS THEN NULL;
             END $$;
             GRANT USAGE ON SCHEMA public TO {role};
             GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, users, memberships,
               recovery_codes, sessions, refresh_tokens, password_tokens TO {role};
             GRANT SELECT, INSERT ON audit_events TO {role};
             GRANT SELECT ON seaql_migrations TO {role};"
        ))
        .await?;
        for table in TABLES {
            let policy = if *table == "memberships" {
                // A person may see their own memberships across tenants (to list them and to
                // sign in); everything else only within the tenant of the transaction.
                format!(
                    "CREATE POLICY tenant_isolation ON {table} TO {role}
                       USING ({TENANT_MATCH}
                              OR user_id = NULLIF(current_setting('app.user_id', true), '')::uuid)
                       WITH CHECK ({TENANT_MATCH})"
                )
            } else {
                format!(
                    "CREATE POLICY tenant_isolation ON {table} TO {role}
                       USING ({TENANT_MATCH}) WITH CHECK ({TENANT_MATCH})"
                )
            };
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                 ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
                 {policy};"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let role = app_role();
        let db = m.get_connection();
        for table in TABLES {
            db.execute_unprepared(&format!(
                "DROP POLICY IF EXISTS tenant_isolation ON {table};
                 ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
                 ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"
            ))
            .await?;
        }
        db.execute_unprepared(&format!(
            "REVOKE ALL ON tenants, users, memberships, recovery_codes, sessions,
               refresh_tokens, password_tokens, audit_events, seaql_migrations FROM {role};
             REVOKE USAGE ON SCHEMA public FROM {role};"
        ))
        .await?;
        Ok(())
    }
}
