//! The connectors that ship with Heraut: `plugins/dist` (`cargo xtask plugins`, which
//! `cargo xtask run` and `cargo xtask ci` call first) holds each as `<id>.wasm` with its
//! `<id>.toml`; a release binary carries them inside (a debug build reads the folder when it
//! starts). `serve` installs them on its first start (see `Core::install_shipped_plugins`).

#[derive(rust_embed::Embed)]
#[folder = "../../plugins/dist"]
#[allow_missing = true]
struct Dist;

/// Each shipped plugin as (manifest, component), in the order of their ids.
pub fn plugins() -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<String> = Dist::iter()
        .filter(|n| n.ends_with(".wasm") && !n.contains('/'))
        .map(|n| n.into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|wasm| {
            let toml = format!("{}.toml", wasm.trim_end_matches(".wasm"));
            let manifest = String::from_utf8(Dist::get(&toml)?.data.into_owned()).ok()?;
            Some((manifest, Dist::get(&wasm)?.data.into_owned()))
        })
        .collect()
}
