//! Fuzzes the KPI value grammar (`csr_press::model::kpi_value::parse_kpi`): it must
//! never panic, accept only finite numbers, and accept digit grouping only
//! in groups of three, as `data/README.md` documents. (Its first run found
//! that 400 grouped digits parsed to infinity; such values are refused now.)
#![no_main]

use csr_press::model::kpi_value::parse_kpi;
use libfuzzer_sys::fuzz_target;

/// The grammar written out independently: `/`, `-`, or an optional prefix
/// qualifier, `-`?, digits grouped in threes (or not grouped), an optional
/// fraction, an optional `+` or `%`.
fn accepted(value: &str) -> bool {
    let v = value.trim();
    if v == "/" || v == "-" {
        return true;
    }
    let v = ['>', '<', '≥', '≤', '约', '＞', '＜'].iter().find_map(|q| v.strip_prefix(*q)).unwrap_or(v);
    let v = v.strip_suffix(['+', '%']).unwrap_or(v).trim();
    let v = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = v.split_once('.').map_or((v, None), |(i, f)| (i, Some(f)));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let groups: Vec<&str> = int.split(',').collect();
    let int_ok = if groups.len() == 1 {
        digits(int)
    } else {
        digits(groups[0]) && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3 && digits(g))
    };
    // Digits beyond f64's range are refused rather than read as infinity.
    int_ok && frac.is_none_or(digits) && v.replace(',', "").parse::<f64>().is_ok_and(f64::is_finite)
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else { return };
    let parsed = parse_kpi(value);
    assert_eq!(parsed.is_some(), accepted(value), "grammar disagrees on {value:?}");
    if let Some(Some(n)) = parsed {
        assert!(n.is_finite(), "{value:?} parsed to {n}");
    }
});
