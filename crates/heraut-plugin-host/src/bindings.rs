//! Host-side bindings of `heraut:plugin@0.1.0`, generated from `plugins/wit`.

wasmtime::component::bindgen!({
    world: "connector",
    path: "../../plugins/wit",
    imports: { default: async },
    exports: { default: async },
});

pub use heraut::plugin::types::{Media, Setting};

use crate::HostState;
use heraut::plugin::host::LogLevel;

impl heraut::plugin::host::Host for HostState {
    async fn log(&mut self, level: LogLevel, message: String) {
        let level = match level {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        };
        self.log.push(format!("{level}: {message}"));
    }

    async fn read_media(&mut self, id: String) -> Result<Vec<u8>, String> {
        self.media
            .get(&id)
            .cloned()
            .ok_or_else(|| format!("no media `{id}` in this call"))
    }

    async fn now_millis(&mut self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

impl heraut::plugin::types::Host for HostState {}

/// The `reporter` world, sharing the interfaces above.
pub mod reporter {
    wasmtime::component::bindgen!({
        world: "reporter",
        path: "../../plugins/wit",
        imports: { default: async },
        exports: { default: async },
        with: {
            "heraut:plugin/host": super::heraut::plugin::host,
            "heraut:plugin/types": super::heraut::plugin::types,
        },
    });
}
