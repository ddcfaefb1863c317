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

use bindings::to_v1;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{
    Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, Trap, UpdateDeadline,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

pub use bindings::v2::reporter::exports::heraut::plugin::reporting::{
    Cell, Column, ColumnKind, ReportInput, ReportOutput, ReporterInfo, Table,
};
pub use bindings::{
    AccountRef, Activity, ActivityKind, ActivityPage, Author, CallError, ConnectorInfo, Counters,
    Draft, Media, NetworkOptions, OutgoingPost, Part, Poll, Problem, Receipt, Setting,
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
    #[error(
        "the plugin does not implement world `{world}` of heraut:plugin 0.1.0 or 0.2.0: {detail}"
    )]
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
    #[error("the plugin does not export `{0}`")]
    NotExported(&'static str),
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

/// Network options that ask nothing: a plain post.
pub fn no_options() -> NetworkOptions {
    NetworkOptions {
        poll: None,
        content_warning: None,
        reply_to: None,
        thread: Vec::new(),
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

/// What a connector can do, as its component's exports tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    Publishing,
    Inbound,
    Replying,
    Metrics,
    Searching,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Publishing => "publishing",
            Self::Inbound => "inbound",
            Self::Replying => "replying",
            Self::Metrics => "metrics",
            Self::Searching => "searching",
        }
    }
}

use bindings::v2::exports::heraut::plugin as v2x;

/// The interfaces a 0.2 component exports, looked up once when it is loaded.
#[derive(Clone)]
struct Exports {
    publishing: v2x::publishing::GuestIndices,
    inbound: Option<v2x::inbound::GuestIndices>,
    replying: Option<v2x::replying::GuestIndices>,
    metrics: Option<v2x::metrics::GuestIndices>,
    searching: Option<v2x::searching::GuestIndices>,
}

/// A compiled connector of either interface version.
#[derive(Clone)]
enum Pre {
    V1(bindings::v1::ConnectorPre<HostState>),
    V2(wasmtime::component::InstancePre<HostState>, Arc<Exports>),
}

/// A compiled component, ready to instantiate.
#[derive(Clone)]
pub struct LoadedPlugin {
    /// Hex SHA-256 of the component bytes.
    pub hash: String,
    pre: Pre,
}

impl LoadedPlugin {
    /// The `heraut:plugin` version the component was built against.
    pub fn api_version(&self) -> &'static str {
        match self.pre {
            Pre::V1(_) => "0.1.0",
            Pre::V2(..) => "0.2.0",
        }
    }

    /// What the component exports, publishing first.
    pub fn capabilities(&self) -> Vec<Capability> {
        let mut all = vec![Capability::Publishing];
        if let Pre::V2(_, x) = &self.pre {
            for (present, c) in [
                (x.inbound.is_some(), Capability::Inbound),
                (x.replying.is_some(), Capability::Replying),
                (x.metrics.is_some(), Capability::Metrics),
                (x.searching.is_some(), Capability::Searching),
            ] {
                if present {
                    all.push(c);
                }
            }
        }
        all
    }
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
    pre: ReporterPre,
}

impl LoadedReporter {
    /// The `heraut:plugin` version the component was built against.
    pub fn api_version(&self) -> &'static str {
        match self.pre {
            ReporterPre::V1(_) => "0.1.0",
            ReporterPre::V2(_) => "0.2.0",
        }
    }
}

#[derive(Clone)]
enum ReporterPre {
    V1(bindings::v1::reporter::ReporterPre<HostState>),
    V2(bindings::v2::reporter::ReporterPre<HostState>),
}

/// A call of the `publishing` capability, on either interface version: `v2` gets the 0.2
/// `publishing` guest, `v1` the 0.1 connector world; both get the store.
macro_rules! publishing {
    ($host:expr, $plugin:expr, $input:expr,
     v2: |$g:ident, $s2:ident| $v2:expr,
     v1: |$c:ident, $s1:ident| $v1:expr) => {
        match &$plugin.pre {
            Pre::V2(pre, x) => {
                let ix = x.publishing.clone();
                $host
                    .call_v2(pre, $input, move |i, s| {
                        Box::pin(async move {
                            let $g = ix.load(&mut *s, i)?;
                            let $s2 = s;
                            $v2
                        })
                    })
                    .await
            }
            Pre::V1(pre) => {
                $host
                    .call_v1(pre, $input, move |$c, $s1| Box::pin(async move { $v1 }))
                    .await
            }
        }
    };
}

/// A call of a 0.2 capability other than publishing; a component that does not export it
/// answers [`PluginError::NotExported`].
macro_rules! capability {
    ($host:expr, $plugin:expr, $input:expr, $cap:ident, |$g:ident, $s:ident| $call:expr) => {
        match &$plugin.pre {
            Pre::V2(pre, x) => match x.$cap.clone() {
                Some(ix) => {
                    $host
                        .call_v2(pre, $input, move |i, s| {
                            Box::pin(async move {
                                let $g = ix.load(&mut *s, i)?;
                                let $s = s;
                                $call
                            })
                        })
                        .await
                }
                None => Err(PluginError::NotExported(stringify!($cap))),
            },
            Pre::V1(_) => Err(PluginError::NotExported(stringify!($cap))),
        }
    };
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
        bindings::v1::Connector::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(host_error)?;
        bindings::v2::TwoWayConnector::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |s| s)
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

    /// Compiles a connector component (once per content) and checks that it implements a
    /// connector world: 0.2's `publishing` interface (with whichever of the other capabilities
    /// it exports), else 0.1's `connector` world.
    pub fn load_connector(&self, bytes: &[u8]) -> Result<LoadedPlugin, PluginError> {
        let hash = hex::encode(Sha256::digest(bytes));
        if let Some(p) = self.lock().get(&hash) {
            return Ok(p.clone());
        }
        let component = self.compile(&hash, bytes)?;
        let wrong = |e: wasmtime::Error| PluginError::WrongWorld {
            world: "connector",
            detail: format!("{e:#}"),
        };
        let pre = self.linker.instantiate_pre(&component).map_err(wrong)?;
        let speaks_v2 = component
            .get_export_index(None, "heraut:plugin/publishing@0.2.0")
            .is_some();
        let pre = if speaks_v2 {
            let exports = Exports {
                publishing: v2x::publishing::GuestIndices::new(&pre).map_err(wrong)?,
                inbound: v2x::inbound::GuestIndices::new(&pre).ok(),
                replying: v2x::replying::GuestIndices::new(&pre).ok(),
                metrics: v2x::metrics::GuestIndices::new(&pre).ok(),
                searching: v2x::searching::GuestIndices::new(&pre).ok(),
            };
            Pre::V2(pre, Arc::new(exports))
        } else {
            Pre::V1(bindings::v1::ConnectorPre::new(pre).map_err(wrong)?)
        };
        let plugin = LoadedPlugin {
            hash: hash.clone(),
            pre,
        };
        self.lock().insert(hash, plugin.clone());
        Ok(plugin)
    }

    /// Compiles a reporting module and checks that it implements a `reporter` world (0.2, else
    /// 0.1). A reporter runs with no network: its calls have none, so any request it makes is
    /// refused.
    pub fn load_reporter(&self, bytes: &[u8]) -> Result<LoadedReporter, PluginError> {
        let hash = hex::encode(Sha256::digest(bytes));
        let component = self.compile(&hash, bytes)?;
        let wrong = |e: wasmtime::Error| PluginError::WrongWorld {
            world: "reporter",
            detail: format!("{e:#}"),
        };
        let pre = self.linker.instantiate_pre(&component).map_err(wrong)?;
        let pre = if component
            .get_export_index(None, "heraut:plugin/reporting@0.2.0")
            .is_some()
        {
            ReporterPre::V2(bindings::v2::reporter::ReporterPre::new(pre).map_err(wrong)?)
        } else {
            ReporterPre::V1(bindings::v1::reporter::ReporterPre::new(pre).map_err(wrong)?)
        };
        Ok(LoadedReporter { hash, pre })
    }

    /// Calls a reporter's `describe` in a fresh instance.
    pub async fn describe_reporter(&self, reporter: &LoadedReporter) -> Outcome<ReporterInfo> {
        let pre = reporter.pre.clone();
        self.in_store(CallInput::default(), move |s| {
            Box::pin(async move {
                match pre {
                    ReporterPre::V2(pre) => {
                        let r = pre.instantiate_async(&mut *s).await?;
                        r.heraut_plugin_reporting().call_describe(s).await
                    }
                    ReporterPre::V1(pre) => {
                        let r = pre.instantiate_async(&mut *s).await?;
                        let i = r.call_describe(s).await?;
                        Ok(ReporterInfo {
                            name: i.name,
                            formats: i.formats,
                        })
                    }
                }
            })
        })
        .await
    }

    /// Renders a report from the tables the host gives it, in a fresh instance with no
    /// network. A 0.1 reporter gets the same tables as one JSON document.
    pub async fn render(
        &self,
        reporter: &LoadedReporter,
        input: ReportInput,
    ) -> Outcome<Result<ReportOutput, String>> {
        let pre = reporter.pre.clone();
        self.in_store(CallInput::default(), move |s| {
            Box::pin(async move {
                match pre {
                    ReporterPre::V2(pre) => {
                        let r = pre.instantiate_async(&mut *s).await?;
                        r.heraut_plugin_reporting().call_render(s, &input).await
                    }
                    ReporterPre::V1(pre) => {
                        let r = pre.instantiate_async(&mut *s).await?;
                        let old = bindings::v1::heraut::plugin::types::ReportInput {
                            format: input.format.clone(),
                            data: report_json(&input).to_string(),
                        };
                        let out = r.call_render(s, &old).await?;
                        Ok(out.map(|o| ReportOutput {
                            mime_type: o.mime_type,
                            bytes: o.bytes,
                        }))
                    }
                }
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
        let (info, log) = publishing!(self, plugin, CallInput::default(),
            v2: |g, s| g.call_describe(s).await,
            v1: |c, s| Ok(to_v1::info(c.call_describe(s).await?)))?;
        Ok((bounds::info(info), log))
    }

    /// Calls `validate` in a fresh instance, with no network. A 0.1 component is not asked
    /// about network options it cannot carry: those are problems by themselves.
    pub async fn validate(&self, plugin: &LoadedPlugin, draft: Draft) -> Outcome<Vec<Problem>> {
        let (problems, log) = publishing!(self, plugin, CallInput::default(),
        v2: |g, s| g.call_validate(s, &draft).await,
        v1: |c, s| {
            let network = c.call_describe(&mut *s).await?.display_name;
            let mut problems = to_v1::unsupported(&draft.options, &network);
            let found = c.call_validate(s, &to_v1::draft(draft)).await?;
            problems.extend(to_v1::problems(found));
            Ok(problems)
        })?;
        Ok((bounds::problems(problems), log))
    }

    /// Calls `publish` in a fresh instance, with the call's network and media.
    pub async fn publish(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        post: OutgoingPost,
    ) -> Outcome<Result<Receipt, CallError>> {
        let (result, log) = publishing!(self, plugin, input,
        v2: |g, s| g.call_publish(s, &account, &post).await,
        v1: |c, s| {
            let published = c
                .call_publish(s, &to_v1::account(account), &to_v1::post(post))
                .await?;
            Ok(published.map(to_v1::receipt).map_err(to_v1::error))
        })?;
        Ok((bounds::published(result, bounds::receipt)?, log))
    }

    /// Calls `find-published` in a fresh instance, with the call's network.
    pub async fn find_published(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        idempotency_key: String,
    ) -> Outcome<Result<Option<Receipt>, CallError>> {
        let (result, log) = publishing!(self, plugin, input,
        v2: |g, s| g.call_find_published(s, &account, &idempotency_key).await,
        v1: |c, s| {
            let found = c
                .call_find_published(s, &to_v1::account(account), &idempotency_key)
                .await?;
            Ok(found
                .map(|f| f.map(to_v1::receipt))
                .map_err(to_v1::error))
        })?;
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
    ) -> Outcome<Result<(), CallError>> {
        let (result, log) = publishing!(self, plugin, input,
        v2: |g, s| g.call_delete(s, &account, &remote_id).await,
        v1: |c, s| {
            let deleted = c
                .call_delete(s, &to_v1::account(account), &remote_id)
                .await?;
            Ok(deleted.map_err(to_v1::error))
        })?;
        Ok((result.map_err(bounds::error), log))
    }

    /// Calls `inbound.fetch-activity`: what is new on the channel after `cursor`.
    pub async fn fetch_activity(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        cursor: Option<String>,
    ) -> Outcome<Result<ActivityPage, CallError>> {
        let (result, log) = capability!(self, plugin, input, inbound, |g, s| g
            .call_fetch_activity(s, &account, cursor.as_deref())
            .await)?;
        Ok((bounds::published(result, bounds::page)?, log))
    }

    /// Calls `inbound.fetch-thread`: the conversation around `remote_id`.
    pub async fn fetch_thread(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        remote_id: String,
    ) -> Outcome<Result<Vec<Activity>, CallError>> {
        let (result, log) = capability!(self, plugin, input, inbound, |g, s| g
            .call_fetch_thread(s, &account, &remote_id)
            .await)?;
        Ok((bounds::published(result, bounds::activities)?, log))
    }

    /// Calls `replying.reply`: `post` as an answer to `to_remote_id`.
    pub async fn reply(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        to_remote_id: String,
        post: OutgoingPost,
    ) -> Outcome<Result<Receipt, CallError>> {
        let (result, log) = capability!(self, plugin, input, replying, |g, s| g
            .call_reply(s, &account, &to_remote_id, &post)
            .await)?;
        Ok((bounds::published(result, bounds::receipt)?, log))
    }

    /// Calls `replying.reshare`: re-shares `remote_id` on the channel's account.
    pub async fn reshare(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        remote_id: String,
    ) -> Outcome<Result<Receipt, CallError>> {
        let (result, log) = capability!(self, plugin, input, replying, |g, s| g
            .call_reshare(s, &account, &remote_id)
            .await)?;
        Ok((bounds::published(result, bounds::receipt)?, log))
    }

    /// Calls `metrics.fetch-metrics` for these published posts.
    pub async fn fetch_metrics(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        remote_ids: Vec<String>,
    ) -> Outcome<Result<Vec<Counters>, CallError>> {
        let (result, log) = capability!(self, plugin, input, metrics, |g, s| g
            .call_fetch_metrics(s, &account, &remote_ids)
            .await)?;
        Ok((bounds::published(result, bounds::counters)?, log))
    }

    /// Calls `searching.search`: public posts matching `query` after `cursor`.
    pub async fn search(
        &self,
        plugin: &LoadedPlugin,
        input: CallInput,
        account: AccountRef,
        query: String,
        cursor: Option<String>,
    ) -> Outcome<Result<ActivityPage, CallError>> {
        let (result, log) = capability!(self, plugin, input, searching, |g, s| g
            .call_search(s, &account, &query, cursor.as_deref())
            .await)?;
        Ok((bounds::published(result, bounds::page)?, log))
    }

    /// For the benchmarks: one instance, `describe` called `calls` times on it; returns the
    /// time of those calls (instantiation excluded).
    #[doc(hidden)]
    pub async fn bench_live_instance(
        &self,
        plugin: &LoadedPlugin,
        calls: u32,
    ) -> Result<Duration, PluginError> {
        let (took, _log) = publishing!(self, plugin, CallInput::default(),
        v2: |g, s| {
            // The first call pays for lazy initialisation; time the rest.
            g.call_describe(&mut *s).await?;
            let started = Instant::now();
            for _ in 0..calls {
                g.call_describe(&mut *s).await?;
            }
            Ok(started.elapsed())
        },
        v1: |c, s| {
            c.call_describe(&mut *s).await?;
            let started = Instant::now();
            for _ in 0..calls {
                c.call_describe(&mut *s).await?;
            }
            Ok(started.elapsed())
        })?;
        Ok(took)
    }

    /// For the benchmarks: a fresh store, instantiation and a first `validate` call, on the
    /// caller's task (without the hop to the plugin runtime); returns the time taken.
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
            match &plugin.pre {
                Pre::V2(pre, x) => {
                    let instance = pre.instantiate_async(&mut store).await?;
                    let g = x.publishing.load(&mut store, &instance)?;
                    g.call_validate(&mut store, &draft).await.map(drop)
                }
                Pre::V1(pre) => {
                    let instance = pre.instantiate_async(&mut store).await?;
                    let draft = to_v1::draft(draft.clone());
                    instance.call_validate(&mut store, &draft).await.map(drop)
                }
            }
        }
        .await;
        let took = started.elapsed();
        outcome.map_err(|e| classify(&self.limits, &store, e))?;
        Ok(took)
    }

    /// Runs `f` on a fresh instance of a 0.1 connector, on the host's own runtime.
    async fn call_v1<R: Send + 'static>(
        &self,
        pre: &bindings::v1::ConnectorPre<HostState>,
        input: CallInput,
        f: impl for<'a> FnOnce(&'a bindings::v1::Connector, &'a mut Store<HostState>) -> InStore<'a, R>
        + Send
        + 'static,
    ) -> Outcome<R> {
        let pre = pre.clone();
        self.in_store(input, move |store| {
            Box::pin(async move {
                let instance = pre.instantiate_async(&mut *store).await?;
                f(&instance, store).await
            })
        })
        .await
    }

    /// Runs `f` on a fresh instance of a 0.2 component, on the host's own runtime.
    async fn call_v2<R: Send + 'static>(
        &self,
        pre: &wasmtime::component::InstancePre<HostState>,
        input: CallInput,
        f: impl for<'a> FnOnce(
            &'a wasmtime::component::Instance,
            &'a mut Store<HostState>,
        ) -> InStore<'a, R>
        + Send
        + 'static,
    ) -> Outcome<R> {
        let pre = pre.clone();
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

/// A report's tables as the one JSON document a 0.1 reporter takes.
fn report_json(input: &ReportInput) -> serde_json::Value {
    use serde_json::json;
    let cell = |c: &Cell| match c {
        Cell::Empty => serde_json::Value::Null,
        Cell::Text(t) | Cell::Url(t) => json!(t),
        Cell::Integer(i) => json!(i),
        Cell::Decimal(d) => json!(d),
        Cell::Timestamp(ms) => json!(ms),
    };
    json!({
        "title": input.title,
        "locale": input.locale,
        "time_zone": input.time_zone,
        "tables": input.tables.iter().map(|t| json!({
            "title": t.title,
            "columns": t.columns.iter().map(|c| json!({"key": c.key, "label": c.label})).collect::<Vec<_>>(),
            "rows": t.rows.iter().map(|r| r.iter().map(cell).collect::<Vec<_>>()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
