//! Fuzzes the data loader: TOML parsing into the model plus all semantic
//! validation, through `csr_press::validate::check_part_text`, which must never
//! panic and must return located problems instead.
//!
//! Input modes:
//! - no 0xFF byte: the input is the text of one part file; the manifest and
//!   the index are those of `tests/fixtures/mini`.
//! - with 0xFF bytes (never part of UTF-8 text) the input is split there:
//!   `part 0xFF manifest 0xFF index 0xFF index ...`. An empty manifest piece
//!   stands for the fixture manifest; no index piece for the fixture index.
//!
//! Pieces that are not valid UTF-8 are decoded lossily (the CLI rejects such
//! files before parsing, so this only keeps the fuzzer's mutations useful).
//! Every problem is also rendered in both formats, as the CLI prints them.
#![no_main]

use std::borrow::Cow;

use csr_press::diag::DiagnosticFormat;
use csr_press::validate::check_part_text;
use libfuzzer_sys::fuzz_target;

const MANIFEST: &str = include_str!("../../tests/fixtures/mini/report.toml");
const INDEX: &str = include_str!("../../tests/fixtures/mini/indexes/demo.toml");

fuzz_target!(|data: &[u8]| {
    let mut pieces = data.split(|&b| b == 0xFF).map(String::from_utf8_lossy);
    let part = pieces.next().unwrap_or_default();
    let manifest = match pieces.next() {
        Some(m) if !m.is_empty() => m,
        _ => Cow::Borrowed(MANIFEST),
    };
    let mut indexes: Vec<Cow<'_, str>> = pieces.collect();
    if indexes.is_empty() {
        indexes.push(Cow::Borrowed(INDEX));
    }
    let indexes: Vec<&str> = indexes.iter().map(|s| s.as_ref()).collect();

    let problems = check_part_text(&manifest, &part, &indexes);
    for p in &problems.0 {
        // A located problem names a real line of its file.
        assert!(p.line == 0 || p.col >= 1, "problem at line {} col {}", p.line, p.col);
    }
    let _ = problems.render(DiagnosticFormat::Human);
    let _ = problems.render(DiagnosticFormat::Short);
});
