//! Tenancy: organisations, their members and roles, and their governance (the approval policy
//! and crisis mode).

pub mod governance;
pub mod members;
pub mod tenants;
