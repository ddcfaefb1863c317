//! Rebuilds the crate when the web UI has been built again, so a release binary embeds the
//! current `web/dist` (`cargo xtask run` and `cargo xtask ci` build it first).

fn main() {
    println!("cargo:rerun-if-changed=../../web/dist/index.html");
}
