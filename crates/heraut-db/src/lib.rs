//! Data access. Opens SQLite or PostgreSQL, runs migrations, and offers repositories generic over
//! `ConnectionTrait`. Tenant-owned tables are only reached through functions that take a
//! `TenantId` and put it in the `WHERE`; on PostgreSQL, row-level security checks it again.

pub mod audit;
pub mod governance;
pub mod inbound;
pub mod jobs;
pub mod memberships;
pub mod oauth;
pub mod plugins;
pub mod posts;
pub mod scheduler;
pub mod sessions;
pub mod tenants;
pub mod users;

use std::time::Duration;

use heraut_migration::{APP_ROLE, Migrator, MigratorTrait};
use heraut_proto::{TenantId, UserId};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, Statement, TransactionTrait,
};

pub use sea_orm::{DatabaseConnection as Connection, DbErr as Error};

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum Location {
    /// A SQLite file (created when missing).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

/// What a transaction may see: on PostgreSQL this sets the row-level security context.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// One tenant's rows.
    Tenant(TenantId),
    /// One tenant's rows, plus the acting person's own memberships elsewhere.
    TenantUser(TenantId, UserId),
    /// One person's own memberships, in every tenant.
    User(UserId),
    /// No tenant rows at all (instance-wide tables only).
    Instance,
    /// The publisher's claim: every tenant's post targets, channels and crisis switches.
    Scheduler,
}

/// The instance's own audit chain is stored under the nil tenant id.
pub const INSTANCE_CHAIN: TenantId = TenantId(uuid::Uuid::nil());

/// A pool of connections in the application's role. On SQLite, writes go through one
/// connection and reads through a few read-only ones (WAL lets them run beside the writer); on
/// PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub struct Db {
    conn: DatabaseConnection,
    read: DatabaseConnection,
}

/// Read-only SQLite connections.
const SQLITE_READERS: u32 = 4;

fn options(location: &Location, max_connections: u32, as_app_role: bool) -> ConnectOptions {
    match location {
        Location::Sqlite(path) => {
            let mut o = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
            // One connection: SQLite allows one writer, and a single connection serialises
            // writers without "database is locked" errors; the audit chain relies on it.
            o.max_connections(1)
                .min_connections(1)
                .sqlx_logging(false)
                .map_sqlx_sqlite_opts(|o| {
                    o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(10))
                        .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                });
            o
        }
        Location::Postgres(url) => {
            let mut o = ConnectOptions::new(url.clone());
            o.max_connections(max_connections)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .sqlx_logging(false);
            if as_app_role {
                o.map_sqlx_postgres_opts(|o| o.options([("role", APP_ROLE)]));
            }
            o
        }
    }
}

/// Applies all pending migrations, connecting as the owner of the schema.
pub async fn migrate(location: &Location) -> Result<(), DbErr> {
    if let Location::Sqlite(path) = location
        && let Some(dir) = path.parent()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("{}: {e}", dir.display())))?;
    }
    let owner = Database::connect(options(location, 2, false)).await?;
    Migrator::up(&owner, None).await?;
    owner.close().await
}

/// Rolls back `steps` migrations, or all of them (the round-trip test, `heraut migrate --revert N`).
pub async fn migrate_down(location: &Location, steps: Option<u32>) -> Result<(), DbErr> {
    let owner = Database::connect(options(location, 2, false)).await?;
    Migrator::down(&owner, steps).await?;
    owner.close().await
}

impl Db {
    /// Opens the pool in the application role. Migrations must have been applied.
    pub async fn open(location: &Location, max_connections: u32) -> Result<Self, DbErr> {
        let conn = Database::connect(options(location, max_connections, true)).await?;
        let read = match location {
            Location::Sqlite(path) => {
                let mut o = ConnectOptions::new(format!("sqlite://{}?mode=ro", path.display()));
                o.max_connections(SQLITE_READERS)
                    .min_connections(1)
                    .sqlx_logging(false)
                    .map_sqlx_sqlite_opts(|o| {
                        o.read_only(true).busy_timeout(Duration::from_secs(10))
                    });
                Database::connect(o).await?
            }
            Location::Postgres(_) => conn.clone(),
        };
        Ok(Self { conn, read })
    }

    /// The pool, for queries on instance-wide tables.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Connections for reading only; never write through them.
    pub fn read_conn(&self) -> &DatabaseConnection {
        &self.read
    }

    /// Begins a read-only transaction that may see what `scope` allows.
    pub async fn begin_read(&self, scope: Scope) -> Result<DatabaseTransaction, DbErr> {
        let txn = self.read.begin().await?;
        set_scope(&txn, scope).await?;
        Ok(txn)
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Begins a transaction that may see what `scope` allows. On SQLite it takes the write lock
    /// at once (`BEGIN IMMEDIATE`), waiting up to the busy timeout: a transaction that read first
    /// and wrote later could otherwise fail with "database is locked" when another process (a
    /// worker beside the API node) wrote in between.
    pub async fn begin(&self, scope: Scope) -> Result<DatabaseTransaction, DbErr> {
        let txn = if self.backend() == DbBackend::Sqlite {
            self.conn
                .begin_with_options(sea_orm::TransactionOptions {
                    sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await?
        } else {
            self.conn.begin().await?
        };
        set_scope(&txn, scope).await?;
        Ok(txn)
    }

    /// Writes a consistent copy of an SQLite database to `file` while the service runs
    /// (`VACUUM INTO`); `None` on PostgreSQL, which has its own tools (`pg_dump`).
    pub async fn backup_sqlite(&self, file: &std::path::Path) -> Result<Option<()>, DbErr> {
        if self.backend() != DbBackend::Sqlite {
            return Ok(None);
        }
        let path = file.to_string_lossy().replace('\'', "''");
        self.conn
            .execute_unprepared(&format!("VACUUM INTO '{path}'"))
            .await?;
        Ok(Some(()))
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }
}

/// Changes what an open transaction may see from now on (PostgreSQL row-level security); used
/// when one transaction records events in several tenants' audit chains.
pub async fn set_scope(txn: &DatabaseTransaction, scope: Scope) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let (tenant, user) = match scope {
        Scope::Tenant(t) => (t.0.to_string(), String::new()),
        Scope::TenantUser(t, u) => (t.0.to_string(), u.0.to_string()),
        Scope::User(u) => (String::new(), u.0.to_string()),
        Scope::Instance | Scope::Scheduler => (String::new(), String::new()),
    };
    let scheduler = if matches!(scope, Scope::Scheduler) {
        "on"
    } else {
        ""
    };
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), \
         set_config('app.scheduler', $3, true)",
        [tenant.into(), user.into(), scheduler.into()],
    ))
    .await?;
    Ok(())
}

/// Whether an error is a unique-constraint violation (a conflict the caller can report).
pub fn is_unique_violation(err: &DbErr) -> bool {
    let text = err.to_string().to_lowercase();
    text.contains("unique") || text.contains("duplicate key")
}

/// The SQL text for the connection's backend (`$n` placeholders become `?n` on SQLite).
pub(crate) fn to_backend<C: ConnectionTrait>(conn: &C, sql_pg: &str) -> String {
    if conn.get_database_backend() == DbBackend::Postgres {
        sql_pg.to_owned()
    } else {
        to_sqlite_placeholders(sql_pg)
    }
}

/// Rows affected by a statement, across backends.
pub(crate) async fn exec<C: ConnectionTrait>(
    conn: &C,
    sql_pg: &str,
    values: Vec<sea_orm::Value>,
) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    let sql = to_backend(conn, sql_pg);
    let res = conn
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(res.rows_affected())
}

/// `$1, $2` → `?1, ?2`, so one SQL text serves both backends.
pub(crate) fn to_sqlite_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}
