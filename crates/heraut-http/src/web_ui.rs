//! The web UI's files, embedded in the release binary (read from `web/dist` on disk in debug
//! builds). Hashed assets are cached for a year; `index.html` answers every other page address,
//! so the UI's own routes work on reload and from links. Text files go out gzip-compressed to
//! browsers that accept it (compressed once, then kept). A binary built before the UI answers
//! with a page that says how to build it.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use actix_web::http::{Method, header};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

#[derive(rust_embed::Embed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

const MISSING: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Heraut</title></head>\n<body><main><h1>Heraut</h1>\n<p>The web UI was not built into this binary. Start Heraut with <code>cargo xtask run</code>,\nwhich builds it first (or run <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code> and build again).</p>\n<p>The API and its reference are at <a href=\"/api/docs/\">/api/docs/</a>.</p></main></body></html>\n";

/// Address prefixes that never fall back to the UI: the API and machine routes answer their
/// own 404 (problem+json).
const NOT_UI: &[&str] = &["api/", "feeds/", "healthz", "readyz", "metrics"];

fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.split(',').any(|e| e.trim().starts_with("gzip")))
}

fn is_text(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.contains("javascript")
        || mime.contains("json")
        || mime.contains("svg")
}

/// The gzip form of an embedded file, made on first request and kept (the files never change
/// while the binary runs).
fn gzipped(path: &str, data: &[u8]) -> Option<Bytes> {
    static CACHE: OnceLock<Mutex<HashMap<String, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().ok()?.get(path) {
        return Some(hit.clone());
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).ok()?;
    let packed = Bytes::from(encoder.finish().ok()?);
    cache.lock().ok()?.insert(path.to_owned(), packed.clone());
    Some(packed)
}

fn file(req: &HttpRequest, path: &str, cache: &'static str) -> Option<HttpResponse> {
    let asset = Assets::get(path)?;
    let mime = asset.metadata.mimetype().to_owned();
    let mut response = HttpResponse::Ok();
    response
        .content_type(mime.as_str())
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "accept-encoding"));
    if is_text(&mime)
        && accepts_gzip(req)
        && let Some(packed) = gzipped(path, &asset.data)
    {
        return Some(
            response
                .insert_header((header::CONTENT_ENCODING, "gzip"))
                .body(packed),
        );
    }
    let body = match asset.data {
        std::borrow::Cow::Borrowed(b) => Bytes::from_static(b),
        std::borrow::Cow::Owned(v) => Bytes::from(v),
    };
    Some(response.body(body))
}

/// The UI's answer to a GET the route table did not match, or `None` when it is not the UI's.
pub fn answer(req: &HttpRequest) -> Option<HttpResponse> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let path = req.path().trim_start_matches('/');
    if NOT_UI.iter().any(|p| path.starts_with(p)) {
        return None;
    }
    if !path.is_empty() && !path.ends_with('/') {
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        if let Some(r) = file(req, path, cache) {
            return Some(r);
        }
    }
    if path.is_empty() || wants_html(req) {
        return file(req, "index.html", "no-cache").or_else(|| {
            Some(
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(MISSING),
            )
        });
    }
    None
}
