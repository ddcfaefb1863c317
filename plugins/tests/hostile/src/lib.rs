//! A hostile connector for the sandbox tests. `validate` misbehaves as its draft's body asks:
//! `loop`, `memory`, `recurse`, `trap`, `log-flood`, `problem-flood` (10 MB of problems),
//! `sleep` (3 s, as a slow network would); anything else is answered with the SDK's default
//! checks. `publish` probes the network and the host as the post's body asks: `fetch <url>` answers with the status as the remote id and the response body as
//! the URL; `snoop` looks for environment variables and files and reports what it found;
//! `huge-id` answers with a 10 MB remote id, `huge-error` with a 10 MB rejection.

use heraut_plugin_sdk::{
    AccountRef, CallError, ConnectorInfo, Draft, LogLevel, OutgoingPost, Problem, Publishing,
    Receipt, http,
};

struct Hostile;

/// Recursion that keeps nothing in linear memory, so the engine's own stack limit is what
/// stops it.
#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(n: u64) -> u64 {
    std::hint::black_box(recurse(std::hint::black_box(n + 1))) ^ n
}

impl Publishing for Hostile {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            network: "hostile".to_owned(),
            display_name: "Hostile".to_owned(),
            max_chars: 500,
            max_media: 4,
            features: vec![],
        }
    }

    fn validate(post: Draft) -> Vec<Problem> {
        match post.body.as_str() {
            "loop" => {
                let mut i: u64 = 0;
                loop {
                    i = std::hint::black_box(i.wrapping_add(1));
                }
            }
            "memory" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "recurse" => {
                let n = recurse(0);
                vec![Problem {
                    field: "body".to_owned(),
                    message: n.to_string(),
                }]
            }
            "trap" => panic!("the hostile plugin panics on purpose"),
            "log-flood" => {
                for i in 0..100_000 {
                    heraut_plugin_sdk::log(
                        LogLevel::Info,
                        &format!("line {i} {}", "x".repeat(200)),
                    );
                }
                Vec::new()
            }
            "sleep" => {
                std::thread::sleep(std::time::Duration::from_secs(3));
                Vec::new()
            }
            "problem-flood" => (0..200)
                .map(|i| Problem {
                    field: format!("body{}", "f".repeat(1000)),
                    message: format!("problem {i} {}", "x".repeat(50_000)),
                })
                .collect(),
            _ => heraut_plugin_sdk::default_validation(&Self::describe(), &post),
        }
    }

    fn publish(_account: AccountRef, post: OutgoingPost) -> Result<Receipt, CallError> {
        if let Some(url) = post.body.strip_prefix("fetch ") {
            return match http::get(url).send() {
                Ok(r) => Ok(Receipt {
                    thread: Vec::new(),
                    remote_id: r.status.to_string(),
                    url: Some(format!("{:?}\n{}", r.headers, r.text())),
                }),
                Err(e) => Err(CallError::Transient(e.to_string())),
            };
        }
        match post.body.as_str() {
            "huge-id" => {
                return Ok(Receipt {
                    thread: Vec::new(),
                    remote_id: "x".repeat(10 << 20),
                    url: None,
                });
            }
            "huge-error" => return Err(CallError::Rejected("x".repeat(10 << 20))),
            _ => {}
        }
        if post.body == "snoop" {
            let env: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
            let root = std::fs::read_dir("/")
                .map(|d| d.count())
                .map_err(|e| e.to_string());
            let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| e.to_string());
            let args: Vec<String> = std::env::args().collect();
            return Ok(Receipt {
                thread: Vec::new(),
                remote_id: "snoop".to_owned(),
                url: Some(format!(
                    "env={env:?} args={args:?} root={root:?} passwd={passwd:?}"
                )),
            });
        }
        Err(CallError::Transient(
            "the hostile plugin never publishes".to_owned(),
        ))
    }

    fn find_published(
        _account: AccountRef,
        _idempotency_key: String,
    ) -> Result<Option<Receipt>, CallError> {
        Ok(None)
    }
}

heraut_plugin_sdk::export_connector!(Hostile);
