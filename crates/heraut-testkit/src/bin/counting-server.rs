//! `counting-server [PORT] [WORKERS]`: the counting peer of the publishing tests, on its own,
//! for benchmarks (`deploy/bench/publish.sh`). Prints its counts every second.

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(0);
    let workers: usize = args.next().map(|w| w.parse()).transpose()?.unwrap_or(1);
    let server = heraut_testkit::counting::CountingServer::start(port, workers)?;
    println!("counting server on {}", server.base_url);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
        let c = server.counts();
        println!(
            "created={} posts={} reads={} replayed_keys={}",
            c.created, c.posts, c.reads, c.replayed_keys
        );
    }
}
