//! Coordination between requests and nodes, behind small traits: Redis when configured,
//! in-process otherwise. Correctness never depends on Redis being there: what must survive a
//! restart lives in the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

/// How many failures a key has seen, and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: u32,
    /// Unix milliseconds of the last failure.
    pub last_ms: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CoordError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

/// Counters of consecutive failures (sign-in throttling), forgotten after `ttl`.
#[async_trait]
pub trait FailureCounters: Send + Sync + std::fmt::Debug {
    /// Counts one more failure at `now_ms` and returns the new state.
    async fn record(&self, key: &str, now_ms: i64) -> Result<Failures, CoordError>;
    async fn get(&self, key: &str) -> Result<Failures, CoordError>;
    async fn reset(&self, key: &str) -> Result<(), CoordError>;
    /// True when the backing store answers.
    async fn ping(&self) -> bool;
    /// `redis` or `in-process`, for logs and readiness.
    fn kind(&self) -> &'static str;
}

/// Counters kept in this process's memory; entries without a failure for `ttl` are dropped.
#[derive(Debug)]
pub struct InProcessCounters {
    map: Mutex<HashMap<String, Failures>>,
    ttl_ms: i64,
}

impl InProcessCounters {
    pub fn new(ttl: Duration) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            ttl_ms: i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX),
        }
    }
}

impl Default for InProcessCounters {
    fn default() -> Self {
        Self::new(Duration::from_secs(24 * 3600))
    }
}

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

#[async_trait]
impl FailureCounters for InProcessCounters {
    async fn record(&self, key: &str, now_ms: i64) -> Result<Failures, CoordError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= SWEEP_AT {
            let ttl = self.ttl_ms;
            map.retain(|_, f| now_ms.saturating_sub(f.last_ms) < ttl);
        }
        let entry = map.entry(key.to_owned()).or_default();
        if now_ms.saturating_sub(entry.last_ms) >= self.ttl_ms {
            *entry = Failures::default();
        }
        entry.count = entry.count.saturating_add(1);
        entry.last_ms = now_ms;
        Ok(*entry)
    }

    async fn get(&self, key: &str) -> Result<Failures, CoordError> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Expiry is judged by the caller's clock at the next `record`; a stale entry only means
        // a delay that has long passed.
        Ok(map.get(key).copied().unwrap_or_default())
    }

    async fn reset(&self, key: &str) -> Result<(), CoordError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
        Ok(())
    }

    async fn ping(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        "in-process"
    }
}

/// Counters in Redis, shared by every node.
#[derive(Clone)]
pub struct RedisCounters {
    conn: redis::aio::ConnectionManager,
    prefix: String,
    ttl: Duration,
    script: Arc<redis::Script>,
}

impl std::fmt::Debug for RedisCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCounters")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisCounters {
    /// Connects to `url`; keys are `<prefix>:fail:<key>` and expire after `ttl` without failures.
    pub async fn connect(url: &str, prefix: &str, ttl: Duration) -> Result<Self, CoordError> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client).await?;
        let script = redis::Script::new(
            r"local c = redis.call('HINCRBY', KEYS[1], 'count', 1)
              redis.call('HSET', KEYS[1], 'last', ARGV[1])
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return c",
        );
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            ttl,
            script: Arc::new(script),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}:fail:{}", self.prefix, key)
    }
}

#[async_trait]
impl FailureCounters for RedisCounters {
    async fn record(&self, key: &str, now_ms: i64) -> Result<Failures, CoordError> {
        let mut conn = self.conn.clone();
        let count: u32 = self
            .script
            .key(self.key(key))
            .arg(now_ms)
            .arg(self.ttl.as_millis() as u64)
            .invoke_async(&mut conn)
            .await?;
        Ok(Failures {
            count,
            last_ms: now_ms,
        })
    }

    async fn get(&self, key: &str) -> Result<Failures, CoordError> {
        let mut conn = self.conn.clone();
        let (count, last): (Option<u32>, Option<i64>) = redis::cmd("HMGET")
            .arg(self.key(key))
            .arg("count")
            .arg("last")
            .query_async(&mut conn)
            .await?;
        Ok(Failures {
            count: count.unwrap_or(0),
            last_ms: last.unwrap_or(0),
        })
    }

    async fn reset(&self, key: &str) -> Result<(), CoordError> {
        let mut conn = self.conn.clone();
        let _: i64 = redis::cmd("DEL")
            .arg(self.key(key))
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    async fn ping(&self) -> bool {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .is_ok()
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exercise(c: &dyn FailureCounters) {
        let key = format!("test-{}", std::process::id());
        c.reset(&key).await.unwrap_or_default();
        assert_eq!(c.get(&key).await.ok(), Some(Failures::default()));
        c.record(&key, 10).await.ok();
        let f = c.record(&key, 20).await.ok();
        assert_eq!(
            f,
            Some(Failures {
                count: 2,
                last_ms: 20
            })
        );
        assert_eq!(
            c.get(&key).await.ok(),
            Some(Failures {
                count: 2,
                last_ms: 20
            })
        );
        c.reset(&key).await.ok();
        assert_eq!(c.get(&key).await.ok().map(|f| f.count), Some(0));
    }

    #[tokio::test]
    async fn in_process_counts_and_resets() {
        exercise(&InProcessCounters::default()).await;
    }

    #[tokio::test]
    async fn in_process_forgets_after_ttl() {
        let c = InProcessCounters::new(Duration::from_millis(1000));
        c.record("k", 0).await.ok();
        c.record("k", 500).await.ok();
        assert_eq!(c.record("k", 2000).await.ok().map(|f| f.count), Some(1));
    }

    #[tokio::test]
    async fn redis_counts_and_resets() {
        let Some(url) = heraut_testkit::redis_url() else {
            return;
        };
        let prefix = heraut_testkit::unique_name("coord");
        let c = RedisCounters::connect(&url, &prefix, Duration::from_secs(60)).await;
        let c = c.unwrap_or_else(|e| panic!("redis at {url}: {e}"));
        assert!(c.ping().await);
        exercise(&c).await;
    }
}

/// Messages between nodes over Redis pub/sub: wake-ups for the publishers and live updates.
/// Best effort by design: a lost message only delays a wake-up or a screen update, never a
/// post, because the database is the truth.
#[derive(Clone)]
pub struct RedisBus {
    client: redis::Client,
    conn: redis::aio::ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBus")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisBus {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, CoordError> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client.clone()).await?;
        Ok(Self {
            client,
            conn,
            prefix: prefix.to_owned(),
        })
    }

    fn channel(&self, topic: &str) -> String {
        format!("{}:bus:{topic}", self.prefix)
    }

    /// Publishes without waiting; a failure is logged.
    pub fn publish(&self, topic: &str, payload: String) {
        let mut conn = self.conn.clone();
        let channel = self.channel(topic);
        tokio::spawn(async move {
            let sent: Result<i64, _> = redis::cmd("PUBLISH")
                .arg(&channel)
                .arg(payload)
                .query_async(&mut conn)
                .await;
            if let Err(e) = sent {
                tracing::debug!(error = %e, "redis publish failed");
            }
        });
    }

    /// Calls `on_message(topic, payload)` for every message on `topics`, reconnecting after
    /// errors, until the process ends.
    pub fn subscribe(
        &self,
        topics: &[&str],
        on_message: impl Fn(&str, String) + Send + Sync + 'static,
    ) {
        let client = self.client.clone();
        let channels: Vec<String> = topics.iter().map(|t| self.channel(t)).collect();
        let strip = format!("{}:bus:", self.prefix);
        tokio::spawn(async move {
            loop {
                match Self::listen(&client, &channels, &strip, &on_message).await {
                    Ok(()) => tracing::warn!("redis subscription ended; reconnecting"),
                    Err(e) => tracing::warn!(error = %e, "redis subscription failed; reconnecting"),
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen(
        client: &redis::Client,
        channels: &[String],
        strip: &str,
        on_message: &(impl Fn(&str, String) + Send + Sync),
    ) -> Result<(), CoordError> {
        let (mut sink, mut stream) = client.get_async_pubsub().await?.split();
        for c in channels {
            sink.subscribe(c).await?;
        }
        while let Some(msg) = futures_util::StreamExt::next(&mut stream).await {
            let Ok(payload) = msg.get_payload::<String>() else {
                continue;
            };
            let name = msg.get_channel_name();
            on_message(name.strip_prefix(strip).unwrap_or(name), payload);
        }
        Ok(())
    }
}
