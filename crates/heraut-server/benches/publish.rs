//! End-to-end publish benchmark (`cargo bench -p heraut-server --bench publish`): throughput of
//! the real `heraut` binary (release) sending due post targets to the counting server, against
//! the floor measured in the same run (one database transaction plus one HTTP request to the same
//! counting server per target, at the same parallelism, without Heraut's logic); and lateness
//! (time from a target's due time to its arrival at the peer) when `BENCH_LATE_TARGETS` (default
//! 10,000) targets fall due within the same minute.
//! `BENCH_TARGETS` (default 5,000) sets the throughput batch. Then channel sync ingest: the 100
//! channels (50 tenants × 2) each read `BENCH_SYNC_ITEMS` (default 1,000) mentions from the
//! counting server through the job engine, one worker; items stored per second.
//! Results go to `docs/benchmarks.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use heraut_testkit::counting::CountingServer;
use heraut_testkit::{Node, Server, TestDb};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, TransactionTrait};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_heraut");
const PARALLEL: usize = 64;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    log: std::path::PathBuf,
}

impl Client {
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(
            status.is_success(),
            "{path}: {status} {v}\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
        v
    }
}

/// An instance admin (2FA not required for admins in the benchmark) who owns `tenants` tenants
/// with two channels each and no approval steps. Returns the client and the channel ids.
async fn setup(
    server: &Server,
    counting: &CountingServer,
    tenants: usize,
) -> (Client, Vec<(String, [String; 2])>) {
    let (code, out, err) = server
        .cli(
            &["admin", "create-admin", "--email", "bench@example.gov"],
            &[("HERAUT_ADMIN_PASSWORD", "a long benchmark passphrase")],
        )
        .unwrap();
    assert_eq!(code, 0, "{out}{err}");
    let http = reqwest::Client::new();
    let login: Value = http
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": "bench@example.gov", "password": "a long benchmark passphrase"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = Client {
        http,
        base: server.base_url.clone(),
        token: login["access_token"].as_str().unwrap().to_owned(),
        log: server.data_dir.join("server.log"),
    };
    let mut out = Vec::new();
    for t in 0..tenants {
        let slug = format!("b{t:03}");
        c.call(
            reqwest::Method::POST,
            "/api/v1/tenants",
            json!({"slug": slug, "name": slug, "level": "municipal"}),
        )
        .await;
        c.call(
            reqwest::Method::PATCH,
            &format!("/api/v1/tenants/{slug}"),
            json!({"require_mfa": false}),
        )
        .await;
        c.call(
            reqwest::Method::POST,
            &format!("/api/v1/tenants/{slug}/members"),
            json!({"email": "bench@example.gov", "name": "Bench", "role": "owner"}),
        )
        .await;
        c.call(
            reqwest::Method::PUT,
            &format!("/api/v1/tenants/{slug}/approval-policy"),
            json!({"steps": []}),
        )
        .await;
        let mut ids = Vec::new();
        for n in 0..2 {
            let v = c
                .call(
                    reqwest::Method::POST,
                    &format!("/api/v1/tenants/{slug}/channels"),
                    json!({"plugin": "http-json", "name": format!("c{n}"),
                           "settings": {"url": format!("{}/{slug}/{n}", counting.base_url)}}),
                )
                .await;
            ids.push(v["id"].as_str().unwrap().to_owned());
        }
        out.push((slug, [ids[0].clone(), ids[1].clone()]));
    }
    (c, out)
}

/// Creates and submits posts for two channels each until `targets` targets exist. With
/// `spread`, post `i` is due at `start + i * minute / posts`. Returns (post id, due time in ms).
async fn load(
    c: &Client,
    tenants: &[(String, [String; 2])],
    targets: usize,
    spread: Option<chrono::DateTime<chrono::Utc>>,
) -> Vec<(String, i64)> {
    let posts = targets / 2;
    futures_util::stream::iter(0..posts)
        .map(|i| {
            let (slug, chans) = &tenants[i % tenants.len()];
            let due = spread.map(|start| {
                start + chrono::Duration::milliseconds((i as i64 * 60_000) / posts as i64)
            });
            async move {
                let mut body = json!({"body": format!("notice {i}"), "channels": chans});
                if let Some(at) = due {
                    body["scheduled_at"] = json!(at.to_rfc3339());
                }
                let v = c
                    .call(
                        reqwest::Method::POST,
                        &format!("/api/v1/tenants/{slug}/posts"),
                        body,
                    )
                    .await;
                let id = v["id"].as_str().unwrap().to_owned();
                c.call(
                    reqwest::Method::POST,
                    &format!("/api/v1/tenants/{slug}/posts/{id}/submit"),
                    json!({}),
                )
                .await;
                (id.replace('-', ""), due.map_or(0, |d| d.timestamp_millis()))
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
}

/// Targets per second between the first and the last post the counting server received.
fn rate(counting: &CountingServer) -> f64 {
    let records = counting.records();
    let first = records.values().map(|r| r.created_ms).min().unwrap_or(0);
    let last = records.values().map(|r| r.created_ms).max().unwrap_or(0);
    (records.len().saturating_sub(1)) as f64 / ((last - first).max(1) as f64 / 1000.0)
}

/// The floor: per target one write transaction and one POST, `PARALLEL` at a time.
async fn floor(db: &TestDb, dir: &Path, counting: &CountingServer, n: usize) -> f64 {
    // Connected as Heraut connects: one writer with WAL and full sync on SQLite, a pool of 16
    // on PostgreSQL.
    let opts = match db.database_url() {
        Some(url) => {
            let mut o = sea_orm::ConnectOptions::new(url);
            o.max_connections(16).sqlx_logging(false);
            o
        }
        None => {
            let mut o = sea_orm::ConnectOptions::new(format!(
                "sqlite://{}?mode=rwc",
                dir.join("floor.sqlite").display()
            ));
            o.max_connections(1)
                .sqlx_logging(false)
                .map_sqlx_sqlite_opts(|o| {
                    o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                        .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                });
            o
        }
    };
    let conn = Arc::new(Database::connect(opts).await.unwrap());
    let backend = conn.get_database_backend();
    conn.execute_unprepared(
        "CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, status TEXT NOT NULL, remote TEXT)",
    )
    .await
    .unwrap();
    for i in 0..n {
        conn.execute_unprepared(&format!(
            "INSERT INTO bench_floor (id, status) VALUES ({i}, 'pending')"
        ))
        .await
        .unwrap();
    }
    let http = reqwest::Client::new();
    let start = Instant::now();
    futures_util::stream::iter(0..n)
        .map(|i| {
            let conn = conn.clone();
            let http = http.clone();
            let url = format!("{}/floor", counting.base_url);
            async move {
                let res: Value = http
                    .post(url)
                    .header("idempotency-key", format!("floor-{i}"))
                    .json(&json!({"text": format!("notice {i}"), "idempotency_key": format!("floor-{i}")}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let txn = conn.begin().await.unwrap();
                let sql = if backend == DbBackend::Postgres {
                    "UPDATE bench_floor SET status = 'published', remote = $1 WHERE id = $2"
                } else {
                    "UPDATE bench_floor SET status = 'published', remote = ?1 WHERE id = ?2"
                };
                txn.execute_raw(Statement::from_sql_and_values(
                    backend,
                    sql,
                    [res["id"].as_str().unwrap_or_default().into(), (i as i64).into()],
                ))
                .await
                .unwrap();
                txn.commit().await.unwrap();
            }
        })
        .buffer_unordered(PARALLEL)
        .collect::<Vec<()>>()
        .await;
    n as f64 / start.elapsed().as_secs_f64()
}

/// A counting server and an API-only `heraut` on a fresh database of `db`'s kind, set up.
/// The database is returned too: dropping it would drop a PostgreSQL database under the server.
#[allow(clippy::type_complexity)]
async fn heraut(
    db: &TestDb,
) -> (
    CountingServer,
    Server,
    Client,
    Vec<(String, [String; 2])>,
    TestDb,
) {
    let counting = CountingServer::start(0, 1).unwrap();
    let env = [
        ("HERAUT_PLUGIN_LOCAL_PEERS", counting.peer()),
        ("HERAUT_AUTH__REQUIRE_MFA_FOR_ADMINS", "false".to_owned()),
        ("HERAUT_LOG", "error".to_owned()),
    ];
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let fresh = match db {
        TestDb::Sqlite { .. } => TestDb::sqlite(),
        _ => TestDb::postgres().await.unwrap(),
    };
    let server = Server::start_with_args(Path::new(BIN), &fresh, &envs, &["--role", "api"])
        .await
        .unwrap();
    let (client, tenants) = setup(&server, &counting, 50).await;
    (counting, server, client, tenants, fresh)
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

async fn backend(db: TestDb) {
    let label = db.label();
    let n = env_usize("BENCH_TARGETS", 5000);
    let late_n = env_usize("BENCH_LATE_TARGETS", 10_000);

    // Floor, on a database of the same kind and the same counting server.
    let counting = CountingServer::start(0, 1).unwrap();
    let dir = std::env::temp_dir().join(heraut_testkit::unique_name("floor"));
    std::fs::create_dir_all(&dir).unwrap();
    let floor_rate = floor(&db, &dir, &counting, n).await;
    drop(counting);

    // Heraut: everything due, then one worker starts.
    let (counting, server, client, tenants, _db) = heraut(&db).await;
    load(&client, &tenants, n, None).await;
    let started = Instant::now();
    let worker = Node::start(&server, &["--role", "worker"], "worker").unwrap();
    let got = counting.wait_for(n as u64, Duration::from_secs(600)).await;
    let wall = started.elapsed();
    assert_eq!(got, n as u64, "not all published");
    let heraut_rate = rate(&counting);
    drop(worker);
    drop(server);
    drop(counting);

    // Lateness: late_n targets due within one minute, a worker running.
    let (counting, server, client, tenants, _db) = heraut(&db).await;
    let worker = Node::start(&server, &["--role", "worker"], "worker").unwrap();
    let start = chrono::Utc::now() + chrono::Duration::seconds(90);
    let setup_start = Instant::now();
    let due: std::collections::HashMap<String, i64> = load(&client, &tenants, late_n, Some(start))
        .await
        .into_iter()
        .collect();
    let loaded_in = setup_start.elapsed();
    assert!(
        chrono::Utc::now() < start,
        "loading took {loaded_in:?}, past the first due time; lower BENCH_LATE_TARGETS"
    );
    counting
        .wait_for(late_n as u64, Duration::from_secs(600))
        .await;
    // The idempotency key starts with the post id: `<post>.<revision>.<channel>`.
    let mut late: Vec<i64> = counting
        .records()
        .iter()
        .map(|(key, r)| {
            let post = key.split('.').next().unwrap_or_default();
            r.created_ms as i64 - due[post]
        })
        .collect();
    late.sort_unstable();
    drop(worker);

    // Channel sync ingest: every channel waits to be read when the worker starts.
    let items = env_usize("BENCH_SYNC_ITEMS", 1000);
    let (counting, server, _client, tenants, fresh) = heraut(&db).await;
    counting.add_activity(items, None);
    let expected = (tenants.len() * 2 * items) as i64;
    let owner = Database::connect(fresh.owner_url(&server.data_dir))
        .await
        .unwrap();
    let stored = || async {
        let row = owner
            .query_one_raw(Statement::from_string(
                owner.get_database_backend(),
                "SELECT count(*) AS n FROM inbound_items",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };
    let started = Instant::now();
    let worker = Node::start(&server, &["--role", "worker"], "worker").unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    while stored().await < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ingest = started.elapsed();
    assert_eq!(stored().await, expected, "not all items stored");
    drop(worker);

    println!(
        "{label}: sync ingest {expected} items from {} channels in {:.2} s: {:.0} items/s",
        tenants.len() * 2,
        ingest.as_secs_f64(),
        expected as f64 / ingest.as_secs_f64()
    );
    println!(
        "{label}: floor {floor_rate:.0} targets/s; heraut {heraut_rate:.0} targets/s ({:.0}% of the floor; {n} targets in {:.2} s from worker start); lateness with {late_n} due within a minute: p50 {} ms, p99 {} ms, max {} ms (loaded in {:.1} s)",
        100.0 * heraut_rate / floor_rate,
        wall.as_secs_f64(),
        percentile(&late, 0.5),
        percentile(&late, 0.99),
        late.last().copied().unwrap_or_default(),
        loaded_in.as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let only = std::env::var("BENCH_BACKEND").unwrap_or_default();
        for db in TestDb::all().await {
            if only.is_empty() || only == db.label() {
                backend(db).await;
            }
        }
    });
}
