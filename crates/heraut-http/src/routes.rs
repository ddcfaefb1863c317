//! The route table, in one place.

use actix_web::{HttpRequest, HttpResponse, web};
use heraut_proto::ErrorCode;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{path_error, problem_response, query_error};
use crate::handlers::{
    account, audit, auth, channels, events, governance, jobs, media, members, notifications, ops,
    plugins, posts, tenants,
};
use crate::{AppState, middleware, openapi, web_ui};

/// Registers every route, the extractor error handlers and the middleware.
pub fn configure(state: AppState, cfg: &mut web::ServiceConfig) {
    let limit = state.core.config().max_body_bytes;
    let metrics_elsewhere = state.core.config().metrics_listen.is_some();
    cfg.app_data(web::Data::new(state))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PayloadConfig::new(limit))
        .service(ops::get_healthz)
        .service(ops::get_readyz)
        .configure(|cfg| {
            if !metrics_elsewhere {
                cfg.service(ops::get_metrics);
            }
        })
        .service(ops::get_ping)
        .service(auth::post_login)
        .service(auth::post_mfa)
        .service(auth::post_refresh)
        .service(auth::post_logout)
        .service(auth::post_set_password)
        .service(auth::post_web_login)
        .service(auth::post_web_mfa)
        .service(auth::post_web_refresh)
        .service(auth::post_web_logout)
        .service(account::get_me)
        .service(account::post_totp)
        .service(account::post_totp_confirm)
        .service(account::put_password)
        .service(tenants::list_tenants)
        .service(tenants::create_tenant)
        .service(tenants::get_tenant)
        .service(tenants::update_tenant)
        .service(members::list_members)
        .service(members::add_member)
        .service(members::update_member)
        .service(members::remove_member)
        .service(members::reset_member_mfa)
        .service(members::reset_member_password)
        .service(audit::list_audit)
        .service(audit::verify_audit)
        .service(governance::get_approval_policy)
        .service(governance::put_approval_policy)
        .service(governance::get_crisis)
        .service(governance::put_crisis)
        .service(posts::list_posts)
        .service(posts::create_post)
        .service(posts::validate_post)
        .service(posts::get_post)
        .service(posts::post_revisions)
        .service(posts::update_post)
        .service(posts::delete_post)
        .service(posts::submit_post)
        .service(posts::approve_post)
        .service(posts::reject_post)
        .service(posts::retract_post)
        .service(posts::comment_post)
        .service(posts::cancel_post)
        .service(posts::confirm_post)
        .service(posts::retry_post)
        .service(posts::post_emergency)
        .service(channels::list_channels)
        .service(channels::create_channel)
        .service(channels::delete_channel)
        .service(channels::sync_channel)
        .service(channels::put_channel_credentials)
        .service(channels::start_oauth)
        .service(channels::oauth_callback)
        .service(channels::delete_published)
        .service(channels::get_feed)
        .service(notifications::list_notifications)
        .service(notifications::read_notification)
        .service(events::post_events)
        .service(media::upload_media)
        .service(media::get_media)
        .service(media::get_media_content)
        .service(plugins::list_plugins)
        .service(plugins::install_plugin)
        .service(plugins::update_plugin)
        .service(jobs::list_jobs)
        .service(jobs::retry_job)
        .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", openapi::document()))
        .route("/api/docs", web::get().to(docs_redirect))
        .default_service(web::to(not_found));
}

/// Binds `listen` (and `metrics_listen`, when set) and returns the running servers; await the
/// result to serve until shutdown.
pub fn serve(
    state: AppState,
    listen: std::net::SocketAddr,
) -> std::io::Result<impl std::future::Future<Output = std::io::Result<()>>> {
    let metrics_listen = state.core.config().metrics_listen;
    let app_state = state.clone();
    let main = actix_web::HttpServer::new(move || {
        let state = app_state.clone();
        actix_web::App::new()
            .wrap(actix_web::middleware::from_fn(middleware::request_context))
            .configure(move |cfg| configure(state, cfg))
    })
    .bind(listen)?
    .shutdown_timeout(10)
    .run();
    let metrics = match metrics_listen {
        Some(addr) => Some(
            actix_web::HttpServer::new(move || {
                actix_web::App::new()
                    .app_data(web::Data::new(state.clone()))
                    .service(ops::get_metrics)
            })
            .workers(1)
            .bind(addr)?
            .shutdown_timeout(1)
            .run(),
        ),
        None => None,
    };
    Ok(async move {
        match metrics {
            Some(m) => futures_util::future::try_join(main, m).await.map(|_| ()),
            None => main.await,
        }
    })
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("location", "/api/docs/"))
        .finish()
}

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The methods the OpenAPI document lists for the path template that matches `path`.
fn documented_methods(path: &str) -> Option<Vec<String>> {
    type Template = (Vec<String>, Vec<String>);
    static TEMPLATES: std::sync::OnceLock<Vec<Template>> = std::sync::OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| {
        openapi::document()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template.split('/').map(str::to_owned).collect();
                let value = serde_json::to_value(item).unwrap_or_default();
                let methods = value
                    .as_object()
                    .map(|o| {
                        o.keys()
                            .filter(|k| HTTP_METHODS.contains(&k.as_str()))
                            .map(|m| m.to_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                (segments, methods)
            })
            .collect()
    });
    let parts: Vec<&str> = path.split('/').collect();
    templates.iter().find_map(|(segments, methods)| {
        let matches = segments.len() == parts.len()
            && segments
                .iter()
                .zip(&parts)
                .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p);
        matches.then(|| methods.clone())
    })
}

/// The web UI's pages and files; then 405 for a documented path with another method, 404 for
/// anything else.
async fn not_found(req: HttpRequest) -> HttpResponse {
    if let Some(page) = web_ui::answer(&req) {
        return page;
    }
    let path = req.path().chars().take(200).collect::<String>();
    let documented = documented_methods(req.path())
        // A documented method that lands here is not served on this address (`/metrics` with
        // `metrics_listen` set): that is a 404, not a 405.
        .filter(|m| !m.iter().any(|m| m == req.method().as_str()));
    if let Some(methods) = documented {
        let allow = methods.join(", ");
        let detail = format!("{} is not allowed on {path}; use {allow}", req.method());
        let mut resp = problem_response(ErrorCode::MethodNotAllowed, &detail, None);
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
            resp.headers_mut().insert(actix_web::http::header::ALLOW, v);
        }
        return resp;
    }
    let detail = format!(
        "no route {} {path}; the API is described at /api/docs",
        req.method()
    );
    problem_response(ErrorCode::RouteNotFound, &detail, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_come_from_the_document() {
        assert_eq!(documented_methods("/readyz"), Some(vec!["GET".to_owned()]));
        let members = documented_methods("/api/v1/tenants/x/members/5").unwrap_or_default();
        assert_eq!(members, vec!["DELETE".to_owned(), "PATCH".to_owned()]);
        assert_eq!(documented_methods("/api/v1/nowhere"), None);
    }
}
