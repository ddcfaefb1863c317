//! The connectors that ship with Heraut, end to end from the HTTP API to real peers started
//! here: mastodon-mock, the reference Bluesky PDS, telegram-test-api, a webhook receiver
//! written from the webhook README, and the Atom feed read back and checked against RFC 4287.

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use heraut_testkit::peers::Peer;
use heraut_testkit::{TestDb, free_port};
use serde_json::{Value, json};

use super::super::{Api, assert_problem, bootstrap_admin};
use super::{
    member, open_tenant, post_path, quick, set_enabled, set_policy, start_with, upload, wait_status,
};

/// A real 1×1 PNG.
pub(crate) fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
        .unwrap()
}

/// `quick` with the shipped connectors installed when the server starts, as on a new machine.
pub(super) fn shipped(peers: &str) -> Vec<(&'static str, String)> {
    let mut env = quick(peers);
    env.push(("HERAUT_SHIPPED_PLUGINS", "true".to_owned()));
    env
}

/// Makes the connector in `plugins/connectors/<name>` usable: the one the server installed and
/// enabled on its first start (see `shipped`); when `plugins/dist` was not built (`cargo
/// nextest` without `cargo xtask`), one installed and enabled through the API. Either way the
/// administrator approves the test peers' hosts, as for any instance a channel names.
pub(super) async fn install(api: &Api, admin: &str, name: &str) {
    let listed = api.get("/api/v1/plugins", admin).await;
    let shipped = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == name && p["enabled"] == true)
        .cloned();
    if shipped.is_none() {
        install_built(api, admin, name).await;
    }
    let listed = api.get("/api/v1/plugins", admin).await;
    let plugin = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == name)
        .cloned()
        .unwrap();
    let mut hosts: Vec<Value> = plugin["approved_hosts"].as_array().unwrap().clone();
    hosts.extend([json!("127.0.0.1"), json!("localhost")]);
    let r = api
        .call(
            "PATCH",
            &format!("/api/v1/plugins/{name}"),
            Some(admin),
            Some(json!({ "approved_hosts": hosts })),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn install_built(api: &Api, admin: &str, name: &str) {
    assert!(
        std::env::var_os("HERAUT_TEST_PLUGINS_BUILT").is_none(),
        "the shipped {name} connector is not installed and enabled"
    );
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../plugins/connectors/{name}/plugin.toml")),
    )
    .unwrap();
    let wasm = heraut_testkit::plugin_component(&format!("heraut_connector_{name}"));
    super::upload_plugin(api, admin, &wasm, &manifest).await;
    set_enabled(api, admin, name, true).await;
}

pub(super) async fn new_channel(api: &Api, owner: &str, body: Value) -> Value {
    let r = api
        .post("/api/v1/tenants/town/channels", Some(owner), body)
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

/// Creates and submits a post (the tenant has no approval steps); gives its id.
async fn submit(api: &Api, owner: &str, body: Value) -> String {
    let r = api
        .post("/api/v1/tenants/town/posts", Some(owner), body)
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = api
        .post(&post_path("town", &id, "submit"), Some(owner), json!({}))
        .await;
    assert_eq!(r.body["status"], "approved", "{:?}", r.body);
    id
}

/// Submits a post and waits until it is out.
async fn publish(api: &Api, owner: &str, body: Value) -> Value {
    let id = submit(api, owner, body).await;
    wait_status(api, owner, "town", &id, "published").await
}

async fn channel_status(api: &Api, owner: &str, id: &str) -> Value {
    let r = api.get("/api/v1/tenants/town/channels", owner).await;
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap()
}

/// Waits until the channel has `status`.
async fn wait_channel(api: &Api, owner: &str, id: &str, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while channel_status(api, owner, id).await["status"] != status {
        assert!(
            Instant::now() < deadline,
            "channel {id} never became {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Asks for a published target to be removed from its network.
async fn remove(api: &Api, owner: &str, post: &str, target: &str) -> super::super::Resp {
    api.call(
        "DELETE",
        &format!("/api/v1/tenants/town/posts/{post}/targets/{target}"),
        Some(owner),
        None,
    )
    .await
}

/// The target of `post` on `channel`.
fn target<'a>(post: &'a Value, channel: &str) -> &'a Value {
    post["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["channel_id"] == channel)
        .unwrap_or_else(|| panic!("no target on {channel}: {post:?}"))
}

pub(super) struct Mastodon {
    pub(super) peer: Peer,
    pub(super) http: reqwest::Client,
}

impl Mastodon {
    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.peer.url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn fault(&self, rule: Value) {
        let r = self
            .http
            .post(format!("{}/api/v1/_mock/faults", self.peer.url()))
            .json(&rule)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }

    /// The statuses of the token's account whose text contains `text`.
    pub(super) async fn statuses_with(&self, token: &str, text: &str) -> Vec<Value> {
        let (_, me) = self.get("/api/v1/accounts/verify_credentials", token).await;
        let id = me["id"].as_str().unwrap().to_owned();
        let (_, list) = self
            .get(&format!("/api/v1/accounts/{id}/statuses?limit=40"), token)
            .await;
        list.as_array()
            .unwrap()
            .iter()
            .filter(|s| s["content"].as_str().unwrap_or("").contains(text))
            .cloned()
            .collect()
    }
}

#[tokio::test]
async fn mastodon_channels_connect_publish_threads_delete_and_survive_faults() {
    let Some(peer) = Peer::start("mastodon-mock", free_port(), &[], Duration::from_secs(90)) else {
        return;
    };
    let mastodon = Mastodon {
        peer,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    };
    let base = mastodon.peer.url();
    let db = TestDb::sqlite();
    let mut env = shipped(&mastodon.peer.authority());
    env.push(("HERAUT_PUBLIC_URL", "http://heraut.test".to_owned()));
    let server = start_with(&db, &env).await;
    let api = Api::new(&server);
    let (admin, _) = bootstrap_admin(&server, &api).await;
    install(&api, &admin, "mastodon").await;
    open_tenant(&api, &admin, "town").await;
    let owner = member(&api, &admin, "town", "o@town.example", "owner").await;
    set_policy(&api, &owner, "town", json!([])).await;

    // Connected with a token; credentials without the key the connector reads are refused.
    let r = api
        .post(
            "/api/v1/tenants/town/channels",
            Some(&owner),
            json!({"plugin": "mastodon", "name": "Ada", "settings": {"instance_url": base},
                   "credentials": {"token": "ada_token"}}),
        )
        .await;
    assert_problem(&r, 422, "channel.invalid");
    assert!(r.body["detail"].as_str().unwrap().contains("access_token"));
    let ada = new_channel(
        &api,
        &owner,
        json!({"plugin": "mastodon", "name": "Ada", "settings": {"instance_url": base},
               "credentials": {"access_token": "ada_token"}}),
    )
    .await;
    assert_eq!(ada["status"], "active");
    let ada = ada["id"].as_str().unwrap().to_owned();

    // Connected through OAuth with PKCE: the channel waits for its authorisation first.
    let grace = new_channel(
        &api,
        &owner,
        json!({"plugin": "mastodon", "name": "Grace", "settings": {"instance_url": base}}),
    )
    .await;
    assert_eq!(grace["status"], "needs_reconnect");
    let grace = grace["id"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &format!("/api/v1/tenants/town/channels/{grace}/oauth/start"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let authorize = reqwest::Url::parse(r.body["authorize_url"].as_str().unwrap()).unwrap();
    assert!(
        authorize
            .as_str()
            .starts_with(&format!("{base}/oauth/authorize?"))
    );
    let q: std::collections::HashMap<String, String> =
        authorize.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert_eq!(
        q["redirect_uri"],
        "http://heraut.test/api/v1/oauth/callback"
    );
    // The person picks the account on the network's page; the network sends them back.
    let r = mastodon
        .http
        .post(format!("{base}/oauth/authorize"))
        .form(&[
            ("username", "grace"),
            ("client_id", q["client_id"].as_str()),
            ("redirect_uri", q["redirect_uri"].as_str()),
            ("scope", q["scope"].as_str()),
            ("state", q["state"].as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let back = reqwest::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(back.path(), "/api/v1/oauth/callback");
    let callback = format!("/api/v1/oauth/callback?{}", back.query().unwrap());
    let r = api.http.get(server.url(&callback)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("is connected"));
    let c = channel_status(&api, &owner, &grace).await;
    assert_eq!(
        (c["status"].as_str(), c["has_credentials"].as_bool()),
        (Some("active"), Some(true))
    );
    // The state is single-use, and an unknown one is refused.
    let r = api.call("GET", &callback, None, None).await;
    assert_problem(&r, 404, "channel.oauth_state_unknown");
    let r = api
        .call(
            "GET",
            "/api/v1/oauth/callback?state=forged&code=mockcode_ada",
            None,
            None,
        )
        .await;
    assert_problem(&r, 404, "channel.oauth_state_unknown");

    // An image with alt text on both channels, once each.
    let (s, image) = upload(
        &api,
        &owner,
        "town",
        &[
            ("file", Some("works.png"), &png()),
            ("alt_text", None, b"Road works sign on Main Street"),
        ],
    )
    .await;
    assert_eq!(s, 201, "{image:?}");
    let first = publish(
        &api,
        &owner,
        json!({"body": "Road works on Main Street from Monday https://example.org/works",
               "channels": [ada, grace], "media": [image["id"]]}),
    )
    .await;
    for (chan, token) in [(&ada, "ada_token"), (&grace, "")] {
        let t = target(&first, chan);
        assert!(
            t["remote_url"].as_str().unwrap().starts_with("http"),
            "{t:?}"
        );
        if !token.is_empty() {
            let (s, status) = mastodon
                .get(
                    &format!("/api/v1/statuses/{}", t["remote_id"].as_str().unwrap()),
                    token,
                )
                .await;
            assert_eq!(s, 200, "{status:?}");
            assert!(status["content"].as_str().unwrap().contains("Road works"));
            assert_eq!(
                status["media_attachments"][0]["description"],
                "Road works sign on Main Street"
            );
        }
    }
    assert_eq!(
        mastodon
            .statuses_with("ada_token", "Road works on Main")
            .await
            .len(),
        1
    );

    // A thread: the reply answers what the first post published on the same channel.
    let first_id = first["id"].as_str().unwrap();
    let r = api
        .post(
            "/api/v1/tenants/town/posts",
            Some(&owner),
            json!({"body": "Not on this channel", "channels": [ada], "reply_to": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_problem(&r, 422, "post.invalid");
    let reply = publish(
        &api,
        &owner,
        json!({"body": "Update: the works end on Friday", "channels": [ada], "reply_to": first_id}),
    )
    .await;
    assert_eq!(reply["reply_to"], first_id);
    let reply_target = target(&reply, &ada);
    let (_, status) = mastodon
        .get(
            &format!(
                "/api/v1/statuses/{}",
                reply_target["remote_id"].as_str().unwrap()
            ),
            "ada_token",
        )
        .await;
    assert_eq!(status["in_reply_to_id"], target(&first, &ada)["remote_id"]);

    // Removed from the network at a person's request; the record stays, marked deleted.
    let r = remove(
        &api,
        &owner,
        reply["id"].as_str().unwrap(),
        reply_target["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(target(&r.body, &ada)["status"], "deleted");
    let (s, _) = mastodon
        .get(
            &format!(
                "/api/v1/statuses/{}",
                reply_target["remote_id"].as_str().unwrap()
            ),
            "ada_token",
        )
        .await;
    assert_eq!(s, 404);

    // Faults on the network: every time exactly one status at the end.
    for (label, effect) in [
        (
            "rate limited",
            json!({"type": "ratelimit", "status": 429, "headers": {"Retry-After": "1"}}),
        ),
        ("server error", json!({"type": "status", "status": 503})),
        // The answer comes after the publisher gave up waiting (2 s): the outcome is unknown,
        // and the retry carries the same Idempotency-Key.
        ("late answer", json!({"type": "latency", "delay_ms": 3500})),
    ] {
        mastodon
            .fault(
                json!({"match": {"methods": ["POST"], "path": "/api/v1/statuses"},
                          "effect": effect, "count": 1}),
            )
            .await;
        let text = format!("Fault test: {label}");
        let p = publish(&api, &owner, json!({"body": text, "channels": [ada]})).await;
        assert_eq!(target(&p, &ada)["status"], "published");
        tokio::time::sleep(Duration::from_millis(4000)).await;
        assert_eq!(
            mastodon.statuses_with("ada_token", &text).await.len(),
            1,
            "{label}: not exactly one status"
        );
    }

    // Listening: the 0.2 connector reads what people say to the channel into its inbound
    // items, once each, through a rate limit; a 0.1 component publishes beside it.
    let sync = |channel: String| {
        let (api, owner) = (&api, &owner);
        async move {
            let r = api
                .post(
                    &format!("/api/v1/tenants/town/channels/{channel}/sync"),
                    Some(owner),
                    json!({}),
                )
                .await;
            assert_eq!(r.status, 202, "{:?}", r.body);
        }
    };
    let synced = |after: Value| {
        let (api, owner, ada) = (&api, &owner, ada.clone());
        async move {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let c = channel_status(api, owner, &ada).await;
                if c["synced_at"] != after && !c["synced_at"].is_null() {
                    return c["synced_at"].clone();
                }
                assert!(Instant::now() < deadline, "the channel was not read: {c:?}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    sync(ada.clone()).await;
    let at = synced(Value::Null).await;
    let before = super::inbound_count(&db, &server, "town").await;
    let grace_says = |text: &'static str| {
        let (http, base) = (&mastodon.http, &base);
        async move {
            let r = http
                .post(format!("{base}/api/v1/statuses"))
                .bearer_auth("grace_token")
                .json(&json!({ "status": text }))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        }
    };
    grace_says("@ada Wanneer gaat de brug weer open?").await;
    grace_says("@ada Dank voor de omleidingskaart").await;
    sync(ada.clone()).await;
    assert_eq!(
        super::wait_inbound(&db, &server, "town", before + 2).await,
        before + 2
    );
    let at = synced(at).await;
    mastodon
        .fault(json!({"match": {"path": "/api/v1/notifications"},
                      "effect": {"type": "ratelimit", "status": 429, "headers": {"Retry-After": "1"}},
                      "count": 1}))
        .await;
    grace_says("@ada Is het fietspad ook dicht?").await;
    sync(ada.clone()).await;
    assert_eq!(
        super::wait_inbound(&db, &server, "town", before + 3).await,
        before + 3
    );
    synced(at).await;
    sync(ada.clone()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(super::inbound_count(&db, &server, "town").await, before + 3);

    let echo = super::upload_plugin(
        &api,
        &admin,
        &heraut_testkit::plugin_guest("echo"),
        "id = \"echo\"\nname = \"Echo\"\nversion = \"0.1.0\"\nworld = \"connector\"\napi_version = \"0.1.0\"\n",
    )
    .await;
    assert_eq!(echo["api_version"], "0.1.0", "{echo:?}");
    super::set_enabled(&api, &admin, "echo", true).await;
    let listed = api.get("/api/v1/plugins", &admin).await;
    let can = |id: &str| {
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .map(|p| (p["api_version"].clone(), p["capabilities"].clone()))
            .unwrap()
    };
    assert_eq!(can("echo"), (json!("0.1.0"), json!(["publishing"])));
    assert_eq!(
        can("mastodon"),
        (
            json!("0.2.0"),
            json!(["publishing", "inbound", "replying", "metrics", "searching"])
        )
    );
    let echo = new_channel(
        &api,
        &owner,
        json!({"plugin": "echo", "name": "Echo", "settings": {}}),
    )
    .await;
    let echo = echo["id"].as_str().unwrap().to_owned();
    let both = publish(
        &api,
        &owner,
        json!({"body": "Beide versies", "channels": [ada, echo]}),
    )
    .await;
    assert_eq!(target(&both, &ada)["status"], "published", "{both:?}");
    assert_eq!(target(&both, &echo)["status"], "published", "{both:?}");

    // Network options: a channel that cannot carry them says so, per channel and field; the
    // Mastodon channel publishes the poll, the content warning and every part, and a
    // retraction withdraws every part.
    let options = json!({"body": "Gaat u de nieuwe brug gebruiken?", "channels": [ada, echo],
        "poll": {"options": ["Ja", "Nee", "Weet ik nog niet"], "expires_in_seconds": 86400},
        "content_warning": "Verkeer",
        "thread": ["De brug gaat op 1 mei open.", "Vragen? Antwoord op dit bericht."]});
    let r = api
        .post("/api/v1/tenants/town/posts", Some(&owner), options.clone())
        .await;
    assert_problem(&r, 422, "post.invalid");
    let problems = r.body["errors"].as_array().unwrap();
    for field in ["poll", "content_warning", "thread"] {
        assert!(
            problems
                .iter()
                .any(|p| p["field"] == field && p["channel_id"] == echo.as_str()),
            "{field}: {problems:?}"
        );
    }
    assert!(
        problems.iter().all(|p| p["channel_id"] != ada.as_str()),
        "{problems:?}"
    );
    let mut only_ada = options.clone();
    only_ada["channels"] = json!([ada]);
    let polled = publish(&api, &owner, only_ada).await;
    assert_eq!(polled["poll"]["options"][2], "Weet ik nog niet");
    assert_eq!(polled["content_warning"], "Verkeer");
    let t = target(&polled, &ada);
    let parts = t["thread_parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2, "{t:?}");
    let (_, status) = mastodon
        .get(
            &format!("/api/v1/statuses/{}", t["remote_id"].as_str().unwrap()),
            "ada_token",
        )
        .await;
    assert_eq!(status["spoiler_text"], "Verkeer");
    assert_eq!(status["poll"]["options"].as_array().unwrap().len(), 3);
    let (_, last) = mastodon
        .get(
            &format!(
                "/api/v1/statuses/{}",
                parts[1]["remote_id"].as_str().unwrap()
            ),
            "ada_token",
        )
        .await;
    assert_eq!(last["in_reply_to_id"], parts[0]["remote_id"]);
    let id = polled["id"].as_str().unwrap();
    let r = api
        .post(
            &post_path("town", id, "retract"),
            Some(&owner),
            json!({"reason": "De datum is verschoven"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    for remote in [
        t["remote_id"].clone(),
        parts[0]["remote_id"].clone(),
        parts[1]["remote_id"].clone(),
    ] {
        let (s, _) = mastodon
            .get(
                &format!("/api/v1/statuses/{}", remote.as_str().unwrap()),
                "ada_token",
            )
            .await;
        assert_eq!(s, 404, "{remote} is still on Mastodon");
    }

    // Revoked token: the channel needs reconnecting, its owner is told, the post waits.
    let r = mastodon
        .http
        .post(format!("{base}/oauth/revoke"))
        .form(&[("token", "ada_token")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let waiting = submit(
        &api,
        &owner,
        json!({"body": "Waits for the reconnect", "channels": [ada]}),
    )
    .await;
    wait_channel(&api, &owner, &ada, "needs_reconnect").await;
    let r = api.get("/api/v1/tenants/town/notifications", &owner).await;
    assert!(
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "channel.needs_reconnect"
                && n["message"].as_str().unwrap().contains("Ada")),
        "{:?}",
        r.body
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = api.get(&post_path("town", &waiting, ""), &owner).await;
    assert_ne!(target(&r.body, &ada)["status"], "failed", "{:?}", r.body);
    assert_ne!(target(&r.body, &ada)["status"], "published", "{:?}", r.body);
    // Reconnected with a new token: the post goes out.
    let r = mastodon
        .http
        .post(format!("{base}/api/v1/_mock/login"))
        .json(&json!({"username": "ada"}))
        .send()
        .await
        .unwrap();
    let token: Value = r.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let r = api
        .call(
            "PUT",
            &format!("/api/v1/tenants/town/channels/{ada}/credentials"),
            Some(&owner),
            Some(json!({"credentials": {"access_token": token}})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "active");
    wait_status(&api, &owner, "town", &waiting, "published").await;
    assert_eq!(
        mastodon
            .statuses_with(&token, "Waits for the reconnect")
            .await
            .len(),
        1
    );
    drop(server);
}

#[tokio::test]
async fn webhook_deliveries_are_signed_retried_and_the_feed_shows_published_posts() {
    let secret = "a webhook secret of the agency";
    let port = free_port();
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/webhook/receiver.py"))
        .args([
            "--port",
            &port.to_string(),
            "--secret",
            secret,
            "--fail-first",
            "1",
        ]);
    let receiver = Peer::spawn("webhook receiver", cmd, port, Duration::from_secs(20));
    let db = TestDb::sqlite();
    let mut env = shipped(&receiver.authority());
    env.push(("HERAUT_PUBLIC_URL", "http://heraut.test".to_owned()));
    let server = start_with(&db, &env).await;
    let api = Api::new(&server);
    let (admin, _) = bootstrap_admin(&server, &api).await;
    install(&api, &admin, "webhook").await;
    open_tenant(&api, &admin, "town").await;
    let owner = member(&api, &admin, "town", "o@town.example", "owner").await;
    set_policy(&api, &owner, "town", json!([])).await;
    let hook = new_channel(
        &api,
        &owner,
        json!({"plugin": "webhook", "name": "Website", "settings": {"url": format!("{}/hook", receiver.url())},
               "credentials": {"secret": secret}}),
    )
    .await;
    let hook = hook["id"].as_str().unwrap().to_owned();
    let feed = new_channel(
        &api,
        &owner,
        json!({"plugin": "feed", "name": "Town news", "settings": {"title": "News from the town hall & more"}}),
    )
    .await;
    let feed = feed["id"].as_str().unwrap().to_owned();

    // The first delivery meets a 503 and is retried; the receiver verifies the signature.
    let p = publish(
        &api,
        &owner,
        json!({"body": "Water outage <Tuesday> in the old town", "channels": [hook, feed]}),
    )
    .await;
    let r = reqwest::get(receiver.url()).await.unwrap();
    let seen: Value = r.json().await.unwrap();
    assert_eq!(seen["rejected"], 0, "{seen:?}");
    let deliveries = seen["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{seen:?}");
    assert_eq!(deliveries[0]["payload"]["type"], "post.published");
    assert_eq!(
        deliveries[0]["payload"]["text"],
        "Water outage <Tuesday> in the old town"
    );
    assert_eq!(
        target(&p, &hook)["remote_id"],
        deliveries[0]["receipt"]["id"]
    );

    // A second post, then the feed: valid Atom with both entries, newest first.
    publish(
        &api,
        &owner,
        json!({"body": "Market moves to the square", "channels": [feed]}),
    )
    .await;
    let r = api
        .http
        .get(server.url(&format!("/feeds/{feed}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let xml = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let root = doc.root_element();
    let atom = "http://www.w3.org/2005/Atom";
    assert_eq!(root.tag_name().namespace(), Some(atom));
    assert_eq!(root.tag_name().name(), "feed");
    let child = |n: roxmltree::Node<'_, '_>, name: &str| {
        n.children()
            .filter(|c| c.is_element() && c.tag_name().name() == name)
            .count()
    };
    // RFC 4287 4.1.1: exactly one id, title and updated; an author; a self link.
    for name in ["id", "title", "updated", "author"] {
        assert_eq!(child(root, name), 1, "feed/{name}: {xml}");
    }
    assert!(xml.contains("News from the town hall &amp; more"));
    let entries: Vec<_> = root
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 2, "{xml}");
    for e in &entries {
        for name in ["id", "title", "updated", "content"] {
            assert_eq!(child(*e, name), 1, "entry/{name}: {xml}");
        }
        let updated = e
            .children()
            .find(|c| c.tag_name().name() == "updated")
            .and_then(|c| c.text())
            .unwrap();
        chrono::DateTime::parse_from_rfc3339(updated).unwrap();
    }
    let first_content = entries[1]
        .children()
        .find(|c| c.tag_name().name() == "content")
        .and_then(|c| c.text())
        .unwrap();
    assert_eq!(first_content, "Water outage <Tuesday> in the old town");
    // Not a feed channel, or no channel at all: 404.
    for id in [hook.as_str(), "not-a-channel"] {
        let r = api.call("GET", &format!("/feeds/{id}"), None, None).await;
        assert_problem(&r, 404, "channel.not_found");
    }
    drop(server);
}

/// The reference PDS with an account `town.test` and an app password for it.
pub(super) struct Pds {
    pub(super) peer: Peer,
    http: reqwest::Client,
    _data: tempdir::Dir,
    access: String,
    pub(super) app_password: String,
}

mod tempdir {
    /// A folder removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Pds {
    pub(super) async fn start() -> Option<Self> {
        let (pds_port, plc_port) = (free_port(), free_port());
        let data = tempdir::Dir(std::env::temp_dir().join(heraut_testkit::unique_name("pds")));
        std::fs::create_dir_all(&data.0).unwrap();
        let mut cmd = Peer::launcher("bluesky-pds")?;
        cmd.args([
            "--pds-port",
            &pds_port.to_string(),
            "--plc-port",
            &plc_port.to_string(),
        ])
        .arg("--data")
        .arg(&data.0);
        let peer = Peer::spawn("bluesky-pds", cmd, pds_port, Duration::from_secs(120));
        let http = reqwest::Client::new();
        let mut pds = Self {
            peer,
            http,
            _data: data,
            access: String::new(),
            app_password: String::new(),
        };
        let (s, account) = pds
            .xrpc_post(
                "com.atproto.server.createAccount",
                json!({"handle": "town.test", "email": "web@town.example",
                       "password": "a long account password"}),
            )
            .await;
        assert_eq!(s, 200, "{account:?}");
        pds.access = account["accessJwt"].as_str().unwrap().to_owned();
        let (s, app) = pds
            .xrpc_post(
                "com.atproto.server.createAppPassword",
                json!({"name": "heraut"}),
            )
            .await;
        assert_eq!(s, 200, "{app:?}");
        pds.app_password = app["password"].as_str().unwrap().to_owned();
        Some(pds)
    }

    /// `http://localhost:<port>`: the PDS's own name for itself.
    pub(super) fn url(&self) -> String {
        format!("http://localhost:{}", self.peer.port)
    }

    async fn xrpc_post(&self, method: &str, body: Value) -> (u16, Value) {
        let mut request = self.http.post(format!("{}/xrpc/{method}", self.url()));
        if !self.access.is_empty() {
            request = request.bearer_auth(&self.access);
        }
        let r = request.json(&body).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn xrpc_get(&self, method: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}/xrpc/{method}", self.url()))
            .query(query)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// The record an at-uri names.
    async fn record(&self, uri: &str) -> (u16, Value) {
        let rkey = uri.rsplit('/').next().unwrap();
        self.xrpc_get(
            "com.atproto.repo.getRecord",
            &[
                ("repo", "town.test"),
                ("collection", "app.bsky.feed.post"),
                ("rkey", rkey),
            ],
        )
        .await
    }

    pub(super) async fn posts(&self) -> Vec<Value> {
        let (_, list) = self
            .xrpc_get(
                "com.atproto.repo.listRecords",
                &[
                    ("repo", "town.test"),
                    ("collection", "app.bsky.feed.post"),
                    ("limit", "100"),
                ],
            )
            .await;
        list["records"].as_array().cloned().unwrap_or_default()
    }
}

/// The record key the Bluesky connector derives from an idempotency key (its README): a TID
/// from SHA-256 of a context string and the key.
fn bluesky_rkey(idempotency_key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("heraut/bluesky/rkey/v1\n{idempotency_key}").as_bytes());
    let hashed = u64::from_be_bytes(digest[..8].try_into().unwrap());
    let value = (hashed & ((1 << 60) - 1)) | (1 << 60);
    let alphabet = b"234567abcdefghijklmnopqrstuvwxyz";
    (0..13u32)
        .rev()
        .map(|i| char::from(alphabet[((value >> (i * 5)) & 31) as usize]))
        .collect()
}

#[tokio::test]
async fn bluesky_and_mastodon_get_one_post_each_with_facets_images_threads_and_read_back() {
    let Some(pds) = Pds::start().await else {
        return;
    };
    let Some(mastodon) = Peer::start("mastodon-mock", free_port(), &[], Duration::from_secs(90))
    else {
        return;
    };
    let db = TestDb::sqlite();
    let env = shipped(&format!(
        "localhost:{},{}",
        pds.peer.port,
        mastodon.authority()
    ));
    let server = start_with(&db, &env).await;
    let api = Api::new(&server);
    let (admin, _) = bootstrap_admin(&server, &api).await;
    install(&api, &admin, "bluesky").await;
    install(&api, &admin, "mastodon").await;
    open_tenant(&api, &admin, "town").await;
    let owner = member(&api, &admin, "town", "o@town.example", "owner").await;
    set_policy(&api, &owner, "town", json!([])).await;
    let sky = new_channel(
        &api,
        &owner,
        json!({"plugin": "bluesky", "name": "Town on Bluesky",
               "settings": {"pds_url": pds.url(), "handle": "town.test"},
               "credentials": {"app_password": pds.app_password}}),
    )
    .await;
    let sky = sky["id"].as_str().unwrap().to_owned();
    let masto = new_channel(
        &api,
        &owner,
        json!({"plugin": "mastodon", "name": "Town on Mastodon",
               "settings": {"instance_url": mastodon.url()},
               "credentials": {"access_token": "ada_token"}}),
    )
    .await;
    let masto = masto["id"].as_str().unwrap().to_owned();

    // Bluesky counts graphemes (300; a family emoji of seven code points is one): one more is
    // refused before it goes out.
    let family = "👨‍👩‍👧‍👦";
    let r = api
        .post(
            "/api/v1/tenants/town/posts",
            Some(&owner),
            json!({"body": format!("{family}{}", "🚲".repeat(300)), "channels": [sky]}),
        )
        .await;
    assert_problem(&r, 422, "post.invalid");
    let r = api
        .post(
            "/api/v1/tenants/town/posts",
            Some(&owner),
            json!({"body": format!("{family}{}", "🚲".repeat(299)), "channels": [sky]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);

    // One approved post reaches both networks once; on Bluesky with facets at the right bytes.
    let text = "Fietsroute 🚲 naar het café — zie https://example.org/route #verkeer @town.test 東京 مرحبا";
    let (s, image) = upload(
        &api,
        &owner,
        "town",
        &[
            ("file", Some("route.png"), &png()),
            ("alt_text", None, b"Map of the cycling route"),
        ],
    )
    .await;
    assert_eq!(s, 201, "{image:?}");
    let p = publish(
        &api,
        &owner,
        json!({"body": text, "channels": [sky, masto], "media": [image["id"]]}),
    )
    .await;
    let uri = target(&p, &sky)["remote_id"].as_str().unwrap().to_owned();
    assert!(uri.starts_with("at://did:plc:"), "{uri}");
    let (s, record) = pds.record(&uri).await;
    assert_eq!(s, 200, "{record:?}");
    let value = &record["value"];
    assert_eq!(value["text"], text);
    assert_eq!(
        value["embed"]["images"][0]["alt"],
        "Map of the cycling route"
    );
    let bytes = text.as_bytes();
    let mut seen = Vec::new();
    for facet in value["facets"].as_array().unwrap() {
        let start = facet["index"]["byteStart"].as_u64().unwrap() as usize;
        let end = facet["index"]["byteEnd"].as_u64().unwrap() as usize;
        let covered = std::str::from_utf8(&bytes[start..end]).unwrap().to_owned();
        let feature = &facet["features"][0];
        match feature["$type"].as_str().unwrap() {
            "app.bsky.richtext.facet#link" => {
                assert_eq!(covered, "https://example.org/route");
                assert_eq!(feature["uri"], "https://example.org/route");
            }
            "app.bsky.richtext.facet#tag" => {
                assert_eq!(covered, "#verkeer");
                assert_eq!(feature["tag"], "verkeer");
            }
            "app.bsky.richtext.facet#mention" => {
                assert_eq!(covered, "@town.test");
                assert!(feature["did"].as_str().unwrap().starts_with("did:plc:"));
            }
            other => panic!("unexpected facet {other}"),
        }
        seen.push(covered);
    }
    assert_eq!(seen.len(), 3, "{value:?}");
    let status_on_mastodon = async || {
        let id = target(&p, &masto)["remote_id"].as_str().unwrap().to_owned();
        reqwest::Client::new()
            .get(format!("{}/api/v1/statuses/{id}", mastodon.url()))
            .bearer_auth("ada_token")
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(status_on_mastodon().await, 200);
    let on_bluesky =
        |records: &[Value], t: &str| records.iter().filter(|r| r["value"]["text"] == t).count();
    assert_eq!(on_bluesky(&pds.posts().await, text), 1);

    // A thread: the reply names its parent and the root.
    let reply = publish(
        &api,
        &owner,
        json!({"body": "De route is nu open.", "channels": [sky], "reply_to": p["id"]}),
    )
    .await;
    let reply_uri = target(&reply, &sky)["remote_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, r) = pds.record(&reply_uri).await;
    assert_eq!(r["value"]["reply"]["parent"]["uri"], uri.as_str());
    assert_eq!(r["value"]["reply"]["root"]["uri"], uri.as_str());

    // A retry after an answer that was lost: the record with the key of this target already
    // exists (an earlier attempt made it); publishing reads it back and creates nothing.
    let r = api
        .post(
            "/api/v1/tenants/town/posts",
            Some(&owner),
            json!({"body": "Sent once, answer lost", "channels": [sky]}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let key = format!(
        "{}.1.{}",
        uuid::Uuid::parse_str(&id).unwrap().simple(),
        uuid::Uuid::parse_str(&sky).unwrap().simple()
    );
    let rkey = bluesky_rkey(&key);
    let (s, earlier) = pds
        .xrpc_post(
            "com.atproto.repo.createRecord",
            json!({"repo": "town.test", "collection": "app.bsky.feed.post", "rkey": rkey,
                   "record": {"$type": "app.bsky.feed.post", "text": "Sent once, answer lost",
                              "createdAt": chrono::Utc::now().to_rfc3339()}}),
        )
        .await;
    assert_eq!(s, 200, "{earlier:?}");
    api.post(&post_path("town", &id, "submit"), Some(&owner), json!({}))
        .await;
    let done = wait_status(&api, &owner, "town", &id, "published").await;
    assert_eq!(target(&done, &sky)["remote_id"], earlier["uri"]);
    assert_eq!(on_bluesky(&pds.posts().await, "Sent once, answer lost"), 1);

    // Removed from Bluesky on request.
    let r = remove(
        &api,
        &owner,
        reply["id"].as_str().unwrap(),
        target(&reply, &sky)["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let (s, gone) = pds.record(&reply_uri).await;
    assert_eq!((s, gone["error"].as_str()), (400, Some("RecordNotFound")));

    // A post that reached the networks is a record: it cannot be deleted, but it is retracted
    // from every network with a reason, which stays with it.
    let first = p["id"].as_str().unwrap();
    let r = api
        .call("DELETE", &post_path("town", first, ""), Some(&owner), None)
        .await;
    assert_problem(&r, 409, "post.is_record");
    let retract_path = post_path("town", first, "retract");
    let retract = |reason: &str| api.post(&retract_path, Some(&owner), json!({ "reason": reason }));
    assert_problem(&retract("  ").await, 422, "validation.failed");
    let r = retract("The route is closed after all").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["is_record"], true);
    assert_eq!(r.body["retract_reason"], "The route is closed after all");
    assert!(r.body["retracted_at"].is_string(), "{:?}", r.body);
    for channel in [&sky, &masto] {
        assert_eq!(target(&r.body, channel)["status"], "deleted");
    }
    let (s, gone) = pds.record(&uri).await;
    assert_eq!((s, gone["error"].as_str()), (400, Some("RecordNotFound")));
    assert_eq!(status_on_mastodon().await, 404);
    // Nothing of it is left on a network; the post itself stays readable.
    assert_problem(&retract("Again").await, 409, "post.wrong_state");
    let kept = api.get(&post_path("town", first, ""), &owner).await;
    assert_eq!(kept.body["body"], text);
    let audit = api
        .get("/api/v1/tenants/town/audit?limit=200", &owner)
        .await;
    let retractions: Vec<&Value> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "post.retract")
        .collect();
    assert_eq!(retractions.len(), 1, "{retractions:?}");
    assert_eq!(
        retractions[0]["details"]["reason"],
        "The route is closed after all"
    );

    // A revoked app password: after a restart (which forgets the open session) the network
    // refuses a new session; the channel needs reconnecting and the post waits for it.
    let (s, _) = pds
        .xrpc_post(
            "com.atproto.server.revokeAppPassword",
            json!({"name": "heraut"}),
        )
        .await;
    assert_eq!(s, 200);
    let mut server = server;
    server.restart().await.unwrap();
    let api = Api::new(&server);
    let owner = api
        .login("o@town.example", "o@town.example long passphrase")
        .await;
    let owner = owner.body["access_token"].as_str().unwrap().to_owned();
    let waiting = submit(
        &api,
        &owner,
        json!({"body": "Na het opnieuw verbinden", "channels": [sky]}),
    )
    .await;
    wait_channel(&api, &owner, &sky, "needs_reconnect").await;
    let (s, app) = pds
        .xrpc_post(
            "com.atproto.server.createAppPassword",
            json!({"name": "heraut-2"}),
        )
        .await;
    assert_eq!(s, 200, "{app:?}");
    let r = api
        .call(
            "PUT",
            &format!("/api/v1/tenants/town/channels/{sky}/credentials"),
            Some(&owner),
            Some(json!({"credentials": {"app_password": app["password"]}})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    wait_status(&api, &owner, "town", &waiting, "published").await;
    assert_eq!(
        on_bluesky(&pds.posts().await, "Na het opnieuw verbinden"),
        1
    );
    drop(mastodon);
}

#[tokio::test]
async fn telegram_messages_are_sent_and_deleted_through_the_bot_api() {
    let Some(telegram) = Peer::start(
        "telegram-test-api",
        free_port(),
        &[],
        Duration::from_secs(60),
    ) else {
        return;
    };
    let db = TestDb::sqlite();
    let server = start_with(&db, &shipped(&telegram.authority())).await;
    let api = Api::new(&server);
    let (admin, _) = bootstrap_admin(&server, &api).await;
    install(&api, &admin, "telegram").await;
    open_tenant(&api, &admin, "town").await;
    let owner = member(&api, &admin, "town", "o@town.example", "owner").await;
    set_policy(&api, &owner, "town", json!([])).await;
    let bot = "123456:heraut-test-bot";
    let chan = new_channel(
        &api,
        &owner,
        json!({"plugin": "telegram", "name": "Town channel",
               "settings": {"chat_id": "1001", "api_url": telegram.url()},
               "credentials": {"bot_token": bot}}),
    )
    .await;
    let chan = chan["id"].as_str().unwrap().to_owned();
    let r = api
        .post(
            "/api/v1/tenants/town/posts",
            Some(&owner),
            json!({"body": "x".repeat(4097), "channels": [chan]}),
        )
        .await;
    assert_problem(&r, 422, "post.invalid");
    let p = publish(
        &api,
        &owner,
        json!({"body": "Gemeentehuis gesloten op maandag", "channels": [chan]}),
    )
    .await;
    let history = || async {
        let r = reqwest::Client::new()
            .post(format!("{}/getUpdatesHistory", telegram.url()))
            .json(&json!({ "token": bot }))
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        v["result"].as_array().cloned().unwrap_or_default()
    };
    let sent = history().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        sent[0]["message"]["text"],
        "Gemeentehuis gesloten op maandag"
    );
    assert_eq!(
        sent[0]["message"]["chat_id"].to_string().trim_matches('"'),
        "1001"
    );
    let t = target(&p, &chan);
    assert!(
        t["remote_id"].as_str().unwrap().starts_with("1001:"),
        "{t:?}"
    );
    // The bot token went into the path, never to the plugin: the receipt does not carry it.
    assert!(!p.to_string().contains("heraut-test-bot"));
    let r = remove(
        &api,
        &owner,
        p["id"].as_str().unwrap(),
        t["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(history().await.is_empty());
    drop(server);
}
