//! Heraut's configuration, loaded once: defaults in code, then `heraut.toml`, then `HERAUT_*`
//! environment variables. Unknown keys are an error that names the key and where it came from.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Environment variables that are read elsewhere and are not configuration keys.
const NON_CONFIG_ENV: &[&str] = &["HERAUT_CONFIG", "HERAUT_ADMIN_PASSWORD", "HERAUT_LOG"];
/// Prefixes of environment variables used by test tooling, ignored here.
const IGNORED_ENV_PREFIXES: &[&str] = &["HERAUT_TEST_", "HERAUT_CI_"];

/// A secret value: printed as `[redacted]` by `Debug`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The whole configuration. Every field has a default, so an empty file is valid.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// A separate address for `GET /metrics` (e.g. `10.0.0.5:9090` on an internal network). When
    /// set, `/metrics` is served only there, not on `listen`.
    pub metrics_listen: Option<SocketAddr>,
    /// Folder for the SQLite database, keys, media and the plugin cache.
    pub data_dir: PathBuf,
    /// PostgreSQL URL (`postgres://user@host/db`). Unset: SQLite in `data_dir`.
    pub database_url: Option<Secret>,
    /// Redis URL (`redis://host:6379`). Unset: in-process coordination.
    pub redis_url: Option<Secret>,
    /// Prefix for every Redis key, so several installations can share one Redis.
    pub redis_prefix: String,
    /// Public base URL (`https://heraut.example.gov`); HSTS is sent when it is https.
    pub public_url: Option<String>,
    /// Apply migrations when `serve` starts.
    pub migrate_on_start: bool,
    /// Largest accepted JSON body in bytes.
    pub max_body_bytes: usize,
    /// Comma-separated `host:port` peers plugins may reach over plain http (tests, air-gapped sites).
    pub plugin_local_peers: String,
    /// Folder of plugins installed (or upgraded) when `serve` starts: each `<name>.wasm` beside
    /// its manifest `<name>.toml`. Empty: none.
    pub plugin_dir: String,
    /// Install the connectors shipped inside the binary (Mastodon, Bluesky, Telegram, webhook)
    /// when `serve` starts and they are missing or older. `false`: only what an administrator
    /// installs.
    pub shipped_plugins: bool,
    /// Comma-separated addresses or networks (`10.0.0.0/8`) of reverse proxies and load
    /// balancers. Only requests from these are believed about the client's address
    /// (`X-Forwarded-For`); it decides whose sign-in failures are counted together.
    pub trusted_proxies: String,
    pub auth: AuthConfig,
    pub database: DatabaseConfig,
    pub smtp: SmtpConfig,
    pub publisher: PublisherConfig,
    pub inbound: InboundConfig,
    pub media: MediaConfig,
}

/// Uploaded images: size limit and where they are stored.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MediaConfig {
    /// Largest image in bytes.
    pub max_bytes: u64,
    /// S3-compatible object storage (`https://s3.eu-central-1.amazonaws.com`, a MinIO or Ceph
    /// URL). Unset: media are kept in `data_dir/media` (one node, or a shared folder).
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<Secret>,
    /// Address the bucket as `endpoint/bucket` rather than `bucket.endpoint` (MinIO, most
    /// self-hosted stores).
    pub s3_path_style: bool,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            max_bytes: 8 * 1024 * 1024,
            s3_endpoint: None,
            s3_bucket: None,
            s3_region: "us-east-1".to_owned(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_path_style: true,
        }
    }
}

/// The publisher: how due post targets are claimed, sent and retried.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PublisherConfig {
    /// How long a claim holds a target; another node takes it over after this.
    pub lease_secs: u32,
    /// Longest wait between looks at the queue when nothing wakes the publisher earlier.
    pub poll_interval_ms: u32,
    /// Targets claimed at once, and sent in parallel, per node.
    pub batch_size: u32,
    /// Longest a network call may take (must be under half the lease).
    pub call_timeout_secs: u32,
    /// Attempts before a target with transient errors is marked failed.
    pub max_attempts: u32,
    /// First retry delay; doubled per attempt, with jitter.
    pub backoff_base_ms: u32,
    /// Longest retry delay.
    pub backoff_max_secs: u32,
}

/// Reading channels' networks (mentions, comments, replies, messages): a `channel.sync` job per
/// channel. The job engine uses the publisher's lease, backoff and attempt settings.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct InboundConfig {
    /// How often each channel is read (a person can ask for it at once: `…/channels/{id}/sync`).
    pub poll_interval_seconds: u32,
}

impl Default for InboundConfig {
    fn default() -> Self {
        Self {
            poll_interval_seconds: 60,
        }
    }
}

impl Default for PublisherConfig {
    fn default() -> Self {
        Self {
            lease_secs: 60,
            poll_interval_ms: 250,
            batch_size: 64,
            call_timeout_secs: 20,
            max_attempts: 8,
            backoff_base_ms: 2000,
            backoff_max_secs: 900,
        }
    }
}

/// Outgoing e-mail (invitations, password resets). Off while `host` is unset.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// SMTP server; unset: no e-mail is sent and tokens are only returned by the API.
    pub host: Option<String>,
    /// SMTP port; unset: 587 for `starttls`, 465 for `tls`, 25 for `none`.
    pub port: Option<u16>,
    /// `starttls` (upgrade after connecting), `tls` (TLS from the start) or `none` (plain; only
    /// for a relay on the same machine or network).
    pub security: String,
    /// User name for SMTP authentication, if the server needs it.
    pub username: Option<String>,
    /// Password for SMTP authentication.
    pub password: Option<Secret>,
    /// Sender address, e.g. `Heraut <heraut@example.gov>`.
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: None,
            port: None,
            security: "starttls".to_owned(),
            username: None,
            password: None,
            from: "Heraut <heraut@localhost>".to_owned(),
        }
    }
}

/// Sign-in, tokens and password policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// `iss` of issued tokens.
    pub issuer: String,
    /// Access token lifetime in seconds (at most 900).
    pub access_token_ttl_secs: u64,
    /// Refresh token lifetime in seconds, renewed at each use.
    pub refresh_token_ttl_secs: u64,
    /// Absolute lifetime of a session (refresh-token family) in seconds.
    pub session_max_age_secs: u64,
    /// Lifetime of the token between password and second factor, in seconds.
    pub mfa_token_ttl_secs: u64,
    /// Lifetime of set-password tokens for invited members, in seconds.
    pub set_password_token_ttl_secs: u64,
    /// argon2id memory in KiB (at least 19456).
    pub argon2_memory_kib: u32,
    /// argon2id iterations (at least 2).
    pub argon2_iterations: u32,
    /// Failed sign-ins for one account before each further try must wait.
    pub throttle_after_failures: u32,
    /// Failed sign-ins from one IP address before each further try must wait.
    pub throttle_ip_after_failures: u32,
    /// First wait in milliseconds; it doubles with each further failure, up to 15 minutes.
    pub throttle_base_delay_ms: u64,
    /// Consecutive failures after which the account is locked until an admin unlocks it (at most 100).
    pub lockout_after_failures: u32,
    /// Instance administrators must have two-factor sign-in on to act as admin.
    pub require_mfa_for_admins: bool,
    /// Password hashes computed at once; 0 means all cores but one, so sign-ins never starve
    /// other requests.
    pub max_parallel_hashes: u32,
    /// File with the Ed25519 signing key (PKCS#8 PEM); created in `data_dir/keys` when unset.
    pub jwt_key_file: Option<PathBuf>,
    /// File with the 32-byte key (hex) that encrypts secrets at rest; created when unset.
    pub secret_key_file: Option<PathBuf>,
}

/// Database pool settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Largest number of pooled connections (PostgreSQL).
    pub max_connections: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_listen: None,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            redis_url: None,
            redis_prefix: "heraut".to_owned(),
            public_url: None,
            migrate_on_start: true,
            max_body_bytes: 256 * 1024,
            plugin_local_peers: String::new(),
            plugin_dir: String::new(),
            shipped_plugins: true,
            trusted_proxies: String::new(),
            auth: AuthConfig::default(),
            database: DatabaseConfig::default(),
            smtp: SmtpConfig::default(),
            publisher: PublisherConfig::default(),
            inbound: InboundConfig::default(),
            media: MediaConfig::default(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            issuer: "heraut".to_owned(),
            access_token_ttl_secs: 600,
            refresh_token_ttl_secs: 14 * 24 * 3600,
            session_max_age_secs: 30 * 24 * 3600,
            mfa_token_ttl_secs: 300,
            set_password_token_ttl_secs: 7 * 24 * 3600,
            argon2_memory_kib: 19456,
            argon2_iterations: 2,
            throttle_after_failures: 5,
            throttle_ip_after_failures: 30,
            throttle_base_delay_ms: 1000,
            lockout_after_failures: 50,
            require_mfa_for_admins: true,
            max_parallel_hashes: 0,
            jwt_key_file: None,
            secret_key_file: None,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            max_connections: 16,
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads defaults, then the file named by `HERAUT_CONFIG` (or `./heraut.toml` if it exists),
    /// then the `HERAUT_*` variables of `env`.
    pub fn load(env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let file = match env.get("HERAUT_CONFIG") {
            Some(path) => Some(PathBuf::from(path)),
            None => Some(PathBuf::from("heraut.toml")).filter(|p| p.exists()),
        };
        let mut table = toml::Table::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            table = Self::parse_file(&path, &text)?;
        }
        for (var, value) in env {
            let Some(rest) = var.strip_prefix("HERAUT_") else {
                continue;
            };
            if NON_CONFIG_ENV.contains(&var.as_str())
                || IGNORED_ENV_PREFIXES.iter().any(|p| var.starts_with(p))
            {
                continue;
            }
            let path: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
            // Check each variable on its own so the error names it. A value that looks like a
            // number or boolean is tried as such first, then as a string (`HERAUT_REDIS_PREFIX=2024`).
            let check = |v: toml::Value| {
                let mut single = toml::Table::new();
                insert_env(&mut single, &path, v.clone());
                toml::Value::Table(single)
                    .try_into::<Config>()
                    .map(|_| v)
                    .map_err(|e| e.message().to_owned())
            };
            let typed = check(env_value(value));
            let chosen = match typed {
                Ok(v) => v,
                Err(first) => {
                    check(toml::Value::String(value.clone())).map_err(|_| ConfigError::Env {
                        var: var.clone(),
                        message: first,
                    })?
                }
            };
            insert_env(&mut table, &path, chosen);
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_owned()))?;
        config.validate()?;
        Ok(config)
    }

    /// Parses a config file's text; errors name the file and the key or line.
    pub fn parse_file(path: &Path, text: &str) -> Result<toml::Table, ConfigError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        toml::from_str::<Config>(text).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        Ok(table)
    }

    /// Checks limits that types alone cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let a = &self.auth;
        let mut problems = Vec::new();
        if a.access_token_ttl_secs == 0 || a.access_token_ttl_secs > 900 {
            problems.push("auth.access_token_ttl_secs must be between 1 and 900".to_owned());
        }
        if a.argon2_memory_kib < 19456 {
            problems.push("auth.argon2_memory_kib must be at least 19456".to_owned());
        }
        if a.argon2_iterations < 2 {
            problems.push("auth.argon2_iterations must be at least 2".to_owned());
        }
        if a.lockout_after_failures == 0 || a.lockout_after_failures > 100 {
            problems.push("auth.lockout_after_failures must be between 1 and 100".to_owned());
        }
        let p = &self.publisher;
        if p.lease_secs < 2 || p.call_timeout_secs == 0 || p.call_timeout_secs * 2 > p.lease_secs {
            problems.push(
                "publisher.call_timeout_secs must be at least 1 and at most half of publisher.lease_secs"
                    .to_owned(),
            );
        }
        if p.batch_size == 0 || p.batch_size > 1000 || p.poll_interval_ms == 0 {
            problems.push(
                "publisher.batch_size must be 1–1000 and publisher.poll_interval_ms at least 1"
                    .to_owned(),
            );
        }
        if !(1..=86_400).contains(&self.inbound.poll_interval_seconds) {
            problems.push(
                "inbound.poll_interval_seconds must be between 1 and 86400 (a day)".to_owned(),
            );
        }
        let m = &self.media;
        if m.max_bytes == 0 || m.max_bytes > 100 * 1024 * 1024 {
            problems.push("media.max_bytes must be between 1 and 104857600".to_owned());
        }
        if let Some(e) = &m.s3_endpoint {
            if !(e.starts_with("https://") || e.starts_with("http://")) {
                problems.push(
                    "media.s3_endpoint must be an https:// (or, on a trusted network, http://) URL"
                        .to_owned(),
                );
            }
            if m.s3_bucket.is_none() {
                problems.push("media.s3_bucket is needed with media.s3_endpoint".to_owned());
            }
        }
        if p.max_attempts == 0 {
            problems.push("publisher.max_attempts must be at least 1".to_owned());
        }
        if a.throttle_after_failures == 0 {
            problems.push("auth.throttle_after_failures must be at least 1".to_owned());
        }
        if let Some(url) = &self.database_url {
            let u = url.expose();
            if !(u.starts_with("postgres://") || u.starts_with("postgresql://")) {
                problems.push(
                    "database_url must be a postgres:// URL (leave it unset for SQLite)".to_owned(),
                );
            }
        }
        if let Some(url) = &self.redis_url
            && !url.expose().starts_with("redis://")
        {
            problems.push(
                "redis_url must be a redis:// URL (TLS to Redis is not supported yet)".to_owned(),
            );
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            problems.push("public_url must start with https:// or http://".to_owned());
        }
        for entry in self.trusted_proxy_list() {
            if parse_network(entry).is_none() {
                problems.push(format!(
                    "trusted_proxies: `{entry}` is not an address or network like 10.0.0.0/8"
                ));
            }
        }
        if !["starttls", "tls", "none"].contains(&self.smtp.security.as_str()) {
            problems.push("smtp.security must be `starttls`, `tls` or `none`".to_owned());
        }
        if self.smtp.username.is_some() && self.smtp.password.is_none() {
            problems.push("smtp.username is set but smtp.password is not".to_owned());
        }
        if self.smtp.username.is_some() && self.smtp.security == "none" {
            problems.push(
                "smtp.username with smtp.security = \"none\" would send the password unencrypted; use starttls or tls"
                    .to_owned(),
            );
        }
        if !self.smtp.from.contains('@') {
            problems.push(
                "smtp.from must be an e-mail address, e.g. `Heraut <heraut@example.gov>`"
                    .to_owned(),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems.join("; ")))
        }
    }

    /// True when served over TLS, so HSTS and `Secure` cookies apply.
    pub fn is_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The entries of `trusted_proxies`.
    pub fn plugin_local_peer_list(&self) -> Vec<String> {
        self.plugin_local_peers
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn trusted_proxy_list(&self) -> impl Iterator<Item = &str> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The networks of `trusted_proxies` (validated at load, so none is dropped here).
    pub fn trusted_proxy_networks(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxy_list()
            .filter_map(parse_network)
            .collect()
    }

    /// Path of the SQLite database file in the data folder.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("heraut.sqlite")
    }
}

/// `10.0.0.0/8`, `::1/128` or a single address.
fn parse_network(s: &str) -> Option<ipnet::IpNet> {
    s.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

/// An environment value as TOML: numbers and booleans keep their type, anything else is a string.
fn env_value(raw: &str) -> toml::Value {
    let probe = format!("v = {raw}");
    match toml::from_str::<toml::Table>(&probe) {
        Ok(mut t) => match t.remove("v") {
            Some(
                v @ (toml::Value::Integer(_) | toml::Value::Boolean(_) | toml::Value::Float(_)),
            ) => v,
            _ => toml::Value::String(raw.to_owned()),
        },
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

fn insert_env(table: &mut toml::Table, path: &[String], value: toml::Value) {
    match path {
        [] => {}
        [last] => {
            table.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = table
                .entry(first.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(t) = entry {
                insert_env(t, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_listen_on_loopback_8080_with_sqlite() {
        let c = Config::load(&env(&[("HERAUT_CONFIG", "/dev/null")]));
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.database_url.is_none());
        assert_eq!(c.data_dir, PathBuf::from("./data"));
    }

    #[test]
    fn env_overrides_and_keeps_types() {
        let c = Config::load(&env(&[
            ("HERAUT_CONFIG", "/dev/null"),
            ("HERAUT_LISTEN", "0.0.0.0:9000"),
            ("HERAUT_AUTH__LOCKOUT_AFTER_FAILURES", "10"),
            ("HERAUT_TEST_SOMETHING", "ignored"),
            ("HERAUT_REDIS_PREFIX", "2024"),
        ]));
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.redis_prefix, "2024");
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.auth.lockout_after_failures, 10);
    }

    #[test]
    fn unknown_env_key_is_named() {
        let err = Config::load(&env(&[
            ("HERAUT_CONFIG", "/dev/null"),
            ("HERAUT_LISTN", "x"),
        ]));
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("HERAUT_LISTN"), "{msg}");
        assert!(msg.contains("listn"), "{msg}");
    }

    #[test]
    fn unknown_file_key_is_named_with_its_file() {
        let err = Config::parse_file(
            Path::new("heraut.toml"),
            "[auth]\nissuer = \"x\"\nfoo = 1\n",
        );
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("heraut.toml"), "{msg}");
        assert!(msg.contains("foo"), "{msg}");
    }

    #[test]
    fn the_example_file_in_deploy_is_valid_and_matches_the_defaults() {
        let text = include_str!("../../../deploy/heraut.example.toml");
        let parsed = toml::from_str::<Config>(text).map_err(|e| e.to_string());
        let parsed = parsed.unwrap_or_else(|e| panic!("deploy/heraut.example.toml: {e}"));
        assert_eq!(format!("{parsed:?}"), format!("{:?}", Config::default()));
    }

    #[test]
    fn limits_are_validated() {
        let err = Config::load(&env(&[
            ("HERAUT_CONFIG", "/dev/null"),
            ("HERAUT_AUTH__ARGON2_MEMORY_KIB", "1024"),
        ]));
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("argon2_memory_kib"), "{msg}");
    }
}
