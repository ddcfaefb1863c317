//! Identity: people and how they prove who they are — sign-in with two factors, sessions,
//! their own account, and the instance administrators' operations on accounts.

pub mod account;
pub mod admin;
pub mod signin;
