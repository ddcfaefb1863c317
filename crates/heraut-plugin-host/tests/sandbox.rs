//! The sandbox against hostile plugins: each misbehaviour is stopped within its limit with an
//! error that names it, while well-behaved calls made at the same moment succeed. The test
//! guests in `plugins/tests` are built for wasm32-wasip2 by the first test that needs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use heraut_plugin_host::{
    Cell, Column, ColumnKind, Draft, Limits, PluginError, PluginHost, ReportInput, Table,
};

fn guest(name: &str) -> Vec<u8> {
    heraut_testkit::plugin_guest(name)
}

fn draft(body: &str) -> Draft {
    Draft {
        options: heraut_plugin_host::no_options(),
        body: body.to_owned(),
        media: vec![],
    }
}

fn host(limits: Limits) -> PluginHost {
    PluginHost::new(limits).expect("engine")
}

#[tokio::test]
async fn a_well_behaved_connector_describes_and_validates() {
    let host = host(Limits::default());
    let echo = host.load_connector(&guest("echo")).unwrap();
    let (info, _) = host.describe(&echo).await.unwrap();
    assert_eq!((info.network.as_str(), info.max_chars), ("echo", 20));
    let (problems, _) = host.validate(&echo, draft("short")).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let (problems, _) = host
        .validate(&echo, draft("this text is longer than twenty characters"))
        .await
        .unwrap();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("20 characters"),
        "{problems:?}"
    );
    // Loading the same bytes again reuses the compiled component.
    let again = host.load_connector(&guest("echo")).unwrap();
    assert_eq!(again.hash, echo.hash);
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_at_the_deadline_while_others_carry_on() {
    let limits = Limits {
        timeout: Duration::from_millis(500),
        fuel: u64::MAX / 2,
        ..Limits::default()
    };
    let host = std::sync::Arc::new(host(limits));
    let hostile = host.load_connector(&guest("hostile")).unwrap();
    let echo = host.load_connector(&guest("echo")).unwrap();
    let started = Instant::now();
    let looping = {
        let host = host.clone();
        tokio::spawn(async move { host.validate(&hostile, draft("loop")).await })
    };
    // Meanwhile, ordinary calls are answered promptly.
    tokio::time::sleep(Duration::from_millis(50)).await;
    for _ in 0..20 {
        let t = Instant::now();
        assert!(host.validate(&echo, draft("ok")).await.is_ok());
        assert!(
            t.elapsed() < Duration::from_millis(400),
            "a good call waited {:?}",
            t.elapsed()
        );
    }
    let err = looping.await.unwrap().err();
    assert_eq!(err, Some(PluginError::Timeout(Duration::from_millis(500))));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "stopped only after {took:?}");
}

#[tokio::test]
async fn cpu_budget_memory_bomb_recursion_and_trap_are_each_named() {
    let host = host(Limits {
        fuel: 50_000_000,
        memory_mib: 16,
        ..Limits::default()
    });
    let hostile = host.load_connector(&guest("hostile")).unwrap();
    assert_eq!(
        host.validate(&hostile, draft("loop")).await.err(),
        Some(PluginError::OutOfFuel)
    );
    assert_eq!(
        host.validate(&hostile, draft("memory")).await.err(),
        Some(PluginError::OutOfMemory(16))
    );
    assert_eq!(
        host.validate(&hostile, draft("recurse")).await.err(),
        Some(PluginError::StackOverflow)
    );
    match host.validate(&hostile, draft("trap")).await {
        Err(PluginError::Trap(msg)) => assert!(!msg.is_empty()),
        other => panic!("expected a trap, got {other:?}"),
    }
    // After all that, the same plugin still answers a normal call: every call has a fresh store.
    let (problems, _) = host.validate(&hostile, draft("fine")).await.unwrap();
    assert!(problems.is_empty());
}

#[tokio::test]
async fn the_plugin_log_is_bounded() {
    let host = host(Limits {
        log_lines: 50,
        ..Limits::default()
    });
    let hostile = host.load_connector(&guest("hostile")).unwrap();
    let (_, log) = host.validate(&hostile, draft("log-flood")).await.unwrap();
    assert_eq!(log.len(), 51);
    assert!(log[50].contains("99950 more lines dropped"), "{}", log[50]);
}

#[tokio::test]
async fn what_is_not_a_connector_component_is_refused_with_a_clear_message() {
    let host = host(Limits::default());
    let core = b"\0asm\x01\0\0\0";
    match host.load_connector(core) {
        Err(PluginError::Invalid(m)) => assert!(m.contains("core WebAssembly module"), "{m}"),
        other => panic!("{other:?}"),
    }
    let mut corrupt = guest("echo");
    let mid = corrupt.len() / 2;
    corrupt.truncate(mid);
    assert!(matches!(
        host.load_connector(&corrupt),
        Err(PluginError::Invalid(_))
    ));
    // An empty component: valid, but it exports nothing of the connector world.
    let empty = b"\0asm\x0d\0\x01\0";
    match host.load_connector(empty) {
        Err(PluginError::WrongWorld { world, .. }) => assert_eq!(world, "connector"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_reporter_renders_the_data_it_is_given_and_has_no_network() {
    let host = host(Limits::default());
    let reporter = host.load_reporter(&guest("reporter")).unwrap();
    let (info, _) = host.describe_reporter(&reporter).await.unwrap();
    assert_eq!(info.formats, vec!["text/csv".to_owned()]);
    // The host fills typed tables; the reporter writes them.
    let input = |format: &str, rows: Vec<Vec<Cell>>| ReportInput {
        format: format.to_owned(),
        title: "Posts per channel".to_owned(),
        locale: "en".to_owned(),
        time_zone: "Europe/Amsterdam".to_owned(),
        tables: vec![Table {
            title: "Channels".to_owned(),
            columns: vec![
                Column {
                    key: "channel".to_owned(),
                    label: "Channel".to_owned(),
                    kind: ColumnKind::Text,
                },
                Column {
                    key: "posts".to_owned(),
                    label: "Posts".to_owned(),
                    kind: ColumnKind::Integer,
                },
            ],
            rows,
        }],
    };
    let rows = vec![
        vec![Cell::Text("Mastodon".to_owned()), Cell::Integer(3)],
        vec![Cell::Text("Town, hall".to_owned()), Cell::Integer(1)],
    ];
    let (out, _) = host
        .render(&reporter, input("text/csv", rows))
        .await
        .unwrap();
    let out = out.unwrap();
    assert_eq!(out.mime_type, "text/csv");
    assert_eq!(
        String::from_utf8(out.bytes).unwrap(),
        "Channel,Posts\nMastodon,3\n\"Town, hall\",1\n"
    );
    // Bad input is the reporter's own clear error.
    let (bad, _) = host
        .render(&reporter, input("text/csv", vec![vec![Cell::Empty]]))
        .await
        .unwrap();
    assert_eq!(
        bad.unwrap_err(),
        "row 1 of `Channels` has 1 cells for 2 columns"
    );
    // It cannot reach anything.
    let (probe, log) = host
        .render(&reporter, input("probe", vec![]))
        .await
        .unwrap();
    let message = probe.unwrap_err();
    assert!(message.contains("this call has no network"), "{message}");
    assert!(log.iter().any(|l| l.contains("no network")), "{log:?}");
    // A connector is not a reporter, and the other way round.
    assert!(matches!(
        host.load_reporter(&guest("echo")),
        Err(PluginError::WrongWorld {
            world: "reporter",
            ..
        })
    ));
    assert!(matches!(
        host.load_connector(&guest("reporter")),
        Err(PluginError::WrongWorld {
            world: "connector",
            ..
        })
    ));
}

#[tokio::test]
async fn what_a_plugin_returns_is_bounded_before_the_host_keeps_it() {
    use heraut_plugin_host::bounds::{MAX_MESSAGE, MAX_PROBLEMS};
    use heraut_plugin_host::{AccountRef, CallError, CallInput, OutgoingPost};
    let host = host(Limits::default());
    let hostile = host.load_connector(&guest("hostile")).unwrap();
    // 200 problems of 50 kB each come back as the first 20, cut, and a count of the rest.
    let (problems, _) = host
        .validate(&hostile, draft("problem-flood"))
        .await
        .unwrap();
    assert_eq!(problems.len(), MAX_PROBLEMS + 1);
    let size: usize = problems
        .iter()
        .map(|p| p.field.len() + p.message.len())
        .sum();
    assert!(size < 64 * 1024, "{size} bytes of problems");
    assert!(problems[0].message.starts_with("problem 0 xxx"));
    assert!(problems[0].message.ends_with("[cut at 1000 characters]"));
    assert_eq!(
        problems[MAX_PROBLEMS].message,
        "and 180 more problems the connector named"
    );
    let publish = |body: &str| {
        let post = OutgoingPost {
            idempotency_key: "k".to_owned(),
            body: body.to_owned(),
            media: vec![],
            options: heraut_plugin_host::no_options(),
        };
        let account = AccountRef {
            channel_id: "c".to_owned(),
            settings: vec![],
        };
        host.publish(&hostile, CallInput::default(), account, post)
    };
    // A 10 MB remote id is refused whole: it would be stored and served with every post.
    match publish("huge-id").await {
        Err(PluginError::TooLarge(what)) => {
            assert_eq!(what, "a remote id of 10485760 bytes (at most 1024)")
        }
        other => panic!("expected TooLarge, got {:?}", other.map(|(r, _)| r.is_ok())),
    }
    // A 10 MB rejection is cut to a message a person can read.
    match publish("huge-error").await {
        Ok((Err(CallError::Rejected(m)), _)) => {
            assert!(m.chars().count() < MAX_MESSAGE + 40, "{} chars", m.len())
        }
        other => panic!(
            "expected a cut rejection, got {:?}",
            other.map(|(r, _)| r.is_ok())
        ),
    }
}

#[tokio::test]
async fn components_of_both_interface_versions_run_side_by_side() {
    use heraut_plugin_host::{CallInput, Capability, Poll, no_options};
    let host = host(Limits::default());
    // `echo` is built against the frozen 0.1.0 with its own bindings; `hostile` and the
    // Mastodon connector through the SDK against 0.2.0.
    let old = host.load_connector(&guest("echo")).unwrap();
    let new = host.load_connector(&guest("hostile")).unwrap();
    let mastodon = host
        .load_connector(&heraut_testkit::plugin_component(
            "heraut_connector_mastodon",
        ))
        .unwrap();
    assert_eq!(
        (old.api_version(), new.api_version(), mastodon.api_version()),
        ("0.1.0", "0.2.0", "0.2.0")
    );
    // What each can do comes from its exports.
    assert_eq!(old.capabilities(), vec![Capability::Publishing]);
    assert_eq!(new.capabilities(), vec![Capability::Publishing]);
    assert_eq!(
        mastodon.capabilities(),
        vec![
            Capability::Publishing,
            Capability::Inbound,
            Capability::Replying,
            Capability::Metrics,
            Capability::Searching
        ]
    );
    let (a, b) = tokio::join!(host.describe(&old), host.describe(&new));
    assert_eq!(a.unwrap().0.network, "echo");
    assert_eq!(b.unwrap().0.network, "hostile");

    // Network options: a 0.1 component cannot carry them, which is said without asking it;
    // a 0.2 one without the feature says so itself (the SDK's default checks).
    let mut options = no_options();
    options.poll = Some(Poll {
        options: vec!["yes".into(), "no".into()],
        expires_in_seconds: 3600,
        multiple: false,
    });
    options.thread = vec!["part two".into()];
    let with_options = Draft {
        body: "short".into(),
        media: vec![],
        options,
    };
    let fields =
        |p: Vec<heraut_plugin_host::Problem>| p.into_iter().map(|p| p.field).collect::<Vec<_>>();
    let (problems, _) = host.validate(&old, with_options.clone()).await.unwrap();
    assert_eq!(fields(problems), vec!["poll", "thread"]);
    let (problems, _) = host.validate(&new, with_options.clone()).await.unwrap();
    assert_eq!(fields(problems), vec!["poll", "thread"]);
    let (problems, _) = host.validate(&mastodon, with_options).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");

    // A capability a component does not export is refused by name, before anything runs.
    let account = heraut_plugin_host::AccountRef {
        channel_id: "c".into(),
        settings: vec![],
    };
    let r = host
        .fetch_activity(&old, CallInput::default(), account.clone(), None)
        .await;
    assert_eq!(r.unwrap_err(), PluginError::NotExported("inbound"));
    let r = host
        .search(&new, CallInput::default(), account, "x".into(), None)
        .await;
    assert_eq!(r.unwrap_err(), PluginError::NotExported("searching"));
}
