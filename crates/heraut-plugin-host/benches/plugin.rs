//! Plugin host benchmark (`cargo bench -p heraut-plugin-host --bench plugin`), with the template
//! connector of `plugins/template` (serde, JSON and the SDK's HTTP client linked in, not an empty
//! guest): load time from the compile cache against a cold compile; a call in a fresh store
//! (new store, instantiate from `InstancePre`, first call, and the hop to the plugin runtime),
//! p50 and p99; a call on a live instance; `validate` calls per second from many tasks at once.
//! Results go to `docs/benchmarks.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use heraut_plugin_host::{Draft, Limits, PluginHost};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn draft() -> Draft {
    Draft {
        body: "Road works on the Main Street bridge from Monday; buses 4 and 7 take a detour."
            .to_owned(),
        media: vec![],
        options: heraut_plugin_host::no_options(),
    }
}

#[tokio::main]
async fn main() {
    let wasm = heraut_testkit::plugin_component("heraut_connector_template");
    println!("component: {} KiB", wasm.len() / 1024);
    let cache = std::env::temp_dir().join(format!("heraut-bench-cache-{}", std::process::id()));

    // Load: cold compile (and write to the cache), then from the cache in a new host.
    let cold_host = PluginHost::new(Limits::default())
        .unwrap()
        .with_compile_cache(cache.clone());
    let t = Instant::now();
    cold_host.load_connector(&wasm).unwrap();
    let cold = t.elapsed();
    let warm_host = PluginHost::new(Limits::default())
        .unwrap()
        .with_compile_cache(cache.clone());
    let t = Instant::now();
    let plugin = warm_host.load_connector(&wasm).unwrap();
    let warm = t.elapsed();
    drop(cold_host);
    println!(
        "load: cold compile {:.1} ms, from the compile cache {:.2} ms ({:.0}x faster)",
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3,
        cold.as_secs_f64() / warm.as_secs_f64()
    );
    let host = Arc::new(warm_host);

    // A call in a fresh store, one at a time.
    for _ in 0..200 {
        host.validate(&plugin, draft()).await.unwrap();
    }
    let mut samples = Vec::with_capacity(5000);
    for _ in 0..5000 {
        let t = Instant::now();
        host.validate(&plugin, draft()).await.unwrap();
        samples.push(t.elapsed());
    }
    samples.sort();
    println!(
        "fresh store + instantiate + validate (with the runtime hop): p50 {}, p99 {}",
        micros(percentile(&samples, 0.5)),
        micros(percentile(&samples, 0.99))
    );

    // The same without the hop: store, instantiation and first call on this task.
    let mut samples = Vec::with_capacity(5000);
    for _ in 0..5000 {
        samples.push(host.bench_fresh_instance(&plugin, draft()).await.unwrap());
    }
    samples.sort();
    println!(
        "fresh store + instantiate + validate (on the caller's task): p50 {}, p99 {}",
        micros(percentile(&samples, 0.5)),
        micros(percentile(&samples, 0.99))
    );

    // Calls on a live instance.
    let calls = 100_000;
    let took = host.bench_live_instance(&plugin, calls).await.unwrap();
    println!(
        "describe on a live instance: {} per call",
        micros(took / calls)
    );

    // Throughput: many tasks calling validate at once, for three seconds.
    let tasks = 16;
    let until = Instant::now() + Duration::from_secs(3);
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let host = host.clone();
        let plugin = plugin.clone();
        handles.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < until {
                host.validate(&plugin, draft()).await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    println!(
        "validate from {tasks} tasks: {:.0} calls/s ({} plugin runtime threads)",
        total as f64 / started.elapsed().as_secs_f64(),
        Limits::default().runtime_threads
    );
    let _ = std::fs::remove_dir_all(&cache);
}
