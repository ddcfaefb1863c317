//! `plugin.toml`: what a plugin is, which interface version it speaks, which hosts it may reach,
//! how the host authenticates its requests, and the channel settings it takes.

use serde::{Deserialize, Serialize};

/// Interface versions this host can run.
pub const SUPPORTED_API_VERSIONS: &[&str] = &["0.1.0", "0.2.0"];

/// A plugin's manifest, as written by its author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Stable id, e.g. `mastodon`: lowercase letters, digits and hyphens.
    pub id: String,
    /// Name shown to people.
    pub name: String,
    /// The plugin's own version (`1.2.3`).
    pub version: String,
    /// `connector` or `reporter`.
    pub world: World,
    /// The `heraut:plugin` interface version it was built against.
    pub api_version: String,
    /// Hosts it may call: `mastodon.social`, or `*.example.org` for every subdomain, or `*`
    /// for a connector whose host is a channel setting (a Mastodon instance): then the
    /// instance administrator approves each host by name.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    #[serde(default)]
    pub auth: Auth,
    /// The origin that receives a channel's credentials, naming settings in braces
    /// (`{instance_url}`): only requests to it carry them, never those to another host the
    /// plugin declares. Without it: the OAuth token URL's or the session's origin, else the
    /// first setting of kind `url`, else the one host in `allowed_hosts`.
    #[serde(default)]
    pub credential_origin: Option<String>,
    /// The settings a channel of this plugin takes.
    #[serde(default)]
    pub settings: Vec<SettingSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum World {
    /// Any connector world: 0.2's `two-way-connector` is a `connector` that exports more.
    #[serde(alias = "two-way-connector")]
    Connector,
    Reporter,
}

impl World {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connector => "connector",
            Self::Reporter => "reporter",
        }
    }
}

/// How the host adds a channel's credentials to the plugin's requests. URLs may name channel
/// settings in braces (`{instance_url}/oauth/token`); `credential` names the key in the
/// channel's credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// A token, added as a header (`Authorization: Bearer …` by default), a query parameter,
    /// or a path prefix (`/bot<token>` before the request's path, as Telegram wants).
    Token {
        #[serde(default)]
        credential: Option<String>,
        #[serde(default)]
        header: Option<String>,
        #[serde(default)]
        scheme: Option<String>,
        #[serde(default)]
        query: Option<String>,
        #[serde(default)]
        path_prefix: Option<String>,
    },
    /// OAuth 2 authorization code with PKCE; the access token is added like a bearer token.
    /// With `registration_url`, the host registers itself as a client first (Mastodon's
    /// `POST /api/v1/apps`).
    Oauth2 {
        authorize_url: String,
        token_url: String,
        #[serde(default)]
        registration_url: Option<String>,
        #[serde(default)]
        scopes: Vec<String>,
    },
    /// Requests signed with HMAC-SHA256 over `<timestamp>.<body>` under the channel's secret.
    Hmac {
        #[serde(default)]
        credential: Option<String>,
        header: String,
        timestamp_header: String,
    },
    /// A session the host opens with an identifier (a channel setting) and a password (the
    /// credential), keeps and refreshes; its access token is added as a bearer token
    /// (Bluesky's app passwords).
    Session {
        #[serde(default)]
        credential: Option<String>,
        identifier_setting: String,
        create_url: String,
        #[serde(default)]
        refresh_url: Option<String>,
    },
}

impl Auth {
    /// The kind's name, as written in a manifest (`token`, `oauth2`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Token { .. } => "token",
            Self::Oauth2 { .. } => "oauth2",
            Self::Hmac { .. } => "hmac",
            Self::Session { .. } => "session",
        }
    }

    /// The credentials key the host reads: the manifest's `credential`, or the kind's default.
    pub fn credential_key(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::Token { credential, .. } => Some(credential.as_deref().unwrap_or("token")),
            Self::Oauth2 { .. } => Some("access_token"),
            Self::Hmac { credential, .. } => Some(credential.as_deref().unwrap_or("secret")),
            Self::Session { credential, .. } => Some(credential.as_deref().unwrap_or("password")),
        }
    }
}

/// `template` with every `{key}` replaced by the channel setting `key` (a trailing `/` of the
/// value trimmed): `{instance_url}/oauth/token`. An unknown or empty setting is an error.
pub fn fill(template: &str, setting: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("`{template}` has an unclosed `{{`"))?;
        let key = &after[..end];
        let value = setting(key)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("the channel has no `{key}` setting"))?;
        out.push_str(value.trim_end_matches('/'));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// One channel setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingSpec {
    pub key: String,
    pub label: String,
    pub kind: SettingKind,
    #[serde(default)]
    pub required: bool,
    /// The value a channel gets when it does not give one (e.g. a network's main server).
    #[serde(default)]
    pub default: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    String,
    Url,
    Integer,
    Boolean,
}

impl SettingKind {
    /// The name as written in a manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Url => "url",
            Self::Integer => "integer",
            Self::Boolean => "boolean",
        }
    }
}

fn valid_id(s: &str) -> bool {
    (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn valid_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn valid_host_pattern(s: &str) -> bool {
    // `localhost` too: an administrator may approve it for a local peer
    // (`plugin_local_peers`), which alone lifts the private-address rule.
    if s == "*" || s == "localhost" {
        return true;
    }
    let host = s.strip_prefix("*.").unwrap_or(s);
    !host.is_empty()
        && host.len() <= 253
        && host.contains('.')
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

impl Manifest {
    /// Parses and checks a manifest; every problem is named, with what to do.
    pub fn parse(text: &str) -> Result<Self, String> {
        let m: Manifest = toml::from_str(text).map_err(|e| format!("plugin.toml: {e}"))?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if !valid_id(&self.id) {
            problems.push(format!(
                "id `{}` must be 2–40 lowercase letters, digits or hyphens",
                self.id
            ));
        }
        if self.name.trim().is_empty() {
            problems.push("name must not be empty".to_owned());
        }
        if !valid_version(&self.version) {
            problems.push(format!("version `{}` must look like 1.2.3", self.version));
        }
        if !SUPPORTED_API_VERSIONS.contains(&self.api_version.as_str()) {
            problems.push(format!(
                "api_version {} is not supported by this Heraut, which runs heraut:plugin {}; \
                 rebuild the plugin against a supported version",
                self.api_version,
                SUPPORTED_API_VERSIONS.join(", ")
            ));
        }
        for h in &self.allowed_hosts {
            if !valid_host_pattern(h) {
                problems.push(format!(
                    "allowed_hosts: `{h}` must be a host name like api.example.org or *.example.org"
                ));
            }
        }
        if self.world == World::Reporter && !self.allowed_hosts.is_empty() {
            problems.push("a reporter has no network access: remove allowed_hosts".to_owned());
        }
        let urls: Vec<(&str, &String)> = match &self.auth {
            Auth::Oauth2 {
                authorize_url,
                token_url,
                registration_url,
                ..
            } => [("authorize_url", authorize_url), ("token_url", token_url)]
                .into_iter()
                .chain(registration_url.iter().map(|u| ("registration_url", u)))
                .collect(),
            Auth::Session {
                create_url,
                refresh_url,
                ..
            } => std::iter::once(("create_url", create_url))
                .chain(refresh_url.iter().map(|u| ("refresh_url", u)))
                .collect(),
            _ => Vec::new(),
        };
        for (name, url) in urls {
            // A URL starts with https:// or with a setting the channel gives (`{instance_url}`).
            let from_setting = url
                .strip_prefix('{')
                .and_then(|r| r.split_once('}'))
                .is_some_and(|(key, _)| self.settings.iter().any(|s| s.key == key));
            if !url.starts_with("https://") && !from_setting {
                problems.push(format!(
                    "auth.{name} must be an https:// URL or start with a declared setting, like {{instance_url}}/…"
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.settings {
            if !seen.insert(s.key.as_str()) {
                problems.push(format!("settings: `{}` appears twice", s.key));
            }
            if s.key.is_empty()
                || !s
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                problems.push(format!(
                    "settings: key `{}` must be lowercase letters, digits or _",
                    s.key
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("plugin.toml: {}", problems.join("; ")))
        }
    }

    /// True when an administrator may approve `pattern` for this plugin: a declared host, or
    /// any host name (not `*` itself) when the manifest declares `*`.
    pub fn may_approve(&self, pattern: &str) -> bool {
        self.allowed_hosts.iter().any(|d| d == pattern)
            || (pattern != "*"
                && valid_host_pattern(pattern)
                && self.allowed_hosts.iter().any(|d| d == "*"))
    }

    /// The hosts a connector shipped with Heraut starts with approved: those it declares by
    /// name (no wildcard) and the hosts of its `url` settings' defaults it may reach (Bluesky's
    /// `bsky.social`). A host each channel names (a Mastodon instance) still waits for an
    /// administrator.
    pub fn shipped_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .allowed_hosts
            .iter()
            .filter(|h| !h.contains('*'))
            .cloned()
            .collect();
        let defaults = self
            .settings
            .iter()
            .filter(|s| s.kind == SettingKind::Url)
            .filter_map(|s| url::Url::parse(s.default.as_deref()?).ok())
            .filter_map(|u| u.host_str().map(str::to_ascii_lowercase));
        for host in defaults {
            if self.may_approve(&host) && !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        hosts
    }

    /// The template of the origin a channel's credentials go to (see `credential_origin`);
    /// `None` when the plugin takes no credentials or names no origin at all.
    pub fn credential_origin_template(&self) -> Option<String> {
        if matches!(self.auth, Auth::None) {
            return None;
        }
        if let Some(origin) = &self.credential_origin {
            return Some(origin.clone());
        }
        match &self.auth {
            Auth::Oauth2 { token_url, .. } => return Some(token_url.clone()),
            Auth::Session { create_url, .. } => return Some(create_url.clone()),
            _ => {}
        }
        if let Some(url) = self.settings.iter().find(|s| s.kind == SettingKind::Url) {
            return Some(format!("{{{}}}", url.key));
        }
        match self.allowed_hosts.as_slice() {
            [one] if !one.contains('*') => Some(format!("https://{one}")),
            _ => None,
        }
    }

    /// The origin (`https://social.example`) that receives the credentials of a channel with
    /// these settings; `None` when there is none, and then no request carries them.
    pub fn credential_origin_for(
        &self,
        setting: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let filled = fill(&self.credential_origin_template()?, |key| {
            setting(key).or_else(|| {
                self.settings
                    .iter()
                    .find(|s| s.key == key)
                    .and_then(|s| s.default.clone())
            })
        })
        .ok()?;
        let origin = url::Url::parse(&filled).ok()?.origin();
        origin.is_tuple().then(|| origin.ascii_serialization())
    }

    /// True when `host` is covered by `allowed_hosts` (`*` covers every host).
    pub fn allows_host(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|p| p == "*" || host_matches(p, host))
    }
}

/// True when `host` is `pattern`, or under its domain for `*.domain`.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(domain) => host.ends_with(&format!(".{domain}")),
        None => host == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "mastodon"
name = "Mastodon"
version = "0.1.0"
world = "connector"
api_version = "0.1.0"
allowed_hosts = ["mastodon.social", "*.gov.example"]

[auth]
kind = "oauth2"
authorize_url = "https://mastodon.social/oauth/authorize"
token_url = "https://mastodon.social/oauth/token"
scopes = ["read", "write"]

[[settings]]
key = "instance_url"
label = "Instance URL"
kind = "url"
required = true
"#;

    #[test]
    fn a_good_manifest_parses_and_its_hosts_match() {
        let m = Manifest::parse(GOOD).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.world, World::Connector);
        assert!(m.allows_host("mastodon.social"));
        assert!(m.allows_host("social.gov.example"));
        assert!(!m.allows_host("gov.example"));
        assert!(!m.allows_host("evil-mastodon.social"));
    }

    #[test]
    fn problems_are_named() {
        let bad_version = GOOD.replace("api_version = \"0.1.0\"", "api_version = \"9.0.0\"");
        let err = Manifest::parse(&bad_version).err().unwrap_or_default();
        assert!(err.contains("9.0.0") && err.contains("0.1.0"), "{err}");
        let unknown = format!("{GOOD}\nsurprise = 1\n");
        assert!(
            Manifest::parse(&unknown)
                .err()
                .unwrap_or_default()
                .contains("surprise")
        );
        let bad_host = GOOD.replace("\"mastodon.social\",", "\"http://x\",");
        assert!(
            Manifest::parse(&bad_host)
                .err()
                .unwrap_or_default()
                .contains("allowed_hosts")
        );
        let reporter = GOOD.replace("world = \"connector\"", "world = \"reporter\"");
        assert!(
            Manifest::parse(&reporter)
                .err()
                .unwrap_or_default()
                .contains("no network")
        );
    }
}
