//! Heraut's use cases. Each public method checks who may do it, runs in one transaction, and
//! records its audit event in that transaction. Nothing here knows HTTP, reads the clock or the
//! environment: the time of a request comes in `RequestMeta`.

pub mod channels;
pub mod error;
pub mod identity;
pub mod jobs;
pub mod mail;
mod paging;
pub mod publishing;
pub mod records;
pub mod tenancy;

use channels::{connector, plugin_connector, plugins};
use publishing::{events, media};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use heraut_auth::crypto::SecretBox;
use heraut_auth::jwt::TokenKeys;
use heraut_auth::password::HashParams;
use heraut_config::Config;
use heraut_coord::FailureCounters;
use heraut_db::Db;
use heraut_proto::{FamilyId, UserId};

pub use error::{CoreError, CoreResult};

/// Facts about the request a use case runs for: who is asking from where, and when.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub now: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl RequestMeta {
    /// A request from the command line at `now`.
    pub fn cli(now: DateTime<Utc>) -> Self {
        Self {
            now,
            ip: None,
            user_agent: Some("heraut-cli".to_owned()),
            request_id: None,
        }
    }
}

/// A signed-in person, as established from a valid access token.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub email: String,
    pub instance_admin: bool,
    pub mfa_enabled: bool,
    pub session: FamilyId,
}

/// The connectors built into the core (the Atom feed); the server adds those that reach a
/// network (`http-json`).
fn builtin_connectors(public_url: Option<&str>) -> channels::connector::Connectors {
    let mut c = channels::connector::Connectors::default();
    c.insert(
        channels::feed::FEED,
        Arc::new(channels::feed::Feed::new(public_url)),
    );
    c
}

/// Everything the use cases need, built once at start.
#[derive(Clone)]
pub struct Core {
    pub(crate) db: Db,
    pub(crate) config: Arc<Config>,
    pub(crate) keys: TokenKeys,
    pub(crate) secrets: SecretBox,
    pub(crate) counters: Arc<dyn FailureCounters>,
    pub(crate) hash_slots: Arc<tokio::sync::Semaphore>,
    pub(crate) mailer: Option<Arc<dyn mail::Mailer>>,
    pub(crate) connectors: Arc<connector::Connectors>,
    pub(crate) media_store: Arc<dyn media::MediaStore>,
    pub(crate) plugin_runtime: Option<Arc<dyn plugins::PluginRuntime>>,
    pub(crate) plugin_connectors: Arc<plugin_connector::PluginConnectors>,
    pub(crate) events: events::Events,
    pub(crate) publisher_wake: Arc<tokio::sync::Notify>,
    pub(crate) jobs_wake: Arc<tokio::sync::Notify>,
    /// Tells the other nodes' publishers to look at the queue (Redis), when attached.
    pub(crate) remote_wake: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core").finish_non_exhaustive()
    }
}

impl Core {
    pub fn new(
        db: Db,
        config: Arc<Config>,
        keys: TokenKeys,
        secrets: SecretBox,
        counters: Arc<dyn FailureCounters>,
    ) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let slots = hash_slot_count(config.auth.max_parallel_hashes, cores);
        Self {
            hash_slots: Arc::new(tokio::sync::Semaphore::new(slots)),
            mailer: None,
            connectors: Arc::new(builtin_connectors(config.public_url.as_deref())),
            media_store: media::local_store(&config.data_dir),
            plugin_runtime: None,
            plugin_connectors: Arc::default(),
            events: events::Events::default(),
            publisher_wake: Arc::new(tokio::sync::Notify::new()),
            jobs_wake: Arc::new(tokio::sync::Notify::new()),
            remote_wake: None,
            db,
            config,
            keys,
            secrets,
            counters,
        }
    }

    /// Runs plugins with `runtime` (the server's WebAssembly sandbox).
    pub fn with_plugin_runtime(mut self, runtime: Arc<dyn plugins::PluginRuntime>) -> Self {
        self.plugin_runtime = Some(runtime);
        self
    }

    /// Adds a built-in connector the core does not hold itself (`http-json`).
    pub fn with_connector(mut self, id: &str, connector: Arc<dyn connector::Connector>) -> Self {
        let mut all = (*self.connectors).clone();
        all.insert(id, connector);
        self.connectors = Arc::new(all);
        self
    }

    /// Keeps media in `store` (S3-compatible storage) instead of `data_dir/media`.
    pub fn with_media_store(mut self, store: Arc<dyn media::MediaStore>) -> Self {
        self.media_store = store;
        self
    }

    /// Uses this event bus (with a relay to other nodes) from now on.
    pub fn with_events(mut self, events: events::Events) -> Self {
        self.events = events;
        self
    }

    /// Calls `wake` whenever targets become due, so other nodes' publishers look at once.
    pub fn with_remote_wake(mut self, wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        self.remote_wake = Some(wake);
        self
    }

    pub fn events(&self) -> &events::Events {
        &self.events
    }

    /// Sends e-mail through `mailer` from now on.
    pub fn with_mailer(mut self, mailer: Arc<dyn mail::Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Checks a new password against the policy and hashes it (on the bounded hashing pool).
    pub(crate) async fn new_password_hash(
        &self,
        password: &str,
        email: &str,
        has_mfa: bool,
    ) -> CoreResult<String> {
        heraut_auth::password::check_policy(password, email, has_mfa)
            .map_err(|m| CoreError::new(heraut_proto::ErrorCode::PasswordPolicy, m))?;
        let params = self.hash_params();
        let given = password.to_owned();
        self.hashing(move || heraut_auth::password::hash(&given, params))
            .await?
            .map_err(CoreError::internal)
    }

    /// The delivery of a set-password token by e-mail, when e-mail is configured. A failure is
    /// logged: the token was also returned to whoever asked for it.
    pub(crate) fn token_mail(
        &self,
        to: &str,
        token: &str,
        kind: mail::TokenMail<'_>,
    ) -> Option<impl std::future::Future<Output = Result<(), String>> + Send + 'static> {
        let mailer = self.mailer.clone()?;
        let hours = self.config.auth.set_password_token_ttl_secs.div_ceil(3600);
        let public_url = self.config.public_url.as_deref();
        let message = mail::set_password_mail(to, token, kind, public_url, hours);
        Some(async move {
            let to = message.to.clone();
            let sent = mailer.send(message).await;
            match &sent {
                Ok(()) => tracing::info!(%to, "set-password e-mail sent"),
                Err(e) => tracing::warn!(%to, error = %e, "e-mail could not be sent"),
            }
            sent
        })
    }

    /// Sends a set-password token in the background, so the request does not wait for SMTP.
    pub(crate) fn mail_token(&self, to: &str, token: &str, kind: mail::TokenMail<'_>) {
        if let Some(delivery) = self.token_mail(to, token, kind) {
            tokio::spawn(async move {
                let _ = delivery.await;
            });
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) fn hash_params(&self) -> HashParams {
        HashParams {
            memory_kib: self.config.auth.argon2_memory_kib,
            iterations: self.config.auth.argon2_iterations,
        }
    }

    /// True when the database and, if configured, Redis answer.
    pub async fn ready(&self) -> bool {
        self.db.ping().await && self.counters.ping().await
    }
}

impl Core {
    /// Runs argon2 on the blocking pool, at most `hash_slots` at a time, so sign-ins never take
    /// every core from request handling.
    pub(crate) async fn hashing<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> CoreResult<T> {
        let _permit = self
            .hash_slots
            .acquire()
            .await
            .map_err(|e| CoreError::internal(format!("hash slots closed: {e}")))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| CoreError::internal(format!("blocking task failed: {e}")))
    }
}

/// How many password hashes may run at once: the configured number, or all cores but one.
fn hash_slot_count(configured: u32, cores: usize) -> usize {
    if configured > 0 {
        configured as usize
    } else {
        cores.saturating_sub(1).max(1)
    }
}

/// Normalises an e-mail address for lookup and storage.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible e-mail address: local@domain, no spaces, at most 320 characters.
pub(crate) fn check_email(email: &str) -> CoreResult<()> {
    let ok = email.len() <= 320
        && !email.chars().any(char::is_whitespace)
        && email.rsplit_once('@').is_some_and(|(l, d)| {
            !l.is_empty()
                && !d.is_empty()
                && !d.contains('@')
                && !d.starts_with('.')
                && !d.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err(CoreError::new(
            heraut_proto::ErrorCode::RequestInvalid,
            format!("`{email}` is not a valid e-mail address"),
        ))
    }
}
