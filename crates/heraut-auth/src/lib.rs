//! Authentication and authorization building blocks. Pure: the clock and randomness come in
//! as parameters or from the operating system's generator, never from global state.

pub mod crypto;
pub mod jwt;
pub mod password;
pub mod permissions;
pub mod random;
pub mod totp;

pub use permissions::{Permission, role_permissions};
