//! A hostile connector for the sandbox tests. `validate` misbehaves as its draft's body asks:
//! `loop`, `memory`, `recurse`, `trap`, `log-flood`; anything else is answered normally.

use heraut_plugin_sdk::{
    AccountRef, Connector, ConnectorInfo, Draft, LogLevel, OutgoingPost, Problem, PublishError,
    Receipt,
};

struct Hostile;

/// Recursion that keeps nothing in linear memory, so the engine's own stack limit is what
/// stops it.
#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(n: u64) -> u64 {
    std::hint::black_box(recurse(std::hint::black_box(n + 1))) ^ n
}

impl Connector for Hostile {
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
            _ => Vec::new(),
        }
    }

    fn publish(_account: AccountRef, _post: OutgoingPost) -> Result<Receipt, PublishError> {
        Err(PublishError::Transient(
            "the hostile plugin never publishes".to_owned(),
        ))
    }
}

heraut_plugin_sdk::export_connector!(Hostile);
