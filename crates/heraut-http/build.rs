//! Chooses the folder the web UI is embedded from: `web/dist` when the UI has been built
//! (`cargo xtask run` and `cargo xtask ci` build it), otherwise a one-page note saying how.

use std::path::PathBuf;

const MISSING: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Heraut</title></head>\n<body><main><h1>Heraut</h1>\n<p>The web UI was not built into this binary. Start Heraut with <code>cargo xtask run</code>,\nwhich builds it first (or run <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code> and build again).</p>\n<p>The API and its reference are at <a href=\"/api/docs/\">/api/docs/</a>.</p></main></body></html>\n";

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest.join("../../web/dist");
    let index = dist.join("index.html");
    println!("cargo:rerun-if-changed={}", index.display());
    let folder = match (index.is_file(), dist.canonicalize()) {
        (true, Ok(d)) => d,
        _ => {
            let out =
                PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("web-missing");
            if let Err(e) = std::fs::create_dir_all(&out)
                .and_then(|()| std::fs::write(out.join("index.html"), MISSING))
            {
                println!("cargo:warning=cannot write the placeholder page: {e}");
            }
            out
        }
    };
    println!("cargo:rustc-env=HERAUT_WEB_DIST={}", folder.display());
}
