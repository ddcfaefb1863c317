//! The web UI's files, embedded in the release binary (read from `web/dist` on disk in debug
//! builds). Hashed assets are cached for a year; `index.html` answers every other page address,
//! so the UI's own routes work on reload and from links. A binary built before the UI answers
//! with a page that says how to build it.

use actix_web::http::{Method, header};
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

fn file(path: &str, cache: &'static str) -> Option<HttpResponse> {
    let asset = Assets::get(path)?;
    Some(
        HttpResponse::Ok()
            .content_type(asset.metadata.mimetype())
            .insert_header((header::CACHE_CONTROL, cache))
            .body(asset.data.into_owned()),
    )
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
        if let Some(r) = file(path, cache) {
            return Some(r);
        }
    }
    if path.is_empty() || wants_html(req) {
        return file("index.html", "no-cache").or_else(|| {
            Some(
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(MISSING),
            )
        });
    }
    None
}
