//! Media in S3-compatible object storage (AWS S3, MinIO, Ceph, …), so that every node of an
//! installation reads the same images. Keys are `<tenant id>/<media id>`.

use heraut_config::MediaConfig;
use heraut_core::publishing::media::MediaStore;
use object_store::ObjectStore;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;

pub struct S3Media {
    store: AmazonS3,
}

impl S3Media {
    /// The store `media.s3_*` describes, or `None` when no endpoint is set.
    pub fn from_config(m: &MediaConfig) -> anyhow::Result<Option<Self>> {
        let Some(endpoint) = &m.s3_endpoint else {
            return Ok(None);
        };
        let mut b = AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_region(&m.s3_region)
            .with_bucket_name(m.s3_bucket.as_deref().unwrap_or_default())
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(!m.s3_path_style);
        if let Some(id) = &m.s3_access_key_id {
            b = b.with_access_key_id(id);
        }
        if let Some(secret) = &m.s3_secret_access_key {
            b = b.with_secret_access_key(secret.expose());
        }
        Ok(Some(Self { store: b.build()? }))
    }
}

#[async_trait::async_trait]
impl MediaStore for S3Media {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), String> {
        self.store
            .put(&Path::from(key), bytes.into())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        let got = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(|e| e.to_string())?;
        got.bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| e.to_string())
    }
}
