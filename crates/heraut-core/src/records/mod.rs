//! Records: what the law keeps — the tamper-evident audit log.

pub mod audit;
