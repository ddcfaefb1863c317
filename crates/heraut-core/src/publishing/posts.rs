//! Posts from draft through approval to their targets: create and edit (every edit a new
//! revision), submit into the tenant's approval policy, approve with four eyes, reject with a
//! reason, cancel, confirm overdue targets, retry failed ones, retract published posts from
//! their networks, delete drafts that never went into review (everything else is a record). What was approved
//! is exactly what goes out: targets copy the approved text, and editing an approved post
//! withdraws its targets and sends it back to review.

use std::collections::{BTreeMap, BTreeSet};

use crate::channels::connector::{Poll, PostOptions};
use chrono::{DateTime, Utc};
use heraut_auth::Permission;
use heraut_auth::permissions::allows;
use heraut_db::Scope;
use heraut_db::posts::{self, PostFilter};
use heraut_proto::posts::{
    ApprovalProgress, ApprovalView, ApproveRequest, CommentRequest, CommentView, CreatePostRequest,
    EmergencyRequest, PollSpec, PostCheck, PostList, PostStatus, PostView, PublishedPart,
    RejectRequest, RetractRequest, RevisionList, RevisionView, TargetStatus, TargetView,
    UpdatePostRequest,
};
use heraut_proto::tenants::{ApprovalStep, ApproverRole, Role};
use heraut_proto::{ChannelId, ErrorCode, MediaId, PostId, ProblemItem, TenantId, UserId};
use sea_orm::{ConnectionTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use crate::paging::page_limit;
use crate::records::audit::record_by;
use crate::tenancy::tenants::TenantCtx;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

/// Longest post text, in characters (networks have their own, smaller limits).
pub const MAX_BODY: usize = 10_000;
/// Most channels one post goes to.
pub const MAX_CHANNELS: usize = 50;
/// Most images on one post (networks have their own, smaller limits).
pub const MAX_MEDIA: usize = 10;
/// A schedule this far in the past is still taken as "now" (clock skew, slow forms).
const PAST_TOLERANCE_SECS: i64 = 60;

pub(crate) fn post_not_found(id: &str) -> CoreError {
    CoreError::new(
        ErrorCode::PostNotFound,
        format!("no post `{id}` in this tenant"),
    )
}

fn wrong_state(post: &posts::Post, what: &str) -> CoreError {
    CoreError::new(
        ErrorCode::PostWrongState,
        format!("the post is {}; {what}", post.status.replace('_', " ")),
    )
}

/// The post's status if it is one of `allowed`; otherwise a wrong-state error saying `what`.
fn require_status(
    post: &posts::Post,
    allowed: &[PostStatus],
    what: &str,
) -> CoreResult<PostStatus> {
    match PostStatus::parse(&post.status) {
        Some(status) if allowed.contains(&status) => Ok(status),
        _ => Err(wrong_state(post, what)),
    }
}

fn invalid(items: Vec<ProblemItem>) -> CoreError {
    let detail = items
        .iter()
        .map(|i| match &i.channel_id {
            Some(c) => format!("channel {c}: {}", i.message),
            None => i.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut e = CoreError::new(ErrorCode::PostInvalid, detail);
    e.items = items;
    e
}

fn approval_view(a: posts::Approval) -> ApprovalView {
    ApprovalView {
        user_id: UserId(a.user_id),
        step: u32::try_from(a.step).unwrap_or_default(),
        revision: u32::try_from(a.revision).unwrap_or_default(),
        round: u32::try_from(a.submission).unwrap_or_default(),
        at: a.created_at,
    }
}

/// The post changed between its connectors' check and the write: the person reloads it.
fn changed_meanwhile() -> CoreError {
    CoreError::new(
        ErrorCode::PostWrongState,
        "the post was changed by someone else while its channels' connectors checked it; \
         reload it and try again",
    )
}

fn item(field: &str, channel: Option<Uuid>, message: impl Into<String>) -> ProblemItem {
    ProblemItem {
        channel_id: channel.map(|c| c.to_string()),
        field: Some(field.to_owned()),
        message: message.into(),
    }
}

/// A content with what its channels' connectors said of it, per channel (see `Core::judge`).
pub(crate) struct Judged {
    content: Content,
    problems: BTreeMap<Uuid, Vec<ProblemItem>>,
}

/// The content of one revision.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub(crate) struct Content {
    pub body: String,
    pub channels: Vec<Uuid>,
    pub variants: BTreeMap<Uuid, String>,
    #[serde(default)]
    pub media: Vec<Uuid>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub campaign: Option<String>,
    /// A poll, a content warning, follow-up parts.
    #[serde(default, skip_serializing_if = "PostOptions::is_empty")]
    pub options: PostOptions,
}

/// The network options a request asks for, with blank ones left out.
fn options_of(
    poll: Option<PollSpec>,
    content_warning: Option<String>,
    thread: Vec<String>,
) -> PostOptions {
    PostOptions {
        poll: poll.map(|p| Poll {
            options: p.options.into_iter().map(|o| o.trim().to_owned()).collect(),
            expires_in_seconds: p.expires_in_seconds,
            multiple: p.multiple,
        }),
        content_warning: content_warning
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty()),
        thread,
    }
}

fn poll_spec(p: &Poll) -> PollSpec {
    PollSpec {
        options: p.options.clone(),
        expires_in_seconds: p.expires_in_seconds,
        multiple: p.multiple,
    }
}

impl Content {
    /// This content with an edit's fields applied.
    fn edited(&self, req: &UpdatePostRequest) -> Self {
        let mut content = self.clone();
        if let Some(b) = &req.body {
            content.body = b.clone();
        }
        if let Some(c) = &req.channels {
            content.channels = c.iter().map(|c| c.0).collect();
        }
        if let Some(v) = &req.variants {
            content.variants = v.iter().map(|(k, v)| (k.0, v.clone())).collect();
        }
        if let Some(m) = &req.media {
            content.media = m.iter().map(|m| m.0).collect();
        }
        if let Some(s) = req.scheduled_at {
            content.scheduled_at = s.map(|t| t.with_timezone(&Utc));
        }
        if let Some(tz) = &req.time_zone {
            content.time_zone = tz.clone();
        }
        if let Some(c) = &req.campaign {
            content.campaign = c.as_ref().map(|c| c.trim().to_owned());
        }
        let edited = options_of(
            match &req.poll {
                Some(p) => p.clone(),
                None => content.options.poll.as_ref().map(poll_spec),
            },
            match &req.content_warning {
                Some(c) => c.clone(),
                None => content.options.content_warning.clone(),
            },
            req.thread
                .clone()
                .unwrap_or_else(|| content.options.thread.clone()),
        );
        content.options = edited;
        content
    }

    /// The content a create (or check) request asks for; the tenant's time zone unless given.
    fn from_request(req: CreatePostRequest, tenant_zone: &str) -> Self {
        Self {
            body: req.body,
            channels: req.channels.iter().map(|c| c.0).collect(),
            variants: req.variants.into_iter().map(|(k, v)| (k.0, v)).collect(),
            media: req.media.iter().map(|m| m.0).collect(),
            scheduled_at: req.scheduled_at.map(|t| t.with_timezone(&Utc)),
            time_zone: req.time_zone.unwrap_or_else(|| tenant_zone.to_owned()),
            campaign: req.campaign.map(|c| c.trim().to_owned()),
            options: options_of(req.poll, req.content_warning, req.thread),
        }
    }

    fn of(post: &posts::Post) -> CoreResult<Self> {
        let bad = |e: serde_json::Error| CoreError::internal(format!("post {}: {e}", post.id));
        Ok(Self {
            body: post.body.clone(),
            channels: serde_json::from_str(&post.channel_ids).map_err(bad)?,
            variants: serde_json::from_str(&post.variants).map_err(bad)?,
            media: serde_json::from_str(&post.media_ids).map_err(bad)?,
            scheduled_at: post.scheduled_at,
            time_zone: post.time_zone.clone(),
            campaign: post.campaign.clone(),
            options: serde_json::from_str(&post.options).map_err(bad)?,
        })
    }

    fn text_for(&self, channel: Uuid) -> &str {
        self.variants
            .get(&channel)
            .map_or(&self.body, String::as_str)
    }
}

/// The status a post has given its targets' statuses.
pub fn post_status_from(targets: &[String]) -> PostStatus {
    let live: Vec<&str> = targets
        .iter()
        .map(String::as_str)
        .filter(|s| *s != "cancelled")
        .collect();
    if live.is_empty() {
        return PostStatus::Cancelled;
    }
    // A post removed from the network afterwards was published: its record says both.
    let published = live
        .iter()
        .filter(|s| matches!(**s, "published" | "deleted"))
        .count();
    let failed = live.iter().filter(|s| **s == "failed").count();
    let open = live.len() - published - failed;
    if open > 0 {
        let started = published + failed > 0 || live.iter().any(|s| *s != "pending");
        if started {
            PostStatus::Publishing
        } else {
            PostStatus::Approved
        }
    } else if failed == 0 {
        PostStatus::Published
    } else if published == 0 {
        PostStatus::Failed
    } else {
        PostStatus::PartiallyPublished
    }
}

/// The idempotency key of a post revision on a channel; fits the 80-character column.
pub fn idempotency_key(post: Uuid, revision: i32, channel: Uuid) -> String {
    format!("{}.{revision}.{}", post.simple(), channel.simple())
}

/// Whether a member with `role` may decide at a step that names `step_role`. Owners may decide
/// at any step; approvers at approver steps.
fn role_fits(role: Option<Role>, step_role: ApproverRole) -> bool {
    matches!(
        (role, step_role),
        (Some(Role::Owner), _) | (Some(Role::Approver), ApproverRole::Approver)
    )
}

impl Core {
    /// The tenant's policy steps; none means direct publishing for roles that may publish.
    async fn policy_steps<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        emergency: bool,
    ) -> CoreResult<Vec<ApprovalStep>> {
        let policy = crate::tenancy::governance::stored_policy(conn, tenant).await?;
        Ok(if emergency {
            // The short path the policy defines (by default one owner other than the sender).
            policy.emergency_steps
        } else {
            policy.steps
        })
    }

    /// What the connectors of the content's channels say of it, asked with no transaction
    /// open: a plugin may take seconds, and SQLite has one writer for every tenant. The write
    /// transaction then takes it through [`Self::check_content`], which re-checks the channels.
    async fn judge(&self, tenant: TenantId, content: &Content) -> CoreResult<Judged> {
        let txn = self.db.begin_read(Scope::Tenant(tenant)).await?;
        let mut active = Vec::new();
        let unique: BTreeSet<&Uuid> = content.channels.iter().take(MAX_CHANNELS).collect();
        for id in unique {
            if let Some(channel) = posts::channel(&txn, tenant, *id).await?
                && channel.status == "active"
            {
                active.push(channel);
            }
        }
        txn.commit().await?;
        let mut problems = BTreeMap::new();
        for channel in active {
            let id = channel.id;
            let items: &mut Vec<ProblemItem> = problems.entry(id).or_default();
            let connector = match self.connector(&channel.plugin).await {
                Ok(Some(c)) => c,
                Ok(None) => {
                    items.push(item(
                        "channels",
                        Some(id),
                        format!("its connector `{}` is not installed", channel.plugin),
                    ));
                    continue;
                }
                Err(e) => {
                    items.push(item("channels", Some(id), e.to_string()));
                    continue;
                }
            };
            let account = self.channel_account(&channel)?;
            let field = if content.variants.contains_key(&id) {
                "variants"
            } else {
                "body"
            };
            for problem in connector
                .validate(
                    &account,
                    content.text_for(id),
                    content.media.len(),
                    &content.options,
                )
                .await
            {
                let at = problem.field.as_deref().unwrap_or(field);
                items.push(item(at, Some(id), problem.message));
            }
        }
        Ok(Judged {
            content: content.clone(),
            problems,
        })
    }

    /// Checks content for a tenant: channels exist and are active, texts fit each connector
    /// (as `judged` found), the schedule is not in the past. Every problem is reported at once.
    async fn check_content<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        judged: &Judged,
        now: DateTime<Utc>,
    ) -> CoreResult<()> {
        let content = &judged.content;
        let mut items = Vec::new();
        let body_chars = content.body.chars().count();
        if content.body.trim().is_empty() {
            items.push(item("body", None, "the text is empty"));
        } else if body_chars > MAX_BODY {
            items.push(item(
                "body",
                None,
                format!("the text has {body_chars} characters; at most {MAX_BODY}"),
            ));
        }
        if content.channels.is_empty() {
            items.push(item("channels", None, "choose at least one channel"));
        }
        if content.channels.len() > MAX_CHANNELS {
            items.push(item(
                "channels",
                None,
                format!("at most {MAX_CHANNELS} channels"),
            ));
        }
        let unique: BTreeSet<&Uuid> = content.channels.iter().collect();
        if unique.len() != content.channels.len() {
            items.push(item("channels", None, "a channel is listed twice"));
        }
        if content.media.len() > MAX_MEDIA {
            items.push(item("media", None, format!("at most {MAX_MEDIA} images")));
        }
        let unique_media: BTreeSet<&Uuid> = content.media.iter().collect();
        if unique_media.len() != content.media.len() {
            items.push(item("media", None, "an image is listed twice"));
        }
        let found = posts::media(conn, tenant, &content.media).await?;
        for m in &content.media {
            if !found.iter().any(|f| f.id == *m) {
                items.push(item(
                    "media",
                    None,
                    format!("no image {m} in this tenant; upload it first"),
                ));
            }
        }
        for v in content.variants.keys() {
            if !content.channels.contains(v) {
                items.push(item(
                    "variants",
                    Some(*v),
                    "a variant for a channel the post does not go to",
                ));
            }
        }
        if let Some(at) = content.scheduled_at
            && at < now - chrono::Duration::seconds(PAST_TOLERANCE_SECS)
        {
            items.push(item(
                "scheduled_at",
                None,
                format!("{} is in the past; choose a later time", at.to_rfc3339()),
            ));
        }
        if content.time_zone.parse::<chrono_tz::Tz>().is_err() {
            items.push(item(
                "time_zone",
                None,
                format!(
                    "`{}` is not an IANA time zone such as Europe/Amsterdam",
                    content.time_zone
                ),
            ));
        }
        if let Some(c) = &content.campaign
            && (c.trim().is_empty() || c.chars().count() > 100)
        {
            items.push(item("campaign", None, "a campaign tag is 1–100 characters"));
        }
        let options = &content.options;
        if let Some(poll) = &options.poll {
            if !(2..=10).contains(&poll.options.len()) {
                items.push(item("poll", None, "a poll has 2 to 10 answers"));
            }
            if poll.options.iter().any(String::is_empty) {
                items.push(item("poll", None, "every answer of a poll needs some text"));
            }
            if poll.expires_in_seconds < 60 {
                items.push(item("poll", None, "a poll stays open at least a minute"));
            }
        }
        if options
            .content_warning
            .as_ref()
            .is_some_and(|c| c.chars().count() > 500)
        {
            items.push(item(
                "content_warning",
                None,
                "a content warning is at most 500 characters",
            ));
        }
        if options.thread.len() > 25 {
            items.push(item(
                "thread",
                None,
                "a thread has at most 25 further parts",
            ));
        }
        for (i, part) in options.thread.iter().enumerate() {
            if part.trim().is_empty() {
                items.push(item(
                    &format!("thread.{i}"),
                    None,
                    format!("part {} of the thread is empty", i + 2),
                ));
            }
        }
        for id in &content.channels {
            let Some(channel) = posts::channel(conn, tenant, *id).await? else {
                items.push(item(
                    "channels",
                    Some(*id),
                    "no such channel in this tenant",
                ));
                continue;
            };
            if channel.status != "active" {
                items.push(item(
                    "channels",
                    Some(*id),
                    format!("the channel is {}", channel.status.replace('_', " ")),
                ));
                continue;
            }
            match judged.problems.get(id) {
                Some(found) => items.extend(found.iter().cloned()),
                None => items.push(item(
                    "channels",
                    Some(*id),
                    "the channel was connected while the post was checked; try again",
                )),
            }
        }
        if items.is_empty() {
            Ok(())
        } else {
            Err(invalid(items))
        }
    }

    async fn store_revision(
        &self,
        txn: &DatabaseTransaction,
        post: &posts::Post,
        content: &Content,
        by: UserId,
        now: DateTime<Utc>,
    ) -> CoreResult<()> {
        let json =
            serde_json::to_string(content).map_err(|e| CoreError::internal(e.to_string()))?;
        posts::insert_revision(
            txn,
            posts::RevisionRow {
                post_id: Set(post.id),
                revision: Set(post.revision),
                tenant_id: Set(post.tenant_id),
                content: Set(json),
                edited_by: Set(by.0),
                edited_at: Set(now),
            },
        )
        .await?;
        Ok(())
    }

    async fn load_post(
        &self,
        txn: &DatabaseTransaction,
        tenant: TenantId,
        id: &str,
    ) -> CoreResult<posts::Post> {
        let uuid = Uuid::parse_str(id).map_err(|_| post_not_found(id))?;
        posts::lock_post(txn, tenant, uuid)
            .await?
            .ok_or_else(|| post_not_found(id))
    }

    /// Everything about some posts, in the order given.
    async fn views<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        list: Vec<posts::Post>,
        with_comments: bool,
    ) -> CoreResult<Vec<PostView>> {
        let ids: Vec<Uuid> = list.iter().map(|p| p.id).collect();
        let targets = posts::targets_of(conn, tenant, &ids).await?;
        let mut out = Vec::with_capacity(list.len());
        for p in list {
            let content = Content::of(&p)?;
            let approval = match &p.policy {
                Some(json) if p.status == "in_review" || p.status == "approved" => {
                    let steps: Vec<ApprovalStep> = serde_json::from_str(json)
                        .map_err(|e| CoreError::internal(e.to_string()))?;
                    let approvals =
                        posts::approvals(conn, tenant, p.id, (p.submissions, p.revision))
                            .await?
                            .into_iter()
                            .map(approval_view)
                            .collect();
                    Some(ApprovalProgress {
                        steps,
                        current_step: u32::try_from(p.step).unwrap_or_default(),
                        approvals,
                    })
                }
                _ => None,
            };
            let approval_history = if with_comments {
                posts::approval_history(conn, tenant, p.id)
                    .await?
                    .into_iter()
                    .map(approval_view)
                    .collect()
            } else {
                Vec::new()
            };
            let comments = if with_comments {
                posts::comments(conn, tenant, p.id)
                    .await?
                    .into_iter()
                    .map(|c| CommentView {
                        id: c.id.to_string(),
                        user_id: UserId(c.user_id),
                        kind: c.kind,
                        text: c.text,
                        revision: u32::try_from(c.revision).unwrap_or_default(),
                        at: c.created_at,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            out.push(PostView {
                id: PostId(p.id),
                status: PostStatus::parse(&p.status).unwrap_or(PostStatus::Draft),
                revision: u32::try_from(p.revision).unwrap_or_default(),
                author_id: UserId(p.author_id),
                body: content.body,
                channels: content.channels.into_iter().map(ChannelId).collect(),
                media: content.media.into_iter().map(MediaId).collect(),
                variants: content
                    .variants
                    .into_iter()
                    .map(|(k, v)| (ChannelId(k), v))
                    .collect(),
                scheduled_at: content.scheduled_at,
                time_zone: content.time_zone,
                campaign: content.campaign,
                reply_to: p.reply_to.map(PostId),
                poll: content.options.poll.as_ref().map(poll_spec),
                content_warning: content.options.content_warning.clone(),
                thread: content.options.thread.clone(),
                emergency: p.emergency,
                reject_reason: p.reject_reason,
                is_record: p.submissions > 0,
                retracted_at: p.retracted_at,
                retract_reason: p.retract_reason,
                approval,
                approval_history,
                targets: targets
                    .iter()
                    .filter(|t| t.post_id == p.id)
                    .map(target_view)
                    .collect(),
                comments,
                created_at: p.created_at,
                updated_at: p.updated_at,
            });
        }
        Ok(out)
    }

    async fn view_in(
        &self,
        txn: &DatabaseTransaction,
        tenant: TenantId,
        id: Uuid,
    ) -> CoreResult<PostView> {
        let post = posts::post(txn, tenant, id)
            .await?
            .ok_or_else(|| post_not_found(&id.to_string()))?;
        self.views(txn, tenant, vec![post], true)
            .await?
            .pop()
            .ok_or_else(|| CoreError::internal("post vanished"))
    }

    /// `POST …/posts/validate`: what submitting this content would object to (its connectors
    /// included), for the composer's live preview. Stores nothing.
    pub async fn check_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        req: CreatePostRequest,
    ) -> CoreResult<PostCheck> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        let content = Content::from_request(req, &ctx.tenant.time_zone);
        let judged = self.judge(ctx.tenant_id, &content).await?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let problems = match self
            .check_content(&txn, ctx.tenant_id, &judged, meta.now)
            .await
        {
            Ok(()) => Vec::new(),
            Err(e) if e.code == ErrorCode::PostInvalid => e.items,
            Err(e) => return Err(e),
        };
        Ok(PostCheck {
            valid: problems.is_empty(),
            problems,
        })
    }

    /// `POST /tenants/{tenant}/posts`: a new draft.
    pub async fn create_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        req: CreatePostRequest,
    ) -> CoreResult<PostView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        let reply_to = req.reply_to.map(|p| p.0);
        let content = Content::from_request(req, &ctx.tenant.time_zone);
        let id = self
            .insert_post(meta, actor, &ctx, content, (false, reply_to), "post.create")
            .await?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let view = self.view_in(&txn, ctx.tenant_id, id).await?;
        txn.commit().await?;
        Ok(view)
    }

    async fn insert_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        ctx: &TenantCtx,
        content: Content,
        (emergency, reply_to): (bool, Option<Uuid>),
        action: &str,
    ) -> CoreResult<Uuid> {
        let judged = self.judge(ctx.tenant_id, &content).await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        self.check_content(&txn, ctx.tenant_id, &judged, meta.now)
            .await?;
        if let Some(parent) = reply_to {
            check_reply_to(&txn, ctx.tenant_id, parent, &content.channels).await?;
        }
        let id = PostId::new().0;
        let post = posts::insert_post(
            &txn,
            posts::PostRow {
                id: Set(id),
                tenant_id: Set(ctx.tenant_id.0),
                author_id: Set(actor.user_id.0),
                status: Set(PostStatus::Draft.as_str().to_owned()),
                revision: Set(1),
                body: Set(content.body.clone()),
                variants: Set(json_text(&content.variants)),
                channel_ids: Set(json_text(&content.channels)),
                media_ids: Set(json_text(&content.media)),
                campaign: Set(content.campaign.clone()),
                options: Set(json_text(&content.options)),
                reply_to: Set(reply_to),
                scheduled_at: Set(content.scheduled_at),
                time_zone: Set(content.time_zone.clone()),
                emergency: Set(emergency),
                policy: Set(None),
                step: Set(0),
                reject_reason: Set(None),
                submissions: Set(0),
                retracted_at: Set(None),
                retract_reason: Set(None),
                created_at: Set(meta.now),
                updated_at: Set(meta.now),
            },
        )
        .await?;
        self.store_revision(&txn, &post, &content, actor.user_id, meta.now)
            .await?;
        let details = serde_json::json!({"revision": 1, "channels": content.channels,
            "scheduled_at": content.scheduled_at, "campaign": content.campaign,
            "reply_to": reply_to});
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            action,
            id.to_string(),
            details,
        )
        .await?;
        txn.commit().await?;
        Ok(id)
    }

    /// `GET /tenants/{tenant}/posts`.
    #[allow(clippy::too_many_arguments)]
    pub async fn list_posts(
        &self,
        actor: &Actor,
        slug: &str,
        status: Option<&str>,
        channel: Option<&str>,
        campaign: Option<&str>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: Option<u64>,
        cursor: Option<&str>,
    ) -> CoreResult<PostList> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let limit = page_limit(limit)?;
        let bad = |what: &str| CoreError::new(ErrorCode::RequestInvalid, what.to_owned());
        if let Some(s) = status
            && PostStatus::parse(s).is_none()
        {
            return Err(bad(
                "`status` must be one of draft, in_review, approved, publishing, published, \
                 partially_published, failed, cancelled",
            ));
        }
        let filter = PostFilter {
            status: status.map(str::to_owned),
            campaign: campaign.map(str::to_owned),
            channel: channel
                .map(|c| Uuid::parse_str(c).map_err(|_| bad("`channel` must be a channel id")))
                .transpose()?,
            scheduled_from: from,
            scheduled_to: to,
            before: cursor
                .map(|c| Uuid::parse_str(c).map_err(|_| bad("`cursor` is not valid")))
                .transpose()?,
        };
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let list = posts::list_posts(&txn, ctx.tenant_id, &filter, limit + 1).await?;
        let more = list.len() as u64 > limit;
        let list: Vec<_> = list.into_iter().take(limit as usize).collect();
        let next_cursor = more
            .then(|| list.last().map(|p| p.id.to_string()))
            .flatten();
        let items = self.views(&txn, ctx.tenant_id, list, false).await?;
        txn.commit().await?;
        Ok(PostList { items, next_cursor })
    }

    /// `GET /tenants/{tenant}/posts/{id}`.
    pub async fn get_post(&self, actor: &Actor, slug: &str, id: &str) -> CoreResult<PostView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let uuid = Uuid::parse_str(id).map_err(|_| post_not_found(id))?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let view = self.view_in(&txn, ctx.tenant_id, uuid).await;
        txn.commit().await?;
        view
    }

    /// `GET /tenants/{tenant}/posts/{id}/revisions`: every version, oldest first.
    pub async fn post_revisions(
        &self,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<RevisionList> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let uuid = Uuid::parse_str(id).map_err(|_| post_not_found(id))?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        if posts::post(&txn, ctx.tenant_id, uuid).await?.is_none() {
            return Err(post_not_found(id));
        }
        let list = posts::revisions(&txn, ctx.tenant_id, uuid).await?;
        txn.commit().await?;
        let mut items = Vec::with_capacity(list.len());
        for r in list {
            let c: Content = serde_json::from_str(&r.content)
                .map_err(|e| CoreError::internal(format!("revision of {id}: {e}")))?;
            items.push(RevisionView {
                revision: u32::try_from(r.revision).unwrap_or_default(),
                body: c.body,
                channels: c.channels.into_iter().map(ChannelId).collect(),
                variants: c
                    .variants
                    .into_iter()
                    .map(|(k, v)| (ChannelId(k), v))
                    .collect(),
                media: c.media.into_iter().map(MediaId).collect(),
                scheduled_at: c.scheduled_at,
                time_zone: c.time_zone,
                campaign: c.campaign,
                edited_by: UserId(r.edited_by),
                edited_at: r.edited_at,
            });
        }
        Ok(RevisionList { items })
    }

    /// `PATCH /tenants/{tenant}/posts/{id}`: a new revision. A post in review, or approved and
    /// not yet sent anywhere, goes back to review; its approvals no longer count.
    pub async fn update_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        req: UpdatePostRequest,
    ) -> CoreResult<PostView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        // The connectors judge the edited content before the write transaction opens.
        let read = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let seen = self.load_post(&read, ctx.tenant_id, id).await?;
        read.commit().await?;
        let editable = |p: &posts::Post| {
            require_status(
                p,
                &[
                    PostStatus::Draft,
                    PostStatus::InReview,
                    PostStatus::Approved,
                ],
                "only drafts, posts in review and approved posts that have not gone out can be edited",
            )
        };
        // A post that cannot be edited is refused before any connector is asked.
        editable(&seen)?;
        let judged = self
            .judge(ctx.tenant_id, &Content::of(&seen)?.edited(&req))
            .await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        let status = editable(&post)?;
        let before = Content::of(&post)?;
        let content = before.edited(&req);
        if content != judged.content {
            return Err(changed_meanwhile());
        }
        self.check_content(&txn, ctx.tenant_id, &judged, meta.now)
            .await?;
        if content == before {
            txn.commit().await?;
            return self.get_post(actor, slug, id).await;
        }
        if status == PostStatus::Approved {
            let started = posts::withdraw_unstarted_targets(&txn, ctx.tenant_id, post.id).await?;
            if started > 0 {
                return Err(wrong_state(
                    &post,
                    "it has started going out; cancel it and write a new post instead",
                ));
            }
        }
        let revision = post.revision + 1;
        let next_status = match status {
            PostStatus::Draft => PostStatus::Draft,
            _ => PostStatus::InReview,
        };
        let steps = if next_status == PostStatus::InReview {
            Some(self.steps_for(&txn, &ctx, &post).await?)
        } else {
            None
        };
        let mut model: posts::PostRow = post.clone().into();
        model.revision = Set(revision);
        model.body = Set(content.body.clone());
        model.variants = Set(json_text(&content.variants));
        model.channel_ids = Set(json_text(&content.channels));
        model.media_ids = Set(json_text(&content.media));
        model.scheduled_at = Set(content.scheduled_at);
        model.time_zone = Set(content.time_zone.clone());
        model.campaign = Set(content.campaign.clone());
        model.options = Set(json_text(&content.options));
        model.status = Set(next_status.as_str().to_owned());
        model.step = Set(0);
        if let Some(steps) = &steps {
            // Back to review: a new round, in which earlier approvals no longer count.
            model.policy = Set(Some(json_text(steps)));
            model.submissions = Set(post.submissions + 1);
        }
        model.updated_at = Set(meta.now);
        let updated = posts::update_post(&txn, model).await?;
        self.store_revision(&txn, &updated, &content, actor.user_id, meta.now)
            .await?;
        let details = serde_json::json!({"revision": revision, "before": before.body,
            "after": content.body, "back_to_review": status != PostStatus::Draft});
        record_by(&txn, ctx.tenant_id, actor, meta, "post.edit", id, details).await?;
        // No steps apply (the author may publish and the policy has none): approved again.
        if let Some(steps) = steps
            && steps.is_empty()
        {
            self.approve_fully(&txn, meta, &updated).await?;
        }
        let view = self.view_in(&txn, ctx.tenant_id, post.id).await?;
        txn.commit().await?;
        self.events.post_changed(ctx.tenant_id, &view);
        Ok(view)
    }

    /// The steps a post submitted by its author needs. With no steps in the policy, authors
    /// whose role may publish publish directly; others still need one approver.
    async fn steps_for<C: ConnectionTrait>(
        &self,
        conn: &C,
        ctx: &TenantCtx,
        post: &posts::Post,
    ) -> CoreResult<Vec<ApprovalStep>> {
        let steps = self
            .policy_steps(conn, ctx.tenant_id, post.emergency)
            .await?;
        let author_role = heraut_db::memberships::get(conn, ctx.tenant_id, UserId(post.author_id))
            .await?
            .and_then(|m| Role::parse(&m.role));
        let author_publishes = author_role.is_some_and(|r| allows(r, Permission::PostsPublish));
        if steps.is_empty() && !author_publishes {
            return Ok(vec![ApprovalStep {
                name: "Publish".to_owned(),
                role: ApproverRole::Approver,
                approvals_required: 1,
            }]);
        }
        Ok(steps)
    }

    /// `POST …/posts/{id}/submit`: into the approval workflow, starting from the first step.
    pub async fn submit_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<PostView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        let read = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let seen = self.load_post(&read, ctx.tenant_id, id).await?;
        read.commit().await?;
        let draft = |p: &posts::Post| {
            require_status(p, &[PostStatus::Draft], "only a draft can be submitted").map(|_| ())
        };
        // Refused before any connector is asked.
        draft(&seen)?;
        let judged = self.judge(ctx.tenant_id, &Content::of(&seen)?).await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        draft(&post)?;
        if Content::of(&post)? != judged.content {
            return Err(changed_meanwhile());
        }
        self.check_content(&txn, ctx.tenant_id, &judged, meta.now)
            .await?;
        let steps = self.steps_for(&txn, &ctx, &post).await?;
        let mut model: posts::PostRow = post.clone().into();
        model.status = Set(PostStatus::InReview.as_str().to_owned());
        // A new round of review: approvals of earlier rounds are kept but no longer count.
        model.submissions = Set(post.submissions + 1);
        model.policy = Set(Some(
            serde_json::to_string(&steps).map_err(|e| CoreError::internal(e.to_string()))?,
        ));
        model.step = Set(0);
        model.reject_reason = Set(None);
        model.updated_at = Set(meta.now);
        let updated = posts::update_post(&txn, model).await?;
        let details = serde_json::json!({"revision": post.revision, "steps": steps.len(),
            "scheduled_at": post.scheduled_at});
        record_by(&txn, ctx.tenant_id, actor, meta, "post.submit", id, details).await?;
        if steps.is_empty() {
            self.approve_fully(&txn, meta, &updated).await?;
        }
        let view = self.view_in(&txn, ctx.tenant_id, post.id).await?;
        txn.commit().await?;
        self.events.post_changed(ctx.tenant_id, &view);
        self.wake_publisher();
        Ok(view)
    }

    /// `POST …/posts/{id}/approve`: counts once per person and revision; never by anyone who
    /// wrote any revision of the post (four eyes); the step's role must fit. The last approval of the last step
    /// schedules the targets.
    pub async fn approve_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        req: ApproveRequest,
    ) -> CoreResult<PostView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::PostsApprove)
            .await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        require_status(
            &post,
            &[PostStatus::InReview],
            "only a post in review can be approved",
        )?;
        let editors = posts::editors(&txn, ctx.tenant_id, post.id).await?;
        if post.author_id == actor.user_id.0 || editors.contains(&actor.user_id.0) {
            return Err(CoreError::new(
                ErrorCode::SelfApprovalForbidden,
                "you wrote or edited this post; someone who did not must approve it",
            ));
        }
        let steps: Vec<ApprovalStep> = serde_json::from_str(post.policy.as_deref().unwrap_or("[]"))
            .map_err(|e| CoreError::internal(e.to_string()))?;
        let step_index = usize::try_from(post.step).unwrap_or_default();
        let Some(step) = steps.get(step_index) else {
            return Err(CoreError::internal("post in review past its last step"));
        };
        if !role_fits(ctx.role, step.role) {
            return Err(CoreError::new(
                ErrorCode::Forbidden,
                format!(
                    "step `{}` needs a member with the role {}",
                    step.name,
                    Role::from(step.role).as_str()
                ),
            ));
        }
        let round = (post.submissions, post.revision);
        let mine = posts::approvals(&txn, ctx.tenant_id, post.id, round).await?;
        if mine.iter().any(|a| a.user_id == actor.user_id.0) {
            return Err(CoreError::new(
                ErrorCode::AlreadyApproved,
                "you already approved this version; one person counts once",
            ));
        }
        posts::insert_approval(
            &txn,
            posts::ApprovalRow {
                post_id: Set(post.id),
                submission: Set(post.submissions),
                revision: Set(post.revision),
                user_id: Set(actor.user_id.0),
                tenant_id: Set(ctx.tenant_id.0),
                step: Set(post.step),
                created_at: Set(meta.now),
            },
        )
        .await?;
        if let Some(c) = req
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            self.add_comment(&txn, &post, actor.user_id, "approval", c, meta.now)
                .await?;
        }
        let at_step = mine.iter().filter(|a| a.step == post.step).count() + 1;
        let step_done = at_step >= step.approvals_required as usize;
        let details = serde_json::json!({"revision": post.revision, "step": step.name,
            "approvals": at_step, "required": step.approvals_required,
            "comment": req.comment});
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "post.approve",
            id,
            details,
        )
        .await?;
        if step_done {
            if step_index + 1 >= steps.len() {
                self.approve_fully(&txn, meta, &post).await?;
            } else {
                let mut model: posts::PostRow = post.clone().into();
                model.step = Set(post.step + 1);
                model.updated_at = Set(meta.now);
                posts::update_post(&txn, model).await?;
            }
        }
        let view = self.view_in(&txn, ctx.tenant_id, post.id).await?;
        txn.commit().await?;
        self.events.post_changed(ctx.tenant_id, &view);
        self.wake_publisher();
        Ok(view)
    }

    /// The last step is done: one target per channel, copying the approved text, due at the
    /// scheduled time (or now); the author is told.
    async fn approve_fully(
        &self,
        txn: &DatabaseTransaction,
        meta: &RequestMeta,
        post: &posts::Post,
    ) -> CoreResult<()> {
        let tenant = TenantId(post.tenant_id);
        let content = Content::of(post)?;
        let due = content.scheduled_at.map_or(meta.now, |s| s.max(meta.now));
        for channel in &content.channels {
            posts::insert_target(
                txn,
                posts::TargetRow {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(post.tenant_id),
                    post_id: Set(post.id),
                    channel_id: Set(*channel),
                    revision: Set(post.revision),
                    body: Set(content.text_for(*channel).to_owned()),
                    media_ids: Set(json_text(&content.media)),
                    status: Set(TargetStatus::Pending.as_str().to_owned()),
                    emergency: Set(post.emergency),
                    due_at: Set(due),
                    next_attempt_at: Set(due),
                    attempts: Set(0),
                    lease_until: Set(None),
                    attempt_token: Set(None),
                    sending_at: Set(None),
                    idempotency_key: Set(idempotency_key(post.id, post.revision, *channel)),
                    remote_id: Set(None),
                    remote_url: Set(None),
                    last_error: Set(None),
                    reply_to: Set(post.reply_to),
                    options: Set(json_text(&content.options)),
                    thread_parts: Set(None),
                    needs_confirmation: Set(false),
                    // Approved after its time: the approval is the confirmation.
                    confirmed: Set(content.scheduled_at.is_some_and(|s| s < meta.now)),
                    published_at: Set(None),
                    updated_at: Set(meta.now),
                },
            )
            .await?;
        }
        let mut model: posts::PostRow = post.clone().into();
        model.status = Set(PostStatus::Approved.as_str().to_owned());
        let steps: usize = post
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str::<Vec<ApprovalStep>>(p).ok())
            .map_or(0, |s| s.len());
        model.step = Set(i32::try_from(steps).unwrap_or_default());
        model.updated_at = Set(meta.now);
        posts::update_post(txn, model).await?;
        let when = match content.scheduled_at {
            Some(at) if at > meta.now => format!("it goes out at {}", at.to_rfc3339()),
            _ => "it goes out now".to_owned(),
        };
        self.notify(
            txn,
            tenant,
            UserId(post.author_id),
            Some(post.id),
            "post.approved",
            format!("Your post was approved; {when}."),
            meta.now,
        )
        .await?;
        let event = crate::records::audit::Event {
            action: "post.schedule",
            target: Some(post.id.to_string()),
            outcome: "success",
            details: serde_json::json!({"revision": post.revision, "due_at": due,
                "channels": content.channels}),
        };
        crate::records::audit::record(txn, tenant, None, meta, event).await
    }

    /// `POST …/posts/{id}/reject`: back to draft with the reason, for the author.
    pub async fn reject_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        req: RejectRequest,
    ) -> CoreResult<PostView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::PostsApprove)
            .await?;
        let reason = req.reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(CoreError::new(
                ErrorCode::ValidationFailed,
                "a rejection needs a reason of 1–2000 characters for the author",
            ));
        }
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        require_status(
            &post,
            &[PostStatus::InReview],
            "only a post in review can be rejected",
        )?;
        if post.author_id == actor.user_id.0 {
            return Err(CoreError::new(
                ErrorCode::Forbidden,
                "you cannot reject your own post; edit it or delete it instead",
            ));
        }
        self.add_comment(&txn, &post, actor.user_id, "rejection", reason, meta.now)
            .await?;
        let mut model: posts::PostRow = post.clone().into();
        model.status = Set(PostStatus::Draft.as_str().to_owned());
        model.reject_reason = Set(Some(reason.to_owned()));
        model.step = Set(0);
        model.policy = Set(None);
        model.updated_at = Set(meta.now);
        posts::update_post(&txn, model).await?;
        self.notify(
            &txn,
            ctx.tenant_id,
            UserId(post.author_id),
            Some(post.id),
            "post.rejected",
            format!("Your post was sent back to draft: {reason}"),
            meta.now,
        )
        .await?;
        let details = serde_json::json!({"revision": post.revision, "reason": reason});
        record_by(&txn, ctx.tenant_id, actor, meta, "post.reject", id, details).await?;
        let view = self.view_in(&txn, ctx.tenant_id, post.id).await?;
        txn.commit().await?;
        self.events.post_changed(ctx.tenant_id, &view);
        Ok(view)
    }

    /// `POST …/posts/{id}/comments`.
    pub async fn comment_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        req: CommentRequest,
    ) -> CoreResult<PostView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        let text = req.text.trim();
        if text.is_empty() || text.chars().count() > 2000 {
            return Err(CoreError::new(
                ErrorCode::ValidationFailed,
                "a comment is 1–2000 characters",
            ));
        }
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        self.add_comment(&txn, &post, actor.user_id, "comment", text, meta.now)
            .await?;
        let details = serde_json::json!({"revision": post.revision});
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "post.comment",
            id,
            details,
        )
        .await?;
        let view = self.view_in(&txn, ctx.tenant_id, post.id).await?;
        txn.commit().await?;
        Ok(view)
    }

    async fn add_comment(
        &self,
        txn: &DatabaseTransaction,
        post: &posts::Post,
        by: UserId,
        kind: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> CoreResult<()> {
        posts::insert_comment(
            txn,
            posts::CommentRow {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(post.tenant_id),
                post_id: Set(post.id),
                revision: Set(post.revision),
                user_id: Set(by.0),
                kind: Set(kind.to_owned()),
                text: Set(text.to_owned()),
                created_at: Set(now),
            },
        )
        .await?;
        Ok(())
    }

    /// `POST …/posts/{id}/cancel`: withdraws every target that has not reached the network.
    pub async fn cancel_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<PostView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        let status = require_status(
            &post,
            &[
                PostStatus::InReview,
                PostStatus::Approved,
                PostStatus::Publishing,
            ],
            "only a post in review or waiting to go out can be cancelled",
        )?;
        let cancelled = posts::cancel_targets(&txn, ctx.tenant_id, post.id, meta.now).await?;
        let statuses = heraut_db::scheduler::target_statuses(&txn, ctx.tenant_id, post.id).await?;
        let next = if status == PostStatus::InReview {
            PostStatus::Cancelled
        } else {
            post_status_from(&statuses)
        };
        let mut model: posts::PostRow = post.clone().into();
        model.status = Set(next.as_str().to_owned());
        model.updated_at = Set(meta.now);
        posts::update_post(&txn, model).await?;
        let details = serde_json::json!({"targets_cancelled": cancelled, "status": next});
        record_by(&txn, ctx.tenant_id, actor, meta, "post.cancel", id, details).await?;
        let view = self.view_in(&txn, ctx.tenant_id, post.id).await?;
        txn.commit().await?;
        self.events.post_changed(ctx.tenant_id, &view);
        Ok(view)
    }

    /// `DELETE …/posts/{id}/targets/{target}`: removes what the post published on one channel
    /// from the network. The target becomes `deleted`; the archive keeps the record.
    pub async fn delete_published(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        target_id: &str,
    ) -> CoreResult<PostView> {
        self.withdraw(meta, actor, slug, id, Withdrawal::Target(target_id))
            .await
    }

    /// `POST …/posts/{id}/retract`: withdraws a published post from every network it reached,
    /// through each channel's connector. The post, its revisions, approvals and every removal
    /// stay in the record with the reason. Asking again retries the channels that failed.
    pub async fn retract_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        req: RetractRequest,
    ) -> CoreResult<PostView> {
        let reason = req.reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(CoreError::new(
                ErrorCode::ValidationFailed,
                "a retraction needs a reason of 1–2000 characters; it is kept in the record",
            ));
        }
        self.withdraw(meta, actor, slug, id, Withdrawal::Retract(reason))
            .await
    }

    async fn withdraw(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        what: Withdrawal<'_>,
    ) -> CoreResult<PostView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::PostsApprove)
            .await?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        let targets = posts::targets_of(&txn, ctx.tenant_id, &[post.id]).await?;
        let chosen: Vec<posts::Target> = match what {
            Withdrawal::Target(target_id) => {
                let target = targets
                    .into_iter()
                    .find(|t| t.id.to_string() == target_id)
                    .ok_or_else(|| {
                        CoreError::new(
                            ErrorCode::PostNotFound,
                            format!("post `{id}` has no target `{target_id}`"),
                        )
                    })?;
                if target.status != "published" || target.remote_id.is_none() {
                    return Err(CoreError::new(
                        ErrorCode::PostWrongState,
                        format!(
                            "only a published target can be removed from its network; this one is {}",
                            target.status
                        ),
                    ));
                }
                vec![target]
            }
            Withdrawal::Retract(_) => {
                let published: Vec<posts::Target> = targets
                    .into_iter()
                    .filter(|t| t.status == "published" && t.remote_id.is_some())
                    .collect();
                if published.is_empty() {
                    return Err(wrong_state(
                        &post,
                        "nothing of it is on a network now, so there is nothing to retract",
                    ));
                }
                published
            }
        };
        let mut channels = Vec::with_capacity(chosen.len());
        for target in &chosen {
            let channel = posts::channel(&txn, ctx.tenant_id, target.channel_id)
                .await?
                .ok_or_else(|| CoreError::internal("a target's channel is gone"))?;
            channels.push(channel);
        }
        txn.commit().await?;
        // The networks are asked outside any transaction: a slow one holds no lock.
        let mut removed = Vec::new();
        let mut failed = Vec::new();
        for (target, channel) in chosen.iter().zip(&channels) {
            let remote_id = target.remote_id.clone().unwrap_or_default();
            let outcome = match self.connector(&channel.plugin).await? {
                None => Err(format!(
                    "the connector `{}` is not installed",
                    channel.plugin
                )),
                Some(connector) => {
                    let account = self.channel_account(channel)?;
                    // The follow-up parts first, last part first, then the post they answer:
                    // a part already gone is no error, so trying again is safe.
                    let mut outcome = Ok(());
                    for part in thread_parts(target).iter().rev() {
                        if let Err(e) = connector.delete(&account, &part.remote_id).await {
                            outcome = Err(format!("part `{}`: {e}", part.remote_id));
                            break;
                        }
                    }
                    match outcome {
                        Ok(()) => connector
                            .delete(&account, &remote_id)
                            .await
                            .map_err(|e| e.to_string()),
                        failed => failed,
                    }
                }
            };
            match outcome {
                Ok(()) => removed.push((target, channel, remote_id)),
                Err(e) => failed.push(item(
                    "targets",
                    Some(channel.id),
                    format!("{} did not remove the post: {e}", channel.name),
                )),
            }
        }
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        for (target, channel, remote_id) in &removed {
            posts::set_target_deleted(&txn, ctx.tenant_id, target.id, meta.now).await?;
            let parts: Vec<String> = thread_parts(target)
                .into_iter()
                .map(|p| p.remote_id)
                .collect();
            let mut details = serde_json::json!({"target": target.id, "channel": channel.id,
                "remote_id": remote_id, "thread_parts": parts});
            if let Withdrawal::Retract(reason) = what {
                details["reason"] = reason.into();
            }
            record_by(
                &txn,
                ctx.tenant_id,
                actor,
                meta,
                "post.delete_remote",
                id,
                details,
            )
            .await?;
        }
        if let Withdrawal::Retract(reason) = what {
            if !removed.is_empty() {
                posts::set_retracted(&txn, ctx.tenant_id, post.id, meta.now, reason).await?;
            }
            let details = serde_json::json!({"reason": reason, "removed": removed.len(),
                "failed": failed.iter().map(|f| &f.message).collect::<Vec<_>>()});
            record_by(
                &txn,
                ctx.tenant_id,
                actor,
                meta,
                "post.retract",
                id,
                details,
            )
            .await?;
        }
        let view = self.view_in(&txn, ctx.tenant_id, post.id).await?;
        txn.commit().await?;
        self.events.post_changed(ctx.tenant_id, &view);
        if failed.is_empty() {
            return Ok(view);
        }
        let detail = if removed.is_empty() {
            "no network removed the post; ask again later".to_owned()
        } else {
            format!(
                "removed from {} channel(s); the others below did not remove it: ask again to retry them",
                removed.len()
            )
        };
        let mut e = CoreError::new(ErrorCode::PostWrongState, detail);
        e.items = failed;
        Err(e)
    }

    /// `POST …/posts/{id}/confirm`: targets overdue past the grace period, or held in crisis
    /// mode, go out now.
    pub async fn confirm_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<PostView> {
        self.requeue(meta, actor, slug, id, "post.confirm").await
    }

    /// `POST …/posts/{id}/retry`: failed targets are tried again (reading back first).
    pub async fn retry_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<PostView> {
        self.requeue(meta, actor, slug, id, "post.retry").await
    }

    async fn requeue(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        action: &str,
    ) -> CoreResult<PostView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::PostsPublish)
            .await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        let n = if action == "post.confirm" {
            posts::confirm_targets(&txn, ctx.tenant_id, post.id, meta.now).await?
        } else {
            posts::retry_failed_targets(&txn, ctx.tenant_id, post.id, meta.now).await?
        };
        if n == 0 {
            let what = if action == "post.confirm" {
                "no target of it waits for confirmation"
            } else {
                "no target of it has failed"
            };
            return Err(wrong_state(&post, what));
        }
        let statuses = heraut_db::scheduler::target_statuses(&txn, ctx.tenant_id, post.id).await?;
        let mut model: posts::PostRow = post.clone().into();
        model.status = Set(post_status_from(&statuses).as_str().to_owned());
        model.updated_at = Set(meta.now);
        posts::update_post(&txn, model).await?;
        let details = serde_json::json!({"targets": n});
        record_by(&txn, ctx.tenant_id, actor, meta, action, id, details).await?;
        let view = self.view_in(&txn, ctx.tenant_id, post.id).await?;
        txn.commit().await?;
        self.events.post_changed(ctx.tenant_id, &view);
        self.wake_publisher();
        Ok(view)
    }

    /// `DELETE /tenants/{tenant}/posts/{id}`: only a draft that never went into review. Anything
    /// that did is a public record (`post.is_record`); a published post is retracted instead.
    pub async fn delete_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<()> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let post = self.load_post(&txn, ctx.tenant_id, id).await?;
        if post.submissions > 0 || post.status != PostStatus::Draft.as_str() {
            let what = if post.retracted_at.is_some() || post.status.starts_with("publish") {
                "it reached review and a network, so it stays in the record; it can be \
                 retracted from its networks (POST …/retract), not deleted"
            } else {
                "it reached review, so it stays in the record; withdraw or cancel it instead"
            };
            return Err(CoreError::new(
                ErrorCode::PostIsRecord,
                format!("post `{id}` cannot be deleted: {what}"),
            ));
        }
        if posts::delete_draft(&txn, ctx.tenant_id, post.id).await? == 0 {
            return Err(CoreError::new(
                ErrorCode::PostIsRecord,
                format!("post `{id}` went into review meanwhile and stays in the record"),
            ));
        }
        let details = serde_json::json!({"revision": post.revision, "body": post.body});
        record_by(&txn, ctx.tenant_id, actor, meta, "post.delete", id, details).await?;
        txn.commit().await?;
        Ok(())
    }

    /// `POST /tenants/{tenant}/emergency` (owners): one message to every active channel, through
    /// the short approval (one other owner), going out even in crisis mode.
    pub async fn emergency_post(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        req: EmergencyRequest,
    ) -> CoreResult<PostView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::CrisisManage)
            .await?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let channels: Vec<Uuid> = posts::channels(&txn, ctx.tenant_id)
            .await?
            .into_iter()
            .filter(|c| c.status == "active")
            .map(|c| c.id)
            .collect();
        txn.commit().await?;
        let content = Content {
            body: req.body,
            channels,
            variants: BTreeMap::new(),
            media: Vec::new(),
            scheduled_at: None,
            time_zone: ctx.tenant.time_zone.clone(),
            campaign: Some("emergency".to_owned()),
            options: PostOptions::default(),
        };
        let id = self
            .insert_post(meta, actor, &ctx, content, (true, None), "post.emergency")
            .await?;
        self.submit_post(meta, actor, slug, &id.to_string()).await
    }
}

/// What `withdraw` removes: one target, or every published one (a retraction with a reason).
#[derive(Clone, Copy)]
enum Withdrawal<'a> {
    Target(&'a str),
    Retract(&'a str),
}

pub(crate) fn target_view(t: &posts::Target) -> TargetView {
    TargetView {
        id: t.id.to_string(),
        channel_id: ChannelId(t.channel_id),
        status: TargetStatus::parse(&t.status).unwrap_or(TargetStatus::Pending),
        body: t.body.clone(),
        due_at: t.due_at,
        attempts: u32::try_from(t.attempts).unwrap_or_default(),
        remote_id: t.remote_id.clone(),
        remote_url: t.remote_url.clone(),
        last_error: t.last_error.clone(),
        needs_confirmation: t.needs_confirmation,
        published_at: t.published_at,
        thread_parts: thread_parts(t),
    }
}

/// The published follow-up parts of a target's thread, in order.
pub(crate) fn thread_parts(t: &posts::Target) -> Vec<PublishedPart> {
    t.thread_parts
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// JSON text of values that always serialise (maps and lists of ids and strings).
fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A reply's parent must be a post of the tenant on every channel the reply goes out on.
async fn check_reply_to<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    parent: Uuid,
    channels: &[Uuid],
) -> CoreResult<()> {
    let Some(p) = posts::post(conn, tenant, parent).await? else {
        return Err(invalid(vec![item(
            "reply_to",
            None,
            format!("no post `{parent}` in this tenant to reply to"),
        )]));
    };
    let parent_channels: Vec<Uuid> = serde_json::from_str(&p.channel_ids).unwrap_or_default();
    let missing: Vec<ProblemItem> = channels
        .iter()
        .filter(|c| !parent_channels.contains(c))
        .map(|c| {
            item(
                "reply_to",
                Some(*c),
                "the post replied to does not go out on this channel; a reply can only follow it where it was published",
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(invalid(missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn a_post_is_as_far_as_its_targets() {
        assert_eq!(
            post_status_from(&s(&["pending", "pending"])),
            PostStatus::Approved
        );
        assert_eq!(
            post_status_from(&s(&["published", "pending"])),
            PostStatus::Publishing
        );
        assert_eq!(
            post_status_from(&s(&["unknown", "pending"])),
            PostStatus::Publishing
        );
        assert_eq!(
            post_status_from(&s(&["published", "cancelled"])),
            PostStatus::Published
        );
        assert_eq!(
            post_status_from(&s(&["published", "failed"])),
            PostStatus::PartiallyPublished
        );
        assert_eq!(post_status_from(&s(&["failed"])), PostStatus::Failed);
        assert_eq!(post_status_from(&s(&["cancelled"])), PostStatus::Cancelled);
    }

    #[test]
    fn idempotency_keys_fit_and_differ_per_revision() {
        let (p, c) = (Uuid::now_v7(), Uuid::now_v7());
        let k1 = idempotency_key(p, 1, c);
        assert!(k1.len() <= 80);
        assert_ne!(k1, idempotency_key(p, 2, c));
    }

    #[test]
    fn owners_decide_any_step_and_approvers_their_own() {
        assert!(role_fits(Some(Role::Owner), ApproverRole::Approver));
        assert!(role_fits(Some(Role::Approver), ApproverRole::Approver));
        assert!(!role_fits(Some(Role::Approver), ApproverRole::Owner));
        assert!(!role_fits(Some(Role::Editor), ApproverRole::Approver));
        assert!(!role_fits(None, ApproverRole::Owner));
    }
}
