//! Dates: the report's date (`meta.date`, the PDF's date and Typst's
//! `datetime.today()`) and the day a proof is built.

use typst::foundations::Datetime;

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", today.year(), u8::from(today.month()), today.day())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Datetime> {
    let mut it = text.splitn(3, '-');
    let year = it.next()?.parse().ok()?;
    let month = it.next()?.parse().ok()?;
    let day = it.next()?.parse().ok()?;
    Datetime::from_ymd(year, month, day)
}

/// The date a session starts with, until a report gives its own.
pub fn default_date() -> Datetime {
    Datetime::from_ymd(2000, 1, 1).unwrap_or_else(|| unreachable!("2000-01-01 is a date"))
}

#[cfg(test)]
mod tests {
    use super::{parse_date, today_utc};

    #[test]
    fn today_is_a_valid_date() {
        let today = today_utc();
        assert!(parse_date(&today).is_some(), "{today}");
        assert!(today.as_str() > "2024-01-01");
        assert_eq!(today.len(), 10);
    }

    #[test]
    fn dates_parse_strictly() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024/01/01").is_none());
    }
}
