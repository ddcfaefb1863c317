//! The gate every outbound request of a plugin passes (`SECURITY.md` 20): only hosts the
//! manifest declares and the instance administrator approved; https only, except plain http to
//! the local peers an administrator lists (`plugin_local_peers`); names resolved by the host and
//! private or special addresses refused, IPv4 inside IPv6 included. A redirect is a new request
//! and passes the gate again. [`crate::outbound`] applies the policy: its resolver checks the
//! addresses it hands to the connection, so a second DNS answer cannot slip past the check.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why a request was refused; the message is shown in the plugin's error and the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("`{0}` is not an http(s) URL authority a plugin may use")]
    BadAuthority(String),
    #[error(
        "plain http to `{0}` is refused: plugins use https (an administrator may list local test peers)"
    )]
    PlainHttp(String),
    #[error("`{0}` is not among the hosts this plugin declares and the administrator approved")]
    HostNotApproved(String),
    #[error("`{host}` resolves to {ip}, a private or special address")]
    PrivateAddress { host: String, ip: IpAddr },
    #[error("`{host}` could not be resolved: {error}")]
    Unresolvable { host: String, error: String },
}

/// Where a request may go, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub host: String,
    pub port: u16,
    /// The request uses TLS (false only for a listed local peer).
    pub tls: bool,
    /// A listed local peer: address ranges are not checked.
    pub local_peer: bool,
}

/// The hosts one plugin may reach.
#[derive(Debug, Clone, Default)]
pub struct EgressPolicy {
    /// Approved host patterns (`api.example.org`, `*.example.org`).
    approved: Vec<String>,
    /// `host:port` pairs reachable over plain http, addresses unchecked.
    local_peers: Vec<String>,
}

pub use heraut_core::channels::manifest::host_matches;

/// Splits `host[:port]` or `[v6][:port]`.
fn split_authority(authority: &str, default_port: u16) -> Option<(String, u16)> {
    if authority.contains('@') || authority.is_empty() {
        return None; // no user info in authorities a plugin sends
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        (h.to_owned(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().ok()?),
            None => (authority.to_owned(), default_port),
        }
    };
    if host.is_empty() || host.contains(['/', ' ', '\\']) {
        return None;
    }
    Some((host.to_ascii_lowercase(), port))
}

impl EgressPolicy {
    pub fn new(approved: Vec<String>, local_peers: Vec<String>) -> Self {
        Self {
            approved,
            local_peers: local_peers
                .into_iter()
                .map(|p| p.to_ascii_lowercase())
                .collect(),
        }
    }

    /// Checks scheme and host before anything is resolved.
    pub fn check(&self, scheme: &str, authority: &str) -> Result<Destination, Refusal> {
        let bad = || Refusal::BadAuthority(authority.to_owned());
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(bad()),
        };
        let (host, port) =
            split_authority(authority, if tls { 443 } else { 80 }).ok_or_else(bad)?;
        let peer = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let local_peer = self.local_peers.contains(&peer);
        if !tls && !local_peer {
            return Err(Refusal::PlainHttp(peer));
        }
        // A listed local peer only lifts the https and private-address rules: its host must be
        // approved like any other.
        if !self.approved.iter().any(|p| host_matches(p, &host)) {
            return Err(Refusal::HostNotApproved(host));
        }
        Ok(Destination {
            host,
            port,
            tls,
            local_peer,
        })
    }

    /// Resolves the destination and refuses private or special addresses (unless it is a
    /// listed local peer). Connect to what this returns.
    pub async fn resolve(&self, dest: &Destination) -> Result<Vec<SocketAddr>, Refusal> {
        let addrs: Vec<SocketAddr> = match dest.host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, dest.port)],
            Err(_) => tokio::net::lookup_host((dest.host.as_str(), dest.port))
                .await
                .map_err(|e| Refusal::Unresolvable {
                    host: dest.host.clone(),
                    error: e.to_string(),
                })?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(Refusal::Unresolvable {
                host: dest.host.clone(),
                error: "no address".to_owned(),
            });
        }
        if !dest.local_peer
            && let Some(a) = addrs.iter().find(|a| is_forbidden(a.ip()))
        {
            return Err(Refusal::PrivateAddress {
                host: dest.host.clone(),
                ip: a.ip(),
            });
        }
        Ok(addrs)
    }
}

/// True for addresses a plugin must never reach: loopback, private, link-local (cloud metadata),
/// shared, multicast, broadcast, unspecified, documentation, benchmarking and reserved ranges,
/// and the IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4).
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // IPv4 inside IPv6: judge the IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let embedded =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if s[0..6] == [0, 0, 0, 0, 0, 0] && !(s[6] == 0 && s[7] <= 1) {
        return forbidden_v4(embedded(s[6], s[7])); // IPv4-compatible (deprecated)
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return forbidden_v4(embedded(s[6], s[7])); // NAT64
    }
    if s[0] == 0x2002 {
        return forbidden_v4(embedded(s[1], s[2])); // 6to4
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> EgressPolicy {
        EgressPolicy::new(
            vec![
                "api.example.org".to_owned(),
                "*.masto.example".to_owned(),
                "127.0.0.1".to_owned(),
                "localhost".to_owned(),
            ],
            vec![
                "127.0.0.1:3000".to_owned(),
                "localhost:2583".to_owned(),
                "[::1]:3000".to_owned(),
            ],
        )
    }

    #[test]
    fn private_and_special_addresses_are_forbidden() {
        for bad in [
            "127.0.0.1",
            "169.254.169.254",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "fd00::1",
            "fe80::1",
            "2001:db8::1",
            "ff02::1",
        ] {
            let ip: IpAddr = bad.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
            assert!(is_forbidden(ip), "{bad} must be forbidden");
        }
        for good in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            let ip: IpAddr = good.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert!(!is_forbidden(ip), "{good} must be allowed");
        }
    }

    #[test]
    fn only_approved_hosts_over_https_or_approved_listed_local_peers() {
        let p = policy();
        assert!(p.check("https", "api.example.org").is_ok());
        assert!(p.check("https", "social.masto.example:8443").is_ok());
        assert_eq!(
            p.check("https", "evil.example.org"),
            Err(Refusal::HostNotApproved("evil.example.org".to_owned()))
        );
        assert!(matches!(
            p.check("http", "api.example.org"),
            Err(Refusal::PlainHttp(_))
        ));
        let local = p.check("http", "127.0.0.1:3000");
        assert!(
            local.as_ref().is_ok_and(|d| d.local_peer && !d.tls),
            "{local:?}"
        );
        assert!(matches!(
            p.check("http", "127.0.0.1:3001"),
            Err(Refusal::PlainHttp(_))
        ));
        // Listed, but its host was never approved: the list does not stand in for approval.
        assert_eq!(
            p.check("http", "[::1]:3000"),
            Err(Refusal::HostNotApproved("::1".to_owned()))
        );
        for bad in ["user@api.example.org", "", "api.example.org:99999", "[::1"] {
            assert!(
                matches!(p.check("https", bad), Err(Refusal::BadAuthority(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            p.check("ftp", "api.example.org"),
            Err(Refusal::BadAuthority(_))
        ));
    }

    #[tokio::test]
    async fn names_are_judged_by_what_they_resolve_to() {
        // An approved name that resolves to loopback is refused after resolution.
        let p = EgressPolicy::new(vec!["localhost".to_owned()], Vec::new());
        let dest = p.check("https", "localhost");
        let dest = dest.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            p.resolve(&dest).await,
            Err(Refusal::PrivateAddress { .. })
        ));
        // A literal private address, even if someone approved it.
        let p = EgressPolicy::new(vec!["169.254.169.254".to_owned()], Vec::new());
        let dest = p
            .check("https", "169.254.169.254")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            p.resolve(&dest).await,
            Err(Refusal::PrivateAddress { .. })
        ));
        // A listed local peer is reached as it is.
        let p = policy();
        let dest = p
            .check("http", "localhost:2583")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(p.resolve(&dest).await.is_ok_and(|a| !a.is_empty()));
    }
}
