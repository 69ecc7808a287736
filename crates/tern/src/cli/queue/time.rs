//! Times for people: UTC ISO-8601 (`2024-05-01T12:00:00Z`), relative ages (`5m ago`, `in 2h`)
//! and spans (`4d 23h`). Pure functions of Unix milliseconds; no date crate.

/// Now, in Unix milliseconds (the store's time unit).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// UTC ISO-8601 to the second: `2024-05-01T12:00:00Z`.
pub fn iso(ms: i64) -> String {
    tern_proto::date::iso8601(ms)
}

/// A span in its two largest units: `45s`, `5m`, `2h 5m`, `4d 23h`.
pub fn span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// The coarsest unit only, for tables: `45s`, `5m`, `3h`, `2d`.
pub fn short_span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else if s < 86_400 {
        format!("{}h", s / 3600)
    } else {
        format!("{}d", s / 86_400)
    }
}

/// Relative to now: `5m ago`, `in 2h 5m`, `now`.
pub fn relative(ms: i64, now: i64) -> String {
    let delta = ms - now;
    if delta.abs() < 1000 {
        "now".to_owned()
    } else if delta < 0 {
        format!("{} ago", span(-delta))
    } else {
        format!("in {}", span(delta))
    }
}

/// ISO time followed by the relative one: `2024-05-01T12:00:00Z (5m ago)`.
pub fn both(ms: i64, now: i64) -> String {
    format!("{} ({})", iso(ms), relative(ms, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso(1_714_564_800_999), "2024-05-01T12:00:00Z");
        assert_eq!(iso(4_102_444_800_000), "2100-01-01T00:00:00Z");
        assert_eq!(iso(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn spans_and_relative_times() {
        assert_eq!(span(45_000), "45s");
        assert_eq!(span(300_000), "5m");
        assert_eq!(span(7_500_000), "2h 5m");
        assert_eq!(span(431_940_000), "4d 23h");
        assert_eq!(short_span(7_500_000), "2h");
        assert_eq!(relative(0, 300_000), "5m ago");
        assert_eq!(relative(300_000, 0), "in 5m");
        assert_eq!(relative(10, 0), "now");
    }
}
