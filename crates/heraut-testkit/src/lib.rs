//! The test kit: fresh databases on SQLite and PostgreSQL, Redis key prefixes, and the real
//! `heraut` binary started on a free port with its own data folder.
//!
//! PostgreSQL and Redis variants run when those services answer. When they do not, the variant
//! prints a notice and is skipped, unless `HERAUT_TEST_REQUIRE_SERVICES=1` (set by CI), which
//! makes an unreachable service a failure.

use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};

pub mod counting;
pub mod peers;

/// A name unique to this run, e.g. `heraut_test_<prefix>_<uuid>`.
pub fn unique_name(prefix: &str) -> String {
    format!("heraut_test_{}_{}", prefix, uuid::Uuid::new_v4().simple())
}

/// True when CI demands every real service and peer (`HERAUT_TEST_REQUIRE_SERVICES=1`).
pub fn services_required() -> bool {
    std::env::var("HERAUT_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

fn reachable(host_port: &str) -> bool {
    host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
}

fn host_port_of(url: &str) -> String {
    let after_scheme = url.split("://").nth(1).unwrap_or(url);
    let after_user = after_scheme.rsplit('@').next().unwrap_or(after_scheme);
    after_user
        .split('/')
        .next()
        .unwrap_or(after_user)
        .to_owned()
}

fn service(var: &str, default: &str, what: &str) -> Option<String> {
    let url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    if reachable(&host_port_of(&url)) {
        return Some(url);
    }
    if services_required() {
        panic!("{what} at {url} is required (HERAUT_TEST_REQUIRE_SERVICES=1) but does not answer");
    }
    eprintln!("NOTICE: {what} at {url} does not answer; skipping the {what} variant of this test");
    None
}

/// The Redis URL to test against, if Redis answers.
pub fn redis_url() -> Option<String> {
    service("HERAUT_TEST_REDIS_URL", "redis://127.0.0.1:6379", "Redis")
}

/// The PostgreSQL server URL (without database) to test against, if it answers.
pub fn postgres_server_url() -> Option<String> {
    service(
        "HERAUT_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432",
        "PostgreSQL",
    )
}

/// A database to run a test on.
#[derive(Debug)]
pub enum TestDb {
    Sqlite { dir: PathBuf },
    Postgres { server: String, name: String },
}

impl TestDb {
    /// A fresh, empty SQLite database in its own folder.
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(unique_name("sqlite"));
        let _ = std::fs::create_dir_all(&dir);
        TestDb::Sqlite { dir }
    }

    /// A fresh, empty PostgreSQL database, if PostgreSQL answers.
    pub async fn postgres() -> Option<Self> {
        let server = postgres_server_url()?;
        let name = unique_name("pg");
        let admin = Database::connect(format!("{server}/postgres")).await;
        let admin = match admin {
            Ok(a) => a,
            Err(e) => panic!("cannot connect to PostgreSQL at {server}: {e}"),
        };
        if let Err(e) = admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
        {
            panic!("cannot create database {name}: {e}");
        }
        let _ = admin.close().await;
        Some(TestDb::Postgres { server, name })
    }

    /// Every backend available here: SQLite always, PostgreSQL when it answers.
    pub async fn all() -> Vec<Self> {
        let mut v = vec![Self::sqlite()];
        if let Some(pg) = Self::postgres().await {
            v.push(pg);
        }
        v
    }

    pub fn label(&self) -> &'static str {
        match self {
            TestDb::Sqlite { .. } => "sqlite",
            TestDb::Postgres { .. } => "postgres",
        }
    }

    /// `HERAUT_DATABASE_URL` for this database, or None for SQLite (the embedded default).
    pub fn database_url(&self) -> Option<String> {
        match self {
            TestDb::Sqlite { .. } => None,
            TestDb::Postgres { server, name } => Some(format!("{server}/{name}")),
        }
    }

    /// The SQLite file (what `heraut` creates in its data folder).
    pub fn sqlite_file(&self, data_dir: &Path) -> PathBuf {
        data_dir.join("heraut.sqlite")
    }

    /// A URL that connects as the owner (for tests that tamper with rows as an attacker with
    /// database access would).
    pub fn owner_url(&self, data_dir: &Path) -> String {
        match self {
            TestDb::Sqlite { .. } => {
                format!("sqlite://{}?mode=rw", self.sqlite_file(data_dir).display())
            }
            TestDb::Postgres { server, name } => format!("{server}/{name}"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { server, name } => {
                let url = format!("{server}/postgres");
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                // Drop runs outside any async context we may block on: use a thread of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        rt.block_on(async {
                            if let Ok(c) = Database::connect(url).await {
                                let _ = c.execute_unprepared(&sql).await;
                                let _ = c.close().await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// A running `heraut serve`, killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub base_url: String,
    pub data_dir: PathBuf,
    pub env: Vec<(String, String)>,
    bin: PathBuf,
    args: Vec<String>,
    log: PathBuf,
}

impl Server {
    /// Starts `bin serve <args>` (e.g. `--role api`), like [`Server::start`].
    pub async fn start_with_args(
        bin: &Path,
        db: &TestDb,
        extra_env: &[(&str, &str)],
        args: &[&str],
    ) -> anyhow::Result<Self> {
        Self::launch(bin, db, extra_env, args).await
    }

    /// Starts `bin serve` on `db` with extra environment, and waits until `/readyz` answers 200.
    pub async fn start(
        bin: &Path,
        db: &TestDb,
        extra_env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        Self::launch(bin, db, extra_env, &[]).await
    }

    async fn launch(
        bin: &Path,
        db: &TestDb,
        extra_env: &[(&str, &str)],
        args: &[&str],
    ) -> anyhow::Result<Self> {
        let data_dir = std::env::temp_dir().join(unique_name("data"));
        std::fs::create_dir_all(&data_dir)?;
        let port = free_port();
        let mut env: Vec<(String, String)> = vec![
            ("HERAUT_LISTEN".into(), format!("127.0.0.1:{port}")),
            ("HERAUT_DATA_DIR".into(), data_dir.display().to_string()),
            ("HERAUT_CONFIG".into(), "/dev/null".into()),
            ("HERAUT_LOG".into(), "warn".into()),
            // Each test installs the plugins it uses; one that wants the shipped connectors
            // passes `HERAUT_SHIPPED_PLUGINS=true` (the last value set wins).
            ("HERAUT_SHIPPED_PLUGINS".into(), "false".into()),
        ];
        if let Some(url) = db.database_url() {
            env.push(("HERAUT_DATABASE_URL".into(), url));
        }
        for (k, v) in extra_env {
            env.push(((*k).to_owned(), (*v).to_owned()));
        }
        // A test that must know the address before the start (e.g. for `HERAUT_PUBLIC_URL`)
        // passes its own `HERAUT_LISTEN`; the last one set is the one the server uses.
        let listen = env
            .iter()
            .rev()
            .find(|(k, _)| k == "HERAUT_LISTEN")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| format!("127.0.0.1:{port}"));
        let log = data_dir.join("server.log");
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let child = spawn(bin, &args, &env, &log)?;
        let mut server = Self {
            child,
            base_url: format!("http://{listen}"),
            data_dir,
            env,
            bin: bin.to_owned(),
            args,
            log,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                anyhow::bail!(
                    "heraut exited with {status} before it was ready:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            let ready = client
                .get(format!("{}/readyz", self.base_url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                anyhow::bail!("heraut was not ready within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the process and starts it again on the same data (a restart).
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn(&self.bin, &self.args, &self.env, &self.log)?;
        self.wait_ready().await
    }

    /// Runs `heraut <args>` with this server's environment; returns (exit code, stdout, stderr).
    pub fn cli(
        &self,
        args: &[&str],
        extra_env: &[(&str, &str)],
    ) -> anyhow::Result<(i32, String, String)> {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args).env_clear();
        if let Ok(path) = std::env::var("PATH") {
            cmd.env("PATH", path);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let out = cmd.stdin(Stdio::null()).output()?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

fn spawn(
    bin: &Path,
    args: &[String],
    env: &[(String, String)],
    log: &Path,
) -> anyhow::Result<Child> {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    let err = out.try_clone()?;
    let mut cmd = Command::new(bin);
    cmd.arg("serve").args(args).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    Ok(cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn()?)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Another `heraut serve` process on the same data folder and settings as a server (a second
/// node), on its own port; killed (SIGKILL) when dropped, leaving the folder.
#[derive(Debug)]
pub struct Node {
    child: Child,
    bin: PathBuf,
    env: Vec<(String, String)>,
    args: Vec<String>,
    log: PathBuf,
}

impl Node {
    /// Starts `heraut serve <args>` with `server`'s environment and a fresh listen port.
    pub fn start(server: &Server, args: &[&str], name: &str) -> anyhow::Result<Self> {
        let mut env: Vec<(String, String)> = server
            .env
            .iter()
            .filter(|(k, _)| k != "HERAUT_LISTEN")
            .cloned()
            .collect();
        env.push(("HERAUT_LISTEN".into(), format!("127.0.0.1:{}", free_port())));
        let log = server.data_dir.join(format!("{name}.log"));
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let child = spawn(&server.bin, &args, &env, &log)?;
        Ok(Self {
            child,
            bin: server.bin.clone(),
            env,
            args,
            log,
        })
    }

    /// SIGKILL, as a crash or an out-of-memory kill would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the process again after a kill.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        self.child = spawn(&self.bin, &self.args, &self.env, &self.log)?;
        Ok(())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The component bytes of a test guest in `plugins/tests/<name>`, built for wasm32-wasip2 once
/// per test process (into `$CARGO_TARGET_DIR/plugins`, or `target/plugins`).
pub fn plugin_guest(name: &str) -> Vec<u8> {
    plugin_component(&format!("heraut_test_{name}"))
}

/// The component bytes of a crate of the `plugins/` workspace by its file stem, e.g.
/// `heraut_connector_template`, built as [`plugin_guest`] builds them.
pub fn plugin_component(stem: &str) -> Vec<u8> {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let plugins = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
    let out = BUILT.get_or_init(|| {
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(|t| PathBuf::from(t).join("plugins"))
            .unwrap_or_else(|_| plugins.join("../target/plugins"));
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .args(["build", "--release", "--target", "wasm32-wasip2", "--manifest-path"])
            .arg(plugins.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .env_remove("RUSTFLAGS")
            .status();
        match status {
            Ok(s) if s.success() => {}
            other => panic!(
                "building the test plugins failed ({other:?}); is the wasm32-wasip2 target installed (`rustup target add wasm32-wasip2`)?"
            ),
        }
        target.join("wasm32-wasip2/release")
    });
    match std::fs::read(out.join(format!("{stem}.wasm"))) {
        Ok(b) => b,
        Err(e) => panic!("plugin {stem}: {e}"),
    }
}
