//! The live event stream of a tenant's posts (server-sent events).

use actix_web::{HttpResponse, get, web};
use heraut_proto::Problem;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::AuthUser;

/// Live status of the tenant's posts as server-sent events (`event: post`, data a `PostEvent`),
/// across nodes when Redis is configured. A comment line every 15 s keeps proxies from closing it.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/events", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")),
    responses((status = 200, description = "An event stream", content_type = "text/event-stream", body = heraut_proto::posts::PostEvent),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/events")]
pub async fn post_events(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tenant = state.core.event_tenant(&user.0, &path).await?;
    let rx = state.core.events().subscribe();
    let every = std::time::Duration::from_secs(15);
    let ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let stream = futures_util::stream::unfold((rx, ticks), move |(mut rx, mut ticks)| async move {
        loop {
            tokio::select! {
                got = rx.recv() => match got {
                    Ok((t, event)) if t == tenant => {
                        let data = serde_json::to_string(&event).unwrap_or_default();
                        let chunk = web::Bytes::from(format!("event: post\ndata: {data}\n\n"));
                        return Some((Ok::<_, actix_web::Error>(chunk), (rx, ticks)));
                    }
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // Too slow: tell the client to reload what it shows.
                        let chunk = web::Bytes::from_static(b"event: resync\ndata: {}\n\n");
                        return Some((Ok(chunk), (rx, ticks)));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
                _ = ticks.tick() => {
                    return Some((Ok(web::Bytes::from_static(b": keep-alive\n\n")), (rx, ticks)));
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(stream))
}
