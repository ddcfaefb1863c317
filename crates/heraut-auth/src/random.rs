//! Random tokens from the operating system's generator.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// `n` random bytes.
pub fn bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // The OS generator failing is not recoverable; an all-zero token would be a security hole,
    // so treat failure as fatal rather than continuing.
    if getrandom::getrandom(&mut buf).is_err() {
        std::process::abort();
    }
    buf
}

/// An opaque URL-safe token with 256 bits of entropy.
pub fn token() -> String {
    URL_SAFE_NO_PAD.encode(bytes(32))
}

/// Hex SHA-256, how opaque tokens and recovery codes are stored.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A recovery code like `k7qm-2xw9-h4tp` (60 bits, lowercase, no look-alike characters).
pub fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let raw = bytes(12);
    let chars: Vec<char> = raw
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!(
        "{}-{}-{}",
        chars[0..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..12].iter().collect::<String>()
    )
}

/// Normalises a typed recovery code: lowercase, spaces removed.
pub fn normalise_recovery_code(input: &str) -> String {
    input
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_and_are_long() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }

    #[test]
    fn recovery_code_shape() {
        let c = recovery_code();
        assert_eq!(c.len(), 14);
        assert_eq!(
            normalise_recovery_code(&format!(" {} ", c.to_uppercase())),
            c
        );
    }
}
