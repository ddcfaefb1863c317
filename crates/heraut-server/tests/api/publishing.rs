//! Publishing end to end: approval workflows, the publisher against the counting server (a real
//! HTTP peer that counts requests and honours idempotency keys), grace period, crisis mode,
//! faults, and the kill test.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use heraut_testkit::counting::CountingServer;
use heraut_testkit::{Node, Server, TestDb};
use serde_json::{Value, json};

use super::{Api, assert_problem, bootstrap_admin, create_tenant, start};

mod browser;
pub(crate) mod connectors;

/// Settings that make the publisher quick to test: short backoff, short call timeout.
fn quick(peer: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HERAUT_PLUGIN_LOCAL_PEERS", peer.to_owned()),
        ("HERAUT_PUBLISHER__BACKOFF_BASE_MS", "200".to_owned()),
        ("HERAUT_PUBLISHER__CALL_TIMEOUT_SECS", "2".to_owned()),
        ("HERAUT_PUBLISHER__LEASE_SECS", "5".to_owned()),
    ]
}

async fn start_with(db: &TestDb, env: &[(&'static str, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    start(db, &env).await
}

/// A tenant without the 2FA requirement, so members can act right after setting a password.
async fn open_tenant(api: &Api, admin: &str, slug: &str) {
    create_tenant(api, admin, slug).await;
    let r = api
        .call(
            "PATCH",
            &format!("/api/v1/tenants/{slug}"),
            Some(admin),
            Some(json!({"require_mfa": false})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// Adds a member (a new person, or an existing one gaining the membership) and signs them in.
async fn member(api: &Api, admin: &str, slug: &str, email: &str, role: &str) -> String {
    let password = format!("{email} long passphrase");
    let r = api
        .post(
            &format!("/api/v1/tenants/{slug}/members"),
            Some(admin),
            json!({"email": email, "name": email, "role": role}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    if let Some(token) = r.body["set_password_token"].as_str() {
        let set = api
            .post(
                "/api/v1/auth/set-password",
                None,
                json!({"token": token, "password": password}),
            )
            .await;
        assert!(set.status.is_success(), "{:?}", set.body);
    }
    let login = api.login(email, &password).await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    login.body["access_token"].as_str().unwrap().to_owned()
}

async fn channel(
    api: &Api,
    owner: &str,
    slug: &str,
    counting: &CountingServer,
    max: u32,
) -> String {
    let r = api
        .post(
            &format!("/api/v1/tenants/{slug}/channels"),
            Some(owner),
            json!({"plugin": "http-json", "name": format!("{slug} feed {max}"),
                   "settings": {"url": format!("{}/{slug}", counting.base_url), "max_chars": max},
                   "credentials": {"token": "peer-token"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["has_credentials"], true);
    assert!(r.body.get("credentials").is_none());
    r.body["id"].as_str().unwrap().to_owned()
}

async fn set_policy(api: &Api, owner: &str, slug: &str, steps: Value) {
    let r = api
        .call(
            "PUT",
            &format!("/api/v1/tenants/{slug}/approval-policy"),
            Some(owner),
            Some(json!({ "steps": steps })),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

fn post_path(slug: &str, id: &str, action: &str) -> String {
    if action.is_empty() {
        format!("/api/v1/tenants/{slug}/posts/{id}")
    } else {
        format!("/api/v1/tenants/{slug}/posts/{id}/{action}")
    }
}

/// Waits until the post has `status`; returns the post.
async fn wait_status(api: &Api, token: &str, slug: &str, id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = api.get(&post_path(slug, id, ""), token).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        if r.body["status"] == status {
            return r.body;
        }
        assert!(
            Instant::now() < deadline,
            "post {id} never became {status}: {:?}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn in_minutes(m: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(m)).to_rfc3339()
}

#[tokio::test]
async fn approval_workflows_with_four_eyes_rejection_and_edits_are_audited() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let counting = CountingServer::start(0, 1).unwrap();
        let server = start_with(&db, &quick(&counting.peer())).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        open_tenant(&api, &admin, "utrecht").await;
        open_tenant(&api, &admin, "zeist").await;
        let ed = member(&api, &admin, "utrecht", "ed@utrecht.example", "editor").await;
        let anna = member(&api, &admin, "utrecht", "anna@utrecht.example", "approver").await;
        let bob = member(&api, &admin, "utrecht", "bob@utrecht.example", "approver").await;
        let olga = member(&api, &admin, "utrecht", "olga@utrecht.example", "owner").await;
        let otto = member(&api, &admin, "utrecht", "otto@utrecht.example", "owner").await;
        let oscar = member(&api, &admin, "utrecht", "oscar@utrecht.example", "owner").await;
        let zed = member(&api, &admin, "zeist", "zed@zeist.example", "owner").await;
        let short = channel(&api, &olga, "utrecht", &counting, 40).await;
        let long = channel(&api, &olga, "utrecht", &counting, 500).await;
        let foreign = channel(&api, &zed, "zeist", &counting, 500).await;
        // Editors cannot connect channels; unknown connectors and settings are refused.
        let r = api
            .post(
                "/api/v1/tenants/utrecht/channels",
                Some(&ed),
                json!({"plugin": "http-json", "name": "x", "settings": {"url": counting.base_url}}),
            )
            .await;
        assert_problem(&r, 403, "auth.forbidden");
        let r = api
            .post(
                "/api/v1/tenants/utrecht/channels",
                Some(&olga),
                json!({"plugin": "http-json", "name": "x", "settings": {"url": "http://10.0.0.1/x"}}),
            )
            .await;
        assert_problem(&r, 422, "channel.invalid");
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("plugin_local_peers")
        );
        set_policy(
            &api,
            &olga,
            "utrecht",
            json!([{"name": "Comms", "role": "approver", "approvals_required": 1},
                   {"name": "Legal", "role": "owner", "approvals_required": 2}]),
        )
        .await;

        // Bad input: each a clear 422 with per-channel details, nothing stored.
        let posts = "/api/v1/tenants/utrecht/posts";
        let long_text = "x".repeat(41);
        for (body, field, channel) in [
            (json!({"body": "hi", "channels": []}), "channels", None),
            (
                json!({"body": "hi", "channels": [uuid::Uuid::new_v4()]}),
                "channels",
                Some("any"),
            ),
            (
                json!({"body": "hi", "channels": [foreign]}),
                "channels",
                Some(foreign.as_str()),
            ),
            (
                json!({"body": "hi", "channels": [long], "scheduled_at": in_minutes(-30)}),
                "scheduled_at",
                None,
            ),
            (
                json!({"body": "hi", "channels": [short, long], "variants": {short.clone(): long_text}}),
                "variants",
                Some(short.as_str()),
            ),
            (
                json!({"body": "hi", "channels": [long], "time_zone": "Mars/Olympus"}),
                "time_zone",
                None,
            ),
        ] {
            let r = api.post(posts, Some(&ed), body.clone()).await;
            assert_problem(&r, 422, "post.invalid");
            let item = &r.body["errors"][0];
            assert_eq!(item["field"], field, "{body}: {:?}", r.body);
            match channel {
                Some("any") => assert!(item["channel_id"].is_string()),
                Some(c) => assert_eq!(item["channel_id"], c),
                None => assert!(item.get("channel_id").is_none()),
            }
        }
        let r = api.post(posts, Some(&ed), json!({"body": 5})).await;
        assert_problem(&r, 400, "request.invalid");
        assert_eq!(api.get(posts, &ed).await.body["items"], json!([]));

        // An editor writes a post for two channels, scheduled in an hour.
        let r = api
            .post(
                posts,
                Some(&ed),
                json!({"body": "Road works on the Catharijnesingel from Monday; see the map.",
                       "channels": [short, long], "variants": {short.clone(): "Road works from Monday."},
                       "scheduled_at": in_minutes(60), "time_zone": "Europe/Amsterdam",
                       "campaign": "roads"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["status"], "draft");
        let id = r.body["id"].as_str().unwrap().to_owned();
        let r = api
            .post(
                &post_path("utrecht", &id, "approve"),
                Some(&anna),
                json!({}),
            )
            .await;
        assert_problem(&r, 409, "post.wrong_state");
        let r = api
            .post(&post_path("utrecht", &id, "submit"), Some(&ed), json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "in_review");
        assert_eq!(r.body["approval"]["steps"].as_array().unwrap().len(), 2);
        // Role checks: an editor cannot approve; an approver cannot decide an owner step.
        let r = api
            .post(&post_path("utrecht", &id, "approve"), Some(&ed), json!({}))
            .await;
        assert_problem(&r, 403, "auth.forbidden");
        let r = api
            .post(
                &post_path("utrecht", &id, "approve"),
                Some(&otto),
                json!({"comment": "Fine by comms"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["approval"]["current_step"], 1);
        // One person counts once, also at the next step.
        let r = api
            .post(
                &post_path("utrecht", &id, "approve"),
                Some(&otto),
                json!({}),
            )
            .await;
        assert_problem(&r, 409, "approval.already_approved");
        let r = api
            .post(
                &post_path("utrecht", &id, "approve"),
                Some(&anna),
                json!({}),
            )
            .await;
        assert_problem(&r, 403, "auth.forbidden");
        for who in [&olga, &oscar] {
            let r = api
                .post(&post_path("utrecht", &id, "approve"), Some(who), json!({}))
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
        let p = api.get(&post_path("utrecht", &id, ""), &ed).await.body;
        assert_eq!(p["status"], "approved", "{p:?}");
        assert_eq!(p["targets"].as_array().unwrap().len(), 2);
        assert_eq!(p["targets"][0]["status"], "pending");

        // Editing an approved post sends it back to review and withdraws its targets.
        let r = api
            .call(
                "PATCH",
                &post_path("utrecht", &id, ""),
                Some(&ed),
                Some(json!({"body": "Road works on the Catharijnesingel from Tuesday."})),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "in_review");
        assert_eq!(r.body["revision"], 2);
        let revs = api.get(&post_path("utrecht", &id, "revisions"), &bob).await;
        assert_eq!(revs.status, 200, "{:?}", revs.body);
        let revs = revs.body["items"].as_array().unwrap();
        assert_eq!(revs.len(), 2);
        assert!(revs[0]["body"].as_str().unwrap().contains("Monday"));
        assert!(revs[1]["body"].as_str().unwrap().contains("Tuesday"));
        assert_eq!(r.body["targets"], json!([]));
        assert_eq!(r.body["approval"]["approvals"], json!([]));
        // Rejection needs a reason and goes back to the author.
        let r = api
            .post(
                &post_path("utrecht", &id, "reject"),
                Some(&bob),
                json!({"reason": "  "}),
            )
            .await;
        assert_problem(&r, 422, "validation.failed");
        let r = api
            .post(
                &post_path("utrecht", &id, "reject"),
                Some(&bob),
                json!({"reason": "Say which part of the street."}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "draft");
        assert_eq!(r.body["reject_reason"], "Say which part of the street.");
        // Resubmission starts over; now it goes out at once.
        let r = api
            .call(
                "PATCH",
                &post_path("utrecht", &id, ""),
                Some(&ed),
                Some(json!({"scheduled_at": null})),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = api
            .post(&post_path("utrecht", &id, "submit"), Some(&ed), json!({}))
            .await;
        assert_eq!(r.body["approval"]["current_step"], 0, "{:?}", r.body);
        for who in [&bob, &olga, &oscar] {
            let r = api
                .post(&post_path("utrecht", &id, "approve"), Some(who), json!({}))
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
        let p = wait_status(&api, &ed, "utrecht", &id, "published").await;
        for t in p["targets"].as_array().unwrap() {
            assert_eq!(t["status"], "published", "{t:?}");
            assert!(t["remote_url"].as_str().unwrap().contains("/s/"));
        }
        let records = counting.records();
        let texts: HashSet<String> = records.values().map(|r| r.text.clone()).collect();
        assert_eq!(records.len(), 2);
        assert!(texts.contains("Road works from Monday."), "{texts:?}");
        assert!(texts.contains("Road works on the Catharijnesingel from Tuesday."));
        // Published posts are records: they cannot be deleted.
        let r = api
            .call("DELETE", &post_path("utrecht", &id, ""), Some(&ed), None)
            .await;
        assert_problem(&r, 409, "post.is_record");
        // And every approval is kept, oldest first: the three of the first round (revision 1),
        // which the edit made no longer count, then the three of the third (revision 3); the
        // second round (the edit's) was rejected before anyone approved it.
        let rounds: Vec<(u64, u64)> = p["approval_history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["round"].as_u64().unwrap(),
                    a["revision"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(rounds, vec![(1, 1), (1, 1), (1, 1), (3, 3), (3, 3), (3, 3)]);
        let list = api.get("/api/v1/tenants/utrecht/posts", &ed).await;
        assert_eq!(list.body["items"][0]["approval_history"], json!([]));

        // The author learned of each decision.
        let n = api.get("/api/v1/tenants/utrecht/notifications", &ed).await;
        let kinds: Vec<&str> = n.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect();
        for k in ["post.approved", "post.rejected", "post.published"] {
            assert!(kinds.contains(&k), "{kinds:?}");
        }
        let first = n.body["items"][0]["id"].as_str().unwrap();
        let r = api
            .post(
                &format!("/api/v1/tenants/utrecht/notifications/{first}/read"),
                Some(&ed),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 204);
        let r = api
            .post(
                &format!("/api/v1/tenants/utrecht/notifications/{first}/read"),
                Some(&bob),
                json!({}),
            )
            .await;
        assert_problem(&r, 404, "notification.not_found");

        // Four eyes: an approver's own post needs someone else.
        let r = api
            .post(
                posts,
                Some(&anna),
                json!({"body": "Mine", "channels": [long]}),
            )
            .await;
        let mine = r.body["id"].as_str().unwrap().to_owned();
        api.post(
            &post_path("utrecht", &mine, "submit"),
            Some(&anna),
            json!({}),
        )
        .await;
        let r = api
            .post(
                &post_path("utrecht", &mine, "approve"),
                Some(&anna),
                json!({}),
            )
            .await;
        assert_problem(&r, 403, "approval.self_approval_forbidden");
        // Nor anyone who edited it, even when someone else edited it after them.
        let r = api
            .post(
                posts,
                Some(&ed),
                json!({"body": "Ours", "channels": [long]}),
            )
            .await;
        let ours = r.body["id"].as_str().unwrap().to_owned();
        for (who, body) in [(&bob, "Ours, checked"), (&ed, "Ours, checked twice")] {
            let r = api
                .call(
                    "PATCH",
                    &post_path("utrecht", &ours, ""),
                    Some(who),
                    Some(json!({ "body": body })),
                )
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
        api.post(&post_path("utrecht", &ours, "submit"), Some(&ed), json!({}))
            .await;
        let r = api
            .post(
                &post_path("utrecht", &ours, "approve"),
                Some(&bob),
                json!({}),
            )
            .await;
        assert_problem(&r, 403, "approval.self_approval_forbidden");
        let r = api
            .post(
                &post_path("utrecht", &ours, "approve"),
                Some(&anna),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["approval"]["current_step"], 1, "{:?}", r.body);

        // With no steps, an owner publishes directly; an editor's post still needs an approver.
        set_policy(&api, &olga, "utrecht", json!([])).await;
        let r = api
            .post(
                posts,
                Some(&olga),
                json!({"body": "Direct", "channels": [long]}),
            )
            .await;
        let direct = r.body["id"].as_str().unwrap().to_owned();
        let r = api
            .post(
                &post_path("utrecht", &direct, "submit"),
                Some(&olga),
                json!({}),
            )
            .await;
        assert_eq!(r.body["status"], "approved", "{:?}", r.body);
        wait_status(&api, &olga, "utrecht", &direct, "published").await;
        let r = api
            .post(
                posts,
                Some(&ed),
                json!({"body": "Editor's", "channels": [long]}),
            )
            .await;
        let eds = r.body["id"].as_str().unwrap().to_owned();
        let r = api
            .post(&post_path("utrecht", &eds, "submit"), Some(&ed), json!({}))
            .await;
        assert_eq!(r.body["status"], "in_review", "{:?}", r.body);
        assert_eq!(r.body["approval"]["steps"][0]["role"], "approver");

        // Cancel before the time: nothing goes out; a cancelled draft can be deleted.
        let r = api
            .post(
                posts,
                Some(&olga),
                json!({"body": "Later", "channels": [long], "scheduled_at": in_minutes(30)}),
            )
            .await;
        let later = r.body["id"].as_str().unwrap().to_owned();
        api.post(
            &post_path("utrecht", &later, "submit"),
            Some(&olga),
            json!({}),
        )
        .await;
        let r = api
            .post(
                &post_path("utrecht", &later, "cancel"),
                Some(&olga),
                json!({}),
            )
            .await;
        assert_eq!(r.body["status"], "cancelled", "{:?}", r.body);
        assert_eq!(r.body["targets"][0]["status"], "cancelled");
        // It reached review, so it stays a record; only a draft that never did may be deleted.
        let r = api
            .call(
                "DELETE",
                &post_path("utrecht", &later, ""),
                Some(&olga),
                None,
            )
            .await;
        assert_problem(&r, 409, "post.is_record");
        let r = api
            .post(
                posts,
                Some(&olga),
                json!({"body": "Never mind", "channels": [long]}),
            )
            .await;
        let scratch = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["is_record"], false);
        let r = api
            .call(
                "DELETE",
                &post_path("utrecht", &scratch, ""),
                Some(&olga),
                None,
            )
            .await;
        assert_eq!(r.status, 204);
        let r = api.get(&post_path("utrecht", &scratch, ""), &olga).await;
        assert_problem(&r, 404, "post.not_found");
        assert_eq!(counting.counts().created, 3);

        // Another tenant sees none of it.
        let r = api.get(&post_path("utrecht", &id, ""), &zed).await;
        assert_problem(&r, 404, "tenant.not_found");
        let r = api.get(&post_path("zeist", &id, ""), &zed).await;
        assert_problem(&r, 404, "post.not_found");

        // Every decision is in the audit log, the publication with its remote id.
        let audit = api
            .get("/api/v1/tenants/utrecht/audit?limit=200", &olga)
            .await;
        let events = audit.body["items"].as_array().unwrap();
        let count = |a: &str| events.iter().filter(|e| e["action"] == a).count();
        let actions: Vec<&Value> = events.iter().map(|e| &e["action"]).collect();
        assert_eq!(count("post.approve"), 7, "{actions:?}");
        assert_eq!(count("post.reject"), 1);
        assert!(count("post.submit") >= 3);
        assert!(count("post.edit") >= 2);
        assert_eq!(count("post.cancel"), 1);
        assert_eq!(count("post.delete"), 1);
        let published = events
            .iter()
            .find(|e| e["action"] == "post.publish")
            .unwrap();
        assert!(
            published["details"]["remote_id"].is_string(),
            "{published:?}"
        );
        let v = api.get("/api/v1/tenants/utrecht/audit/verify", &olga).await;
        assert_eq!(v.body["valid"], true);
    }
}

#[tokio::test]
async fn grace_period_crisis_mode_and_network_faults_against_the_counting_server() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let counting = CountingServer::start(0, 1).unwrap();
        let mut env = quick(&counting.peer());
        // With PostgreSQL, Redis carries live updates from the worker to the API node.
        let redis = heraut_testkit::redis_url().filter(|_| db.database_url().is_some());
        if let Some(url) = &redis {
            env.push(("HERAUT_REDIS_URL", url.clone()));
            env.push(("HERAUT_REDIS_PREFIX", heraut_testkit::unique_name("grace")));
        }
        // This node only serves the API: nothing is published until a worker starts.
        let server = {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Server::start_with_args(
                std::path::Path::new(super::BIN),
                &db,
                &env,
                &["--role", "api"],
            )
            .await
            .unwrap()
        };
        env.clear();
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        open_tenant(&api, &admin, "strict").await;
        open_tenant(&api, &admin, "lenient").await;
        let r = api
            .call(
                "PATCH",
                "/api/v1/tenants/strict",
                Some(&admin),
                Some(json!({"publish_grace_minutes": 0})),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let s_owner = member(&api, &admin, "strict", "o@strict.example", "owner").await;
        let l_owner = member(&api, &admin, "lenient", "o@lenient.example", "owner").await;
        let l_second = member(&api, &admin, "lenient", "p@lenient.example", "owner").await;
        let s_chan = channel(&api, &s_owner, "strict", &counting, 500).await;
        let l_chan = channel(&api, &l_owner, "lenient", &counting, 500).await;
        set_policy(&api, &s_owner, "strict", json!([])).await;
        set_policy(&api, &l_owner, "lenient", json!([])).await;
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
        let mut ids = Vec::new();
        for (slug, token, chan) in [
            ("strict", &s_owner, &s_chan),
            ("lenient", &l_owner, &l_chan),
        ] {
            let r = api
                .post(
                    &format!("/api/v1/tenants/{slug}/posts"),
                    Some(token),
                    json!({"body": format!("{slug} update"), "channels": [chan], "scheduled_at": soon}),
                )
                .await;
            let id = r.body["id"].as_str().unwrap().to_owned();
            let r = api
                .post(&post_path(slug, &id, "submit"), Some(token), json!({}))
                .await;
            assert_eq!(r.body["status"], "approved", "{:?}", r.body);
            ids.push(id);
        }
        // A browser follows the lenient tenant's live updates on the API node.
        let mut events = api
            .http
            .get(server.url("/api/v1/tenants/lenient/events"))
            .bearer_auth(&l_owner)
            .send()
            .await
            .unwrap();
        assert_eq!(events.status(), 200);
        assert_eq!(
            events.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        // Downtime: no worker runs past the due time.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(counting.counts().posts, 0);
        let _worker = Node::start(&server, &["--role", "worker"], "worker").unwrap();
        // Within its grace period the lenient tenant's post goes out; the strict one waits.
        wait_status(&api, &l_owner, "lenient", &ids[1], "published").await;
        if redis.is_some() {
            // The worker is another process: the event crossed nodes through Redis.
            let mut seen = String::new();
            let deadline = Instant::now() + Duration::from_secs(10);
            while !(seen.contains(&ids[1]) && seen.contains("\"published\"")) {
                assert!(Instant::now() < deadline, "no live update: {seen}");
                if let Ok(Ok(Some(chunk))) =
                    tokio::time::timeout(Duration::from_secs(1), events.chunk()).await
                {
                    seen.push_str(&String::from_utf8_lossy(&chunk));
                }
            }
            assert!(seen.contains("event: post\ndata: {"), "{seen}");
            assert!(
                !seen.contains(&ids[0]),
                "another tenant's event leaked: {seen}"
            );
        }
        drop(events);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let held = api
            .get(&post_path("strict", &ids[0], ""), &s_owner)
            .await
            .body;
        assert_eq!(held["status"], "approved", "{held:?}");
        assert_eq!(held["targets"][0]["needs_confirmation"], true);
        assert_eq!(counting.counts().created, 1);
        let n = api
            .get("/api/v1/tenants/strict/notifications", &s_owner)
            .await;
        assert!(
            n.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["kind"] == "post.needs_confirmation"),
            "{:?}",
            n.body
        );
        let r = api
            .post(
                &post_path("strict", &ids[0], "confirm"),
                Some(&s_owner),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        wait_status(&api, &s_owner, "strict", &ids[0], "published").await;
        let r = api
            .post(
                &post_path("strict", &ids[0], "confirm"),
                Some(&s_owner),
                json!({}),
            )
            .await;
        assert_problem(&r, 409, "post.wrong_state");

        // Crisis mode holds everything scheduled; an emergency broadcast still goes out.
        let r = api
            .call(
                "PUT",
                "/api/v1/tenants/lenient/crisis",
                Some(&l_owner),
                Some(json!({"active": true, "message": "Flooding in the east; all posts held."})),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = api
            .post(
                "/api/v1/tenants/lenient/posts",
                Some(&l_owner),
                json!({"body": "Festival this weekend!", "channels": [l_chan]}),
            )
            .await;
        let festive = r.body["id"].as_str().unwrap().to_owned();
        api.post(
            &post_path("lenient", &festive, "submit"),
            Some(&l_owner),
            json!({}),
        )
        .await;
        let r = api
            .post(
                "/api/v1/tenants/lenient/emergency",
                Some(&l_owner),
                json!({"body": "Leave the east of the city via the A12."}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["status"], "in_review");
        assert_eq!(r.body["emergency"], true);
        let alert = r.body["id"].as_str().unwrap().to_owned();
        let r = api
            .post(
                &post_path("lenient", &alert, "approve"),
                Some(&l_owner),
                json!({}),
            )
            .await;
        assert_problem(&r, 403, "approval.self_approval_forbidden");
        let r = api
            .post(
                &post_path("lenient", &alert, "approve"),
                Some(&l_second),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        wait_status(&api, &l_owner, "lenient", &alert, "published").await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let texts: HashSet<String> = counting
            .records()
            .values()
            .map(|r| r.text.clone())
            .collect();
        assert!(!texts.contains("Festival this weekend!"), "{texts:?}");
        let c = api.get("/api/v1/tenants/lenient/crisis", &l_second).await;
        assert_eq!(
            c.body["held"][0]["post_id"],
            festive,
            "{:?}\n{}",
            c.body,
            server.log()
        );
        // Release: what was held waits for a person, listed in the answer.
        let r = api
            .call(
                "PUT",
                "/api/v1/tenants/lenient/crisis",
                Some(&l_owner),
                Some(json!({"active": false})),
            )
            .await;
        assert_eq!(r.body["held"][0]["post_id"], festive, "{:?}", r.body);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let p = api
            .get(&post_path("lenient", &festive, ""), &l_owner)
            .await
            .body;
        assert_eq!(p["targets"][0]["needs_confirmation"], true, "{p:?}");
        api.post(
            &post_path("lenient", &festive, "confirm"),
            Some(&l_owner),
            json!({}),
        )
        .await;
        wait_status(&api, &l_owner, "lenient", &festive, "published").await;

        // Faults: a 503 and a 429 are retried; an answer after the timeout is read back, not
        // sent again. Each post exists exactly once on the network.
        for (faults, reads) in [
            (json!([{"status": 503}, {"retry_after": 1}]), false),
            (json!([{"delay_ms": 3500}]), true),
        ] {
            counting.inject(faults.as_array().unwrap().clone());
            let before = counting.counts();
            let r = api
                .post(
                    "/api/v1/tenants/lenient/posts",
                    Some(&l_owner),
                    json!({"body": format!("Fault test {faults}"), "channels": [l_chan]}),
                )
                .await;
            let id = r.body["id"].as_str().unwrap().to_owned();
            api.post(
                &post_path("lenient", &id, "submit"),
                Some(&l_owner),
                json!({}),
            )
            .await;
            let p = wait_status(&api, &l_owner, "lenient", &id, "published").await;
            let after = counting.counts();
            assert_eq!(after.created, before.created + 1, "{faults}");
            if reads {
                assert!(after.reads > before.reads, "no read-back after a timeout");
                assert_eq!(after.posts, before.posts + 1, "sent again blindly");
            } else {
                assert_eq!(after.posts, before.posts + 3);
                assert_eq!(p["targets"][0]["attempts"], 3, "{p:?}");
            }
        }
        assert_eq!(counting.counts().replayed_keys, 0);
    }
}

/// Creates `tenants` tenants, each with `channels` channels on the counting server, a policy
/// without steps and the admin as owner, then `posts` approved posts per tenant, due at once.
/// Returns the number of targets.
async fn load(
    api: &Api,
    admin: &str,
    counting: &CountingServer,
    tenants: usize,
    channels: usize,
    posts: usize,
) -> usize {
    use futures_util::StreamExt;
    let mut work = Vec::new();
    for t in 0..tenants {
        let slug = format!("t{t:03}");
        create_tenant(api, admin, &slug).await;
        let r = api
            .post(
                &format!("/api/v1/tenants/{slug}/members"),
                Some(admin),
                json!({"email": super::ADMIN_EMAIL, "name": "Admin", "role": "owner"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        set_policy(api, admin, &slug, json!([])).await;
        let mut ids = Vec::new();
        for _ in 0..channels {
            ids.push(channel(api, admin, &slug, counting, 500).await);
        }
        for p in 0..posts {
            work.push((slug.clone(), ids.clone(), p));
        }
    }
    let made: Vec<usize> = futures_util::stream::iter(work)
        .map(|(slug, ids, p)| async move {
            let r = api
                .post(
                    &format!("/api/v1/tenants/{slug}/posts"),
                    Some(admin),
                    json!({"body": format!("{slug} notice {p}"), "channels": ids}),
                )
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            let id = r.body["id"].as_str().unwrap();
            let r = api
                .post(&post_path(&slug, id, "submit"), Some(admin), json!({}))
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            ids.len()
        })
        .buffer_unordered(8)
        .collect()
        .await;
    made.into_iter().sum()
}

/// Published targets across the first `tenants` tenants, from the API.
async fn published_targets(api: &Api, admin: &str, tenants: usize) -> (usize, usize) {
    let (mut published, mut all) = (0, 0);
    for t in 0..tenants {
        let mut cursor = String::new();
        loop {
            let r = api
                .get(
                    &format!("/api/v1/tenants/t{t:03}/posts?limit=200{cursor}"),
                    admin,
                )
                .await;
            for p in r.body["items"].as_array().unwrap() {
                for target in p["targets"].as_array().unwrap() {
                    all += 1;
                    published += usize::from(target["status"] == "published");
                }
            }
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
    }
    (published, all)
}

/// SECURITY.md 16: `kill -9` publishing processes at random moments during a large batch; at
/// the end the counting server holds every target exactly once and every target is published.
/// CI runs a short form; `HERAUT_TEST_KILL_POSTS=50` (5,000 targets) is the full one.
#[tokio::test]
async fn kill_test_no_target_is_lost_or_sent_twice() {
    use rand::Rng;
    let posts: usize = std::env::var("HERAUT_TEST_KILL_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let (tenants, channels) = (50, 2);
    for db in TestDb::all().await {
        let redis = heraut_testkit::redis_url();
        let multi = db.database_url().is_some();
        if multi && redis.is_none() {
            eprintln!("NOTICE: Redis is not running; the several-node kill test runs without it");
        }
        eprintln!(
            "--- backend {} ({} nodes)",
            db.label(),
            if multi { 3 } else { 1 }
        );
        let counting = CountingServer::start(0, 2).unwrap();
        // Each channel also reads 120 mentions from its network (three pages), through the
        // same kills.
        let mentions = 120;
        counting.add_activity(mentions, None);
        let mut env = quick(&counting.peer());
        env.push(("HERAUT_PUBLISHER__LEASE_SECS", "4".to_owned()));
        if multi && let Some(url) = &redis {
            env.push(("HERAUT_REDIS_URL", url.clone()));
            env.push(("HERAUT_REDIS_PREFIX", heraut_testkit::unique_name("kill")));
        }
        // The first process serves the API only; three workers publish on PostgreSQL, one on
        // SQLite. Workers start once everything is due.
        let server = {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Server::start_with_args(
                std::path::Path::new(super::BIN),
                &db,
                &env,
                &["--role", "api"],
            )
            .await
            .unwrap()
        };
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        let setup = Instant::now();
        let targets = load(&api, &admin, &counting, tenants, channels, posts).await;
        eprintln!(
            "{targets} targets in {tenants} tenants due within {:?}",
            setup.elapsed()
        );
        let mut workers: Vec<Node> = (0..if multi { 3 } else { 1 })
            .map(|i| Node::start(&server, &["--role", "worker"], &format!("w{i}")).unwrap())
            .collect();
        let deadline = Instant::now() + Duration::from_secs(300);
        let mut kills = 0;
        while counting.counts().created < targets as u64 && Instant::now() < deadline {
            let pause = rand::thread_rng().gen_range(50..700);
            tokio::time::sleep(Duration::from_millis(pause)).await;
            kills += 1;
            let i = rand::thread_rng().gen_range(0..workers.len());
            workers[i].kill();
            let down = rand::thread_rng().gen_range(0..300);
            tokio::time::sleep(Duration::from_millis(down)).await;
            workers[i].restart().unwrap();
        }
        // Let leases of the last killed attempts run out and their targets be read back.
        let deadline = Instant::now() + Duration::from_secs(60);
        let (mut published, mut all) = published_targets(&api, &admin, tenants).await;
        while published < targets && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(500)).await;
            (published, all) = published_targets(&api, &admin, tenants).await;
        }
        let c = counting.counts();
        eprintln!(
            "{kills} kills; counting server: {} created, {} POSTs, {} read-backs, {} replayed keys",
            c.created, c.posts, c.reads, c.replayed_keys
        );
        assert_eq!(all, targets);
        assert_eq!(published, targets, "targets not published");
        assert_eq!(c.created, targets as u64, "lost or duplicated posts");
        assert_eq!(counting.records().len(), targets);
        assert_eq!(c.posts_without_key, 0);
        assert_eq!(
            c.replayed_keys, 0,
            "a target was sent again without reading back"
        );
        assert!(kills > 0);
        // Every channel read every mention once: none lost to a kill, none stored twice (the
        // cursor moves only with the items it passes).
        let expected = (tenants * channels * mentions) as i64;
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut stored = all_inbound(&db, &server).await;
        while stored < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(500)).await;
            stored = all_inbound(&db, &server).await;
        }
        assert_eq!(stored, expected, "inbound items lost");
        drop(workers);
    }
}

/// Inbound items of every tenant, as the database owner counts them.
async fn all_inbound(db: &TestDb, server: &Server) -> i64 {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let conn = Database::connect(db.owner_url(&server.data_dir))
        .await
        .unwrap();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT count(*) AS n FROM inbound_items",
        ))
        .await
        .unwrap()
        .unwrap();
    let n = row.try_get::<i64>("", "n").unwrap();
    conn.close().await.unwrap();
    n
}

/// A multipart form as a browser sends it: `(name, file name, bytes)` parts.
pub(crate) fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = format!("heraut{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload(
    api: &Api,
    token: &str,
    slug: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> (u16, Value) {
    let (content_type, body) = multipart(parts);
    let r = api
        .http
        .post(format!("{}/api/v1/tenants/{slug}/media", api.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `moto_server` (S3-compatible storage from PyPI) on a free port, with a bucket, if installed.
fn object_storage() -> Option<(std::process::Child, String)> {
    let bin = std::env::var("HERAUT_TEST_MOTO_SERVER").unwrap_or_else(|_| "moto_server".to_owned());
    let port = heraut_testkit::free_port();
    let child = std::process::Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(child) = child else {
        if std::env::var("HERAUT_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
            panic!("moto_server is required (S3-compatible storage); set HERAUT_TEST_MOTO_SERVER");
        }
        eprintln!("NOTICE: moto_server not found; media run on local disk only");
        return None;
    };
    Some((child, format!("http://127.0.0.1:{port}")))
}

#[tokio::test]
async fn images_with_alt_text_go_out_and_nodes_share_them_through_object_storage() {
    let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 900]].concat();
    let gif: Vec<u8> = [b"GIF89a".as_slice(), &[1u8; 300]].concat();
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let counting = CountingServer::start(0, 1).unwrap();
        let smtp = super::SmtpSink::start().await;
        let mut env = quick(&counting.peer());
        env.push(("HERAUT_MEDIA__MAX_BYTES", "2048".to_owned()));
        if let Some(s) = &smtp {
            env.push(("HERAUT_SMTP__HOST", "127.0.0.1".to_owned()));
            env.push(("HERAUT_SMTP__PORT", s.port.to_string()));
            env.push(("HERAUT_SMTP__SECURITY", "none".to_owned()));
            env.push((
                "HERAUT_SMTP__FROM",
                "Heraut <heraut@example.gov>".to_owned(),
            ));
            env.push((
                "HERAUT_PUBLIC_URL",
                "https://heraut.gouda.example".to_owned(),
            ));
        }
        // On PostgreSQL an API node takes the upload and a worker sends it, through S3.
        let multi = db.database_url().is_some();
        let mut s3 = None;
        if multi && let Some((child, url)) = object_storage() {
            let http = reqwest::Client::new();
            let mut made = false;
            for _ in 0..100 {
                if http
                    .put(format!("{url}/heraut-media"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    made = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(made, "moto_server did not create the bucket");
            env.push(("HERAUT_MEDIA__S3_ENDPOINT", url.clone()));
            env.push(("HERAUT_MEDIA__S3_BUCKET", "heraut-media".to_owned()));
            env.push(("HERAUT_MEDIA__S3_ACCESS_KEY_ID", "test".to_owned()));
            env.push(("HERAUT_MEDIA__S3_SECRET_ACCESS_KEY", "test".to_owned()));
            s3 = Some((child, url));
        }
        let role: &[&str] = if multi { &["--role", "api"] } else { &[] };
        let server = {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Server::start_with_args(std::path::Path::new(super::BIN), &db, &env, role)
                .await
                .unwrap()
        };
        let _worker = multi.then(|| Node::start(&server, &["--role", "worker"], "worker").unwrap());
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        open_tenant(&api, &admin, "gouda").await;
        open_tenant(&api, &admin, "delft").await;
        let owner = member(&api, &admin, "gouda", "o@gouda.example", "owner").await;
        let other = member(&api, &admin, "delft", "o@delft.example", "owner").await;
        set_policy(&api, &owner, "gouda", json!([])).await;
        let chan = channel(&api, &owner, "gouda", &counting, 500).await;

        // Uploads: the type comes from the bytes, alt text is required, size is limited.
        let (s, cheese) = upload(
            &api,
            &owner,
            "gouda",
            &[
                ("file", Some("kaas.png"), &png),
                ("alt_text", None, b"A wheel of cheese on the market square"),
            ],
        )
        .await;
        assert_eq!(s, 201, "{cheese:?}");
        assert_eq!(cheese["content_type"], "image/png");
        assert_eq!(cheese["size_bytes"], png.len());
        let (s, market) = upload(
            &api,
            &owner,
            "gouda",
            &[
                ("alt_text", None, "Stalls in the rain".as_bytes()),
                ("file", Some("markt.gif"), &gif),
            ],
        )
        .await;
        assert_eq!(s, 201, "{market:?}");
        for (parts, status, code) in [
            (
                vec![("file", Some("x.png"), png.as_slice())],
                422,
                "media.invalid",
            ),
            (
                vec![
                    ("file", Some("x.png"), png.as_slice()),
                    ("alt_text", None, b"  ".as_slice()),
                ],
                422,
                "media.invalid",
            ),
            (
                vec![
                    (
                        "file",
                        Some("x.svg"),
                        b"<svg xmlns='http://www.w3.org/2000/svg'/>".as_slice(),
                    ),
                    ("alt_text", None, b"logo".as_slice()),
                ],
                422,
                "media.invalid",
            ),
            (
                vec![
                    (
                        "file",
                        Some("big.png"),
                        [png.as_slice(), &[0u8; 2048]].concat().leak() as &[u8],
                    ),
                    ("alt_text", None, b"big".as_slice()),
                ],
                413,
                "request.too_large",
            ),
            (
                vec![("alt_text", None, b"no file".as_slice())],
                400,
                "request.invalid",
            ),
        ] {
            let (s, body) = upload(&api, &owner, "gouda", &parts).await;
            assert_eq!((s, body["code"].as_str()), (status, Some(code)), "{body:?}");
        }
        let id = cheese["id"].as_str().unwrap();
        let bytes = api
            .http
            .get(server.url(&format!("/api/v1/tenants/gouda/media/{id}/content")))
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap();
        assert_eq!(bytes.headers()["content-type"], "image/png");
        assert_eq!(bytes.bytes().await.unwrap().as_ref(), png.as_slice());
        // Another tenant can neither see the image nor put it in its posts.
        let r = api
            .get(&format!("/api/v1/tenants/delft/media/{id}"), &other)
            .await;
        assert_problem(&r, 404, "media.not_found");
        let theirs = channel(&api, &other, "delft", &counting, 500).await;
        let r = api
            .post(
                "/api/v1/tenants/delft/posts",
                Some(&other),
                json!({"body": "x", "channels": [theirs], "media": [id]}),
            )
            .await;
        assert_problem(&r, 422, "post.invalid");
        assert_eq!(r.body["errors"][0]["field"], "media");

        // A post with both images goes out with them, alt texts included.
        let r = api
            .post(
                "/api/v1/tenants/gouda/posts",
                Some(&owner),
                json!({"body": "Cheese market today", "channels": [chan], "media": [id, market["id"]]}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["media"].as_array().unwrap().len(), 2);
        let post = r.body["id"].as_str().unwrap().to_owned();
        api.post(
            &post_path("gouda", &post, "submit"),
            Some(&owner),
            json!({}),
        )
        .await;
        wait_status(&api, &owner, "gouda", &post, "published").await;
        let record = counting.records().into_values().next().unwrap();
        assert_eq!(
            record.media,
            vec![
                (
                    "A wheel of cheese on the market square".to_owned(),
                    png.len()
                ),
                ("Stalls in the rain".to_owned(), gif.len())
            ]
        );
        if s3.is_some() {
            assert!(
                !server.data_dir.join("media").exists(),
                "media were kept on local disk"
            );
        }
        // The author is told by e-mail too.
        if let Some(s) = &smtp {
            let mail = s.message_to("o@gouda.example", "published").await;
            assert!(mail.contains(&post), "{mail}");
        }
        if let Some((mut child, _)) = s3 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The template connector of `plugins/template` and its manifest.
fn template() -> (Vec<u8>, std::path::PathBuf) {
    let manifest =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/template/plugin.toml");
    (
        heraut_testkit::plugin_component("heraut_connector_template"),
        manifest,
    )
}

async fn set_enabled(api: &Api, admin: &str, plugin: &str, enabled: bool) {
    let r = api
        .call(
            "PATCH",
            &format!("/api/v1/plugins/{plugin}"),
            Some(admin),
            Some(json!({ "enabled": enabled })),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn a_plugin_connector_publishes_reads_back_and_can_be_disabled_at_run_time() {
    let (wasm, manifest_path) = template();
    // The template declares its network's host; here the counting server stands in for it.
    let manifest = std::fs::read_to_string(&manifest_path).unwrap().replacen(
        r#"allowed_hosts = ["api.example.org"]"#,
        r#"allowed_hosts = ["api.example.org", "127.0.0.1"]"#,
        1,
    );
    assert!(manifest.contains("127.0.0.1"));
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let counting = CountingServer::start(0, 1).unwrap();
        let server = start_with(&db, &quick(&counting.peer())).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        let (content_type, body) = multipart(&[
            ("plugin.wasm", Some("plugin.wasm"), &wasm),
            ("plugin.toml", Some("plugin.toml"), manifest.as_bytes()),
        ]);
        let r = api
            .http
            .post(server.url("/api/v1/plugins"))
            .bearer_auth(&admin)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        open_tenant(&api, &admin, "town").await;
        let owner = member(&api, &admin, "town", "o@town.example", "owner").await;
        set_policy(&api, &owner, "town", json!([])).await;
        let new_channel = |settings: Value| {
            api.post(
                "/api/v1/tenants/town/channels",
                Some(&owner),
                json!({"plugin": "json-api", "name": "City feed", "settings": settings,
                       "credentials": {"token": "peer-token"}}),
            )
        };
        // A plugin is installed disabled: an administrator must enable it first.
        let url = format!("{}/town", counting.base_url);
        let r = new_channel(json!({ "url": url })).await;
        assert_problem(&r, 422, "channel.invalid");
        assert!(
            r.body["detail"].as_str().unwrap().contains("disabled"),
            "{:?}",
            r.body
        );
        set_enabled(&api, &admin, "json-api", true).await;
        // The manifest's settings are checked, and so is the gate.
        let r = new_channel(json!({"url": url, "colour": "red"})).await;
        assert_problem(&r, 422, "channel.invalid");
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("unknown setting `colour`")
        );
        let r = new_channel(json!({"url": "http://10.0.0.1/x"})).await;
        assert_problem(&r, 422, "channel.invalid");
        assert!(
            r.body["detail"].as_str().unwrap().contains("plain http"),
            "{:?}",
            r.body
        );
        // A local peer (`plugin_local_peers`) may be reached over plain http, but only once an
        // administrator approved its host for this plugin.
        let r = new_channel(json!({ "url": url })).await;
        assert_problem(&r, 422, "channel.invalid");
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("`127.0.0.1` is not among the hosts"),
            "{:?}",
            r.body
        );
        let r = api
            .call(
                "PATCH",
                "/api/v1/plugins/json-api",
                Some(&admin),
                Some(json!({"approved_hosts": ["127.0.0.1"]})),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = new_channel(json!({ "url": url })).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let chan = r.body["id"].as_str().unwrap().to_owned();

        // The plugin's own validation: 280 characters.
        let r = api
            .post(
                "/api/v1/tenants/town/posts",
                Some(&owner),
                json!({"body": "x".repeat(281), "channels": [chan]}),
            )
            .await;
        assert_problem(&r, 422, "post.invalid");
        assert!(
            format!("{:?}", r.body).contains("280 characters"),
            "{:?}",
            r.body
        );

        // Published through the plugin, once, also when an answer comes too late or is a
        // success whose body cannot be read: the publisher reads back through the plugin
        // before it retries, and finds the post the network did create.
        for (faults, text) in [
            (json!([]), "plain"),
            (json!([{"delay_ms": 3500}]), "late"),
            (json!([{"garbled": true}]), "garbled"),
        ] {
            counting.inject(faults.as_array().unwrap().clone());
            let before = counting.counts();
            let r = api
                .post(
                    "/api/v1/tenants/town/posts",
                    Some(&owner),
                    json!({"body": text, "channels": [chan]}),
                )
                .await;
            let id = r.body["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{:?}\n{}", r.body, server.log()))
                .to_owned();
            let r = api
                .post(&post_path("town", &id, "submit"), Some(&owner), json!({}))
                .await;
            assert_eq!(r.body["status"], "approved", "{:?}", r.body);
            let p = wait_status(&api, &owner, "town", &id, "published").await;
            let after = counting.counts();
            assert_eq!(after.created, before.created + 1, "{text}");
            assert_eq!(after.posts, before.posts + 1, "{text}: sent again blindly");
            let remote = p["targets"][0]["remote_id"].as_str().unwrap();
            let record = counting
                .records()
                .into_values()
                .find(|r| r.text == text)
                .unwrap();
            assert_eq!(remote, record.id.to_string(), "{p:?}");
            if text != "plain" {
                assert!(
                    after.reads > before.reads,
                    "{text}: no read-back before the retry"
                );
            }
        }
        // The plugin's requests were counted.
        let metrics = api.http.get(server.url("/metrics")).send().await.unwrap();
        let text = metrics.text().await.unwrap();
        assert!(
            text.contains(
                "heraut_plugin_http_requests_total{plugin=\"json-api\",outcome=\"sent\"}"
            ),
            "{text}"
        );

        // Disabled at run time: new posts to its channels are refused at once.
        set_enabled(&api, &admin, "json-api", false).await;
        let r = api
            .post(
                "/api/v1/tenants/town/posts",
                Some(&owner),
                json!({"body": "after", "channels": [chan]}),
            )
            .await;
        assert_problem(&r, 422, "post.invalid");
        assert!(format!("{:?}", r.body).contains("disabled"), "{:?}", r.body);
    }
}

#[tokio::test]
async fn the_plugin_harness_runs_the_template_against_a_local_server() {
    let (wasm, manifest) = template();
    let db = TestDb::sqlite();
    let counting = CountingServer::start(0, 1).unwrap();
    let server = start(&db, &[]).await;
    let file = server.data_dir.join("template.wasm");
    std::fs::write(&file, &wasm).unwrap();
    let url = format!("{}/harness", counting.base_url);
    let run = |extra: &[&str]| {
        let mut args = vec![
            "plugin",
            "test",
            file.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        server.cli(&args, &[]).unwrap()
    };
    let setting = format!("url={url}");
    let peer = counting.peer();
    let (code, out, err) = run(&[
        "--setting",
        &setting,
        "--local-peer",
        &peer,
        "--token",
        "t0ken",
        "--body",
        "Harness says hello",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("describe: network `json-api`"), "{out}");
    assert!(out.contains("validate: no problems"), "{out}");
    assert!(out.contains("(the post just published)"), "{out}");
    assert!(out.ends_with("PASSED\n"), "{out}");
    assert_eq!(counting.counts().created, 1);
    // Without the local peer, the gate refuses plain http, and the harness says so.
    let (code, out, _) = run(&["--setting", &setting]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("plain http"), "{out}");
    assert!(out.ends_with("FAILED\n"), "{out}");
}

#[tokio::test]
async fn the_plugin_harness_runs_every_capability_of_the_mastodon_connector() {
    let Some(peer) = heraut_testkit::peers::Peer::start(
        "mastodon-mock",
        heraut_testkit::free_port(),
        &[],
        Duration::from_secs(90),
    ) else {
        return;
    };
    let db = TestDb::sqlite();
    let server = start(&db, &[]).await;
    let file = server.data_dir.join("mastodon.wasm");
    std::fs::write(
        &file,
        heraut_testkit::plugin_component("heraut_connector_mastodon"),
    )
    .unwrap();
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/connectors/mastodon/plugin.toml");
    let instance = format!("instance_url={}", peer.url());
    let local = peer.authority();
    let (code, out, err) = server
        .cli(
            &[
                "plugin",
                "test",
                file.to_str().unwrap(),
                "--manifest",
                manifest.to_str().unwrap(),
                "--setting",
                &instance,
                "--local-peer",
                &local,
                "--token",
                "ada_token",
                "--body",
                "Harness question about the bridge",
            ],
            &[],
        )
        .unwrap();
    assert_eq!(code, 0, "{out}{err}");
    for line in [
        "interface: heraut:plugin 0.2.0; exports publishing, inbound, replying, metrics, searching",
        "publishing again with the same key gave the same post",
        "inbound: fetch-activity: ",
        "replying: reply: remote id ",
        "metrics: fetch-metrics: ",
        "searching: search: ",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    assert!(out.ends_with("PASSED\n"), "{out}");
}

/// `plugins/dist`, the shipped connectors `cargo xtask` builds, or `None` with a notice when it
/// has not been built (`cargo nextest` alone).
fn shipped_dist() -> Option<std::path::PathBuf> {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/dist");
    if dist.join("mastodon.wasm").exists() {
        return Some(dist);
    }
    assert!(
        std::env::var_os("HERAUT_TEST_PLUGINS_BUILT").is_none(),
        "cargo xtask built the shipped connectors, but plugins/dist has none"
    );
    eprintln!("NOTICE: plugins/dist is not built (`cargo xtask plugins`); test skipped");
    None
}

/// Installs `wasm` with `manifest` through the API; gives the plugin's view.
async fn upload_plugin(api: &Api, admin: &str, wasm: &[u8], manifest: &str) -> Value {
    let (content_type, body) = multipart(&[
        ("plugin.wasm", Some("plugin.wasm"), wasm),
        ("plugin.toml", Some("plugin.toml"), manifest.as_bytes()),
    ]);
    let r = api
        .http
        .post(format!("{}/api/v1/plugins", api.base))
        .bearer_auth(admin)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["plugin"].clone()
}

#[tokio::test]
async fn the_shipped_connectors_are_installed_on_first_start_and_stay_as_an_admin_left_them() {
    let Some(dist) = shipped_dist() else {
        return;
    };
    let source_version = |id: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../plugins/connectors/{id}/plugin.toml"));
        let text = std::fs::read_to_string(path).unwrap();
        let line = text.lines().find(|l| l.starts_with("version")).unwrap();
        line.split('"').nth(1).unwrap().to_owned()
    };
    let plugins = |body: &Value| -> Vec<(String, String, bool, Value)> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_owned(),
                    p["version"].as_str().unwrap().to_owned(),
                    p["enabled"].as_bool().unwrap(),
                    p["approved_hosts"].clone(),
                )
            })
            .collect()
    };
    let db = TestDb::sqlite();
    // A new machine: no plugin_dir, nothing installed by hand.
    let mut server = start(&db, &[("HERAUT_SHIPPED_PLUGINS", "true")]).await;
    let api = Api::new(&server);
    let (admin, _) = bootstrap_admin(&server, &api).await;
    let first = api.get("/api/v1/plugins", &admin).await;
    let mut got = plugins(&first.body);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    // Enabled at once; the networks' own servers approved, a Mastodon instance or a webhook
    // receiver waits for the administrator. The template is not a product connector.
    let want = |id: &str, hosts: Value| (id.to_owned(), source_version(id), true, hosts);
    assert_eq!(
        got,
        vec![
            want("bluesky", json!(["bsky.social"])),
            want("mastodon", json!([])),
            want("telegram", json!(["api.telegram.org"])),
            want("webhook", json!([])),
        ]
    );
    // The administrator disables Telegram, installs a newer webhook connector, and (as if an
    // older Heraut had installed it) an older Mastodon connector with an approved instance.
    set_enabled(&api, &admin, "telegram", false).await;
    let webhook = std::fs::read(dist.join("webhook.wasm")).unwrap();
    let webhook_toml = std::fs::read_to_string(dist.join("webhook.toml")).unwrap();
    let newer = webhook_toml.replacen(
        &format!("version = \"{}\"", source_version("webhook")),
        "version = \"99.0.0\"",
        1,
    );
    assert_eq!(
        upload_plugin(&api, &admin, &webhook, &newer).await["version"],
        "99.0.0"
    );
    let mastodon = std::fs::read(dist.join("mastodon.wasm")).unwrap();
    let mastodon_toml = std::fs::read_to_string(dist.join("mastodon.toml")).unwrap();
    let older = mastodon_toml.replacen(
        &format!("version = \"{}\"", source_version("mastodon")),
        "version = \"0.0.1\"",
        1,
    );
    upload_plugin(&api, &admin, &mastodon, &older).await;
    let r = api
        .call(
            "PATCH",
            "/api/v1/plugins/mastodon",
            Some(&admin),
            Some(json!({"approved_hosts": ["social.example.org"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let before = api.get("/api/v1/plugins", &admin).await;

    server.restart().await.unwrap();
    let after = api.get("/api/v1/plugins", &admin).await;
    let mut got = plugins(&after.body);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        vec![
            want("bluesky", json!(["bsky.social"])),
            // Upgraded to the shipped version, the administrator's approval kept.
            want("mastodon", json!(["social.example.org"])),
            // Still disabled, still the same row.
            (
                "telegram".to_owned(),
                source_version("telegram"),
                false,
                json!(["api.telegram.org"])
            ),
            // Never downgraded.
            ("webhook".to_owned(), "99.0.0".to_owned(), true, json!([])),
        ]
    );
    let row = |body: &Value, id: &str| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap()
    };
    for id in ["bluesky", "telegram", "webhook"] {
        assert_eq!(
            row(&before.body, id),
            row(&after.body, id),
            "{id} was left alone"
        );
    }
}

#[tokio::test]
async fn a_slow_plugin_validate_holds_up_no_other_tenants_writes() {
    let db = TestDb::sqlite();
    let server = start(&db, &[]).await;
    let api = Api::new(&server);
    let (admin, _) = bootstrap_admin(&server, &api).await;
    let manifest = "id = \"hostile\"\nname = \"Hostile\"\nversion = \"0.1.0\"\n\
                    world = \"connector\"\napi_version = \"0.2.0\"\n";
    upload_plugin(
        &api,
        &admin,
        &heraut_testkit::plugin_guest("hostile"),
        manifest,
    )
    .await;
    set_enabled(&api, &admin, "hostile", true).await;
    let mut owners = Vec::new();
    for (slug, plugin) in [("town", "hostile"), ("city", "feed")] {
        open_tenant(&api, &admin, slug).await;
        let owner = member(&api, &admin, slug, &format!("o@{slug}.example"), "owner").await;
        let r = api
            .post(
                &format!("/api/v1/tenants/{slug}/channels"),
                Some(&owner),
                json!({"plugin": plugin, "name": format!("{slug} news"),
                       "settings": if plugin == "feed" { json!({"title": "News"}) } else { json!({}) }}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        owners.push((slug, owner, r.body["id"].as_str().unwrap().to_owned()));
    }
    let draft = |slug: &str, owner: &str, channel: &str, body: &str| {
        let (api, slug, owner) = (api.clone(), slug.to_owned(), owner.to_owned());
        let body = json!({"body": body, "channels": [channel]});
        async move {
            api.post(&format!("/api/v1/tenants/{slug}/posts"), Some(&owner), body)
                .await
        }
    };
    // The town's connector takes 3 s to judge its draft (a slow network would).
    let (town, town_owner, town_channel) = &owners[0];
    let slow = tokio::spawn(draft(town, town_owner, town_channel, "sleep"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Meanwhile the city writes; it does not wait for the town's plugin.
    let (city, city_owner, city_channel) = &owners[1];
    let quick = draft(city, city_owner, city_channel, "Road works on Main Street").await;
    assert_eq!(quick.status, 201, "{:?}", quick.body);
    assert!(
        !slow.is_finished(),
        "the city's draft was stored only after the town's plugin had judged its own"
    );
    let slow = slow.await.unwrap();
    assert_eq!(slow.status, 201, "{:?}", slow.body);
}

#[tokio::test]
async fn plugins_in_plugin_dir_are_installed_when_serve_starts() {
    let (wasm, manifest) = template();
    let db = TestDb::sqlite();
    let dir = std::env::temp_dir().join(heraut_testkit::unique_name("plugin-dir"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("json-api.wasm"), &wasm).unwrap();
    std::fs::copy(&manifest, dir.join("json-api.toml")).unwrap();
    // A component without its manifest is skipped, not fatal.
    std::fs::write(dir.join("stray.wasm"), &wasm).unwrap();
    let server = start(&db, &[("HERAUT_PLUGIN_DIR", dir.to_str().unwrap())]).await;
    let api = Api::new(&server);
    let (admin, _) = bootstrap_admin(&server, &api).await;
    let list = api.get("/api/v1/plugins", &admin).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        (items[0]["id"].as_str(), items[0]["enabled"].as_bool()),
        (Some("json-api"), Some(false))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The tenant's inbound items, as the database holds them.
async fn inbound_count(db: &TestDb, server: &Server, slug: &str) -> i64 {
    super::rows_per_table(db, server, slug)
        .await
        .into_iter()
        .find(|(t, _)| t == "inbound_items")
        .map(|(_, n)| n)
        .unwrap_or(0)
}

/// Waits until the tenant holds `n` inbound items; gives the count.
async fn wait_inbound(db: &TestDb, server: &Server, slug: &str, n: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = inbound_count(db, server, slug).await;
        if got >= n || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_channel_is_read_into_inbound_items_once_each_through_faults_and_dead_jobs_are_retried() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let counting = CountingServer::start(0, 1).unwrap();
        let mut env = quick(&counting.peer());
        env.push(("HERAUT_INBOUND__POLL_INTERVAL_SECONDS", "3600".to_owned()));
        let server = start_with(&db, &env).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        open_tenant(&api, &admin, "town").await;
        let owner = member(&api, &admin, "town", "o@town.example", "owner").await;
        // 120 mentions wait on the network (three pages); it first asks Heraut to wait a
        // second, then fails, then repeats five items it already gave.
        let ids = counting.add_activity(120, None);
        counting.inject_activity(vec![
            json!({"retry_after": 1}),
            json!({"status": 500}),
            json!({"repeat": 5}),
        ]);
        // Connecting the channel reads it at once.
        let chan = channel(&api, &owner, "town", &counting, 500).await;
        assert_eq!(wait_inbound(&db, &server, "town", 120).await, 120);
        let list = api.get("/api/v1/tenants/town/channels", &owner).await;
        let c = &list.body["items"][0];
        assert!(c["synced_at"].is_string(), "{c:?}");
        assert_eq!(c["sync_error"], Value::Null);
        assert_eq!(c["reads_network"], true);
        assert!(counting.activity_reads() >= 5, "three pages and two faults");
        assert_eq!(ids.len(), 120);

        // New replies arrive; a person asks for them now instead of in an hour.
        counting.add_activity(10, Some("a-3"));
        let r = api
            .post(
                &format!("/api/v1/tenants/town/channels/{chan}/sync"),
                Some(&owner),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        assert_eq!(r.body["channel_id"], chan.as_str());
        assert_eq!(wait_inbound(&db, &server, "town", 130).await, 130);
        // Asked again with nothing new: nothing is stored twice.
        let reads = counting.activity_reads();
        api.post(
            &format!("/api/v1/tenants/town/channels/{chan}/sync"),
            Some(&owner),
            json!({}),
        )
        .await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while counting.activity_reads() == reads && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(counting.activity_reads() > reads);
        assert_eq!(inbound_count(&db, &server, "town").await, 130);

        // The network refuses (400): the job is dead, the channel says why, and an instance
        // administrator sees it and tries it again.
        counting.inject_activity(vec![json!({"status": 400})]);
        api.post(
            &format!("/api/v1/tenants/town/channels/{chan}/sync"),
            Some(&owner),
            json!({}),
        )
        .await;
        let deadline = Instant::now() + Duration::from_secs(20);
        let dead = loop {
            let r = api.get("/api/v1/admin/jobs?state=dead", &admin).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            let items = r.body["items"].as_array().unwrap().clone();
            if let Some(j) = items.into_iter().find(|j| j["kind"] == "channel.sync") {
                break j;
            }
            assert!(
                Instant::now() < deadline,
                "the refused sync never became a dead job"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert!(
            dead["last_error"].as_str().unwrap().contains("400"),
            "{dead:?}"
        );
        let list = api.get("/api/v1/tenants/town/channels", &owner).await;
        assert!(
            list.body["items"][0]["sync_error"]
                .as_str()
                .is_some_and(|e| e.contains("400")),
            "{:?}",
            list.body
        );
        // Only instance administrators see and retry jobs.
        let r = api.get("/api/v1/admin/jobs", &owner).await;
        assert_problem(&r, 403, "auth.forbidden");
        let r = api.get("/api/v1/admin/jobs?state=lost", &admin).await;
        assert_problem(&r, 400, "request.invalid");
        let id = dead["id"].as_str().unwrap();
        counting.add_activity(1, None);
        let r = api
            .post(
                &format!("/api/v1/admin/jobs/{id}/retry"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["state"], "queued");
        assert_eq!(r.body["attempts"], 0);
        assert_eq!(wait_inbound(&db, &server, "town", 131).await, 131);
        let r = api
            .post(
                &format!("/api/v1/admin/jobs/{id}/retry"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_problem(&r, 409, "job.not_dead");
        let r = api
            .post(
                &format!("/api/v1/admin/jobs/{}/retry", uuid::Uuid::nil()),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_problem(&r, 404, "job.not_found");
        let list = api.get("/api/v1/tenants/town/channels", &owner).await;
        assert_eq!(list.body["items"][0]["sync_error"], Value::Null);
        // The retry is in the instance's audit trail.
        use sea_orm::{ConnectionTrait, Database, Statement};
        let conn = Database::connect(db.owner_url(&server.data_dir))
            .await
            .unwrap();
        let row = conn
            .query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                "SELECT count(*) AS n FROM audit_events WHERE action = 'job.retry'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);
        conn.close().await.unwrap();
    }
}
