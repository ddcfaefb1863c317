//! The host of Heraut's plugins: WebAssembly components run by wasmtime in a sandbox.
//!
//! One [`PluginHost`] holds the engine (pooling allocator, epoch interruption ticking on a thread
//! of its own) and the compiled components, each compiled once per content hash and kept as an
//! `InstancePre`. Every call gets a fresh store with its own limits — memory, fuel, a deadline —
//! and WASI with nothing in it: no files, no environment, no sockets. A plugin that loops,
//! hoards memory, recurses without end or traps is stopped with a [`PluginError`] that says
//! which, and other calls carry on.

mod bindings;
pub mod egress;
mod limits;
pub mod manifest;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, Trap};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

pub use bindings::{ConnectorInfo, Draft, Media, Problem};
pub use limits::Limits;

/// How often the epoch advances; deadlines are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Why a plugin call did not return a value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PluginError {
    #[error("the plugin is not a valid component: {0}")]
    Invalid(String),
    #[error("the plugin does not implement world `{world}` of heraut:plugin@0.1.0: {detail}")]
    WrongWorld { world: &'static str, detail: String },
    #[error("the plugin ran longer than its {0:?} and was stopped")]
    Timeout(Duration),
    #[error("the plugin used up its CPU budget and was stopped")]
    OutOfFuel,
    #[error("the plugin tried to use more than its {0} MiB of memory and was stopped")]
    OutOfMemory(u64),
    #[error("the plugin exhausted its call stack (runaway recursion) and was stopped")]
    StackOverflow,
    #[error("the plugin crashed: {0}")]
    Trap(String),
    #[error("no plugin with hash {0}")]
    Unknown(String),
}

/// State of one store: WASI (empty), the limiter and the plugin's log.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: limits::Limiter,
    log: limits::BoundedLog,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A compiled component, ready to instantiate.
#[derive(Clone)]
pub struct LoadedPlugin {
    /// Hex SHA-256 of the component bytes.
    pub hash: String,
    pre: bindings::ConnectorPre<HostState>,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// The engine and the compiled plugins.
pub struct PluginHost {
    engine: Engine,
    linker: Linker<HostState>,
    limits: Limits,
    loaded: Mutex<HashMap<String, LoadedPlugin>>,
    ticking: Arc<AtomicBool>,
}

impl Drop for PluginHost {
    fn drop(&mut self) {
        self.ticking.store(false, Ordering::Relaxed);
    }
}

impl PluginHost {
    /// A host whose plugins run within `limits`.
    pub fn new(limits: Limits) -> anyhow::Result<Self> {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(limits.max_concurrent_calls)
            .total_core_instances(limits.max_concurrent_calls * 4)
            .total_memories(limits.max_concurrent_calls * 4)
            .total_tables(limits.max_concurrent_calls * 4)
            .max_memory_size(limits.memory_bytes() as usize);
        let mut config = wasmtime::Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .consume_fuel(true)
            .max_wasm_stack(limits.stack_bytes)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(host_error)?;
        let mut linker = Linker::new(&engine);
        // Rust guests import wasi:cli and wasi:io even when they use neither; the context
        // behind them is empty.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(host_error)?;
        bindings::Connector::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(host_error)?;
        let ticking = Arc::new(AtomicBool::new(true));
        let tick_engine = engine.clone();
        let flag = ticking.clone();
        std::thread::Builder::new()
            .name("heraut-plugin-epoch".to_owned())
            .spawn(move || {
                while flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    tick_engine.increment_epoch();
                }
            })?;
        Ok(Self {
            engine,
            linker,
            limits,
            loaded: Mutex::new(HashMap::new()),
            ticking,
        })
    }

    /// Compiles a connector component (once per content) and checks that it implements the
    /// `connector` world of this host's API version.
    pub fn load_connector(&self, bytes: &[u8]) -> Result<LoadedPlugin, PluginError> {
        let hash = hex::encode(Sha256::digest(bytes));
        if let Some(p) = self.lock().get(&hash) {
            return Ok(p.clone());
        }
        if is_core_module(bytes) {
            return Err(PluginError::Invalid(
                "this is a core WebAssembly module, not a component; build it for the \
                 wasm32-wasip2 target (or wrap it with `wasm-tools component new`)"
                    .to_owned(),
            ));
        }
        let component = Component::new(&self.engine, bytes)
            .map_err(|e| PluginError::Invalid(format!("{e:#}")))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| PluginError::WrongWorld {
                world: "connector",
                detail: format!("{e:#}"),
            })?;
        let pre = bindings::ConnectorPre::new(pre).map_err(|e| PluginError::WrongWorld {
            world: "connector",
            detail: format!("{e:#}"),
        })?;
        let plugin = LoadedPlugin {
            hash: hash.clone(),
            pre,
        };
        self.lock().insert(hash, plugin.clone());
        Ok(plugin)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, LoadedPlugin>> {
        self.loaded.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn store(&self) -> Store<HostState> {
        let state = HostState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            limiter: limits::Limiter::new(self.limits.memory_bytes()),
            log: limits::BoundedLog::new(self.limits.log_lines),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        // Neither can fail with fuel and epochs enabled in the engine config.
        let _ = store.set_fuel(self.limits.fuel);
        store.set_epoch_deadline(self.limits.deadline_ticks());
        store
    }

    /// Calls `describe` in a fresh instance.
    pub async fn describe(
        &self,
        plugin: &LoadedPlugin,
    ) -> Result<(ConnectorInfo, Vec<String>), PluginError> {
        self.call(plugin, |c, s| {
            Box::pin(async move { c.call_describe(s).await })
        })
        .await
    }

    /// Calls `validate` in a fresh instance; also returns the plugin's log lines.
    pub async fn validate(
        &self,
        plugin: &LoadedPlugin,
        draft: Draft,
    ) -> Result<(Vec<Problem>, Vec<String>), PluginError> {
        self.call(plugin, move |c, s| {
            Box::pin(async move { c.call_validate(s, &draft).await })
        })
        .await
    }

    async fn call<R: Send + 'static>(
        &self,
        plugin: &LoadedPlugin,
        f: impl for<'a> FnOnce(
            &'a bindings::Connector,
            &'a mut Store<HostState>,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = wasmtime::Result<R>> + Send + 'a>,
        > + Send,
    ) -> Result<(R, Vec<String>), PluginError> {
        let mut store = self.store();
        let wall = self.limits.timeout;
        let outcome = tokio::time::timeout(wall + EPOCH_TICK * 10, async {
            let instance = plugin.pre.instantiate_async(&mut store).await?;
            f(&instance, &mut store).await
        })
        .await;
        let log = store.data().log.lines();
        match outcome {
            Err(_) => Err(PluginError::Timeout(wall)),
            Ok(Ok(v)) => Ok((v, log)),
            Ok(Err(e)) => Err(self.classify(&store, e)),
        }
    }

    fn classify(&self, store: &Store<HostState>, e: wasmtime::Error) -> PluginError {
        if store.data().limiter.memory_refused() {
            return PluginError::OutOfMemory(self.limits.memory_mib);
        }
        match e.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => PluginError::Timeout(self.limits.timeout),
            Some(Trap::OutOfFuel) => PluginError::OutOfFuel,
            Some(Trap::StackOverflow) => PluginError::StackOverflow,
            Some(Trap::MemoryOutOfBounds) => PluginError::Trap(
                "out of bounds memory access (in Rust plugins often a stack overflow)".to_owned(),
            ),
            Some(trap) => PluginError::Trap(trap.to_string()),
            None => PluginError::Trap(e.to_string()),
        }
    }
}

fn host_error(e: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}

/// A core module starts with the version 1 header; a component has layer 1 in its header.
fn is_core_module(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[0..4] == *b"\0asm" && bytes[4..8] == [1, 0, 0, 0]
}
