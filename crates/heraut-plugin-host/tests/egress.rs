//! The outbound gate against a hostile plugin (`SECURITY.md` 20): each request it should not
//! make is refused with a message that says why, huge and slow answers are cut at their caps,
//! credentials reach the peer but never the plugin, and a well-behaved plugin's call made at
//! the same moment goes through. The peers are small HTTP servers on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use heraut_plugin_host::egress::EgressPolicy;
use heraut_plugin_host::{
    AccountRef, CallError, CallInput, CallNet, HttpCaps, Injection, Limits, OutgoingPost,
    PluginHost, Receipt, Setting,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How a test peer answers.
#[derive(Clone)]
enum Answer {
    /// 200 with the request's head as the body.
    Echo,
    /// A redirect to this location.
    Redirect(String),
    /// 200 with this many bytes, streamed.
    Huge(usize),
    /// Reads the request and never answers.
    Silent,
    /// 201 with an `http-json` receipt.
    Receipt,
}

struct Peer {
    addr: String,
    heads: Arc<Mutex<Vec<String>>>,
}

async fn peer(answer: Answer) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).into_owned();
                seen.lock().unwrap().push(head.clone());
                let reply = |status: &str, extra: &str, body: &str| {
                    format!(
                        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{body}",
                        body.len()
                    )
                };
                match answer {
                    Answer::Echo => {
                        let _ = socket
                            .write_all(reply("200 OK", "x-echo: yes\r\n", &head).as_bytes())
                            .await;
                    }
                    Answer::Redirect(to) => {
                        let _ = socket
                            .write_all(
                                reply("302 Found", &format!("location: {to}\r\n"), "").as_bytes(),
                            )
                            .await;
                    }
                    Answer::Receipt => {
                        let _ = socket
                            .write_all(
                                reply(
                                    "201 Created",
                                    "content-type: application/json\r\n",
                                    r#"{"id":"r-1","url":"http://peer/r-1"}"#,
                                )
                                .as_bytes(),
                            )
                            .await;
                    }
                    Answer::Huge(n) => {
                        let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let block = vec![b'x'; 64 * 1024];
                        let mut sent = 0;
                        while sent < n {
                            let frame = format!("{:x}\r\n", block.len());
                            if socket.write_all(frame.as_bytes()).await.is_err()
                                || socket.write_all(&block).await.is_err()
                                || socket.write_all(b"\r\n").await.is_err()
                            {
                                return;
                            }
                            sent += block.len();
                        }
                        let _ = socket.write_all(b"0\r\n\r\n").await;
                    }
                    Answer::Silent => {
                        tokio::time::sleep(Duration::from_secs(120)).await;
                    }
                }
            });
        }
    });
    Peer { addr, heads }
}

fn host(http: HttpCaps) -> Arc<PluginHost> {
    Arc::new(
        PluginHost::new(Limits {
            http,
            ..Limits::default()
        })
        .expect("engine"),
    )
}

/// A call's network with `approved` hosts and the `local_peers` listed; the local peers here
/// all listen on 127.0.0.1, which is approved with them (see
/// `a_listed_local_peer_still_needs_its_host_approved`).
fn net(approved: &[&str], local_peers: &[&str], credentials: Option<Injection>) -> CallNet {
    let mut approved: Vec<String> = approved.iter().map(|s| s.to_string()).collect();
    if !local_peers.is_empty() {
        approved.push("127.0.0.1".to_owned());
    }
    CallNet {
        plugin: "hostile".to_owned(),
        policy: EgressPolicy::new(
            approved,
            local_peers.iter().map(|s| s.to_string()).collect(),
        ),
        credentials,
        credential_origin: None,
    }
}

fn account(settings: &[(&str, &str)]) -> AccountRef {
    AccountRef {
        channel_id: "c-1".to_owned(),
        settings: settings
            .iter()
            .map(|(k, v)| Setting {
                key: k.to_string(),
                value: v.to_string(),
            })
            .collect(),
    }
}

fn post(body: &str) -> OutgoingPost {
    OutgoingPost {
        idempotency_key: "k-1".to_owned(),
        body: body.to_owned(),
        media: vec![],
        options: heraut_plugin_host::no_options(),
    }
}

/// What the hostile plugin's `fetch <url>` came back with.
async fn fetch(host: &PluginHost, net: CallNet, url: &str) -> Result<Receipt, String> {
    let plugin = host
        .load_connector(&heraut_testkit::plugin_guest("hostile"))
        .unwrap();
    let input = CallInput {
        net: Some(net),
        ..CallInput::default()
    };
    let (outcome, _log) = host
        .publish(&plugin, input, account(&[]), post(&format!("fetch {url}")))
        .await
        .expect("the plugin call itself succeeds");
    outcome.map_err(|e| match e {
        CallError::Transient(m) => m,
        other => format!("{other:?}"),
    })
}

#[tokio::test]
async fn private_special_and_undeclared_destinations_are_refused_while_a_good_call_goes_through() {
    let host = host(HttpCaps::default());
    let good_peer = peer(Answer::Receipt).await;
    let approved = [
        "127.0.0.1",
        "169.254.169.254",
        "10.0.0.1",
        "::1",
        "::ffff:7f00:1",
        "localhost",
        "api.example.org",
    ];
    let cases = [
        (
            "https://127.0.0.1/",
            "127.0.0.1, a private or special address",
        ),
        (
            "https://169.254.169.254/latest/meta-data/",
            "169.254.169.254, a private or special address",
        ),
        (
            "https://10.0.0.1/",
            "10.0.0.1, a private or special address",
        ),
        ("https://[::1]:8443/", "::1, a private or special address"),
        (
            "https://[::ffff:127.0.0.1]/",
            "a private or special address",
        ),
        ("https://localhost/", "`localhost` resolves to"),
        ("https://evil.example.net/", "not among the hosts"),
        ("http://api.example.org/", "plain http"),
    ];
    // The template connector: it POSTs to its `url` setting and reads the receipt.
    let echo = host
        .load_connector(&heraut_testkit::plugin_component(
            "heraut_connector_template",
        ))
        .unwrap();
    for (url, expected) in cases {
        // A well-behaved plugin publishes to its peer at the same moment.
        let good = {
            let host = host.clone();
            let echo = echo.clone();
            let addr = good_peer.addr.clone();
            tokio::spawn(async move {
                let input = CallInput {
                    net: Some(net(&[], &[&addr], None)),
                    ..CallInput::default()
                };
                let url = format!("http://{addr}/posts");
                host.publish(&echo, input, account(&[("url", &url)]), post("hello"))
                    .await
            })
        };
        let refused = fetch(&host, net(&approved, &[], None), url).await;
        let message = refused.expect_err(url);
        assert!(
            message.contains("refused by the host's gate") && message.contains(expected),
            "{url}: {message}"
        );
        let (receipt, _) = good.await.unwrap().unwrap();
        assert_eq!(receipt.unwrap().remote_id, "r-1");
    }
    let counts = host.http_counts();
    assert!(
        counts.contains(&("hostile".to_owned(), "refused", cases.len() as u64)),
        "{counts:?}"
    );
}

#[tokio::test]
async fn a_redirect_is_checked_again_and_one_to_a_private_address_is_refused() {
    let host = host(HttpCaps::default());
    let to_metadata = peer(Answer::Redirect(
        "https://169.254.169.254/latest/meta-data/".to_owned(),
    ))
    .await;
    let message = fetch(
        &host,
        net(&["169.254.169.254"], &[&to_metadata.addr], None),
        &format!("http://{}/start", to_metadata.addr),
    )
    .await
    .unwrap_err();
    assert!(
        message.contains("169.254.169.254, a private or special address"),
        "{message}"
    );
    // A redirect to another approved local peer is followed.
    let target = peer(Answer::Echo).await;
    let hop = peer(Answer::Redirect(format!("http://{}/landed", target.addr))).await;
    let receipt = fetch(
        &host,
        net(&[], &[&hop.addr, &target.addr], None),
        &format!("http://{}/start", hop.addr),
    )
    .await
    .unwrap();
    assert_eq!(receipt.remote_id, "200");
    assert!(receipt.url.unwrap().contains("GET /landed"));
}

#[tokio::test]
async fn a_huge_response_is_cut_at_its_cap_and_a_silent_peer_at_its_timeout() {
    let host = host(HttpCaps {
        max_response_bytes: 1024 * 1024,
        request_timeout: Duration::from_secs(1),
        ..HttpCaps::default()
    });
    let huge = peer(Answer::Huge(64 * 1024 * 1024)).await;
    let message = fetch(
        &host,
        net(&[], &[&huge.addr], None),
        &format!("http://{}/", huge.addr),
    )
    .await
    .unwrap_err();
    assert!(
        message.contains("larger than the 1048576 bytes the host allows"),
        "{message}"
    );
    let silent = peer(Answer::Silent).await;
    let started = Instant::now();
    let message = fetch(
        &host,
        net(&[], &[&silent.addr], None),
        &format!("http://{}/", silent.addr),
    )
    .await
    .unwrap_err();
    assert!(message.contains("timed out"), "{message}");
    // Stopped by the request cap (1 s), well before the call's own deadline (10 s).
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[tokio::test]
async fn credentials_reach_the_peer_but_the_plugin_never_sees_them() {
    let host = host(HttpCaps::default());
    let echo = peer(Answer::Echo).await;
    let secret = "s3cret-token-0123456789";
    let creds = Injection::Header {
        name: "authorization".to_owned(),
        value: format!("Bearer {secret}"),
    };
    let receipt = fetch(
        &host,
        CallNet {
            credential_origin: Some(format!("http://{}", echo.addr)),
            ..net(&[], &[&echo.addr], Some(creds))
        },
        &format!("http://{}/whoami", echo.addr),
    )
    .await
    .unwrap();
    let seen_by_peer = echo.heads.lock().unwrap().join("\n");
    assert!(
        seen_by_peer.contains(&format!("authorization: Bearer {secret}")),
        "{seen_by_peer}"
    );
    let seen_by_plugin = receipt.url.unwrap();
    assert!(!seen_by_plugin.contains(secret), "{seen_by_plugin}");
    assert!(seen_by_plugin.contains("Bearer [credential]"));

    // Nor does it find them, or anything else, in its environment or on disk.
    let plugin = host
        .load_connector(&heraut_testkit::plugin_guest("hostile"))
        .unwrap();
    let input = CallInput {
        net: Some(net(&[], &[], None)),
        ..CallInput::default()
    };
    let (snoop, _) = host
        .publish(&plugin, input, account(&[]), post("snoop"))
        .await
        .unwrap();
    let found = snoop.unwrap().url.unwrap();
    assert!(found.starts_with("env=[] args=[]"), "{found}");
    assert!(
        found.contains("root=Err") && found.contains("passwd=Err"),
        "{found}"
    );
}

#[tokio::test]
async fn a_call_without_a_network_cannot_reach_anything() {
    let host = host(HttpCaps::default());
    let plugin = host
        .load_connector(&heraut_testkit::plugin_guest("hostile"))
        .unwrap();
    let target = peer(Answer::Echo).await;
    let (outcome, log) = host
        .publish(
            &plugin,
            CallInput::default(),
            account(&[]),
            post(&format!("fetch http://{}/", target.addr)),
        )
        .await
        .unwrap();
    let message = format!("{:?}", outcome.unwrap_err());
    assert!(message.contains("this call has no network"), "{message}");
    assert!(log.iter().any(|l| l.contains("no network")), "{log:?}");
    assert!(target.heads.lock().unwrap().is_empty());
}

#[tokio::test]
async fn credentials_go_only_to_the_channels_own_origin_not_to_another_approved_host() {
    let host = host(HttpCaps::default());
    let own = peer(Answer::Echo).await;
    let other = peer(Answer::Echo).await;
    let secret = "s3cret-token-9876543210";
    let placements = [
        Injection::Header {
            name: "authorization".to_owned(),
            value: format!("Bearer {secret}"),
        },
        Injection::Query {
            name: "access_token".to_owned(),
            value: secret.to_owned(),
        },
        Injection::PathPrefix {
            prefix: "/bot".to_owned(),
            value: secret.to_owned(),
        },
    ];
    for creds in placements {
        let label = format!("{creds:?}");
        let call_net = CallNet {
            credential_origin: Some(format!("http://{}", own.addr)),
            ..net(&[], &[&own.addr, &other.addr], Some(creds))
        };
        // The plugin addresses a second host it may reach: the request goes, the secret not.
        fetch(
            &host,
            call_net.clone(),
            &format!("http://{}/elsewhere", other.addr),
        )
        .await
        .unwrap();
        let seen_elsewhere = other.heads.lock().unwrap().join("\n");
        assert!(
            seen_elsewhere.contains("/elsewhere"),
            "{label}: {seen_elsewhere}"
        );
        assert!(
            !seen_elsewhere.contains(secret),
            "{label}: {seen_elsewhere}"
        );
        // The channel's own server gets it.
        fetch(&host, call_net, &format!("http://{}/own", own.addr))
            .await
            .unwrap();
        let seen_own = own.heads.lock().unwrap().join("\n");
        assert!(seen_own.contains(secret), "{label}: {seen_own}");
    }
    // Without an origin, nothing carries the credentials.
    let call_net = net(
        &[],
        &[&own.addr],
        Some(Injection::bearer("never-sent-0123456789")),
    );
    fetch(&host, call_net, &format!("http://{}/none", own.addr))
        .await
        .unwrap();
    let seen_own = own.heads.lock().unwrap().join("\n");
    assert!(!seen_own.contains("never-sent"), "{seen_own}");
}

#[tokio::test]
async fn a_listed_local_peer_still_needs_its_host_approved() {
    let host = host(HttpCaps::default());
    let echo = peer(Answer::Echo).await;
    let url = format!("http://{}/", echo.addr);
    // Listed in plugin_local_peers, but no administrator approved 127.0.0.1 for this plugin.
    let unapproved = CallNet {
        plugin: "hostile".to_owned(),
        policy: EgressPolicy::new(vec!["api.example.org".to_owned()], vec![echo.addr.clone()]),
        credentials: None,
        credential_origin: None,
    };
    let refused = fetch(&host, unapproved, &url).await;
    let message = refused.expect_err("an unapproved local peer is refused");
    assert!(
        message.contains("`127.0.0.1` is not among the hosts"),
        "{message}"
    );
    assert!(echo.heads.lock().unwrap().is_empty(), "nothing reached it");
    // Approved, it is reached over plain http.
    let reached = fetch(&host, net(&[], &[&echo.addr], None), &url).await;
    assert!(reached.is_ok_and(|r| r.remote_id == "200"));
}
