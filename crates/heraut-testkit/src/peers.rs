//! Real peer servers for the connector tests: mastodon-mock, the reference Bluesky PDS and
//! telegram-test-api, installed by `tests/peers/setup.sh` into a cache folder whose `bin/`
//! `HERAUT_TEST_PEERS` names (`.ci/run` sets it). Without it a test prints a notice and skips,
//! unless `HERAUT_TEST_REQUIRE_SERVICES=1`.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running peer; its whole process group is stopped when dropped.
pub struct Peer {
    child: Child,
    name: String,
    pub port: u16,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Peer {
    /// Starts `name` from `HERAUT_TEST_PEERS` with `--port <port>` and `args`, and waits until
    /// it prints `ready` (up to `wait`). `None` when the peers are not installed here.
    pub fn start(name: &str, port: u16, args: &[String], wait: Duration) -> Option<Self> {
        let mut cmd = Self::launcher(name)?;
        cmd.arg("--port").arg(port.to_string()).args(args);
        Some(Self::spawn(name, cmd, port, wait))
    }

    /// The launcher `name` from `HERAUT_TEST_PEERS`; `None` (with a notice) when the peers are
    /// not installed here.
    pub fn launcher(name: &str) -> Option<Command> {
        match std::env::var_os("HERAUT_TEST_PEERS") {
            Some(dir) => Some(Command::new(PathBuf::from(dir).join(name))),
            None if super::services_required() => panic!(
                "HERAUT_TEST_PEERS must name the installed peers (tests/peers/setup.sh) when HERAUT_TEST_REQUIRE_SERVICES=1"
            ),
            None => {
                eprintln!(
                    "NOTICE: HERAUT_TEST_PEERS is not set; skipping the test against {name} (run tests/peers/setup.sh)"
                );
                None
            }
        }
    }

    /// Runs `cmd` (which must listen on `port` and print `ready`) as a peer.
    pub fn spawn(name: &str, mut cmd: Command, port: u16, wait: Duration) -> Self {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => panic!("{name} ({cmd:?}) does not start: {e}"),
        };
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel::<()>();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let log = log.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if line.trim() == "ready" {
                        let _ = tx.send(());
                    }
                    let mut l = log.lock().unwrap_or_else(|p| p.into_inner());
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let peer = Self {
            child,
            name: name.to_owned(),
            port,
            log,
        };
        if rx.recv_timeout(wait).is_err() {
            panic!(
                "{name} did not print `ready` within {wait:?}; its output:\n{}",
                peer.log()
            );
        }
        peer
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `127.0.0.1:<port>`, for `HERAUT_PLUGIN_LOCAL_PEERS`.
    pub fn authority(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// What the peer printed so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // The launcher may have started children (node, python): stop the whole group.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("stopped peer {}", self.name);
    }
}
