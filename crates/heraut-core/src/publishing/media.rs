//! Media: images uploaded with their alt text, stored once and never changed (so what was
//! approved is exactly what goes out). The bytes live in a `MediaStore` — a folder on local disk
//! by default, S3-compatible object storage when configured (so several nodes share them) —
//! under a key that starts with the tenant's id.

use std::path::PathBuf;
use std::sync::Arc;

use heraut_auth::Permission;
use heraut_db::{Scope, posts};
use heraut_proto::posts::MediaView;
use heraut_proto::{ErrorCode, MediaId, TenantId};
use sea_orm::Set;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::records::audit::record_by;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

/// Longest alt text, in characters.
pub const MAX_ALT_TEXT: usize = 1500;

/// Where media bytes are kept.
#[async_trait::async_trait]
pub trait MediaStore: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), String>;
    async fn get(&self, key: &str) -> Result<Vec<u8>, String>;
}

/// Media in a folder (`data_dir/media` by default), one file per key.
pub struct LocalMedia {
    root: PathBuf,
}

impl LocalMedia {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    fn path(&self, key: &str) -> Result<PathBuf, String> {
        // Keys are made here from ids; refuse anything else.
        if key
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
        {
            return Err(format!("invalid media key `{key}`"));
        }
        Ok(self.root.join(key))
    }
}

#[async_trait::async_trait]
impl MediaStore for LocalMedia {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), String> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        // Write beside, then rename: a reader never sees half a file.
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        let path = self.path(key)?;
        tokio::fs::read(&path)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The key of a medium: tenant first, so no two tenants share a path.
pub fn media_key(tenant: TenantId, id: Uuid) -> String {
    format!("{}/{}", tenant.0, id)
}

/// The image type the bytes are, from their first bytes; `None` for anything else.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        _ => None,
    }
}

pub(crate) fn view(m: &posts::Media) -> MediaView {
    MediaView {
        id: MediaId(m.id),
        file_name: m.file_name.clone(),
        content_type: m.content_type.clone(),
        size_bytes: u64::try_from(m.size_bytes).unwrap_or_default(),
        sha256: m.sha256.clone(),
        alt_text: m.alt_text.clone(),
        created_at: m.created_at,
    }
}

fn not_found(id: &str) -> CoreError {
    CoreError::new(
        ErrorCode::MediaNotFound,
        format!("no media `{id}` in this tenant"),
    )
}

impl Core {
    /// Whether the caller may upload media to this tenant; checked before the upload is read.
    pub async fn may_upload_media(&self, actor: &Actor, slug: &str) -> CoreResult<()> {
        self.tenant_ctx(actor, slug, Permission::PostsWrite)
            .await
            .map(|_| ())
    }

    /// `POST /tenants/{tenant}/media`: stores an image with its alt text.
    pub async fn upload_media(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        file_name: &str,
        bytes: Vec<u8>,
        alt_text: &str,
    ) -> CoreResult<MediaView> {
        let ctx = self.tenant_ctx(actor, slug, Permission::PostsWrite).await?;
        let invalid = |m: String| CoreError::new(ErrorCode::MediaInvalid, m);
        let alt = alt_text.trim();
        if alt.is_empty() {
            return Err(invalid(
                "every image needs an alt text (`alt_text`): what it shows, for people who cannot see it"
                    .to_owned(),
            ));
        }
        if alt.chars().count() > MAX_ALT_TEXT {
            return Err(invalid(format!(
                "the alt text is at most {MAX_ALT_TEXT} characters"
            )));
        }
        let max = self.config.media.max_bytes;
        if bytes.len() as u64 > max {
            return Err(CoreError::new(
                ErrorCode::RequestTooLarge,
                format!("the file has {} bytes; at most {max}", bytes.len()),
            ));
        }
        let Some(content_type) = sniff_image(&bytes) else {
            return Err(invalid(
                "the file is not a JPEG, PNG, GIF or WebP image".to_owned(),
            ));
        };
        let file_name: String = file_name
            .chars()
            .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
            .take(255)
            .collect();
        let id = MediaId::new();
        let sha256 = hex_lower(&Sha256::digest(&bytes));
        let size = bytes.len() as i64;
        self.media_store
            .put(&media_key(ctx.tenant_id, id.0), bytes)
            .await
            .map_err(|e| {
                let mut err = CoreError::new(
                    ErrorCode::Unavailable,
                    "the media storage did not take the file; try again",
                );
                err.source = Some(e.into());
                err
            })?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let stored = posts::insert_media(
            &txn,
            posts::MediaRow {
                id: Set(id.0),
                tenant_id: Set(ctx.tenant_id.0),
                file_name: Set(file_name.clone()),
                content_type: Set(content_type.to_owned()),
                size_bytes: Set(size),
                sha256: Set(sha256.clone()),
                alt_text: Set(alt.to_owned()),
                created_by: Set(actor.user_id.0),
                created_at: Set(meta.now),
            },
        )
        .await?;
        let details = serde_json::json!({"file_name": file_name, "content_type": content_type,
            "size_bytes": size, "sha256": sha256, "alt_text": alt});
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "media.upload",
            id.to_string(),
            details,
        )
        .await?;
        txn.commit().await?;
        Ok(view(&stored))
    }

    /// `GET /tenants/{tenant}/media/{id}`.
    pub async fn get_media(&self, actor: &Actor, slug: &str, id: &str) -> CoreResult<MediaView> {
        let (_, m) = self.find_media(actor, slug, id).await?;
        Ok(view(&m))
    }

    /// `GET /tenants/{tenant}/media/{id}/content`: the bytes and their type.
    pub async fn media_content(
        &self,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<(String, Vec<u8>)> {
        let (tenant, m) = self.find_media(actor, slug, id).await?;
        let bytes = self.media_bytes(tenant, m.id).await?;
        Ok((m.content_type, bytes))
    }

    async fn find_media(
        &self,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<(TenantId, posts::Media)> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let uuid = Uuid::parse_str(id).map_err(|_| not_found(id))?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let found = posts::media(&txn, ctx.tenant_id, &[uuid]).await?.pop();
        txn.commit().await?;
        Ok((ctx.tenant_id, found.ok_or_else(|| not_found(id))?))
    }

    pub(crate) async fn media_bytes(&self, tenant: TenantId, id: Uuid) -> CoreResult<Vec<u8>> {
        self.media_store
            .get(&media_key(tenant, id))
            .await
            .map_err(|e| {
                let mut err =
                    CoreError::new(ErrorCode::Unavailable, "the media storage did not answer");
                err.source = Some(e.into());
                err
            })
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The default store: `data_dir/media`.
pub fn local_store(data_dir: &std::path::Path) -> Arc<dyn MediaStore> {
    Arc::new(LocalMedia::new(data_dir.join("media")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(b"GIF89a"), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"<svg xmlns="), None);
        assert_eq!(sniff_image(b""), None);
    }

    #[test]
    fn local_keys_cannot_leave_the_folder() {
        let store = LocalMedia::new(PathBuf::from("/tmp/x"));
        assert!(store.path("t/../../etc/passwd").is_err());
        assert!(store.path("/abs").is_err());
        assert!(store.path("t/m").is_ok());
    }
}
