//! Password policy (NIST SP 800-63B) and argon2id hashing (OWASP parameters).

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The shipped list of common and breached passwords (see `data/README.md`).
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// Longest password accepted, in characters; long enough for any passphrase, short enough that
/// hashing stays cheap. Never truncated: longer ones are refused.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Shortest password for an account without two-factor sign-in.
pub const MIN_CHARS_WITHOUT_MFA: usize = 15;
/// Shortest password for an account with two-factor sign-in.
pub const MIN_CHARS_WITH_MFA: usize = 8;

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON_PASSWORDS.lines().collect())
}

/// Checks a new password against the policy; the message tells the person what to change.
pub fn check_policy(password: &str, email: &str, has_mfa: bool) -> Result<(), String> {
    let chars = password.chars().count();
    let min = if has_mfa {
        MIN_CHARS_WITH_MFA
    } else {
        MIN_CHARS_WITHOUT_MFA
    };
    if chars < min {
        return Err(format!(
            "the password must be at least {min} characters long ({chars} given){}",
            if has_mfa {
                ""
            } else {
                "; a passphrase of a few words works well"
            }
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!(
            "the password must be at most {MAX_PASSWORD_CHARS} characters long"
        ));
    }
    let lower = password.to_lowercase();
    if common_passwords().contains(lower.as_str()) {
        return Err(
            "this password appears in lists of breached passwords; choose another".to_owned(),
        );
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if lower == email.to_lowercase() || (!local.is_empty() && lower == local) {
        return Err("the password must not be your e-mail address".to_owned());
    }
    Ok(())
}

/// argon2id parameters from configuration.
#[derive(Debug, Clone, Copy)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
}

fn argon2(params: HashParams) -> Result<Argon2<'static>, String> {
    let p =
        Params::new(params.memory_kib, params.iterations, 1, None).map_err(|e| e.to_string())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
}

/// Hashes a password (slow: call it on a blocking thread).
pub fn hash(password: &str, params: HashParams) -> Result<String, String> {
    let hasher = argon2(params)?;
    hasher
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Verifies a password against a stored PHC string (slow: call it on a blocking thread).
pub fn verify(password: &str, stored: &str) -> bool {
    // Parameters come from the stored hash itself.
    let verifier = Argon2::default();
    verifier
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// True when the stored hash used weaker parameters than configured, so it should be rehashed.
pub fn needs_rehash(stored: &str, params: HashParams) -> bool {
    let Ok(parsed) = argon2::PasswordHash::new(stored) else {
        return true;
    };
    let m = parsed.params.get_decimal("m");
    let t = parsed.params.get_decimal("t");
    parsed.algorithm.as_str() != "argon2id"
        || m.is_none_or(|m| m < params.memory_kib)
        || t.is_none_or(|t| t < params.iterations)
}

/// A hash to verify against when the account does not exist, so timing does not reveal it.
pub fn dummy_hash(params: HashParams) -> String {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY
        .get_or_init(|| hash("heraut-dummy-password-for-timing", params).unwrap_or_default())
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: HashParams = HashParams {
        memory_kib: 19456,
        iterations: 2,
    };

    #[test]
    fn lengths_follow_nist() {
        assert!(check_policy("short pass", "a@b.c", false).is_err());
        assert!(check_policy("correct horse battery", "a@b.c", false).is_ok());
        assert!(check_policy("k9#mQ2vL", "a@b.c", true).is_ok());
        assert!(check_policy("k9#mQ2v", "a@b.c", true).is_err());
        let long: String = "x".repeat(64) + "yz horse battery";
        assert!(check_policy(&long, "a@b.c", false).is_ok());
        assert!(check_policy(&"ab".repeat(200), "a@b.c", false).is_err());
    }

    #[test]
    fn breached_passwords_are_refused_case_insensitively() {
        assert!(COMMON_PASSWORDS.lines().count() > 40_000);
        let err = check_policy("PASSWORD", "a@b.c", true)
            .err()
            .unwrap_or_default();
        assert!(err.contains("breached"), "{err}");
    }

    #[test]
    fn hash_and_verify_round_trip_without_truncation() {
        let pw = "a".repeat(100) + "b";
        let h = hash(&pw, P).unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&pw, &h));
        assert!(!verify(&"a".repeat(100), &h));
        assert!(!needs_rehash(&h, P));
        assert!(needs_rehash(
            &h,
            HashParams {
                memory_kib: 32768,
                iterations: 2
            }
        ));
    }
}
