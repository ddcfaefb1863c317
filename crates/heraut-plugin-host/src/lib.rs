//! The host of Heraut's plugins: WebAssembly components run by wasmtime in a sandbox.
//!
//! One [`PluginHost`] holds the engine (pooling allocator, epoch interruption ticking on a thread
//! of its own) and the compiled components, each compiled once per content hash and kept as an
//! `InstancePre`. Every call gets a fresh store with its own limits — memory, fuel, a deadline —
//! and WASI with nothing in it: no files, no environment, no sockets. A plugin that loops,
//! hoards memory, recurses without end or traps is stopped with a [`PluginError`] that says
//! which, and other calls carry on. Calls run on a Tokio runtime of the host's own, so a busy
//! plugin never holds up the threads that answer HTTP. Outbound HTTP goes through
//! [`outbound`], the gate of `SECURITY.md` 20.

mod bindings;
pub mod bounds;
pub mod connector;
pub mod egress;
pub mod http_json;
mod limits;
pub mod manifest;
pub mod outbound;
mod runtime;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{
    Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, Trap, UpdateDeadline,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

pub use bindings::reporter::{ReportInput, ReportOutput, ReporterInfo};
pub use bindings::{
    AccountRef, ConnectorInfo, Draft, Media, OutgoingPost, Problem, PublishError, Receipt, Setting,
};
pub use limits::Limits;
pub use outbound::{CallNet, HttpCaps, Injection};
pub use runtime::Runtime;

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
    #[error("the plugin host stopped")]
    HostStopped,
    #[error("the plugin returned {0}, which the host does not take")]
    TooLarge(String),
}

/// State of one store: WASI (empty), wasi:http behind the gate, the limiter, the plugin's log
/// and the media of the post being published.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    http: WasiHttpCtx,
    gate: outbound::Gate,
    limiter: limits::Limiter,
    log: limits::BoundedLog,
    media: HashMap<String, Vec<u8>>,
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.gate,
        }
    }
}

/// What a call brings besides its arguments: the network it may use and the media it may read.
#[derive(Debug, Default)]
pub struct CallInput {
    pub net: Option<CallNet>,
    /// Media by id, for `host.read-media`.
    pub media: HashMap<String, Vec<u8>>,
}

/// A call's result with the plugin's log lines.
pub type Outcome<R> = Result<(R, Vec<String>), PluginError>;

/// The future of the work done in a store.
type InStore<'a, R> =
    std::pin::Pin<Box<dyn std::future::Future<Output = wasmtime::Result<R>> + Send + 'a>>;

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

/// A compiled reporting module, ready to instantiate.
#[derive(Clone)]
pub struct LoadedReporter {
    /// Hex SHA-256 of the component bytes.
    pub hash: String,
    pre: bindings::reporter::ReporterPre<HostState>,
}

/// The engine and the compiled plugins.
pub struct PluginHost {
    engine: Engine,
    linker: Linker<HostState>,
    limits: Limits,
    loaded: Mutex<HashMap<String, LoadedPlugin>>,
    ticking: Arc<AtomicBool>,
    outbound: Arc<outbound::Outbound>,
    runtime: Option<tokio::runtime::Runtime>,
    cache_dir: Option<std::path::PathBuf>,
}

impl Drop for PluginHost {
    fn drop(&mut self) {
        self.ticking.store(false, Ordering::Relaxed);
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
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
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(host_error)?;
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
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(limits.runtime_threads)
            .thread_name("heraut-plugin")
            .enable_all()
            .build()?;
        let outbound = Arc::new(outbound::Outbound::new(limits.http.clone())?);
        Ok(Self {
            engine,
            linker,
            limits,
            loaded: Mutex::new(HashMap::new()),
            ticking,
            outbound,
            runtime: Some(runtime),
            cache_dir: None,
        })
    }

    /// Outbound requests so far, as (plugin, outcome, count).
    /// A request the host makes itself for a plugin's channel (OAuth, sessions), through the
    /// plugin's gate (see [`outbound::Outbound::host_request`]): the status and the body.
    pub async fn host_request(
        &self,
        net: &CallNet,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), String> {
        let mut request = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let request = request
            .body(bytes::Bytes::from(body))
            .map_err(|e| format!("the request to {url} is not valid: {e}"))?;
        let (status, _, body) = self.outbound.host_request(net, request).await?;
        Ok((status.as_u16(), body.to_vec()))
    }

    pub fn http_counts(&self) -> Vec<(String, &'static str, u64)> {
        self.outbound.counts()
    }

    /// Compiles a connector component (once per content) and checks that it implements the
    /// `connector` world of this host's API version.
    pub fn load_connector(&self, bytes: &[u8]) -> Result<LoadedPlugin, PluginError> {
        let hash = hex::encode(Sha256::digest(bytes));
        if let Some(p) = self.lock().get(&hash) {
            return Ok(p.clone());
        }
        let component = self.compile(&hash, bytes)?;
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

    /// Compiles a reporting module and checks that it implements the `reporter` world. A
    /// reporter runs with no network: its calls have none, so any request it makes is refused.
    pub fn load_reporter(&self, bytes: &[u8]) -> Result<LoadedReporter, PluginError> {
        let hash = hex::encode(Sha256::digest(bytes));
        let component = self.compile(&hash, bytes)?;
        let wrong = |e: wasmtime::Error| PluginError::WrongWorld {
            world: "reporter",
            detail: format!("{e:#}"),
        };
        let pre = self.linker.instantiate_pre(&component).map_err(wrong)?;
        let pre = bindings::reporter::ReporterPre::new(pre).map_err(wrong)?;
        Ok(LoadedReporter { hash, pre })
    }

    /// Calls a reporter's `describe` in a fresh instance.
    pub async fn describe_reporter(&self, reporter: &LoadedReporter) -> Outcome<ReporterInfo> {
        let pre = reporter.pre.clone();
        self.in_store(CallInput::default(), move |s| {
            Box::pin(async move {
                let r = pre.instantiate_async(&mut *s).await?;
                r.call_describe(s).await
            })
        })
        .await
    }

    /// Renders a report from the data the host gives it, in a fresh instance with no network.
    pub async fn render(
        &self,
        reporter: &LoadedReporter,
        input: ReportInput,
    ) -> Outcome<Result<ReportOutput, String>> {
        let pre = reporter.pre.clone();
        self.in_store(CallInput::default(), move |s| {
            Box::pin(async move {
                let r = pre.instantiate_async(&mut *s).await?;
                r.call_render(s, &input).await
            })
        })
        .await
    }

    /// Keeps compiled components in `dir`, by content hash and engine compatibility, so that a
    /// restart loads them in milliseconds instead of compiling them again.
    pub fn with_compile_cache(mut self, dir: std::path::PathBuf) -> Self {
        self.cache_dir = Some(dir);
        self
    }

    /// The compiled component: from the compile cache when it holds one for this engine, else
    /// compiled now (and put in the cache).
    fn compile(&self, hash: &str, bytes: &[u8]) -> Result<Component, PluginError> {
        if is_core_module(bytes) {
            return Err(PluginError::Invalid(
                "this is a core WebAssembly module, not a component; build it for the \
                 wasm32-wasip2 target (or wrap it with `wasm-tools component new`)"
                    .to_owned(),
            ));
        }
        let cached = self.cache_dir.as_ref().map(|dir| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            self.engine.precompile_compatibility_hash().hash(&mut h);
            dir.join(format!("{hash}-{:016x}.cwasm", h.finish()))
        });
        if let Some(path) = &cached
            && path.exists()
        {
            match load_precompiled(&self.engine, path) {
                Ok(c) => return Ok(c),
                Err(e) => tracing::warn!(path = %path.display(), error = %e,
                    "a cached plugin compilation cannot be used; compiling again"),
            }
        }
        let component = Component::new(&self.engine, bytes)
            .map_err(|e| PluginError::Invalid(format!("{e:#}")))?;
        if let Some(path) = &cached {
            let stored = component
                .serialize()
                .map_err(|e| anyhow::anyhow!("{e:#}"))
                .and_then(|code| {
                    let tmp = path.with_extension("cwasm.tmp");
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    std::fs::write(&tmp, code)?;
                    std::fs::rename(&tmp, path)?;
                    Ok(())
                });
            if let Err(e) = stored {
                tracing::warn!(path = %path.display(), error = %e,
                    "the plugin compile cache cannot be written; it will be compiled again next start");
            }
        }
        Ok(component)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, LoadedPlugin>> {
        self.loaded.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh store for one call, within the limits.
    fn store(
        engine: &Engine,
        limits: &Limits,
        outbound: Arc<outbound::Outbound>,
        input: CallInput,
    ) -> Store<HostState> {
        let state = HostState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            gate: outbound::Gate {
                outbound,
                net: input.net.map(Arc::new),
                refusals: Arc::default(),
            },
            limiter: limits::Limiter::new(limits.memory_bytes()),
            log: limits::BoundedLog::new(limits.log_lines),
            media: input.media,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|s| &mut s.limiter);
        // Cannot fail with fuel enabled in the engine config.
        let _ = store.set_fuel(limits.fuel);
        // Yield to the runtime at every tick, so that other calls on the same thread go on;
        // stop the call at its deadline.
        let deadline = Instant::now() + limits.timeout;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= deadline {
                Err(Trap::Interrupt.into())
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        store
    }

    /// Calls `describe` in a fresh instance.
    pub async fn describe(&self, plugin: &LoadedPlugin) -> Outcome<ConnectorInfo> {
        let (info, log) = self
            .call(plugin, CallInput::default(), |c, s| {
                Box::pin(async move { c.call_describe(s).await })
            })
            .await?;
        Ok((bounds::info(info), log))
    }

    /// Calls `validate` in a fresh instance, with no network.
    pub async fn validate(&self, plugin: &LoadedPlugin, draft: Draft) -> Outcome<Vec<Problem>> {
        let (problems, log) = self
            .call(plugin, CallInput::default(), move |c, s| {
                Box::pin(async move { c.call_validate(s, &draft).await })
            })
            .await?;
        Ok((bounds::problems(problems), log))
    }

    /// Calls `publish` in a fresh instance, with the call's network and media.
    pub async fn publish(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        post: OutgoingPost,
    ) -> Outcome<Result<Receipt, PublishError>> {
        let (result, log) = self
            .call(plugin, input, move |c, s| {
                Box::pin(async move { c.call_publish(s, &account, &post).await })
            })
            .await?;
        Ok((bounds::published(result, bounds::receipt)?, log))
    }

    /// Calls `find-published` in a fresh instance, with the call's network.
    pub async fn find_published(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        idempotency_key: String,
    ) -> Outcome<Result<Option<Receipt>, PublishError>> {
        let (result, log) = self
            .call(plugin, input, move |c, s| {
                Box::pin(async move { c.call_find_published(s, &account, &idempotency_key).await })
            })
            .await?;
        let found = bounds::published(result, |found| found.map(bounds::receipt).transpose())?;
        Ok((found, log))
    }

    /// Calls `delete` in a fresh instance, with the call's network.
    pub async fn delete(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        remote_id: String,
    ) -> Outcome<Result<(), PublishError>> {
        let (result, log) = self
            .call(plugin, input, move |c, s| {
                Box::pin(async move { c.call_delete(s, &account, &remote_id).await })
            })
            .await?;
        Ok((result.map_err(bounds::error), log))
    }

    /// For the benchmarks: one instance, `describe` called `calls` times on it; returns the
    /// time of those calls (instantiation excluded).
    #[doc(hidden)]
    pub async fn bench_live_instance(
        &self,
        plugin: &LoadedPlugin,
        calls: u32,
    ) -> Result<Duration, PluginError> {
        let (took, _log) = self
            .call(plugin, CallInput::default(), move |c, s| {
                Box::pin(async move {
                    // The first call pays for lazy initialisation; time the rest.
                    c.call_describe(&mut *s).await?;
                    let started = Instant::now();
                    for _ in 0..calls {
                        c.call_describe(&mut *s).await?;
                    }
                    Ok(started.elapsed())
                })
            })
            .await?;
        Ok(took)
    }

    /// For the benchmarks: a fresh store, instantiation from the `InstancePre` and a first
    /// `validate` call, on the caller's task (without the hop to the plugin runtime); returns
    /// the time taken.
    #[doc(hidden)]
    pub async fn bench_fresh_instance(
        &self,
        plugin: &LoadedPlugin,
        draft: Draft,
    ) -> Result<Duration, PluginError> {
        let started = Instant::now();
        let mut store = Self::store(
            &self.engine,
            &self.limits,
            self.outbound.clone(),
            CallInput::default(),
        );
        let outcome = async {
            let instance = plugin.pre.instantiate_async(&mut store).await?;
            instance.call_validate(&mut store, &draft).await
        }
        .await;
        let took = started.elapsed();
        outcome.map_err(|e| classify(&self.limits, &store, e))?;
        Ok(took)
    }

    /// Runs `f` on a fresh instance of `plugin`, on the host's own runtime, within the limits.
    async fn call<R: Send + 'static>(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        f: impl for<'a> FnOnce(&'a bindings::Connector, &'a mut Store<HostState>) -> InStore<'a, R>
        + Send
        + 'static,
    ) -> Outcome<R> {
        let pre = plugin.pre.clone();
        self.in_store(input, move |store| {
            Box::pin(async move {
                let instance = pre.instantiate_async(&mut *store).await?;
                f(&instance, store).await
            })
        })
        .await
    }

    /// Runs `f` with a fresh store on the host's own runtime, within the limits.
    async fn in_store<R: Send + 'static>(
        &self,
        input: CallInput,
        f: impl for<'a> FnOnce(&'a mut Store<HostState>) -> InStore<'a, R> + Send + 'static,
    ) -> Outcome<R> {
        let runtime = self.runtime.as_ref().ok_or(PluginError::HostStopped)?;
        let engine = self.engine.clone();
        let limits = self.limits.clone();
        let outbound = self.outbound.clone();
        let task = runtime.spawn(async move {
            let mut store = Self::store(&engine, &limits, outbound, input);
            let wall = limits.timeout;
            let outcome = tokio::time::timeout(wall + EPOCH_TICK * 10, f(&mut store)).await;
            let mut log = store.data().log.lines();
            log.extend(
                store
                    .data()
                    .gate
                    .refusals
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .cloned(),
            );
            match outcome {
                Err(_) => Err(PluginError::Timeout(wall)),
                Ok(Ok(v)) => Ok((v, log)),
                Ok(Err(e)) => Err(classify(&limits, &store, e)),
            }
        });
        task.await.map_err(|e| PluginError::Trap(e.to_string()))?
    }
}

/// Names what stopped a call.
fn classify(limits: &Limits, store: &Store<HostState>, e: wasmtime::Error) -> PluginError {
    if store.data().limiter.memory_refused() {
        return PluginError::OutOfMemory(limits.memory_mib);
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => PluginError::Timeout(limits.timeout),
        Some(Trap::OutOfFuel) => PluginError::OutOfFuel,
        Some(Trap::StackOverflow) => PluginError::StackOverflow,
        Some(Trap::MemoryOutOfBounds) => PluginError::Trap(
            "out of bounds memory access (in Rust plugins often a stack overflow)".to_owned(),
        ),
        Some(trap) => PluginError::Trap(trap.to_string()),
        None => PluginError::Trap(e.to_string()),
    }
}

fn host_error(e: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}

/// Loads a component compiled earlier by this host.
///
/// The one `unsafe` block of the workspace (reviewed exception, see `docs/security.md`):
/// `Component::deserialize_file` runs the machine code in the file, so the file must be one
/// this host wrote. It is: the compile cache lives in the data folder, which only Heraut's
/// service account may write, under a name made of the component's SHA-256 and the engine's
/// compatibility hash, and wasmtime refuses a file from another engine version or
/// configuration. Whoever can write the data folder can already replace the plugins themselves.
#[allow(unsafe_code)]
fn load_precompiled(engine: &Engine, path: &std::path::Path) -> wasmtime::Result<Component> {
    // SAFETY: see above; the file was written by `Component::serialize` of this host.
    unsafe { Component::deserialize_file(engine, path) }
}

/// A core module starts with the version 1 header; a component has layer 1 in its header.
fn is_core_module(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[0..4] == *b"\0asm" && bytes[4..8] == [1, 0, 0, 0]
}
