//! The architecture's invariants (`docs/ARCHITECTURE.md`, "Architecture invariants"), checked
//! against the workspace's manifests and sources, so that a change that breaks one fails here
//! rather than in review.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every workspace crate: (name, its Cargo.toml parsed, its folder).
fn crates() -> Vec<(String, toml::Table, PathBuf)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.push(root().join("migrations"));
    dirs.sort();
    dirs.into_iter()
        .filter_map(|dir| {
            let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            let manifest: toml::Table = text.parse().unwrap();
            let name = manifest["package"]["name"].as_str().unwrap().to_owned();
            Some((name, manifest, dir))
        })
        .collect()
}

/// The names of a crate's dependencies, normal and dev.
fn dependencies(manifest: &toml::Table) -> Vec<String> {
    ["dependencies", "dev-dependencies", "build-dependencies"]
        .iter()
        .filter_map(|section| manifest.get(*section).and_then(toml::Value::as_table))
        .flat_map(|t| t.keys().cloned())
        .collect()
}

/// The Rust files under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_crate_but_the_plugin_host_depends_on_wasmtime() {
    let mut found = Vec::new();
    for (name, manifest, _) in crates() {
        if name == "heraut-plugin-host" {
            continue;
        }
        for dep in dependencies(&manifest) {
            if dep.starts_with("wasmtime") || dep.starts_with("wasi") {
                found.push(format!("{name} → {dep}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "only heraut-plugin-host runs WebAssembly: {found:?}"
    );
}

#[test]
fn only_heraut_db_touches_tenant_owned_tables() {
    // The entities (and with them sea-orm's query builders on those tables) reach no other crate.
    let users: Vec<String> = crates()
        .into_iter()
        .filter(|(_, m, _)| dependencies(m).iter().any(|d| d == "heraut-entity"))
        .map(|(n, _, _)| n)
        .collect();
    assert_eq!(users, vec!["heraut-db".to_owned()]);
    // Nor does SQL naming one of those tables, outside heraut-db, the entities and migrations.
    let verbs = ["from", "into", "update", "join", "table"];
    let mut found = Vec::new();
    for (name, _, dir) in crates() {
        if matches!(
            name.as_str(),
            "heraut-db" | "heraut-entity" | "heraut-migration"
        ) {
            continue;
        }
        for file in rust_files(&dir.join("src")) {
            let text = std::fs::read_to_string(&file).unwrap().to_ascii_lowercase();
            // In string literals only (SQL is written as one), not in comments or code such as
            // `dir.join(media)`.
            let literals: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .flat_map(|l| l.split('"').skip(1).step_by(2))
                .collect::<Vec<_>>()
                .join(" | ");
            let words: Vec<&str> = literals
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            for pair in words.windows(2) {
                if verbs.contains(&pair[0])
                    && heraut_migration::TENANT_OWNED_TABLES.contains(&pair[1])
                {
                    found.push(format!("{}: {} {}", file.display(), pair[0], pair[1]));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL on tenant-owned tables outside heraut-db: {found:?}"
    );
}

#[test]
fn core_reads_neither_the_clock_nor_the_environment() {
    let forbidden = [
        "Utc::now",
        "Local::now",
        "SystemTime::now",
        "Instant::now",
        "std::env::",
        "env::var",
        "env!(",
        "option_env!(",
    ];
    let mut found = Vec::new();
    for file in rust_files(&root().join("crates/heraut-core/src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for f in forbidden {
                if line.contains(f) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "heraut-core takes time from RequestMeta or Core's clock, and no environment: {found:#?}"
    );
}

/// The crates `name` is built from, as `cargo tree` lists them (normal dependencies).
fn tree(name: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            name,
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn the_core_and_the_http_layer_run_no_webassembly_and_make_no_http_requests() {
    // The plugin host implements the core's connector and runtime traits; the server wires them.
    for name in ["heraut-core", "heraut-http"] {
        let reached: Vec<String> = tree(name)
            .into_iter()
            .filter(|c| c.starts_with("wasmtime") || c == "reqwest" || c == "heraut-plugin-host")
            .collect();
        assert!(reached.is_empty(), "{name} is built with {reached:?}");
    }
}
