//! `cargo xtask ci`: every check of the project in one command — formatting, clippy, dependency
//! policy (cargo-deny), the web UI's build and unit tests, and the whole test suite (the browser
//! tests included). `cargo xtask test` runs only the tests; `cargo xtask run` builds the web UI
//! and the shipped connectors and starts Heraut.
//!
//! Environment:
//! - `HERAUT_TEST_REQUIRE_SERVICES=1` makes unreachable PostgreSQL or Redis a failure instead of
//!   a skipped variant (CI sets it).
//! - `HERAUT_CI_REQUIRE_DENY=1` makes a missing `cargo-deny` a failure instead of a notice.
//! - `HERAUT_TEST_PEERS` names installed test peers (`tests/peers/setup.sh`); without it the
//!   tests install them under the cargo target folder first.

use std::process::{Command, ExitCode};

/// `HERAUT_TEST_PEERS` for the steps that follow, once the peers are installed.
static PEERS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
/// Set once `web/dist` has been built in this run: the server's tests then require the real UI.
static WEB_BUILT: std::sync::OnceLock<()> = std::sync::OnceLock::new();
/// Set once the shipped connectors are in `plugins/dist`: the server's tests then require them.
static PLUGINS_BUILT: std::sync::OnceLock<()> = std::sync::OnceLock::new();

fn run(step: &str, program: &str, args: &[&str]) -> bool {
    eprintln!("==> {step}: {program} {}", args.join(" "));
    let mut command = Command::new(program);
    command.args(args);
    if let Some(peers) = PEERS.get() {
        command.env("HERAUT_TEST_PEERS", peers);
    }
    if WEB_BUILT.get().is_some() {
        command.env("HERAUT_TEST_WEB_BUILT", "1");
    }
    if PLUGINS_BUILT.get().is_some() {
        command.env("HERAUT_TEST_PLUGINS_BUILT", "1");
    }
    match command.status() {
        Ok(s) if s.success() => true,
        Ok(s) => {
            eprintln!("==> {step} FAILED ({s})");
            false
        }
        Err(e) => {
            eprintln!("==> {step} could not start {program}: {e}");
            false
        }
    }
}

fn has(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Plugins and their test guests are built for wasm32-wasip2; add the target when rustup can.
fn wasm_target() {
    if has("rustup", &["--version"]) && !has("rustup", &["target", "add", "wasm32-wasip2"]) {
        eprintln!(
            "NOTICE: `rustup target add wasm32-wasip2` failed; the plugin tests need that target"
        );
    }
}

/// The networks' peer servers for the connector tests (`tests/peers/setup.sh`), installed once
/// under the cargo target folder unless `HERAUT_TEST_PEERS` already names them.
fn peers() {
    if std::env::var_os("HERAUT_TEST_PEERS").is_some() {
        return;
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_owned());
    let cache = std::path::Path::new(&target).join("test-peers");
    let cache = cache.to_string_lossy().into_owned();
    if run("peers", "bash", &["tests/peers/setup.sh", &cache]) {
        let bin = std::path::Path::new(&cache).join("peers/bin");
        match std::fs::canonicalize(&bin) {
            Ok(abs) => {
                let _ = PEERS.set(abs.to_string_lossy().into_owned());
            }
            Err(e) => eprintln!("NOTICE: {}: {e}", bin.display()),
        }
    } else {
        eprintln!("NOTICE: the test peers could not be installed; the connector tests will skip");
    }
}

/// Runs `npm` in `web/`.
fn npm(step: &str, args: &[&str]) -> bool {
    eprintln!("==> {step}: npm {} (in web/)", args.join(" "));
    match Command::new("npm").args(args).current_dir("web").status() {
        Ok(s) if s.success() => true,
        Ok(s) => {
            eprintln!("==> {step} FAILED ({s})");
            false
        }
        Err(e) => {
            eprintln!("==> {step} could not start npm (install Node.js 20.19 or later): {e}");
            false
        }
    }
}

/// Installs the web UI's packages (exactly as locked) when they are missing or older than the
/// lock file, then builds it into `web/dist`, which the server embeds.
fn web_build() -> bool {
    if WEB_BUILT.get().is_some() {
        return true;
    }
    let stamp = std::path::Path::new("web/node_modules/.package-lock.json");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (
        modified(stamp),
        modified(std::path::Path::new("web/package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    };
    if stale && !npm("web packages", &["ci", "--no-audit", "--no-fund"]) {
        return false;
    }
    let built = npm("web build", &["run", "build"]);
    if built {
        let _ = WEB_BUILT.set(());
    }
    built
}

/// The web UI's unit tests (Vitest); its browser tests run with the server's tests.
fn web_tests() -> bool {
    npm("web unit tests", &["test"])
}

fn tests() -> bool {
    wasm_target();
    peers();
    if !web_build() || !plugins() {
        return false;
    }
    let web_ok = web_tests();
    let plugins_ok = plugin_unit_tests();
    let rust_ok = if has("cargo", &["nextest", "--version"]) {
        run(
            "tests",
            "cargo",
            &["nextest", "run", "--workspace", "--no-fail-fast"],
        )
    } else {
        eprintln!("NOTICE: cargo-nextest is not installed; running the tests with `cargo test`");
        run("tests", "cargo", &["test", "--workspace", "--no-fail-fast"])
    };
    web_ok && plugins_ok && rust_ok
}

/// The plugins' own unit tests (character counting, facets, payloads, error mapping), on the
/// host target, in a target folder of their own beside the component build's.
fn plugin_unit_tests() -> bool {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from("target"))
        .join("plugins-host");
    let target = target.to_string_lossy().into_owned();
    run(
        "tests (plugins, host target)",
        "cargo",
        &[
            "test",
            "--manifest-path",
            "plugins/Cargo.toml",
            "--workspace",
            "--target-dir",
            &target,
        ],
    )
}

/// `cargo xtask run [ARGS]`: builds the web UI, then runs `heraut serve` from a release build.
fn serve(args: &[String]) -> bool {
    if !web_build() || !plugins() {
        return false;
    }
    let mut all = vec!["run", "--release", "--bin", "heraut", "--"];
    if args.is_empty() {
        all.push("serve");
    }
    all.extend(args.iter().map(String::as_str));
    run("heraut", "cargo", &all)
}

fn deny() -> bool {
    if !has("cargo", &["deny", "--version"]) {
        if std::env::var("HERAUT_CI_REQUIRE_DENY").is_ok_and(|v| v == "1") {
            eprintln!("==> cargo-deny is required (HERAUT_CI_REQUIRE_DENY=1) but not installed");
            return false;
        }
        eprintln!(
            "NOTICE: cargo-deny is not installed, so the bans/licenses/sources check was SKIPPED; \
             install it with `cargo install --locked cargo-deny`"
        );
        return true;
    }
    let ok = run(
        "dependency policy",
        "cargo",
        &["deny", "check", "bans", "licenses", "sources"],
    );
    // The advisory database must be fetched from the internet; where it cannot be, say so,
    // but a vulnerability found is a failure.
    let advisories = Command::new("cargo")
        .args(["deny", "check", "advisories"])
        .output();
    match advisories {
        Ok(o) if o.status.success() => {
            eprintln!("==> advisories: no known vulnerabilities");
            ok
        }
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stderr).into_owned();
            let unreachable = [
                "failed to fetch",
                "unable to access",
                "Could not resolve",
                "failed to open advisory database",
            ]
            .iter()
            .any(|m| text.contains(m));
            if unreachable {
                eprintln!(
                    "NOTICE: the RustSec advisory check was SKIPPED: the advisory database could not \
                     be fetched from this machine. Run `cargo deny check advisories` where it can be."
                );
                ok
            } else {
                eprintln!("{text}\n==> advisories FAILED: known vulnerabilities (see above)");
                false
            }
        }
        Err(e) => {
            eprintln!("==> advisories could not run: {e}");
            false
        }
    }
}

/// Builds the plugins of `plugins/` (into `$CARGO_TARGET_DIR/plugins`, where the tests build
/// them too) and puts each shipped connector (`plugins/connectors/*`) into `plugins/dist` as
/// `<id>.wasm` with `<id>.toml`: the binary carries that folder and installs them on first start,
/// and `plugin_dir` reads the same layout. The template is an example for authors, not shipped.
fn plugins() -> bool {
    if PLUGINS_BUILT.get().is_some() {
        return true;
    }
    wasm_target();
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from("target"))
        .join("plugins");
    eprintln!("==> build plugins: cargo build --release --target wasm32-wasip2 (plugins/)");
    let built = Command::new("cargo")
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .args(["--manifest-path", "plugins/Cargo.toml", "--target-dir"])
        .arg(&target)
        // As the tests build them, so that neither build invalidates the other.
        .env_remove("RUSTFLAGS")
        .status();
    if !built.as_ref().is_ok_and(|s| s.success()) {
        eprintln!("==> build plugins FAILED ({built:?})");
        return false;
    }
    let release = target.join("wasm32-wasip2/release");
    let quoted = |text: &str, key: &str| {
        text.lines().map(str::trim).find_map(|l| {
            l.strip_prefix(key)?
                .trim()
                .strip_prefix('=')?
                .trim()
                .strip_prefix('"')?
                .strip_suffix('"')
                .map(str::to_owned)
        })
    };
    let mut dirs: Vec<std::path::PathBuf> = std::fs::read_dir("plugins/connectors")
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    let dist = std::path::Path::new("plugins/dist");
    let mut ok = std::fs::create_dir_all(dist).is_ok();
    let mut shipped = Vec::new();
    for dir in dirs {
        let (Ok(manifest), Ok(cargo)) = (
            std::fs::read_to_string(dir.join("plugin.toml")),
            std::fs::read_to_string(dir.join("Cargo.toml")),
        ) else {
            continue;
        };
        let (Some(id), Some(name)) = (quoted(&manifest, "id"), quoted(&cargo, "name")) else {
            eprintln!(
                "==> {}: no id in plugin.toml or no name in Cargo.toml",
                dir.display()
            );
            ok = false;
            continue;
        };
        let wasm = release.join(format!("{}.wasm", name.replace('-', "_")));
        // Written only when changed, so that the binary that carries them is not rebuilt.
        let put = |path: std::path::PathBuf, bytes: &[u8]| {
            if std::fs::read(&path).is_ok_and(|old| old == bytes) {
                return Ok(());
            }
            std::fs::write(path, bytes)
        };
        let copied = std::fs::read(&wasm)
            .and_then(|bytes| put(dist.join(format!("{id}.wasm")), &bytes))
            .and_then(|()| put(dist.join(format!("{id}.toml")), manifest.as_bytes()));
        shipped.extend([format!("{id}.wasm"), format!("{id}.toml")]);
        match copied {
            Ok(()) => eprintln!("==> plugins/dist/{id}.wasm"),
            Err(e) => {
                eprintln!("==> {}: {e}", wasm.display());
                ok = false;
            }
        }
    }
    // What a removed connector (or the template, shipped before) left there must not ship.
    for stale in std::fs::read_dir(dist)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        if !shipped.contains(&stale.file_name().to_string_lossy().into_owned()) {
            let _ = std::fs::remove_file(stale.path());
        }
    }
    if ok {
        let _ = PLUGINS_BUILT.set(());
    }
    ok
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let ok = match task.as_str() {
        "ci" => {
            wasm_target();
            // First, so that clippy and the tests compile the server with the built UI and the
            // shipped connectors once.
            let mut ok = web_build() && plugins();
            ok &= run("format", "cargo", &["fmt", "--all", "--check"]);
            ok &= run(
                "format (plugins)",
                "cargo",
                &[
                    "fmt",
                    "--all",
                    "--check",
                    "--manifest-path",
                    "plugins/Cargo.toml",
                ],
            );
            ok &= run(
                "clippy (plugins)",
                "cargo",
                &[
                    "clippy",
                    "--manifest-path",
                    "plugins/Cargo.toml",
                    "--target",
                    "wasm32-wasip2",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            );
            ok &= run(
                "clippy",
                "cargo",
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            );
            ok &= deny();
            ok &= tests();
            ok
        }
        "test" => tests(),
        "run" => serve(&std::env::args().skip(2).collect::<Vec<_>>()),
        "web" => web_build() && web_tests(),
        "deny" => deny(),
        "plugins" => plugins(),
        _ => {
            eprintln!("usage: cargo xtask <run|ci|test|web|deny|plugins>");
            eprintln!(
                "  run   build the web UI and the connectors, run `heraut serve` (release build); arguments go to heraut"
            );
            eprintln!("  web   build the web UI and run its unit tests");
            eprintln!("  plugins  build plugins/ and put the shipped connectors in plugins/dist");
            eprintln!("  ci    formatting, clippy, dependency policy and all tests");
            eprintln!("  test  all tests");
            eprintln!("  deny  dependency policy (cargo-deny)");
            return ExitCode::from(2);
        }
    };
    if ok {
        eprintln!("==> all checks passed");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
