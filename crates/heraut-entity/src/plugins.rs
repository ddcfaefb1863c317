//! An installed plugin. Instance-wide.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plugins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub version: String,
    pub world: String,
    pub api_version: String,
    /// Hex SHA-256 of the component; the file is `data_dir/plugins/<sha256>.wasm`.
    pub sha256: String,
    /// The manifest as installed (TOML).
    pub manifest: String,
    pub enabled: bool,
    /// JSON array of the declared hosts the instance administrator approved.
    pub approved_hosts: String,
    pub installed_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
