//! Key files: the token signing key and the key that encrypts secrets at rest. Created in the
//! data folder on first start when no file is configured; never stored in the database.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use heraut_auth::crypto::{self, SecretBox};
use heraut_auth::jwt::{self, TokenKeys};
use heraut_config::Config;

fn write_new(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            f.write_all(contents.as_bytes())?;
            f.sync_all()?;
            tracing::info!(path = %path.display(), "created a new key file");
            Ok(())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

fn key_path(configured: &Option<PathBuf>, config: &Config, name: &str) -> (PathBuf, bool) {
    match configured {
        Some(p) => (p.clone(), false),
        None => (config.data_dir.join("keys").join(name), true),
    }
}

pub fn token_keys(config: &Config) -> anyhow::Result<TokenKeys> {
    let (path, may_create) = key_path(&config.auth.jwt_key_file, config, "jwt-ed25519.pem");
    if may_create && !path.exists() {
        write_new(&path, &jwt::generate_key_pem()?)?;
    }
    let pem =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(TokenKeys::from_pem(&pem, &config.auth.issuer)?)
}

/// The secrets key file holds one `key_id:hex` per line; the first line is the current key,
/// the others still decrypt older values.
pub fn secret_box(config: &Config) -> anyhow::Result<SecretBox> {
    let (path, may_create) = key_path(&config.auth.secret_key_file, config, "secrets.key");
    if may_create && !path.exists() {
        let id = format!("k{}", chrono::Utc::now().format("%Y%m%d"));
        write_new(&path, &format!("{id}:{}\n", crypto::new_key_hex()))?;
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let parse = |line: &str| -> anyhow::Result<(String, String)> {
        let (id, hex) = line.split_once(':').with_context(|| {
            format!(
                "{}: each line must be `key_id:64 hex digits`",
                path.display()
            )
        })?;
        Ok((id.to_owned(), hex.to_owned()))
    };
    let first = lines
        .next()
        .with_context(|| format!("{} holds no key", path.display()))?;
    let (id, hex) = parse(first)?;
    let mut sb =
        SecretBox::new(&id, &hex).with_context(|| format!("{}: key {id}", path.display()))?;
    for line in lines {
        let (id, hex) = parse(line)?;
        sb = sb
            .with_old_key(&id, &hex)
            .with_context(|| format!("{}: key {id}", path.display()))?;
    }
    Ok(sb)
}
