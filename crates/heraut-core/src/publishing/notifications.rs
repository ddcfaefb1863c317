//! In-app notifications for authors (approved, rejected, published, failed, waiting for
//! confirmation), also e-mailed when SMTP is configured.

use std::time::Duration;

use chrono::{DateTime, Utc};
use heraut_auth::Permission;
use heraut_db::{Scope, posts, users};
use heraut_proto::posts::{NotificationList, NotificationView};
use heraut_proto::{ErrorCode, PostId, TenantId, UserId};
use sea_orm::{ConnectionTrait, Set};
use uuid::Uuid;

use crate::mail::OutgoingMail;
use crate::paging::page_limit;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

impl Core {
    /// Records a notification in `conn`'s transaction. When e-mail is configured, it is sent
    /// once the transaction has committed (a rolled-back one sends nothing).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn notify<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        user: UserId,
        post: Option<Uuid>,
        kind: &str,
        message: String,
        now: DateTime<Utc>,
    ) -> CoreResult<()> {
        let id = Uuid::now_v7();
        posts::insert_notification(
            conn,
            posts::NotificationRow {
                id: Set(id),
                tenant_id: Set(tenant.0),
                user_id: Set(user.0),
                post_id: Set(post),
                kind: Set(kind.to_owned()),
                message: Set(message.clone()),
                created_at: Set(now),
                read_at: Set(None),
            },
        )
        .await?;
        if let Some(mailer) = self.mailer.clone() {
            let core = self.clone();
            let link = self
                .config
                .public_url
                .as_deref()
                .zip(post)
                .map(|(base, p)| format!("\n\n{}/posts/{p}", base.trim_end_matches('/')))
                .unwrap_or_default();
            tokio::spawn(async move {
                // Wait until the notification is committed; give up if it never is.
                for _ in 0..100 {
                    if core.notification_committed(tenant, user, id).await {
                        let Ok(Some(person)) = users::find_by_id(core.db.read_conn(), user).await
                        else {
                            return;
                        };
                        let mail = OutgoingMail {
                            to: person.email.clone(),
                            subject: format!("Heraut: {message}"),
                            body: format!("{message}{link}\n"),
                        };
                        if let Err(e) = mailer.send(mail).await {
                            tracing::warn!(to = %person.email, error = %e, "notification e-mail not sent");
                        }
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
        }
        Ok(())
    }

    async fn notification_committed(&self, tenant: TenantId, user: UserId, id: Uuid) -> bool {
        let Ok(txn) = self.db.begin_read(Scope::Tenant(tenant)).await else {
            return false;
        };
        let found = posts::notifications(&txn, tenant, user.0, None, 20)
            .await
            .map(|list| list.iter().any(|n| n.id == id))
            .unwrap_or(false);
        let _ = txn.commit().await;
        found
    }

    /// The tenant whose live events the caller may follow.
    pub async fn event_tenant(&self, actor: &Actor, slug: &str) -> CoreResult<TenantId> {
        Ok(self
            .tenant_ctx(actor, slug, Permission::TenantRead)
            .await?
            .tenant_id)
    }

    /// `GET /tenants/{tenant}/notifications`: the caller's own, newest first.
    pub async fn list_notifications(
        &self,
        actor: &Actor,
        slug: &str,
        limit: Option<u64>,
        cursor: Option<&str>,
    ) -> CoreResult<NotificationList> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let limit = page_limit(limit)?;
        let before = cursor
            .map(|c| {
                Uuid::parse_str(c)
                    .map_err(|_| CoreError::new(ErrorCode::RequestInvalid, "`cursor` is not valid"))
            })
            .transpose()?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let list =
            posts::notifications(&txn, ctx.tenant_id, actor.user_id.0, before, limit + 1).await?;
        txn.commit().await?;
        let more = list.len() as u64 > limit;
        let items: Vec<NotificationView> = list
            .into_iter()
            .take(limit as usize)
            .map(|n| NotificationView {
                id: n.id.to_string(),
                kind: n.kind,
                message: n.message,
                post_id: n.post_id.map(PostId),
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect();
        let next_cursor = more.then(|| items.last().map(|n| n.id.clone())).flatten();
        Ok(NotificationList { items, next_cursor })
    }

    /// `POST /tenants/{tenant}/notifications/{id}/read`.
    pub async fn read_notification(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<()> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let not_found = || {
            CoreError::new(
                ErrorCode::NotificationNotFound,
                format!("no notification `{id}` of yours here"),
            )
        };
        let uuid = Uuid::parse_str(id).map_err(|_| not_found())?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let n = posts::mark_notification_read(&txn, ctx.tenant_id, actor.user_id.0, uuid, meta.now)
            .await?;
        txn.commit().await?;
        if n == 0 {
            return Err(not_found());
        }
        Ok(())
    }
}
