//! The OpenAPI document: every route, body and error. Served at `/api/openapi.json` and
//! browsable at `/api/docs`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::handlers::{
    account, audit, auth, channels, events, governance, jobs, media, members, notifications, ops,
    plugins, posts, tenants,
};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Heraut API", version = "1",
        description = "Plan, approve, publish and archive the social media of government agencies. Errors are application/problem+json with a stable `code`."),
    paths(
        ops::get_healthz, ops::get_readyz, ops::get_metrics, ops::get_ping,
        auth::post_login, auth::post_mfa, auth::post_refresh, auth::post_logout, auth::post_set_password,
        auth::post_web_login, auth::post_web_mfa, auth::post_web_refresh, auth::post_web_logout,
        account::get_me, account::post_totp, account::post_totp_confirm, account::put_password,
        tenants::list_tenants, tenants::create_tenant, tenants::get_tenant, tenants::update_tenant,
        members::list_members, members::add_member, members::update_member, members::remove_member,
        members::reset_member_mfa, members::reset_member_password,
        audit::list_audit, audit::verify_audit,
        governance::get_approval_policy, governance::put_approval_policy,
        governance::get_crisis, governance::put_crisis,
        posts::list_posts, posts::create_post, posts::validate_post, posts::get_post, posts::post_revisions, posts::update_post, posts::delete_post,
        posts::submit_post, posts::approve_post, posts::reject_post, posts::retract_post, posts::comment_post,
        posts::cancel_post, posts::confirm_post, posts::retry_post, posts::post_emergency,
        notifications::list_notifications, notifications::read_notification, events::post_events,
        channels::list_channels, channels::create_channel, channels::delete_channel,
        channels::put_channel_credentials, channels::start_oauth, channels::oauth_callback,
        channels::delete_published, channels::get_feed, channels::sync_channel,
        media::upload_media, media::get_media, media::get_media_content,
        plugins::list_plugins, plugins::install_plugin, plugins::update_plugin,
        jobs::list_jobs, jobs::retry_job,
    ),
    components(schemas(heraut_proto::Problem, heraut_proto::ProblemItem, heraut_proto::ErrorCode)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "sign-in", description = "Password, second factor, sessions"),
        (name = "account", description = "The signed-in person's own account"),
        (name = "tenants", description = "Agencies"),
        (name = "people", description = "Members and roles"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "governance", description = "Approval policy and crisis mode"),
        (name = "publishing", description = "Posts, approval, scheduling, notifications, live updates"),
        (name = "channels", description = "Connected accounts on networks"),
        (name = "plugins", description = "Installed plugins and their approved hosts"),
        (name = "admin", description = "Instance administration: background jobs"),
    )
)]
pub struct ApiDoc;

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
