//! The plugin manifest (`plugin.toml`), which `heraut-core` owns (the registry reads it); the
//! host reads where credentials go from it.

pub use heraut_core::channels::manifest::*;
