//! Rebuilds the binary when the shipped connectors in `plugins/dist` change, so a release build
//! carries the current ones (`cargo xtask plugins` builds them).

fn main() {
    println!("cargo:rerun-if-changed=../../plugins/dist");
}
