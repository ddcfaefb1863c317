//! Storage tests on SQLite and PostgreSQL: migrations both ways, row-level security on every
//! tenant-owned table, the append-only audit log, the atomic single-use updates and the job
//! queue's leases and fencing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use heraut_db::{Db, Location, Scope, audit, memberships, tenants, users};
use heraut_proto::{TenantId, UserId};
use heraut_testkit::TestDb;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

fn location(db: &TestDb) -> Location {
    match db {
        TestDb::Sqlite { dir } => Location::Sqlite(dir.join("heraut.sqlite")),
        TestDb::Postgres { .. } => Location::Postgres(db.database_url().unwrap()),
    }
}

async fn tenant(db: &Db, slug: &str) -> TenantId {
    let id = TenantId::new();
    let txn = db.begin(Scope::Tenant(id)).await.unwrap();
    tenants::insert(
        &txn,
        tenants::NewTenant {
            id,
            slug,
            name: slug,
            level: "municipal",
            parent_id: None,
            require_mfa: true,
            time_zone: "UTC",
            publish_grace_minutes: 15,
            now: Utc::now(),
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    id
}

#[tokio::test]
async fn migrations_apply_roll_back_and_apply_again() {
    for db in TestDb::all().await {
        let loc = location(&db);
        heraut_db::migrate(&loc).await.unwrap();
        heraut_db::migrate(&loc).await.unwrap(); // idempotent
        heraut_db::migrate_down(&loc, None).await.unwrap();
        let owner = Database::connect(db.owner_url(match &db {
            TestDb::Sqlite { dir } => dir,
            _ => std::path::Path::new("."),
        }))
        .await
        .unwrap();
        let count_sql = match db {
            TestDb::Sqlite { .. } => {
                "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'users'"
            }
            TestDb::Postgres { .. } => {
                "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'users'"
            }
        };
        let n: i64 = owner
            .query_one_raw(Statement::from_string(
                owner.get_database_backend(),
                count_sql,
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "n")
            .unwrap();
        assert_eq!(n, 0, "{}: users table left after rolling back", db.label());
        heraut_db::migrate(&loc).await.unwrap();
        let app = Db::open(&loc, 2).await.unwrap();
        tenant(&app, "after-roundtrip").await;
    }
}

#[tokio::test]
async fn every_tenant_owned_table_has_forced_row_level_security() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let loc = location(&db);
    heraut_db::migrate(&loc).await.unwrap();
    let owner = Database::connect(db.database_url().unwrap()).await.unwrap();
    // Every table with a tenant_id column must be listed, have RLS enabled and forced, and a policy.
    let rows = owner
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
                    (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r'
               AND EXISTS (SELECT 1 FROM information_schema.columns k
                           WHERE k.table_name = c.relname AND k.column_name = 'tenant_id')",
        ))
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let name: String = row.try_get("", "name").unwrap();
        let rls: bool = row.try_get("", "rls").unwrap();
        let forced: bool = row.try_get("", "forced").unwrap();
        let policies: i64 = row.try_get("", "policies").unwrap();
        if heraut_migration::INSTANCE_TABLES_NAMING_A_TENANT.contains(&name.as_str()) {
            assert!(!rls, "{name} is instance-wide but under row-level security");
            continue;
        }
        assert!(
            heraut_migration::TENANT_OWNED_TABLES.contains(&name.as_str()),
            "{name} has tenant_id but is not listed as tenant-owned"
        );
        assert!(
            rls && forced && policies >= 1,
            "{name}: rls={rls} forced={forced} policies={policies}"
        );
    }
    // The app role owns nothing.
    let owned: i64 = owner
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT count(*) AS n FROM pg_tables WHERE tableowner = '{}'",
                heraut_migration::APP_ROLE
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
    assert_eq!(owned, 0);
}

#[tokio::test]
async fn row_level_security_hides_other_tenants_even_without_a_where() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let loc = location(&db);
    heraut_db::migrate(&loc).await.unwrap();
    let app = Db::open(&loc, 2).await.unwrap();
    let (a, b) = (tenant(&app, "rls-a").await, tenant(&app, "rls-b").await);
    let user = UserId::new();
    let txn = app.begin(Scope::Tenant(a)).await.unwrap();
    users::insert(&txn, user, "p@example.gov", "P", None, false, Utc::now())
        .await
        .unwrap();
    memberships::add(&txn, a, user, "owner", Utc::now())
        .await
        .unwrap();
    audit::append(
        &txn,
        a,
        audit::NewEvent {
            action: "x".into(),
            outcome: "success".into(),
            ..Default::default()
        },
        Utc::now(),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();

    let count = |scope: Scope, sql: &'static str| {
        let app = app.clone();
        async move {
            let txn = app.begin(scope).await.unwrap();
            let n: i64 = txn
                .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await
                .unwrap()
                .unwrap()
                .try_get("", "n")
                .unwrap();
            txn.commit().await.unwrap();
            n
        }
    };
    // A raw query without any tenant filter still sees only the transaction's tenant.
    assert_eq!(
        count(Scope::Tenant(a), "SELECT count(*) AS n FROM memberships").await,
        1
    );
    assert_eq!(
        count(Scope::Tenant(b), "SELECT count(*) AS n FROM memberships").await,
        0
    );
    assert_eq!(
        count(Scope::Instance, "SELECT count(*) AS n FROM audit_events").await,
        0
    );
    assert_eq!(
        count(Scope::Tenant(b), "SELECT count(*) AS n FROM audit_events").await,
        0
    );
    assert_eq!(
        count(Scope::User(user), "SELECT count(*) AS n FROM memberships").await,
        1
    );
    // Writing a row for another tenant is refused by the policy's WITH CHECK.
    let txn = app.begin(Scope::Tenant(b)).await.unwrap();
    let err = memberships::add(&txn, a, user, "editor", Utc::now()).await;
    assert!(err.is_err(), "a write into another tenant passed");
    drop(txn);
    // The audit log is append-only for the app role.
    for sql in [
        "UPDATE audit_events SET outcome = 'changed'",
        "DELETE FROM audit_events",
    ] {
        let txn = app.begin(Scope::Tenant(a)).await.unwrap();
        let err = txn
            .execute_unprepared(sql)
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("permission denied"), "{sql}: {err}");
    }
}

#[tokio::test]
async fn single_use_updates_hold_under_parallel_calls() {
    for db in TestDb::all().await {
        let loc = location(&db);
        heraut_db::migrate(&loc).await.unwrap();
        let app = Db::open(&loc, 8).await.unwrap();
        let user = UserId::new();
        users::insert(
            app.conn(),
            user,
            "q@example.gov",
            "Q",
            None,
            false,
            Utc::now(),
        )
        .await
        .unwrap();
        users::enable_totp(app.conn(), user, "k:sealed", 100)
            .await
            .unwrap();
        // Ten parallel acceptances of the same TOTP step: exactly one wins.
        let tries = (0..10).map(|_| {
            let app = app.clone();
            async move {
                users::accept_totp_step(app.conn(), user, 101)
                    .await
                    .unwrap()
            }
        });
        let wins = futures_util::future::join_all(tries)
            .await
            .into_iter()
            .filter(|w| *w)
            .count();
        assert_eq!(wins, 1, "{}", db.label());
        assert!(
            !users::accept_totp_step(app.conn(), user, 100)
                .await
                .unwrap(),
            "an older step was accepted"
        );
        // Audit appends from parallel tasks keep one unbroken chain.
        let t = tenant(&app, "chain").await;
        let appends = (0..20).map(|i| {
            let app = app.clone();
            async move {
                let txn = app.begin(Scope::Tenant(t)).await.unwrap();
                audit::append(
                    &txn,
                    t,
                    audit::NewEvent {
                        action: format!("a{i}"),
                        outcome: "success".into(),
                        ..Default::default()
                    },
                    Utc::now(),
                )
                .await
                .unwrap();
                txn.commit().await.unwrap();
            }
        });
        futures_util::future::join_all(appends).await;
        let txn = app.begin(Scope::Tenant(t)).await.unwrap();
        let v = audit::verify(&txn, t).await.unwrap();
        assert_eq!((v.valid, v.events_checked), (true, 20), "{}", db.label());
    }
}

#[tokio::test]
async fn two_owners_stepping_down_at_once_leave_one_owner() {
    for db in TestDb::all().await {
        let loc = location(&db);
        heraut_db::migrate(&loc).await.unwrap();
        let app = Db::open(&loc, 8).await.unwrap();
        let t = tenant(&app, "two-owners").await;
        let owners = [UserId::new(), UserId::new()];
        for (i, u) in owners.iter().enumerate() {
            let txn = app.begin(Scope::Tenant(t)).await.unwrap();
            users::insert(
                &txn,
                *u,
                &format!("o{i}@example.gov"),
                "O",
                None,
                false,
                Utc::now(),
            )
            .await
            .unwrap();
            memberships::add(&txn, t, *u, "owner", Utc::now())
                .await
                .unwrap();
            txn.commit().await.unwrap();
        }
        // Each steps down only if another owner is left, and takes its time before committing.
        let step_down = |u: UserId| {
            let app = app.clone();
            async move {
                let txn = app.begin(Scope::Tenant(t)).await.unwrap();
                if memberships::count_with_role(&txn, t, "owner")
                    .await
                    .unwrap()
                    > 1
                {
                    memberships::set_role(&txn, t, u, "editor").await.unwrap();
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                txn.commit().await.unwrap();
            }
        };
        tokio::join!(step_down(owners[0]), step_down(owners[1]));
        let txn = app.begin(Scope::Tenant(t)).await.unwrap();
        let left = memberships::count_with_role(&txn, t, "owner")
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert_eq!(left, 1, "{}", db.label());
    }
}

#[tokio::test]
async fn a_job_is_claimed_once_per_lease_and_a_lost_lease_can_neither_commit_nor_finish() {
    use heraut_db::jobs::{self, Finish, NewJob};
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let loc = location(&db);
        heraut_db::migrate(&loc).await.unwrap();
        let app = Db::open(&loc, 2).await.unwrap();
        let t0 = Utc::now();
        let lease = chrono::Duration::seconds(60);
        let job = || NewJob {
            kind: "channel.sync",
            tenant: None,
            dedupe_key: "channel.sync:one",
            payload: "{}".to_owned(),
        };
        let txn = app.begin(Scope::Scheduler).await.unwrap();
        assert!(jobs::ensure(&txn, job(), t0, t0).await.unwrap());
        // One job per key.
        assert!(!jobs::ensure(&txn, job(), t0, t0).await.unwrap());
        txn.commit().await.unwrap();
        let claim = |owner: &'static str, at: chrono::DateTime<Utc>| {
            let app = app.clone();
            async move {
                let txn = app.begin(Scope::Scheduler).await.unwrap();
                let got = jobs::claim(&txn, owner, at, at + lease, 10).await.unwrap();
                txn.commit().await.unwrap();
                got
            }
        };
        let first = claim("node-a", t0).await;
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].lease_token, first[0].attempts), (1, 1));
        // Held: nobody else gets it while the lease runs.
        assert!(
            claim("node-b", t0 + chrono::Duration::seconds(30))
                .await
                .is_empty()
        );
        // Node A stalls past its lease; node B takes the job over with a new token.
        let later = t0 + chrono::Duration::seconds(61);
        let second = claim("node-b", later).await;
        assert_eq!(second.len(), 1);
        assert_eq!((second[0].lease_token, second[0].attempts), (2, 2));
        let id = first[0].id;
        let txn = app.begin(Scope::Scheduler).await.unwrap();
        // A's work and its finish are fenced out; B's are not.
        assert!(!jobs::holds(&txn, id, 1, later).await.unwrap());
        assert!(
            !jobs::finish(&txn, id, 1, &Finish::Done(None), later)
                .await
                .unwrap()
        );
        assert!(jobs::holds(&txn, id, 2, later).await.unwrap());
        let retry = Finish::Retry {
            at: later + chrono::Duration::seconds(5),
            error: "the network answered 503".to_owned(),
        };
        assert!(jobs::finish(&txn, id, 2, &retry, later).await.unwrap());
        txn.commit().await.unwrap();
        // Not due before its retry time; due after.
        assert!(claim("node-a", later).await.is_empty());
        let third = claim("node-a", later + chrono::Duration::seconds(6)).await;
        assert_eq!(third.len(), 1);
        let txn = app.begin(Scope::Scheduler).await.unwrap();
        let dead = Finish::Dead("refused".to_owned());
        assert!(
            jobs::finish(&txn, id, third[0].lease_token, &dead, later)
                .await
                .unwrap()
        );
        let listed = jobs::list(&txn, Some("dead"), 10).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_error.as_deref(), Some("refused"));
        // A dead job waits for a person: never claimed again until retried.
        txn.commit().await.unwrap();
        assert!(
            claim("node-a", later + chrono::Duration::days(1))
                .await
                .is_empty()
        );
        let txn = app.begin(Scope::Scheduler).await.unwrap();
        assert!(jobs::retry(&txn, id, later).await.unwrap());
        assert!(
            !jobs::retry(&txn, id, later).await.unwrap(),
            "only a dead job"
        );
        txn.commit().await.unwrap();
        let again = claim("node-a", later).await;
        assert_eq!((again.len(), again[0].attempts), (1, 1));
        // Done and due again later (a periodic job): `run_now` makes it due at once.
        let txn = app.begin(Scope::Scheduler).await.unwrap();
        let next = Finish::Done(Some(later + chrono::Duration::hours(1)));
        assert!(
            jobs::finish(&txn, id, again[0].lease_token, &next, later)
                .await
                .unwrap()
        );
        assert_eq!(
            jobs::next_due(&txn).await.unwrap().map(|t| t.timestamp()),
            Some((later + chrono::Duration::hours(1)).timestamp())
        );
        assert!(
            jobs::run_now(&txn, "channel.sync:one", later)
                .await
                .unwrap()
        );
        txn.commit().await.unwrap();
        let running = claim("node-b", later).await;
        assert_eq!(running.len(), 1);
        // Asked again while it runs: due at the request once it ends, not an hour later.
        let asked = later + chrono::Duration::seconds(1);
        let txn = app.begin(Scope::Scheduler).await.unwrap();
        assert!(
            jobs::run_now(&txn, "channel.sync:one", asked)
                .await
                .unwrap()
        );
        assert!(
            jobs::holds(&txn, id, running[0].lease_token, asked)
                .await
                .unwrap()
        );
        let next = Finish::Done(Some(later + chrono::Duration::hours(1)));
        let ended = later + chrono::Duration::seconds(2);
        assert!(
            jobs::finish(&txn, id, running[0].lease_token, &next, ended)
                .await
                .unwrap()
        );
        assert_eq!(
            jobs::next_due(&txn).await.unwrap().map(|t| t.timestamp()),
            Some(asked.timestamp())
        );
        txn.commit().await.unwrap();
    }
}
