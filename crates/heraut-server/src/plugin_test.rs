//! `heraut plugin test`: the local harness for plugin authors. It runs a connector in the same
//! sandbox and behind the same outbound gate as a server would, without a database, against a
//! local HTTP server, and reports each step.

use std::process::ExitCode;

use anyhow::Context;
use heraut_plugin_host::egress::EgressPolicy;
use heraut_plugin_host::manifest::{Manifest, World};
use heraut_plugin_host::{
    AccountRef, CallInput, CallNet, Draft, Limits, OutgoingPost, PluginHost, Setting,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The component (`plugin.wasm`).
    pub file: std::path::PathBuf,
    /// The manifest (`plugin.toml`).
    #[arg(long)]
    pub manifest: std::path::PathBuf,
    /// A channel setting, `key=value` (repeatable).
    #[arg(long = "setting")]
    pub settings: Vec<String>,
    /// The channel's token (or OAuth 2 access token), added by the host as the manifest says.
    #[arg(long)]
    pub token: Option<String>,
    /// `host:port` reachable over plain http, e.g. 127.0.0.1:8080 (repeatable).
    #[arg(long = "local-peer")]
    pub local_peers: Vec<String>,
    /// The text to publish.
    #[arg(long, default_value = "Hello from heraut plugin test")]
    pub body: String,
}

fn print_log(log: &[String]) {
    for line in log {
        println!("    log: {line}");
    }
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.manifest)
        .with_context(|| format!("reading {}", args.manifest.display()))?;
    let manifest = match Manifest::parse(&text) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {}: {e}", args.manifest.display());
            return Ok(ExitCode::from(2));
        }
    };
    if manifest.world != World::Connector {
        eprintln!("error: `heraut plugin test` runs connectors; this is a reporter");
        return Ok(ExitCode::from(2));
    }
    let mut settings = Vec::new();
    for s in &args.settings {
        let Some((key, value)) = s.split_once('=') else {
            eprintln!("error: --setting `{s}` must look like key=value");
            return Ok(ExitCode::from(2));
        };
        settings.push(Setting {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let host = PluginHost::new(Limits::default())?;
    let plugin = match host.load_connector(&bytes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let mut ok = true;
    let capabilities: Vec<&str> = plugin.capabilities().iter().map(|c| c.as_str()).collect();
    println!(
        "interface: heraut:plugin {}; exports {}",
        plugin.api_version(),
        capabilities.join(", ")
    );

    match host.describe(&plugin).await {
        Ok((info, log)) => {
            println!(
                "describe: network `{}` ({}), {} characters, {} media, features: {}",
                info.network,
                info.display_name,
                info.max_chars,
                info.max_media,
                info.features.join(", ")
            );
            print_log(&log);
        }
        Err(e) => {
            println!("describe: FAILED: {e}");
            return Ok(ExitCode::from(1));
        }
    }

    let draft = Draft {
        body: args.body.clone(),
        media: vec![],
        options: heraut_plugin_host::no_options(),
    };
    match host.validate(&plugin, draft).await {
        Ok((problems, log)) if problems.is_empty() => {
            println!("validate: no problems");
            print_log(&log);
        }
        Ok((problems, log)) => {
            println!("validate: {} problem(s)", problems.len());
            for p in problems {
                println!("    {}: {}", p.field, p.message);
            }
            print_log(&log);
        }
        Err(e) => {
            println!("validate: FAILED: {e}");
            ok = false;
        }
    }

    let token = args.token.clone();
    let account_settings = settings.clone();
    // The harness stands in for the administrator: it approves the hosts the manifest names
    // and those of the local peers it was given.
    let approved: Vec<String> = manifest
        .allowed_hosts
        .iter()
        .filter(|h| *h != "*")
        .cloned()
        .chain(args.local_peers.iter().filter_map(|peer| {
            let host = peer.rsplit_once(':').map_or(peer.as_str(), |(h, _)| h);
            let host = host.trim_start_matches('[').trim_end_matches(']');
            (!host.is_empty()).then(|| host.to_owned())
        }))
        .collect();
    let net = || CallNet {
        plugin: manifest.id.clone(),
        policy: EgressPolicy::new(approved.clone(), args.local_peers.clone()),
        credentials: heraut_plugin_host::outbound::injection(&manifest.auth, |_| token.clone()),
        credential_origin: manifest.credential_origin_for(|key| {
            account_settings
                .iter()
                .find(|s| s.key == key)
                .map(|s| s.value.clone())
        }),
    };
    let account = AccountRef {
        channel_id: "plugin-test".to_owned(),
        settings,
    };
    let input = || CallInput {
        net: Some(net()),
        ..CallInput::default()
    };
    let text_post = |key: String, body: String| OutgoingPost {
        idempotency_key: key,
        body,
        media: vec![],
        options: heraut_plugin_host::no_options(),
    };
    let key = format!("plugin-test-{}", uuid::Uuid::new_v4());
    let post = text_post(key.clone(), args.body.clone());
    let published = match host.publish(&plugin, input(), account.clone(), post).await {
        Ok((Ok(receipt), log)) => {
            println!(
                "publish: remote id `{}`{}",
                receipt.remote_id,
                receipt
                    .url
                    .as_deref()
                    .map(|u| format!(" at {u}"))
                    .unwrap_or_default()
            );
            print_log(&log);
            Some(receipt)
        }
        Ok((Err(e), log)) => {
            println!("publish: the network refused or failed: {e:?}");
            print_log(&log);
            ok = false;
            None
        }
        Err(e) => {
            println!("publish: FAILED: {e}");
            ok = false;
            None
        }
    };

    match host
        .find_published(&plugin, input(), account.clone(), key.clone())
        .await
    {
        Ok((Ok(Some(found)), log)) => {
            let same = published
                .as_ref()
                .is_some_and(|p| p.remote_id == found.remote_id);
            println!(
                "find-published: `{}`{}",
                found.remote_id,
                if same {
                    " (the post just published)"
                } else {
                    " — NOT the post just published"
                }
            );
            print_log(&log);
            ok &= same;
        }
        Ok((Ok(None), log)) => {
            print_log(&log);
            match &published {
                None => println!("find-published: nothing found"),
                Some(first) => {
                    // No lookup by key: the network must then recognise the key itself.
                    let again = text_post(key.clone(), args.body.clone());
                    let same = match host.publish(&plugin, input(), account.clone(), again).await {
                        Ok((Ok(r), _)) => r.remote_id == first.remote_id,
                        _ => false,
                    };
                    println!(
                        "find-published: nothing found; publishing again with the same key {}",
                        if same {
                            "gave the same post (the network recognises the key)"
                        } else {
                            "did not give the same post — a retry could post twice"
                        }
                    );
                    ok &= same;
                }
            }
        }
        Ok((Err(e), log)) => {
            println!("find-published: failed: {e:?}");
            print_log(&log);
            ok = false;
        }
        Err(e) => {
            println!("find-published: FAILED: {e}");
            ok = false;
        }
    }
    // Every other capability the component exports, against what was just published.
    let published_id = published.as_ref().map(|p| p.remote_id.clone());
    for capability in plugin.capabilities() {
        use heraut_plugin_host::Capability as C;
        let (label, outcome) = match capability {
            C::Publishing => continue,
            C::Inbound => {
                let first = host
                    .fetch_activity(&plugin, input(), account.clone(), None)
                    .await;
                let line = first.map(|(r, log)| {
                    let r = r.map(|page| {
                        format!(
                            "{} item(s), next cursor {:?}{}",
                            page.items.len(),
                            page.next_cursor,
                            if page.more { ", more to read" } else { "" }
                        )
                    });
                    (r, log)
                });
                ("inbound: fetch-activity", line)
            }
            C::Replying => {
                let Some(to) = published_id.clone() else {
                    println!("replying: skipped, nothing was published to answer");
                    continue;
                };
                let answer = text_post(format!("{key}-reply"), format!("Reply to: {}", args.body));
                let r = host
                    .reply(&plugin, input(), account.clone(), to, answer)
                    .await
                    .map(|(r, log)| (r.map(|r| format!("remote id `{}`", r.remote_id)), log));
                ("replying: reply", r)
            }
            C::Metrics => {
                let ids: Vec<String> = published_id.iter().cloned().collect();
                let r = host
                    .fetch_metrics(&plugin, input(), account.clone(), ids)
                    .await
                    .map(|(r, log)| (r.map(|list| format!("{list:?}")), log));
                ("metrics: fetch-metrics", r)
            }
            C::Searching => {
                let query = args.body.split_whitespace().next().unwrap_or("heraut");
                let r = host
                    .search(&plugin, input(), account.clone(), query.to_owned(), None)
                    .await
                    .map(|(r, log)| {
                        (
                            r.map(|p| format!("{} item(s) for `{query}`", p.items.len())),
                            log,
                        )
                    });
                ("searching: search", r)
            }
        };
        match outcome {
            Ok((Ok(line), log)) => {
                println!("{label}: {line}");
                print_log(&log);
            }
            Ok((Err(e), log)) => {
                println!("{label}: the network refused or failed: {e:?}");
                print_log(&log);
                ok = false;
            }
            Err(e) => {
                println!("{label}: FAILED: {e}");
                ok = false;
            }
        }
    }
    let counts = host.http_counts();
    let summary: Vec<String> = counts
        .iter()
        .map(|(_, outcome, n)| format!("{n} {outcome}"))
        .collect();
    println!(
        "requests: {}",
        if summary.is_empty() {
            "none".to_owned()
        } else {
            summary.join(", ")
        }
    );
    println!("{}", if ok { "PASSED" } else { "FAILED" });
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
