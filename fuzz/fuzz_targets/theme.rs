//! Fuzzes the theme loader: a `theme.toml` parsed into the theme model and
//! checked (palette roles, colours and the names they refer to, accents,
//! type sizes, leading), through `csr_press::theme::check_theme_text`, which
//! must never panic and must return located problems instead. The input is
//! decoded lossily (the CLI refuses a file that is not UTF-8 before parsing).
#![no_main]

use csr_press::diag::DiagnosticFormat;
use csr_press::theme::check_theme_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let problems = check_theme_text(&text);
    for p in &problems.0 {
        assert!(p.line == 0 || p.col >= 1, "problem at line {} col {}", p.line, p.col);
    }
    let _ = problems.render(DiagnosticFormat::Human);
    let _ = problems.render(DiagnosticFormat::Short);
});
