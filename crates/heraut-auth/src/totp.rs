//! TOTP (RFC 6238): 30-second steps, 6 digits, SHA-1 (what authenticator apps support), ±1 step.

use totp_rs::{Algorithm, Builder, Totp};

/// Length of a TOTP secret in bytes (160 bits).
pub const SECRET_BYTES: usize = 20;
/// Seconds per step.
pub const STEP_SECS: u64 = 30;

fn build(secret: &[u8], issuer: &str, account: &str) -> Result<Totp, String> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.to_vec())
        .with_issuer(Some(issuer.to_owned()))
        .with_account_name(account.to_owned())
        .build()
        .map_err(|e| e.to_string())
}

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    crate::random::bytes(SECRET_BYTES)
}

/// The base32 secret and the `otpauth://` URI an authenticator app scans.
pub fn enrolment(secret: &[u8], issuer: &str, account: &str) -> Result<(String, String), String> {
    let totp = build(secret, issuer, account)?;
    let uri = totp.to_url().map_err(|e| e.to_string())?;
    let b32 = base32_encode(secret);
    Ok((b32, uri))
}

/// The step a code matches at `unix_secs` (within ±1 step), if any. The caller must accept a
/// step only when it is later than the last accepted one.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = build(secret, "heraut", "check").ok()?;
    totp.check(code, unix_secs)
}

/// The code for a time; used by tests and the CLI's self-check.
pub fn code_at(secret: &[u8], unix_secs: u64) -> Option<String> {
    let totp = build(secret, "heraut", "check").ok()?;
    Some(totp.generate(unix_secs).to_string())
}

fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector_sha1() {
        // RFC 6238 appendix B, SHA-1, T = 59 → 94287082 (8 digits); the last 6 digits are ours.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59).as_deref(), Some("287082"));
        assert_eq!(matching_step(secret, "287082", 59), Some(1));
        // One step of skew either side, no more.
        assert_eq!(matching_step(secret, "287082", 59 + 30), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 60), None);
        assert_eq!(matching_step(secret, "28708", 59), None);
    }

    #[test]
    fn enrolment_uri_names_issuer_and_secret() {
        let secret = new_secret();
        let (b32, uri) = enrolment(&secret, "Heraut", "ada@example.gov").unwrap_or_default();
        assert_eq!(b32.len(), 32);
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains(&b32), "{uri}");
    }
}
