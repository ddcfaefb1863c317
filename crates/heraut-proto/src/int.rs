//! Whole numbers in JSON bodies. JSON Schema counts `4.0` as an integer, so clients (and API
//! fuzzers) may send it; these accept any number without a fractional part.

use serde::{Deserialize, Deserializer, de::Error};

fn whole(v: &serde_json::Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u32::MAX as f64)
            .map(|f| f as u64)
    })
}

/// A `u32` given as `4` or `4.0`.
pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    whole(&v)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| not_whole(&v))
}

fn not_whole<E: Error>(v: &serde_json::Value) -> E {
    if whole(v).is_some() || v.as_f64().is_some_and(|f| f.fract() == 0.0 && f > 0.0) {
        E::custom(format!(
            "{v} is too large; the largest accepted is {}",
            u32::MAX
        ))
    } else {
        E::custom(format!("expected a whole number of 0 or more, got {v}"))
    }
}

/// An optional `u32` given as `4`, `4.0` or `null`.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    whole(&v)
        .and_then(|n| u32::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| not_whole(&v))
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct T {
        #[serde(deserialize_with = "super::u32")]
        n: u32,
    }

    #[test]
    fn whole_numbers_in_either_notation() {
        let n = |s: &str| serde_json::from_str::<T>(s).map(|t| t.n).ok();
        assert_eq!(n(r#"{"n": 4}"#), Some(4));
        assert_eq!(n(r#"{"n": 4.0}"#), Some(4));
        assert_eq!(n(r#"{"n": 4.5}"#), None);
        assert_eq!(n(r#"{"n": -1}"#), None);
        assert_eq!(n(r#"{"n": "4"}"#), None);
        let err = serde_json::from_str::<T>(r#"{"n": 5000000000}"#)
            .err()
            .map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("too large"));
    }
}
