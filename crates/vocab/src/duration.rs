//! Durations from outside (`--timeout 5m`, a spec's `interval: 1m30s`) and
//! durations shown to humans (`2 min 5 s`).
//!
//! Parsing is jiff's friendly format ([`jiff::SignedDuration`]: `500ms`,
//! `5s`, `2m`, `1h`, `1m30s`, also `PT5M`), plus a bare number of seconds
//! (`10`, `0.5`); negative values and values of 10⁹ seconds or more are
//! refused.

use jiff::SignedDuration;
use std::time::Duration;

/// The largest duration accepted, exclusive: 10⁹ seconds (about 31 years).
const LIMIT_SECS: f64 = 1e9;

/// Parses a duration: `500ms`, `5s`, `2m`, `1h`, `1m30s`, or a bare number
/// of seconds (`10`, `0.5`).
pub fn duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "invalid duration '{t}': expected a number with a unit, such as 500ms, 5s, 2m, 1h or 1m30s"
        )
    };
    // One token: `5 s` (or `5s ago`) is refused as it always was.
    if t.is_empty() || t.contains(char::is_whitespace) {
        return Err(bad());
    }
    if let Ok(secs) = t.parse::<f64>() {
        return if secs.is_finite() && (0.0..LIMIT_SECS).contains(&secs) {
            Ok(Duration::from_secs_f64(secs))
        } else {
            Err(bad())
        };
    }
    let d: SignedDuration = t.parse().map_err(|_| bad())?;
    if d.is_negative() || d.as_secs_f64() >= LIMIT_SECS {
        return Err(bad());
    }
    Duration::try_from(d).map_err(|_| bad())
}

/// Renders a duration for humans: `120 ms`, `5 s`, `1.5 s`, `2 min 5 s`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        if ms % 1000 == 0 {
            format!("{} s", ms / 1000)
        } else {
            format!("{:.1} s", d.as_secs_f64())
        }
    } else {
        let s = d.as_secs();
        if s % 60 == 0 {
            format!("{} min", s / 60)
        } else {
            format!("{} min {} s", s / 60, s % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(duration(" 500ms "), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("0s"), Ok(Duration::ZERO));
        for bad in ["", "s", "5x", "-1", "5 s", "1e400", "abc", "NaN", "inf"] {
            let e = duration(bad).unwrap_err();
            assert!(e.contains("expected a number with a unit"), "{bad}: {e}");
        }
    }

    #[test]
    fn jiff_forms_and_limits() {
        assert_eq!(duration("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(duration("PT5M"), Ok(Duration::from_secs(300)));
        for bad in ["-5s", "5s ago", "1000000000s", "300000h"] {
            let e = duration(bad).unwrap_err();
            assert!(
                e.contains(&format!("invalid duration '{bad}'")),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_duration(Duration::from_millis(120)), "120 ms");
        assert_eq!(human_duration(Duration::from_secs(5)), "5 s");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(human_duration(Duration::from_secs(125)), "2 min 5 s");
        assert_eq!(human_duration(Duration::from_secs(120)), "2 min");
    }
}
