//! Dates as mail writes them, from Unix milliseconds (the caller reads the clock): RFC 5322
//! §3.3 date-times in UTC for `Received:`, `Date:` and DSN fields, and ISO 8601 for people.
//! The calendar is the proleptic Gregorian one, by Howard Hinnant's `civil_from_days`.

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An RFC 5322 §3.3 date-time in UTC, e.g. `Tue, 1 Jul 2025 10:52:37 +0000`.
pub fn rfc5322_date(unix_ms: i64) -> String {
    let (days, of_day) = split(unix_ms);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day} {} {year:04} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
    )
}

/// UTC ISO 8601 to the second, e.g. `2024-05-01T12:00:00Z`.
pub fn iso8601(unix_ms: i64) -> String {
    let (days, of_day) = split(unix_ms);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Days since 1970-01-01 and seconds into that day.
fn split(unix_ms: i64) -> (i64, i64) {
    let secs = unix_ms.div_euclid(1000);
    (secs.div_euclid(86_400), secs.rem_euclid(86_400))
}

/// Days since 1970-01-01 to (year, month 1–12, day 1–31).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // 1..=31 and 1..=12 by construction.
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5322_dates() {
        assert_eq!(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(951_782_400_000),
            "Tue, 29 Feb 2000 00:00:00 +0000"
        );
        assert_eq!(
            rfc5322_date(1_751_367_157_999),
            "Tue, 1 Jul 2025 10:52:37 +0000"
        );
        assert_eq!(
            rfc5322_date(4_107_542_400_000),
            "Mon, 1 Mar 2100 00:00:00 +0000"
        );
        assert_eq!(
            rfc5322_date(253_402_300_799_000),
            "Fri, 31 Dec 9999 23:59:59 +0000"
        );
        assert_eq!(rfc5322_date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_714_564_800_000), "2024-05-01T12:00:00Z");
    }

    #[test]
    fn civil_from_days_round_trips_day_by_day() {
        let mut expected = (1970i64, 1u32, 1u32);
        let month_len = |y: i64, m: u32| match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        for days in 0..200_000 {
            assert_eq!(civil_from_days(days), expected, "day {days}");
            let (y, m, d) = expected;
            expected = if d < month_len(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }
}
