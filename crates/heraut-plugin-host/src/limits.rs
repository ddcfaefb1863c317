//! Per-call limits: memory through a `ResourceLimiter`, CPU through fuel, time through epochs,
//! and a bounded log.

use std::time::Duration;

use crate::EPOCH_TICK;
use crate::outbound::HttpCaps;

/// What one plugin call may use.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Linear memory per instance, in MiB.
    pub memory_mib: u64,
    /// Wall-clock time per call.
    pub timeout: Duration,
    /// Fuel (roughly, WebAssembly instructions) per call.
    pub fuel: u64,
    /// Native stack for WebAssembly frames, in bytes.
    pub stack_bytes: usize,
    /// Calls that may run at the same moment (sizes the pooling allocator).
    pub max_concurrent_calls: u32,
    /// Log lines kept per call; the rest are counted, not stored.
    pub log_lines: usize,
    /// Threads of the runtime plugin calls run on, apart from the server's.
    pub runtime_threads: usize,
    /// Caps on outbound HTTP.
    pub http: HttpCaps,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_mib: 64,
            timeout: Duration::from_secs(10),
            fuel: 2_000_000_000,
            stack_bytes: 512 * 1024,
            max_concurrent_calls: 32,
            log_lines: 200,
            runtime_threads: 2,
            http: HttpCaps::default(),
        }
    }
}

impl Limits {
    pub fn memory_bytes(&self) -> u64 {
        self.memory_mib * 1024 * 1024
    }

    /// The deadline in epoch ticks.
    pub fn deadline_ticks(&self) -> u64 {
        (self.timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}

/// Refuses memory growth past the limit, and remembers that it did.
pub(crate) struct Limiter {
    max_bytes: u64,
    refused: bool,
}

impl Limiter {
    pub(crate) fn new(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            refused: false,
        }
    }

    pub(crate) fn memory_refused(&self) -> bool {
        self.refused
    }
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let ok = desired as u64 <= self.max_bytes;
        if !ok {
            self.refused = true;
        }
        Ok(ok)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// A log that keeps at most `max` lines of at most 1 KiB each.
pub(crate) struct BoundedLog {
    max: usize,
    lines: Vec<String>,
    dropped: u64,
}

impl BoundedLog {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            max,
            lines: Vec::new(),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, line: String) {
        if self.lines.len() < self.max {
            self.lines.push(line.chars().take(1024).collect());
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn lines(&self) -> Vec<String> {
        let mut out = self.lines.clone();
        if self.dropped > 0 {
            out.push(format!("[{} more lines dropped]", self.dropped));
        }
        out
    }
}
