//! `plugin.toml`: what a plugin is, which interface version it speaks, which hosts it may reach,
//! how the host authenticates its requests, and the channel settings it takes.

use serde::{Deserialize, Serialize};

/// Interface versions this host can run.
pub const SUPPORTED_API_VERSIONS: &[&str] = &["0.1.0"];

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
    /// Hosts it may call: `mastodon.social`, or `*.example.org` for every subdomain.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    #[serde(default)]
    pub auth: Auth,
    /// The settings a channel of this plugin takes.
    #[serde(default)]
    pub settings: Vec<SettingSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum World {
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

/// How the host adds a channel's credentials to the plugin's requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// A token, added as a header (`Authorization: Bearer …` by default) or a query parameter.
    Token {
        #[serde(default)]
        header: Option<String>,
        #[serde(default)]
        scheme: Option<String>,
        #[serde(default)]
        query: Option<String>,
    },
    /// OAuth 2 authorization code with PKCE; the access token is added like a bearer token.
    Oauth2 {
        authorize_url: String,
        token_url: String,
        #[serde(default)]
        scopes: Vec<String>,
    },
}

impl Auth {
    /// Where the host puts a channel's credential in the plugin's requests: `secret` looks one
    /// up by name (`token`, or `access_token` for OAuth 2). `None` when the plugin takes none
    /// or the channel has none.
    pub fn injection(
        &self,
        secret: impl Fn(&str) -> Option<String>,
    ) -> Option<crate::outbound::Injection> {
        use crate::outbound::Injection;
        match self {
            Self::None => None,
            Self::Token {
                header,
                scheme,
                query,
            } => secret("token").map(|token| match (query, header) {
                (Some(q), _) => Injection::Query {
                    name: q.clone(),
                    value: token,
                },
                (None, h) => Injection::Header {
                    name: h.clone().unwrap_or_else(|| "authorization".to_owned()),
                    value: match scheme.as_deref() {
                        Some("") => token,
                        Some(s) => format!("{s} {token}"),
                        None if h.is_none() => format!("Bearer {token}"),
                        None => token,
                    },
                },
            }),
            Self::Oauth2 { .. } => secret("access_token").map(|token| Injection::Header {
                name: "authorization".to_owned(),
                value: format!("Bearer {token}"),
            }),
        }
    }
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    String,
    Url,
    Integer,
    Boolean,
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
        if let Auth::Oauth2 {
            authorize_url,
            token_url,
            ..
        } = &self.auth
        {
            for (name, url) in [("authorize_url", authorize_url), ("token_url", token_url)] {
                if !url.starts_with("https://") {
                    problems.push(format!("auth.{name} must be an https:// URL"));
                }
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

    /// True when `host` is covered by `allowed_hosts`.
    pub fn allows_host(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|p| crate::egress::host_matches(p, host))
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
