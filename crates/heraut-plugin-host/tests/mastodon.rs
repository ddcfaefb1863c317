//! The Mastodon connector (`heraut:plugin@0.2.0`, world `two-way-connector`) against
//! mastodon-mock, through the core's connector trait as the server builds it: every capability
//! the component exports — publishing with network options, inbound (notifications and direct
//! messages paged with `min_id`), threads (`statuses/:id/context`), replying and reblogging,
//! counters and search — each with the faults a network has (429 with `Retry-After`, 500, a
//! cursor the server does not honour). Needs the peers of `tests/peers/setup.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use heraut_core::channels::connector::{
    ActivityPage, ChannelAccount, Connector, OutgoingPost, Poll, PostOptions, PublishError,
};
use heraut_core::channels::manifest::Manifest;
use heraut_core::channels::plugins::PluginRuntime;
use heraut_plugin_host::{Limits, Runtime};
use heraut_testkit::peers::Peer;
use serde_json::{Value, json};

struct Mock {
    peer: Peer,
    http: reqwest::Client,
}

impl Mock {
    async fn call(&self, method: reqwest::Method, path: &str, token: &str, body: Value) -> Value {
        let r = self
            .http
            .request(method, format!("{}{path}", self.peer.url()))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// Posts a status as the owner of `token`; its id.
    async fn say(&self, token: &str, body: Value) -> String {
        let s = self
            .call(reqwest::Method::POST, "/api/v1/statuses", token, body)
            .await;
        s["id"].as_str().unwrap().to_owned()
    }

    async fn status(&self, id: &str) -> Value {
        self.call(
            reqwest::Method::GET,
            &format!("/api/v1/statuses/{id}"),
            "ada_token",
            Value::Null,
        )
        .await
    }

    async fn fault(&self, path: &str, effect: Value) {
        let r = self
            .http
            .post(format!("{}/api/v1/_mock/faults", self.peer.url()))
            .json(&json!({"match": {"path": path}, "effect": effect, "count": 1}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
}

fn connector(mock: &Mock) -> Arc<dyn Connector> {
    let dir = std::env::temp_dir().join(heraut_testkit::unique_name("mastodon-compiled"));
    let runtime = Runtime::new(
        Limits::default(),
        dir,
        vec![mock.peer.authority()],
        chrono::Utc::now,
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/connectors/mastodon/plugin.toml");
    let manifest = Manifest::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let bytes = heraut_testkit::plugin_component("heraut_connector_mastodon");
    runtime
        .connector(manifest, &bytes, vec!["127.0.0.1".to_owned()])
        .unwrap()
}

fn account(mock: &Mock) -> ChannelAccount {
    let map = |v: Value| v.as_object().unwrap().clone();
    ChannelAccount {
        channel_id: uuid::Uuid::now_v7(),
        settings: map(json!({"instance_url": mock.peer.url()})),
        credentials: Some(map(json!({"access_token": "ada_token"}))),
    }
}

fn post(key: &str, body: &str, options: PostOptions) -> OutgoingPost {
    OutgoingPost {
        body: body.to_owned(),
        media: vec![],
        idempotency_key: key.to_owned(),
        reply_to: None,
        options,
    }
}

/// Every page from `cursor` on, as the sync job reads them: the items and the last cursor.
async fn read_all(
    c: &dyn Connector,
    account: &ChannelAccount,
    mut cursor: Option<String>,
) -> (
    Vec<heraut_core::channels::connector::Activity>,
    Option<String>,
) {
    let mut all = Vec::new();
    for _ in 0..20 {
        let ActivityPage {
            items,
            next_cursor,
            more,
        } = c
            .fetch_activity(account, cursor.as_deref())
            .await
            .unwrap()
            .expect("the Mastodon connector reads its network");
        all.extend(items);
        cursor = next_cursor;
        if !more {
            break;
        }
    }
    (all, cursor)
}

#[tokio::test]
async fn the_mastodon_connector_publishes_listens_answers_counts_and_searches() {
    let Some(peer) = Peer::start(
        "mastodon-mock",
        heraut_testkit::free_port(),
        &[],
        Duration::from_secs(90),
    ) else {
        return;
    };
    let mock = Mock {
        peer,
        http: reqwest::Client::new(),
    };
    let c = connector(&mock);
    let ada = account(&mock);
    assert_eq!(
        c.capabilities(),
        vec!["inbound", "replying", "metrics", "searching"]
    );
    assert!(c.reads_activity());

    // Publishing with network options: a poll, a content warning and a thread of three.
    let poll = PostOptions {
        poll: Some(Poll {
            options: vec!["Ja".into(), "Nee".into()],
            expires_in_seconds: 86_400,
            multiple: false,
        }),
        content_warning: Some("Wegwerkzaamheden".into()),
        thread: vec![
            "Deel twee: de omleiding loopt via de Dorpsstraat.".into(),
            "Deel drie: vragen? Antwoord hieronder.".into(),
        ],
    };
    let first = post("k-poll", "Gaat u de brug gebruiken?", poll);
    let receipt = c.publish(&ada, &first).await.unwrap();
    let status = mock.status(&receipt.remote_id).await;
    assert_eq!(status["spoiler_text"], "Wegwerkzaamheden");
    assert_eq!(status["poll"]["options"].as_array().unwrap().len(), 2);
    let thread = c
        .fetch_thread(&ada, &receipt.remote_id)
        .await
        .unwrap()
        .unwrap();
    let bodies: Vec<&str> = thread.iter().map(|a| a.body.as_str()).collect();
    assert_eq!(thread.len(), 3, "{bodies:?}");
    assert!(bodies[1].contains("Deel twee") && bodies[2].contains("Deel drie"));
    assert_eq!(
        thread[2].in_reply_to.as_deref(),
        Some(thread[1].remote_id.as_str())
    );
    // The same key again is the same statuses, thread included: nothing posted twice.
    let again = c.publish(&ada, &first).await.unwrap();
    assert_eq!(again.remote_id, receipt.remote_id);
    let thread_again = c
        .fetch_thread(&ada, &receipt.remote_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(thread_again.len(), 3);

    // Reading starts at the newest; what comes after is read once, oldest first, and
    // sorted by kind: a mention, a reply to the channel's post, a direct message.
    let (_, cursor) = read_all(&*c, &ada, None).await;
    let mention = mock
        .say(
            "grace_token",
            json!({"status": "@ada Is de brug morgen open?"}),
        )
        .await;
    let reply = mock
        .say(
            "grace_token",
            json!({"status": "@ada Ja, ik stem!", "in_reply_to_id": receipt.remote_id}),
        )
        .await;
    let message = mock
        .say(
            "grace_token",
            json!({"status": "@ada Mag ik u iets persoonlijks vragen?", "visibility": "direct"}),
        )
        .await;
    let (items, cursor) = read_all(&*c, &ada, cursor).await;
    let kinds: Vec<(&str, &str)> = items
        .iter()
        .map(|a| (a.remote_id.as_str(), a.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (mention.as_str(), "mention"),
            (reply.as_str(), "reply"),
            (message.as_str(), "message")
        ]
    );
    assert_eq!(items[0].body, "@ada Is de brug morgen open?");
    assert_eq!(items[0].author_handle.as_deref(), Some("@grace"));
    assert_eq!(
        items[1].in_reply_to.as_deref(),
        Some(receipt.remote_id.as_str())
    );
    // A direct message keeps the conversation Mastodon put it in.
    assert!(items[2].conversation.is_some(), "{:?}", items[2]);
    // Nothing new: nothing read again.
    let (none, cursor) = read_all(&*c, &ada, cursor).await;
    assert!(none.is_empty(), "{none:?}");

    // Faults: a 429 says how long to wait, a 500 is passing; the cursor stays where it was,
    // so what came meanwhile is read once the network answers again.
    mock.fault(
        "/api/v1/notifications",
        json!({"type": "ratelimit", "status": 429, "headers": {"Retry-After": "7"}}),
    )
    .await;
    let later = mock
        .say("grace_token", json!({"status": "@ada Nog een vraag"}))
        .await;
    let r = c.fetch_activity(&ada, cursor.as_deref()).await;
    assert_eq!(
        r.unwrap_err(),
        PublishError::RateLimited {
            retry_after_secs: 7
        }
    );
    mock.fault(
        "/api/v1/conversations",
        json!({"type": "status", "status": 500}),
    )
    .await;
    let r = c.fetch_activity(&ada, cursor.as_deref()).await;
    assert!(matches!(r, Err(PublishError::Transient(_))), "{r:?}");
    let (items, _) = read_all(&*c, &ada, cursor).await;
    let ids: Vec<&str> = items.iter().map(|a| a.remote_id.as_str()).collect();
    assert_eq!(ids, vec![later.as_str()]);

    // Replying: the author's handle in front, the audience of the status answered, once
    // per key.
    let answer = post(
        "k-answer",
        "De brug is morgen open vanaf 7 uur.",
        PostOptions::default(),
    );
    let answered = c.reply(&ada, &mention, &answer).await.unwrap().unwrap();
    let status = mock.status(&answered.remote_id).await;
    assert_eq!(status["in_reply_to_id"], mention.as_str());
    assert!(status["content"].as_str().unwrap().contains("@grace"));
    let twice = c.reply(&ada, &mention, &answer).await.unwrap().unwrap();
    assert_eq!(twice.remote_id, answered.remote_id);
    let private = post(
        "k-private",
        "Natuurlijk, stuur uw vraag.",
        PostOptions::default(),
    );
    let private = c.reply(&ada, &message, &private).await.unwrap().unwrap();
    assert_eq!(
        mock.status(&private.remote_id).await["visibility"],
        "direct"
    );

    // Re-sharing: twice is once.
    let boosted = c.reshare(&ada, &mention).await.unwrap().unwrap();
    assert!(!boosted.remote_id.is_empty());
    c.reshare(&ada, &mention).await.unwrap().unwrap();
    let original = mock.status(&mention).await;
    assert_eq!(original["reblogs_count"], 1);

    // Counters: what Mastodon counts, and no number for what it does not (views, clicks,
    // quotes on this server); a status that is gone is left out.
    mock.call(
        reqwest::Method::POST,
        &format!("/api/v1/statuses/{}/favourite", receipt.remote_id),
        "grace_token",
        json!({}),
    )
    .await;
    let counted = c
        .fetch_metrics(
            &ada,
            &[
                receipt.remote_id.clone(),
                mention.clone(),
                "99999999".into(),
            ],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counted.len(), 2, "{counted:?}");
    let mine = counted
        .iter()
        .find(|m| m.remote_id == receipt.remote_id)
        .unwrap();
    assert_eq!(mine.reactions, Some(1));
    assert_eq!(
        mine.replies,
        Some(2),
        "the thread's part and Grace's vote answer it"
    );
    assert_eq!((mine.views, mine.clicks), (None, None));
    let theirs = counted.iter().find(|m| m.remote_id == mention).unwrap();
    assert_eq!(theirs.reshares, Some(1));

    // Searching: words and a tag; a second page from the cursor repeats nothing, although
    // this server's search ignores `min_id`.
    mock.say("grace_token", json!({"status": "De #brugopening was mooi"}))
        .await;
    let page = c.search(&ada, "brug", None).await.unwrap().unwrap();
    assert!(!page.items.is_empty());
    assert!(page.items.iter().all(|a| a.kind == "post"));
    assert!(
        page.items
            .iter()
            .all(|a| a.body.to_lowercase().contains("brug")),
        "{:?}",
        page.items
    );
    let seen: HashSet<String> = page.items.iter().map(|a| a.remote_id.clone()).collect();
    let next = c
        .search(&ada, "brug", page.next_cursor.as_deref())
        .await
        .unwrap()
        .unwrap();
    assert!(
        next.items.iter().all(|a| !seen.contains(&a.remote_id)),
        "{next:?}"
    );
    let tagged = c.search(&ada, "#brugopening", None).await.unwrap().unwrap();
    assert_eq!(tagged.items.len(), 1, "{tagged:?}");
    let r = c.search(&ada, "  ", None).await;
    assert!(matches!(r, Err(PublishError::Rejected(_))), "{r:?}");
}
