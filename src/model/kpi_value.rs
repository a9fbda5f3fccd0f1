//! KPI values as printed: the grammar every stage agrees on (`7,716`, `/`,
//! `>90`, `1,400+`), the formatting of numbers read from spreadsheets, and
//! how indicator names are matched.

/// "About" before a KPI figure, in each edition's script.
const ABOUT: [&str; 3] = ["约", "約", "~"];

/// The other qualifiers a KPI value may start with: comparisons.
const COMPARISONS: [&str; 6] = ["≥", "≤", ">", "<", "＞", "＜"];

/// `value` with its "about" qualifier (`约`, `約` or `~`) written as `word`,
/// the edition's; any other value unchanged.
pub fn approximately(value: &str, word: &str) -> String {
    let trimmed = value.trim_start();
    match ABOUT.iter().find_map(|q| trimmed.strip_prefix(q)) {
        Some(rest) => format!("{word}{rest}"),
        None => value.to_owned(),
    }
}

/// Parses a KPI value as printed: `/` (or `-`) for no value, or a number
/// with at most one qualifier before it (`>`, `<`, `≥`, `≤`, `约`/`約`/`~`, `＞`, `＜`)
/// and at most one after it (`+` or `%`). Returns the number (`None` inside
/// for `/`), or `None` if the value is not valid.
pub fn parse_kpi(value: &str) -> Option<Option<f64>> {
    let v = value.trim();
    if v == "/" || v == "-" {
        return Some(None);
    }
    let v = COMPARISONS.iter().chain(&ABOUT).find_map(|q| v.strip_prefix(*q)).unwrap_or(v);
    let v = v.strip_suffix(['+', '%']).unwrap_or(v);
    plain_number(v.trim()).map(Some)
}

/// A plain number: an optional `-`, digits (grouped by commas in threes, or
/// not grouped at all), an optional fraction. `1,400`, `98.62`, `-3`, `7716`;
/// not `1,,0`, `1,40`, `.5`, `1.` or `1e3`.
pub fn plain_number(v: &str) -> Option<f64> {
    let unsigned = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split(',');
    let first = groups.next()?;
    let grouped = groups.all(|g| g.len() == 3 && digits(g));
    let int_ok = digits(first) && grouped && (!int.contains(',') || first.len() <= 3);
    if !int_ok || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    // A number too long for f64 (a pasted run of digits) is not a value.
    v.replace(',', "").parse().ok().filter(|n: &f64| n.is_finite())
}

/// Formats a number like `template` (decimals, commas); without one, with
/// up to six decimals and thousands commas from 1,000.
pub fn format_number(value: f64, template: Option<&str>) -> String {
    let template = template.filter(|t| plain_number(t).is_some());
    let (decimals, commas) = match template {
        Some(t) => (t.split_once('.').map_or(0, |(_, d)| d.len()), t.contains(',') || value.abs() >= 10_000.0),
        None => {
            let short = format!("{}", (value * 1e6).round() / 1e6);
            (short.split_once('.').map_or(0, |(_, d)| d.len()), value.abs() >= 1000.0)
        }
    };
    let text = format!("{value:.decimals$}");
    if !commas {
        return text;
    }
    let (sign, rest) = text.strip_prefix('-').map_or(("", text.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}{}", frac.map(|f| format!(".{f}")).unwrap_or_default())
}

/// An indicator name for matching: without blanks.
pub fn indicator_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpi_values_as_printed() {
        assert_eq!(parse_kpi("7,716"), Some(Some(7716.0)));
        assert_eq!(parse_kpi("/"), Some(None));
        assert_eq!(parse_kpi(">90"), Some(Some(90.0)));
        assert_eq!(parse_kpi("1,400+"), Some(Some(1400.0)));
        assert_eq!(parse_kpi("0.00022"), Some(Some(0.00022)));
        assert_eq!(parse_kpi("12a"), None);
        assert_eq!(parse_kpi(""), None);
        for bad in ["1,,,0,0", "1,40", "1234,567", ",123", "1,", "1.", ".5", "1e3", ">>9", "1++", "-", "--1", "1.2.3"] {
            assert_eq!(parse_kpi(bad).flatten(), None, "{bad}");
        }
        assert_eq!(parse_kpi("-1,234.5"), Some(Some(-1234.5)));
        // Found by the kpi fuzz target: 400 grouped digits parsed to infinity.
        assert_eq!(parse_kpi(&format!("1{}", ",000".repeat(110))), None);
        assert_eq!(parse_kpi("≥98.5%"), Some(Some(98.5)));
        // "About" in each edition's script.
        for about in ["约 1.0", "約 1.0", "~1.0"] {
            assert_eq!(parse_kpi(about), Some(Some(1.0)), "{about}");
        }
    }

    #[test]
    fn about_is_written_in_the_editions_script() {
        assert_eq!(approximately("约 1.0", "約"), "約 1.0");
        assert_eq!(approximately("约1.0", "~"), "~1.0");
        assert_eq!(approximately(">90", "約"), ">90");
        assert_eq!(approximately("7,716", "~"), "7,716");
    }

    #[test]
    fn numbers_follow_their_template() {
        assert_eq!(format_number(459152.0, Some("456,239")), "459,152");
        assert_eq!(format_number(16.4, Some("17.59")), "16.40");
        assert_eq!(format_number(7716.0, None), "7,716");
        assert_eq!(format_number(0.30000000000000004, None), "0.3");
        assert_eq!(format_number(0.00049, Some("0.00041")), "0.00049");
        assert_eq!(format_number(-1234.5, None), "-1,234.5");
    }

    #[test]
    fn commas_must_group_thousands() {
        for good in ["1,234.5", "459,152", "12", ">90", "1,400+"] {
            assert!(parse_kpi(good).is_some(), "{good}");
        }
        assert!(parse_kpi("1,2.3").is_none() && parse_kpi("12,34").is_none());
    }
}
