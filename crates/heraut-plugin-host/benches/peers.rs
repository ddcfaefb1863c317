//! Publishing through a real connector against its real local peer, against the same requests
//! sent directly (`cargo bench -p heraut-plugin-host --bench peers`; needs the peers of
//! `tests/peers/setup.sh` and `HERAUT_TEST_PEERS`). For Mastodon (mastodon-mock) and Telegram
//! (telegram-test-api): the plugin path is a fresh instance per publish, the gate, credential
//! injection and the plugin's own JSON; the direct path is one reqwest client posting the same
//! body. Both run in the same process against the same peer, 8 requests at a time. Results go
//! to `docs/benchmarks.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use heraut_plugin_host::egress::EgressPolicy;
use heraut_plugin_host::manifest::Manifest;
use heraut_plugin_host::{
    AccountRef, CallInput, CallNet, Limits, LoadedPlugin, OutgoingPost, PluginHost, Setting,
};
use heraut_testkit::peers::Peer;

const CALLS: usize = 400;
const AT_ONCE: usize = 8;

/// A direct request for an idempotency key: URL, headers, body.
type Direct = dyn Fn(&str) -> (String, Vec<(String, String)>, String) + Send + Sync;

struct Case {
    name: &'static str,
    plugin: LoadedPlugin,
    net: CallNet,
    account: AccountRef,
    /// The same request, sent directly: URL, headers and body for a given key.
    direct: Arc<Direct>,
}

fn manifest(name: &str) -> Manifest {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../plugins/connectors/{name}/plugin.toml"));
    Manifest::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn setting(key: &str, value: &str) -> Setting {
    Setting {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

async fn through_plugin(host: &Arc<PluginHost>, case: &Arc<Case>) -> f64 {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..AT_ONCE {
        let (host, case) = (host.clone(), case.clone());
        tasks.spawn(async move {
            for i in (worker..CALLS).step_by(AT_ONCE) {
                let post = OutgoingPost {
                    idempotency_key: format!("bench-plugin-{}-{i}", case.name),
                    body: format!("Benchmark post {i} through the plugin"),
                    media: vec![],
                    options: heraut_plugin_host::no_options(),
                };
                let input = CallInput {
                    net: Some(case.net.clone()),
                    ..CallInput::default()
                };
                let (out, _) = host
                    .publish(&case.plugin, input, case.account.clone(), post)
                    .await
                    .unwrap();
                out.unwrap();
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    CALLS as f64 / started.elapsed().as_secs_f64()
}

async fn direct(case: &Arc<Case>) -> f64 {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..AT_ONCE {
        let (client, case) = (client.clone(), case.clone());
        tasks.spawn(async move {
            for i in (worker..CALLS).step_by(AT_ONCE) {
                let (url, headers, body) =
                    (case.direct)(&format!("bench-direct-{}-{i}", case.name));
                let mut request = client.post(url).body(body);
                for (k, v) in headers {
                    request = request.header(k, v);
                }
                let answer = request.send().await.unwrap();
                assert!(answer.status().is_success(), "{}", answer.status());
                answer.bytes().await.unwrap();
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    CALLS as f64 / started.elapsed().as_secs_f64()
}

/// Pages of a channel's activity read through the Mastodon connector (`fetch-activity`: the
/// account, notifications and conversations), per second.
async fn reads_through_plugin(host: &Arc<PluginHost>, case: &Arc<Case>) -> f64 {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..AT_ONCE {
        let (host, case) = (host.clone(), case.clone());
        tasks.spawn(async move {
            for _ in (worker..CALLS).step_by(AT_ONCE) {
                let input = CallInput {
                    net: Some(case.net.clone()),
                    ..CallInput::default()
                };
                let (out, _) = host
                    .fetch_activity(&case.plugin, input, case.account.clone(), None)
                    .await
                    .unwrap();
                assert!(!out.unwrap().items.is_empty());
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    CALLS as f64 / started.elapsed().as_secs_f64()
}

/// The same three GETs sent directly, per second.
async fn reads_direct(base: &str) -> f64 {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..AT_ONCE {
        let (client, base) = (client.clone(), base.to_owned());
        tasks.spawn(async move {
            for _ in (worker..CALLS).step_by(AT_ONCE) {
                for path in [
                    "/api/v1/accounts/verify_credentials",
                    "/api/v1/notifications?types[]=mention&types[]=quote&limit=40",
                    "/api/v1/conversations?limit=40",
                ] {
                    let answer = client
                        .get(format!("{base}{path}"))
                        .bearer_auth("ada_token")
                        .send()
                        .await
                        .unwrap();
                    assert!(answer.status().is_success(), "{}", answer.status());
                    answer.bytes().await.unwrap();
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    CALLS as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let wait = Duration::from_secs(90);
    let Some(mastodon) = Peer::start("mastodon-mock", heraut_testkit::free_port(), &[], wait)
    else {
        return;
    };
    let Some(telegram) = Peer::start("telegram-test-api", heraut_testkit::free_port(), &[], wait)
    else {
        return;
    };
    let host = Arc::new(PluginHost::new(Limits::default()).unwrap());
    let peers = vec![mastodon.authority(), telegram.authority()];
    let net = |name: &str, secret: &str| CallNet {
        plugin: name.to_owned(),
        policy: EgressPolicy::new(vec!["127.0.0.1".to_owned()], peers.clone()),
        credentials: heraut_plugin_host::outbound::injection(&manifest(name).auth, |_| {
            Some(secret.to_owned())
        }),
        credential_origin: Some(match name {
            "mastodon" => mastodon.url(),
            _ => telegram.url(),
        }),
    };
    let m_url = mastodon.url();
    let t_url = telegram.url();
    let cases = vec![
        Arc::new(Case {
            name: "mastodon",
            plugin: host
                .load_connector(&heraut_testkit::plugin_component(
                    "heraut_connector_mastodon",
                ))
                .unwrap(),
            net: net("mastodon", "ada_token"),
            account: AccountRef {
                channel_id: "bench".to_owned(),
                settings: vec![setting("instance_url", &m_url)],
            },
            direct: Arc::new(move |key: &str| {
                (
                    format!("{m_url}/api/v1/statuses"),
                    vec![
                        ("authorization".into(), "Bearer ada_token".into()),
                        ("idempotency-key".into(), key.to_owned()),
                        ("content-type".into(), "application/json".into()),
                    ],
                    format!("{{\"status\":\"Benchmark post {key} sent directly\"}}"),
                )
            }),
        }),
        Arc::new(Case {
            name: "telegram",
            plugin: host
                .load_connector(&heraut_testkit::plugin_component(
                    "heraut_connector_telegram",
                ))
                .unwrap(),
            net: net("telegram", "1:bench"),
            account: AccountRef {
                channel_id: "bench".to_owned(),
                settings: vec![setting("chat_id", "1001"), setting("api_url", &t_url)],
            },
            direct: Arc::new(move |key: &str| {
                (
                    format!("{t_url}/bot1:bench/sendMessage"),
                    vec![("content-type".into(), "application/json".into())],
                    format!("{{\"chat_id\":1001,\"text\":\"Benchmark post {key} sent directly\"}}"),
                )
            }),
        }),
    ];
    println!("{CALLS} publishes per path, {AT_ONCE} at a time");
    for case in &cases {
        // Warm up both paths (connections, the peer's first requests).
        direct(case).await;
        let plugin = through_plugin(&host, case).await;
        let plain = direct(case).await;
        println!(
            "{}: through the plugin {plugin:.0}/s, direct {plain:.0}/s, ratio {:.2}",
            case.name,
            plugin / plain
        );
    }

    // Reading: 40 mentions waiting, the newest page read again and again.
    let client = reqwest::Client::new();
    for i in 0..40 {
        let r = client
            .post(format!("{}/api/v1/statuses", mastodon.url()))
            .bearer_auth("grace_token")
            .json(&serde_json::json!({"status": format!("@ada benchmark question {i}")}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let reader = &cases[0];
    reads_direct(&mastodon.url()).await;
    let plugin = reads_through_plugin(&host, reader).await;
    let plain = reads_direct(&mastodon.url()).await;
    println!(
        "mastodon reading (a page of 40 mentions): through the plugin {plugin:.0}/s, direct {plain:.0}/s, ratio {:.2}",
        plugin / plain
    );
}
