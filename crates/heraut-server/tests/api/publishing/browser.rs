//! The web UI in a real browser: Debian's Chromium, driven by playwright-core
//! (`web/e2e/journey.mjs`), against the real server on SQLite with Mastodon (mastodon-mock) and
//! Bluesky (the reference PDS) as local peers. The script signs people in (TOTP and recovery
//! codes), composes, approves, rejects and switches crisis mode through the screens, runs
//! axe-core on every screen and fails on any CSP report; this side prepares the people and
//! channels and then checks on the networks what the browser claimed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use heraut_testkit::peers::Peer;
use heraut_testkit::{TestDb, free_port};
use serde_json::{Value, json};

use super::super::{ADMIN_PASSWORD, Api, bootstrap_admin, enrol_totp, login_with_recovery};
use super::connectors::{Mastodon, Pds, install, new_channel, shipped};
use super::{create_tenant, member, post_path, set_policy, start_with};

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

/// Chromium and the UI's packages, or a notice (a failure where services are required).
fn browser_ready() -> bool {
    let chromium =
        std::env::var("HERAUT_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let missing = if !Path::new(&chromium).exists() {
        Some(format!("Chromium ({chromium}; apt-get install chromium)"))
    } else if !web_dir().join("node_modules/playwright-core").is_dir() {
        Some("the web UI's packages (npm ci in web/)".to_owned())
    } else if !web_dir().join("dist/index.html").is_file() {
        Some("the built web UI (npm run build in web/)".to_owned())
    } else {
        None
    };
    match missing {
        None => true,
        Some(what) if heraut_testkit::services_required() => {
            panic!("the browser test needs {what} when HERAUT_TEST_REQUIRE_SERVICES=1")
        }
        Some(what) => {
            eprintln!("NOTICE: skipping the browser test: {what} is missing");
            false
        }
    }
}

/// A member of `town` with TOTP on: (password, TOTP secret, recovery codes).
async fn person(api: &Api, admin: &str, email: &str, role: &str) -> (String, String, Vec<String>) {
    let token = member(api, admin, "town", email, role).await;
    let (secret, codes) = enrol_totp(api, &token).await;
    (format!("{email} long passphrase"), secret, codes)
}

#[tokio::test]
async fn a_post_goes_from_the_composer_through_approval_to_two_networks_in_the_browser() {
    if !browser_ready() {
        return;
    }
    let Some(pds) = Pds::start().await else {
        return;
    };
    let Some(peer) = Peer::start("mastodon-mock", free_port(), &[], Duration::from_secs(90)) else {
        return;
    };
    let mastodon = Mastodon {
        peer,
        http: reqwest::Client::new(),
    };
    let db = TestDb::sqlite();
    let mut env = shipped(&format!(
        "localhost:{},{}",
        pds.peer.port,
        mastodon.peer.authority()
    ));
    // The network sends the browser back to the public address after OAuth: this server's.
    let listen = format!("127.0.0.1:{}", free_port());
    env.push(("HERAUT_PUBLIC_URL", format!("http://{listen}")));
    env.push(("HERAUT_LISTEN", listen));
    let server = start_with(&db, &env).await;
    let api = Api::new(&server);
    let (admin, admin_codes) = bootstrap_admin(&server, &api).await;
    install(&api, &admin, "mastodon").await;
    install(&api, &admin, "bluesky").await;
    // A tenant as created: two-factor sign-in required of every member.
    create_tenant(&api, &admin, "town").await;
    let editor = person(&api, &admin, "erin@town.example", "editor").await;
    let approver = person(&api, &admin, "abel@town.example", "approver").await;
    let owner = person(&api, &admin, "olga@town.example", "owner").await;
    let owner_tokens = login_with_recovery(&api, "olga@town.example", &owner.0, &owner.2[0]).await;
    let owner_token = owner_tokens["access_token"].as_str().unwrap().to_owned();
    set_policy(
        &api,
        &owner_token,
        "town",
        json!([{"name": "Head of communications", "role": "approver", "approvals_required": 1}]),
    )
    .await;
    let masto = new_channel(
        &api,
        &owner_token,
        json!({"plugin": "mastodon", "name": "Town on Mastodon",
               "settings": {"instance_url": mastodon.peer.url()},
               "credentials": {"access_token": "ada_token"}}),
    )
    .await;
    let sky = new_channel(
        &api,
        &owner_token,
        json!({"plugin": "bluesky", "name": "Town on Bluesky",
               "settings": {"pds_url": pds.url(), "handle": "town.test"},
               "credentials": {"app_password": pds.app_password}}),
    )
    .await;

    let out = std::env::temp_dir().join(heraut_testkit::unique_name("e2e"));
    std::fs::create_dir_all(&out).unwrap();
    let result_file = out.join("result.json");
    let config = json!({
        "base": server.base_url,
        "tenant": "town",
        // A relative folder is taken from the repository's root (e.g. `docs/images`).
        "screenshots": std::env::var("HERAUT_E2E_SCREENSHOTS")
            .ok()
            .map(|d| Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(d)),
        "result": result_file,
        "people": {
            "admin": {"email": super::super::ADMIN_EMAIL, "password": ADMIN_PASSWORD, "recovery": admin_codes},
            "editor": {"email": "erin@town.example", "password": editor.0, "totp": editor.1},
            "approver": {"email": "abel@town.example", "password": approver.0, "recovery": approver.2},
            "owner": {"email": "olga@town.example", "password": owner.0, "recovery": owner.2[1..]},
        },
        "channels": {
            "mastodon": {"id": masto["id"], "name": masto["name"]},
            "bluesky": {"id": sky["id"], "name": sky["name"]},
        },
        "peers": {"mastodon": mastodon.peer.url(), "bluesky": pds.url()},
    });
    let config_file = out.join("config.json");
    std::fs::write(&config_file, serde_json::to_vec_pretty(&config).unwrap()).unwrap();

    let run = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("e2e/journey.mjs")
            .arg(&config_file)
            .current_dir(web_dir())
            .output()
    })
    .await
    .unwrap()
    .expect("node runs (install Node.js 20.19 or later)");
    let log = format!(
        "{}\n{}\n--- server log ---\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
        server.log()
    );
    assert!(run.status.success(), "the browser journey failed:\n{log}");
    let result: Value = serde_json::from_slice(&std::fs::read(&result_file).unwrap()).unwrap();
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));

    // What the browser showed as published is on both networks, once.
    let published = result["published"]["id"].as_str().unwrap();
    let text = result["published"]["text"].as_str().unwrap();
    let post = api
        .get(&post_path("town", published, ""), &owner_token)
        .await;
    assert_eq!(post.body["status"], "published", "{:?}", post.body);
    let links: Vec<&str> = post.body["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["remote_url"].as_str())
        .collect();
    assert_eq!(links.len(), 2, "{:?}", post.body);
    let shown: Vec<&str> = result["published"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for link in &links {
        assert!(
            shown.contains(link),
            "the page showed {shown:?}, the server has {links:?}"
        );
    }
    assert_eq!(mastodon.statuses_with("ada_token", text).await.len(), 1);
    let on_bluesky = pds
        .posts()
        .await
        .into_iter()
        .filter(|r| r["value"]["text"].as_str() == Some(text))
        .count();
    assert_eq!(on_bluesky, 1);

    // The rejected post went back to its author as a draft, with the reason.
    let rejected = result["rejected"]["id"].as_str().unwrap();
    let post = api
        .get(&post_path("town", rejected, ""), &owner_token)
        .await;
    assert_eq!(post.body["status"], "draft");
    assert_eq!(post.body["reject_reason"], result["rejected"]["reason"]);

    // In crisis mode the approved post was held: due, but still waiting, and on no network.
    let held = result["held"]["id"].as_str().unwrap();
    let post = api.get(&post_path("town", held, ""), &owner_token).await;
    assert_eq!(post.body["status"], "approved", "{:?}", post.body);
    for t in post.body["targets"].as_array().unwrap() {
        assert_eq!(t["status"], "pending", "{t:?}");
        assert!(
            t["remote_id"].is_null() && t["published_at"].is_null(),
            "{t:?}"
        );
    }
    let held_text = result["held"]["text"].as_str().unwrap();
    assert!(
        mastodon
            .statuses_with("ada_token", held_text)
            .await
            .is_empty()
    );
    let crisis = api.get("/api/v1/tenants/town/crisis", &owner_token).await;
    assert_eq!(crisis.body["active"], true);

    // The channel connected through OAuth in the browser holds the network's token.
    let channels = api.get("/api/v1/tenants/town/channels", &owner_token).await;
    let oauth = channels.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == result["oauth_channel"])
        .unwrap_or_else(|| panic!("{:?}", channels.body));
    assert_eq!(
        (oauth["status"].as_str(), oauth["has_credentials"].as_bool()),
        (Some("active"), Some(true))
    );

    // The channel connected through OAuth in the browser holds the network's token.
    let channels = api.get("/api/v1/tenants/town/channels", &owner_token).await;
    let oauth = channels.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == result["oauth_channel"])
        .unwrap_or_else(|| panic!("{:?}", channels.body));
    assert_eq!(
        (oauth["status"].as_str(), oauth["has_credentials"].as_bool()),
        (Some("active"), Some(true))
    );

    // Every screen was checked with axe, in both languages.
    let screens = result["axe"].as_array().unwrap();
    assert!(screens.len() >= 14, "{screens:?}");
    assert!(screens.iter().any(|s| s["lang"] == "nl"), "{screens:?}");
    let _ = std::fs::remove_dir_all(&out);
}
