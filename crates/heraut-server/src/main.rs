//! The `heraut` binary: `serve`, `migrate`, and `admin` commands for a new installation.

mod keys;
mod mail;
mod media;
mod plugin_test;
mod shipped;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use heraut_config::Config;
use heraut_coord::{FailureCounters, InProcessCounters, RedisBus, RedisCounters};
use heraut_core::{Core, RequestMeta};
use heraut_db::{Db, Location};

/// Heraut: plan, approve, publish and archive government social media.
///
/// Exit codes: 0 success; 1 `admin audit-verify` found a broken chain; 2 any error (bad
/// configuration, bad input, an unreachable database).
#[derive(Debug, Parser)]
#[command(name = "heraut", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What a `heraut serve` process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Role {
    Api,
    Worker,
    All,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (applies migrations first unless `migrate_on_start = false`).
    Serve {
        /// `api` serves HTTP only, `worker` runs the publisher and the job engine only, `all` both.
        #[arg(long, value_enum, default_value_t = Role::All)]
        role: Role,
    },
    /// Apply database migrations.
    Migrate {
        /// Roll back this many migrations instead.
        #[arg(long, value_name = "N")]
        revert: Option<u32>,
    },
    /// Show the effective configuration, secrets redacted.
    Config,
    /// Print the HTTP API's OpenAPI document (JSON), as served at `/api/openapi.json`.
    Openapi,
    /// Administration of the installation.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Plugins: network connectors and reporting modules.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Install or upgrade a plugin: its component and its manifest. New plugins start disabled,
    /// with no host approved (see PATCH /api/v1/plugins/{id}).
    Install {
        /// The component (`plugin.wasm`).
        file: std::path::PathBuf,
        /// The manifest (`plugin.toml`).
        #[arg(long)]
        manifest: std::path::PathBuf,
    },
    /// List installed plugins.
    List,
    /// Try a connector without installing it, against a local HTTP server: describe, validate,
    /// publish, read back. Its manifest's hosts count as approved; `--local-peer` allows plain
    /// http to a test server. Exits non-zero when a step fails.
    Test(plugin_test::Args),
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an instance administrator (password from HERAUT_ADMIN_PASSWORD or a prompt).
    CreateAdmin {
        #[arg(long)]
        email: String,
    },
    /// Verify a tenant's audit hash chain (`--tenant instance` for the instance's own chain).
    AuditVerify {
        #[arg(long)]
        tenant: String,
    },
    /// Unlock an account locked after failed sign-ins.
    Unlock {
        #[arg(long)]
        email: String,
    },
    /// Copy the SQLite database (consistently, while Heraut runs) and the key files into a new
    /// folder, which can serve as a data folder as it is. On PostgreSQL, use pg_dump instead.
    Backup {
        /// The folder to create; it must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Re-encrypt every secret at rest under the current key (the first line of the secrets key
    /// file), so older keys can be removed.
    RotateSecrets,
    /// Print a one-time set-password token for an account whose password is forgotten.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Turn off an account's two-factor sign-in (lost device and recovery codes) and end its
    /// sessions; the person enrols again after signing in.
    ResetMfa {
        #[arg(long)]
        email: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: BTreeMap<String, String> = std::env::vars().collect();
    // The server logs its progress; one-off commands only print their result.
    let default_level = if matches!(cli.command, Command::Serve { .. }) {
        "info"
    } else {
        "warn"
    };
    init_logging(&env, default_level);
    let config = match Config::load(&env) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command, config, &env)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn plugin(command: PluginCommand, config: Arc<Config>) -> anyhow::Result<ExitCode> {
    if let PluginCommand::Test(args) = command {
        return plugin_test::run(args).await;
    }
    let core = build_core(config.clone()).await?;
    let meta = RequestMeta::cli(chrono::Utc::now());
    match command {
        PluginCommand::List => {
            let list = core.db().read_conn();
            for p in heraut_db::plugins::list(list).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.id,
                    p.version,
                    p.world,
                    if p.enabled { "enabled" } else { "disabled" },
                    p.approved_hosts
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        PluginCommand::Test(_) => Ok(ExitCode::SUCCESS), // answered above
        PluginCommand::Install { file, manifest } => {
            let text = std::fs::read_to_string(&manifest)
                .with_context(|| format!("reading {}", manifest.display()))?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            match core.install_plugin(&meta, None, &text, &bytes).await {
                Ok(done) => {
                    let view = done.plugin;
                    println!(
                        "{} {} {} ({}{}); enabled: {}; approved hosts: {}",
                        if done.upgrade {
                            "upgraded"
                        } else {
                            "installed"
                        },
                        view.id,
                        view.version,
                        view.world,
                        if done.network.is_empty() {
                            String::new()
                        } else {
                            format!(", network `{}`", done.network)
                        },
                        view.enabled,
                        if view.approved_hosts.is_empty() {
                            "none".to_owned()
                        } else {
                            view.approved_hosts.join(", ")
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {}: {}", file.display(), e.detail);
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

async fn backup(core: &Core, meta: &RequestMeta, to: &std::path::Path) -> anyhow::Result<ExitCode> {
    if to.exists() {
        eprintln!("error: {} exists; name a new folder", to.display());
        return Ok(ExitCode::from(2));
    }
    let config = core.config();
    if config.database_url.is_some() {
        eprintln!(
            "error: the database is PostgreSQL: back it up with pg_dump, and copy the key files \
             (auth.jwt_key_file and auth.secret_key_file, by default in {}/keys)",
            config.data_dir.display()
        );
        return Ok(ExitCode::from(2));
    }
    std::fs::create_dir_all(to.join("keys"))
        .with_context(|| format!("creating {}", to.display()))?;
    let file = to.join("heraut.sqlite");
    let file = std::path::absolute(&file).unwrap_or(file);
    match core.backup_database(meta, &file).await {
        Ok(_) => {}
        Err(e) => {
            eprintln!("error: {}", e.detail);
            return Ok(ExitCode::from(2));
        }
    }
    let keys = [
        (config.auth.jwt_key_file.clone(), "jwt-ed25519.pem"),
        (config.auth.secret_key_file.clone(), "secrets.key"),
    ];
    for (configured, name) in keys {
        let from = configured.unwrap_or_else(|| config.data_dir.join("keys").join(name));
        std::fs::copy(&from, to.join("keys").join(name))
            .with_context(|| format!("copying {}", from.display()))?;
    }
    println!(
        "backed up the database and key files to {}; keep it as safe as the keys themselves",
        to.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn init_logging(env: &BTreeMap<String, String>, default_level: &str) {
    let filter = env
        .get("HERAUT_LOG")
        .cloned()
        .unwrap_or_else(|| default_level.to_owned());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn location(config: &Config) -> Location {
    match &config.database_url {
        Some(url) => Location::Postgres(url.expose().to_owned()),
        None => Location::Sqlite(config.sqlite_path()),
    }
}

async fn run(
    command: Command,
    config: Arc<Config>,
    env: &BTreeMap<String, String>,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { role } => serve(config, role).await.map(|()| ExitCode::SUCCESS),
        Command::Migrate { revert } => {
            let loc = location(&config);
            match revert {
                Some(n) => {
                    heraut_db::migrate_down(&loc, Some(n))
                        .await
                        .context("rolling back migrations")?;
                    println!("rolled back {n} migration(s)");
                }
                None => {
                    heraut_db::migrate(&loc)
                        .await
                        .context("applying migrations")?;
                    println!("migrations applied");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Config => {
            println!("{config:#?}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            println!("{}", heraut_http::openapi::document().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { command } => admin(command, config, env).await,
        Command::Plugin { command } => plugin(command, config).await,
    }
}

async fn build_core(config: Arc<Config>) -> anyhow::Result<Core> {
    let loc = location(&config);
    if config.migrate_on_start {
        heraut_db::migrate(&loc)
            .await
            .context("applying migrations")?;
    }
    let db = Db::open(&loc, config.database.max_connections)
        .await
        .context("opening the database")?;
    let token_keys = keys::token_keys(&config).context("loading the token signing key")?;
    let secrets = keys::secret_box(&config).context("loading the secrets key")?;
    let counters: Arc<dyn FailureCounters> = match &config.redis_url {
        Some(url) => Arc::new(
            RedisCounters::connect(
                url.expose(),
                &config.redis_prefix,
                Duration::from_secs(24 * 3600),
            )
            .await
            .context("connecting to Redis")?,
        ),
        None => Arc::new(InProcessCounters::default()),
    };
    let mailer = mail::SmtpMailer::from_config(&config.smtp).context("setting up SMTP")?;
    let media = media::S3Media::from_config(&config.media).context("setting up media storage")?;
    // The plugin sandbox and the built-in http-json connector reach networks; the core only
    // knows them through its traits.
    let local_peers = config.plugin_local_peer_list();
    let call_timeout = Duration::from_secs(u64::from(config.publisher.call_timeout_secs));
    let runtime = heraut_plugin_host::Runtime::new(
        heraut_plugin_host::Limits::default(),
        config.data_dir.join("plugins").join("compiled"),
        local_peers.clone(),
        chrono::Utc::now,
    );
    let http_json = heraut_plugin_host::http_json::HttpJson::new(local_peers, call_timeout);
    let mut core = Core::new(db, config, token_keys, secrets, counters)
        .with_plugin_runtime(Arc::new(runtime))
        .with_connector(
            heraut_core::channels::connector::HTTP_JSON,
            Arc::new(http_json),
        );
    if let Some(store) = media {
        core = core.with_media_store(Arc::new(store));
    }
    Ok(match mailer {
        Some(m) => core.with_mailer(Arc::new(m)),
        None => core,
    })
}

/// Connects this node to the others through Redis: publisher wake-ups and live updates.
async fn attach_bus(core: Core, config: &Config) -> anyhow::Result<Core> {
    let Some(url) = &config.redis_url else {
        return Ok(core);
    };
    let bus = RedisBus::connect(url.expose(), &config.redis_prefix)
        .await
        .context("connecting to Redis")?;
    let node = uuid::Uuid::new_v4().to_string();
    struct Relay {
        bus: RedisBus,
        node: String,
    }
    impl heraut_core::publishing::events::Relay for Relay {
        fn send(&self, tenant: heraut_proto::TenantId, event: &heraut_proto::posts::PostEvent) {
            let payload = serde_json::json!({"node": self.node, "tenant": tenant, "event": event});
            self.bus.publish("events", payload.to_string());
        }
    }
    let events = core.events().clone().with_relay(Arc::new(Relay {
        bus: bus.clone(),
        node: node.clone(),
    }));
    let waker = bus.clone();
    let core = core
        .with_events(events)
        .with_remote_wake(Arc::new(move || waker.publish("wake", String::new())));
    let listener = core.clone();
    bus.subscribe(&["events", "wake"], move |topic, payload| {
        if topic == "wake" {
            listener.wake_local_publisher();
            return;
        }
        #[derive(serde::Deserialize)]
        struct Message {
            node: String,
            tenant: heraut_proto::TenantId,
            event: heraut_proto::posts::PostEvent,
        }
        if let Ok(m) = serde_json::from_str::<Message>(&payload)
            && m.node != node
        {
            listener.events().deliver_local(m.tenant, m.event);
        }
    });
    Ok(core)
}

async fn serve(config: Arc<Config>, role: Role) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let core = build_core(config.clone()).await?;
    let core = attach_bus(core, &config).await?;
    let meta = RequestMeta::cli(chrono::Utc::now());
    if config.shipped_plugins {
        for line in core
            .install_shipped_plugins(&meta, &shipped::plugins())
            .await?
        {
            tracing::info!("plugins: {line}");
        }
    }
    if !config.plugin_dir.is_empty() {
        for line in core
            .install_plugin_dir(&meta, std::path::Path::new(&config.plugin_dir))
            .await?
        {
            tracing::info!("plugin_dir: {line}");
        }
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // A worker runs the background work: the publisher and the job engine.
    let workers = (role != Role::Api).then(|| {
        let (publisher, engine) = (core.clone(), core.clone());
        let stop = stop_rx.clone();
        (
            tokio::spawn(async move { publisher.run_publisher(chrono::Utc::now, stop_rx).await }),
            tokio::spawn(async move { engine.run_jobs(chrono::Utc::now, stop).await }),
        )
    });
    let mode = match role {
        Role::Api => "api",
        Role::Worker => "worker",
        Role::All => "all",
    };
    let info = |listen: Option<std::net::SocketAddr>| {
        tracing::info!(
            role = mode,
            listen = listen
                .map(|l| l.to_string())
                .unwrap_or_else(|| "-".to_owned()),
            database = if config.database_url.is_some() {
                "postgresql"
            } else {
                "sqlite"
            },
            coordination = if config.redis_url.is_some() {
                "redis"
            } else {
                "in-process"
            },
            startup_ms = started.elapsed().as_millis() as u64,
            "heraut is serving"
        );
    };
    if role == Role::Worker {
        info(None);
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("waiting for a stop signal")?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    } else {
        let state = heraut_http::AppState::new(core);
        let server = heraut_http::serve(state, config.listen)
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        info(Some(config.listen));
        server.await.context("server stopped with an error")?;
    }
    let _ = stop_tx.send(true);
    if let Some((publisher, engine)) = workers {
        let _ = publisher.await;
        let _ = engine.await;
    }
    Ok(())
}

async fn admin(
    command: AdminCommand,
    config: Arc<Config>,
    env: &BTreeMap<String, String>,
) -> anyhow::Result<ExitCode> {
    let core = build_core(config).await?;
    let meta = RequestMeta::cli(chrono::Utc::now());
    match command {
        AdminCommand::CreateAdmin { email } => {
            let password = match env.get("HERAUT_ADMIN_PASSWORD") {
                Some(p) => p.clone(),
                None if std::io::stdin().is_terminal() => {
                    let p = rpassword::prompt_password("Password (at least 15 characters): ")?;
                    let again = rpassword::prompt_password("Repeat: ")?;
                    if p != again {
                        eprintln!("error: the passwords differ");
                        return Ok(ExitCode::from(2));
                    }
                    p
                }
                None => {
                    eprintln!(
                        "error: set HERAUT_ADMIN_PASSWORD or run in a terminal to be asked for the password"
                    );
                    return Ok(ExitCode::from(2));
                }
            };
            match core.create_admin(&meta, &email, &password).await {
                Ok((id, true)) => println!(
                    "created instance administrator {email} ({id}); sign in and set up two-factor sign-in"
                ),
                Ok((id, false)) => println!(
                    "{email} ({id}) existed and is now an instance administrator; password unchanged"
                ),
                Err(e) => {
                    eprintln!("error: {}", e.detail);
                    return Ok(ExitCode::from(2));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::AuditVerify { tenant } => match core.verify_chain_by_slug(&tenant).await {
            Ok(v) if v.valid => {
                println!(
                    "audit chain of {tenant} is valid: {} events checked",
                    v.events_checked
                );
                Ok(ExitCode::SUCCESS)
            }
            Ok(v) => {
                println!(
                    "audit chain of {tenant} is BROKEN at event {}: {} events checked",
                    v.first_broken_event.unwrap_or_default(),
                    v.events_checked
                );
                Ok(ExitCode::FAILURE)
            }
            Err(e) => {
                eprintln!("error: {}", e.detail);
                Ok(ExitCode::from(2))
            }
        },
        AdminCommand::Backup { to } => backup(&core, &meta, &to).await,
        AdminCommand::RotateSecrets => match core.rotate_secrets(&meta).await {
            Ok(r) => {
                println!(
                    "re-encrypted {}, already current {}, changed meanwhile {}{}",
                    r.re_encrypted,
                    r.current,
                    r.skipped,
                    if r.skipped > 0 { " (run again)" } else { "" }
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {}", e.detail);
                Ok(ExitCode::from(2))
            }
        },
        AdminCommand::ResetPassword { email } => {
            match core.reset_password_by_admin(&meta, &email).await {
                Ok((token, mail)) => {
                    use heraut_core::identity::admin::MailOutcome;
                    println!("{token}");
                    match mail {
                        MailOutcome::Sent => eprintln!("the token was e-mailed to {email}"),
                        MailOutcome::NotConfigured => eprintln!(
                            "pass this one-time token to {email}; it is used at POST /api/v1/auth/set-password"
                        ),
                        MailOutcome::Failed(e) => eprintln!(
                            "warning: e-mailing {email} failed ({e}); pass the token on yourself"
                        ),
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {}", e.detail);
                    Ok(ExitCode::from(2))
                }
            }
        }
        AdminCommand::ResetMfa { email } => match core.reset_mfa_by_admin(&meta, &email).await {
            Ok(()) => {
                println!(
                    "two-factor sign-in of {email} is off and its sessions ended; it must enrol again"
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {}", e.detail);
                Ok(ExitCode::from(2))
            }
        },
        AdminCommand::Unlock { email } => match core.unlock_user(&meta, &email).await {
            Ok(()) => {
                println!("{email} is unlocked");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {}", e.detail);
                Ok(ExitCode::from(2))
            }
        },
    }
}
