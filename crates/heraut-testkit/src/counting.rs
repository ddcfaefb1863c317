//! The counting server: a small network peer for publishing tests and benchmarks. It speaks the
//! protocol of Heraut's built-in `http-json` connector, honours idempotency keys the way
//! Mastodon does (a repeated key returns the first post), counts every request, and injects
//! faults on demand: an error status, a `429` with `retry-after`, an answer that comes only
//! after the client gave up, or a success whose body is not JSON (in both, the post exists and
//! the client does not know).
//!
//! - `POST /{any}` with `Idempotency-Key` and `{"text", "idempotency_key"}` → `{"id", "url"}`
//! - `GET /{any}?idempotency_key=K` → the post or 404 (read-back)
//! - `GET /_stats` → counts; `POST /_faults` → `[{"status": 503}, {"retry_after": 1},
//!   {"delay_ms": 3000}, {"garbled": true}]`, used by the next POSTs in order.
//! - `GET /{any}/activity?cursor=N` → `{"items", "next_cursor", "more"}`: the activity the test
//!   added ([`CountingServer::add_activity`]) after position N, 50 a page; faults for these
//!   reads ([`CountingServer::inject_activity`]): `{"status": 500}`, `{"retry_after": 1}`, or
//!   `{"repeat": 5}` (the page starts 5 items before the cursor, as a network that repeats
//!   items does).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

/// One post as the counting server holds it.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: u64,
    pub text: String,
    /// Alt text and decoded size of each image, in order.
    pub media: Vec<(String, usize)>,
    /// How many POSTs carried this key (1 when nothing was retried).
    pub posts: u64,
    /// Unix time in milliseconds when it was created.
    pub created_ms: u64,
}

#[derive(Debug, Default)]
struct State {
    by_key: HashMap<String, Record>,
    next_id: u64,
    posts: u64,
    reads: u64,
    posts_without_key: u64,
    faults: VecDeque<Value>,
    /// What the peer's network says to the channel, oldest first (`GET …/activity`).
    activity: Vec<Value>,
    activity_faults: VecDeque<Value>,
    activity_reads: u64,
}

/// A running counting server; stops when dropped.
pub struct CountingServer {
    pub base_url: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A snapshot of what the server saw.
#[derive(Debug, Clone)]
pub struct Counts {
    /// Distinct posts created.
    pub created: u64,
    /// POST requests in all (replays with a known key included).
    pub posts: u64,
    /// Read-back requests.
    pub reads: u64,
    /// Keys that were POSTed more than once (each a retry the server deduplicated).
    pub replayed_keys: u64,
    pub posts_without_key: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

async fn create(
    req: HttpRequest,
    body: web::Json<Value>,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let fault = {
        let Ok(mut s) = state.lock() else {
            return HttpResponse::InternalServerError().finish();
        };
        s.posts += 1;
        s.faults.pop_front()
    };
    if let Some(answer) = fault.as_ref().and_then(refusal) {
        return answer;
    }
    let text = body
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let media: Vec<(String, usize)> = body
        .get("media")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|m| {
                    let alt = m["alt_text"].as_str().unwrap_or_default().to_owned();
                    let len = base64::Engine::decode(
                        &base64::engine::general_purpose::STANDARD,
                        m["data"].as_str().unwrap_or_default(),
                    )
                    .map(|b| b.len())
                    .unwrap_or(0);
                    (alt, len)
                })
                .collect()
        })
        .unwrap_or_default();
    let record = {
        let Ok(mut s) = state.lock() else {
            return HttpResponse::InternalServerError().finish();
        };
        match key {
            Some(k) => {
                if let Some(r) = s.by_key.get_mut(&k) {
                    r.posts += 1;
                    r.clone()
                } else {
                    s.next_id += 1;
                    let r = Record {
                        id: s.next_id,
                        text,
                        media,
                        posts: 1,
                        created_ms: now_ms(),
                    };
                    s.by_key.insert(k, r.clone());
                    r
                }
            }
            None => {
                s.posts_without_key += 1;
                s.next_id += 1;
                Record {
                    id: s.next_id,
                    text,
                    media,
                    posts: 1,
                    created_ms: now_ms(),
                }
            }
        }
    };
    if let Some(ms) = fault
        .as_ref()
        .and_then(|f| f.get("delay_ms"))
        .and_then(Value::as_u64)
    {
        // The post exists; the answer comes too late for the client.
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if fault.as_ref().and_then(|f| f.get("garbled")) == Some(&Value::Bool(true)) {
        // The post exists; the answer is a proxy's error page with a success status.
        return HttpResponse::Ok()
            .content_type("text/html")
            .body("<html><body>upstream answer lost</body></html>");
    }
    let url = format!("{}/s/{}", req.connection_info().host(), record.id);
    HttpResponse::Ok().json(json!({"id": record.id.to_string(), "url": format!("http://{url}")}))
}

async fn read_back(
    q: web::Query<HashMap<String, String>>,
    req: HttpRequest,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let Ok(mut s) = state.lock() else {
        return HttpResponse::InternalServerError().finish();
    };
    s.reads += 1;
    match q.get("idempotency_key").and_then(|k| s.by_key.get(k)) {
        Some(r) => {
            let url = format!("http://{}/s/{}", req.connection_info().host(), r.id);
            HttpResponse::Ok().json(json!({"id": r.id.to_string(), "url": url}))
        }
        None => HttpResponse::NotFound().json(json!({"error": "no such post"})),
    }
}

/// The answer of a fault that refuses the request (`status`, `retry_after`), if it is one.
fn refusal(f: &Value) -> Option<HttpResponse> {
    if let Some(status) = f.get("status").and_then(Value::as_u64) {
        return Some(
            HttpResponse::build(
                actix_web::http::StatusCode::from_u16(status as u16)
                    .unwrap_or(actix_web::http::StatusCode::SERVICE_UNAVAILABLE),
            )
            .json(json!({"error": "injected"})),
        );
    }
    let secs = f.get("retry_after").and_then(Value::as_u64)?;
    Some(
        HttpResponse::TooManyRequests()
            .insert_header(("retry-after", secs.to_string()))
            .json(json!({"error": "slow down"})),
    )
}

/// Activity items a page holds.
const ACTIVITY_PAGE: usize = 50;

async fn activity(
    q: web::Query<HashMap<String, String>>,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let Ok(mut s) = state.lock() else {
        return HttpResponse::InternalServerError().finish();
    };
    s.activity_reads += 1;
    let fault = s.activity_faults.pop_front();
    if let Some(answer) = fault.as_ref().and_then(refusal) {
        return answer;
    }
    let cursor: usize = q.get("cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let repeat = fault
        .as_ref()
        .and_then(|f| f.get("repeat"))
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize;
    let start = cursor.saturating_sub(repeat).min(s.activity.len());
    let end = (start + ACTIVITY_PAGE).min(s.activity.len());
    HttpResponse::Ok().json(json!({
        "items": s.activity[start..end],
        "next_cursor": end.to_string(),
        "more": end < s.activity.len(),
    }))
}

async fn stats(state: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let Ok(s) = state.lock() else {
        return HttpResponse::InternalServerError().finish();
    };
    let c = counts(&s);
    HttpResponse::Ok().json(
        json!({"created": c.created, "posts": c.posts, "reads": c.reads,
        "replayed_keys": c.replayed_keys, "posts_without_key": c.posts_without_key}),
    )
}

async fn faults(body: web::Json<Vec<Value>>, state: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let Ok(mut s) = state.lock() else {
        return HttpResponse::InternalServerError().finish();
    };
    s.faults.extend(body.into_inner());
    HttpResponse::NoContent().finish()
}

fn counts(s: &State) -> Counts {
    Counts {
        created: s.by_key.len() as u64 + s.posts_without_key,
        posts: s.posts,
        reads: s.reads,
        replayed_keys: s.by_key.values().filter(|r| r.posts > 1).count() as u64,
        posts_without_key: s.posts_without_key,
    }
}

impl CountingServer {
    /// Starts on `127.0.0.1:port` (0: any free port) with `workers` threads.
    pub fn start(port: u16, workers: usize) -> anyhow::Result<Self> {
        let state = Arc::new(Mutex::new(State::default()));
        let data = web::Data::new(state.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let sys = actix_web::rt::System::new();
            let started = sys.block_on(async move {
                let server = actix_web::HttpServer::new(move || {
                    actix_web::App::new()
                        .app_data(data.clone())
                        .app_data(web::JsonConfig::default().limit(64 << 20))
                        .route("/_stats", web::get().to(stats))
                        .route("/_faults", web::post().to(faults))
                        .route("/{tail:.*}/activity", web::get().to(activity))
                        .service(
                            web::resource("/{tail:.*}")
                                .route(web::post().to(create))
                                .route(web::get().to(read_back)),
                        )
                })
                .workers(workers)
                .backlog(4096)
                .max_connections(100_000)
                .bind(("127.0.0.1", port))?;
                let addr = server.addrs().first().copied();
                let running = server.run();
                Ok::<_, std::io::Error>((running, addr))
            });
            match started {
                Ok((running, addr)) => {
                    let _ = tx.send(Ok((running.handle(), addr)));
                    let _ = sys.block_on(running);
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            }
        });
        let (handle, addr) = rx.recv()??;
        let addr = addr.ok_or_else(|| anyhow::anyhow!("the counting server has no address"))?;
        Ok(Self {
            base_url: format!("http://{addr}"),
            state,
            handle,
            thread: Some(thread),
        })
    }

    /// `host:port`, for `plugin_local_peers`.
    pub fn peer(&self) -> String {
        self.base_url.trim_start_matches("http://").to_owned()
    }

    pub fn counts(&self) -> Counts {
        self.state.lock().map(|s| counts(&s)).unwrap_or(Counts {
            created: 0,
            posts: 0,
            reads: 0,
            replayed_keys: 0,
            posts_without_key: 0,
        })
    }

    /// The posts by idempotency key.
    pub fn records(&self) -> HashMap<String, Record> {
        self.state
            .lock()
            .map(|s| s.by_key.clone())
            .unwrap_or_default()
    }

    /// Queues faults for the next POSTs.
    pub fn inject(&self, faults: Vec<Value>) {
        if let Ok(mut s) = self.state.lock() {
            s.faults.extend(faults);
        }
    }

    /// Adds `n` activity items (mentions, then replies to `in_reply_to`), numbered from the
    /// items already there; gives their ids.
    pub fn add_activity(&self, n: usize, in_reply_to: Option<&str>) -> Vec<String> {
        let Ok(mut s) = self.state.lock() else {
            return Vec::new();
        };
        let first = s.activity.len();
        let mut ids = Vec::new();
        for i in first..first + n {
            let id = format!("a-{i}");
            s.activity.push(json!({
                "id": id,
                "kind": if in_reply_to.is_some() { "reply" } else { "mention" },
                "author": {"handle": format!("@citizen{i}"), "name": format!("Citizen {i}"),
                           "url": format!("http://peer.test/@citizen{i}")},
                "text": format!("Question {i} about the road works"),
                "url": format!("http://peer.test/a/{i}"),
                "created_at": "2026-12-01T08:00:00Z",
                "in_reply_to": in_reply_to,
            }));
            ids.push(id);
        }
        ids
    }

    /// Queues faults for the next activity reads.
    pub fn inject_activity(&self, faults: Vec<Value>) {
        if let Ok(mut s) = self.state.lock() {
            s.activity_faults.extend(faults);
        }
    }

    /// Activity reads so far.
    pub fn activity_reads(&self) -> u64 {
        self.state.lock().map(|s| s.activity_reads).unwrap_or(0)
    }

    /// Waits until `n` posts exist or `timeout` passes; returns the count.
    pub async fn wait_for(&self, n: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        loop {
            let c = self.counts().created;
            if c >= n || Instant::now() > deadline {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for CountingServer {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        let _ = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(false));
        })
        .join();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
