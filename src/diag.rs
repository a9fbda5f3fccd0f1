//! Located problems in data files, and how they are printed.
//!
//! A [`Problem`] names a file, a line and a column (1-based), whether it is an
//! error or a warning, and what to do. `short` prints one line per problem for
//! CI logs; `human` adds the source line with a caret. Control characters
//! from the data (terminal escape sequences, say) are printed escaped.

use std::fmt::{self, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops the build.
    Error,
    /// Reported; stops only `check --strict`.
    Warning,
    /// Information about a choice the data made; never stops anything.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// How problems are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// The message plus the source line and a caret.
    #[default]
    Human,
    /// One line per problem: `file:line:col: error: message`.
    Short,
    /// GitHub Actions workflow commands, one per problem:
    /// `::error file=PATH,line=L,col=C::MESSAGE` (`::warning`, `::notice`).
    Github,
}

/// A problem at a place in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as given to the user (relative where possible).
    pub path: PathBuf,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// What is wrong and what to do.
    pub message: String,
    /// The offending source line, for `human` output.
    pub source_line: Option<String>,
}

impl Problem {
    /// Creates a problem at a byte span of a file whose text is `text`.
    pub fn at(
        severity: Severity,
        path: &Path,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let (line, col, source_line) = match span {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                let source_line = text.lines().nth(line - 1).map(str::to_owned);
                (line, col, source_line)
            }
            None => (0, 0, None),
        };
        Self { severity, path: path.to_owned(), line, col, message: message.into(), source_line }
    }

    /// Creates a problem about a whole file (or no file at all).
    pub fn file(severity: Severity, path: &Path, message: impl Into<String>) -> Self {
        Self::at(severity, path, "", None, message)
    }

    /// Creates a problem at a spreadsheet cell or about a whole worksheet
    /// (the place is shown as `file.xlsx!Sheet!B3` or `file.xlsx!Sheet`).
    pub fn in_spreadsheet(severity: Severity, place: &impl fmt::Display, message: impl Into<String>) -> Self {
        Self::file(severity, Path::new(&place.to_string()), message)
    }

    /// Formats the problem.
    pub fn render(&self, format: DiagnosticFormat) -> String {
        if format == DiagnosticFormat::Github {
            let at = Location { path: Some(&self.path), line: self.line, col: self.col };
            return github_command(self.severity, &at, &self.message);
        }
        let mut out = String::new();
        let path = escape_controls(&self.path.display().to_string());
        let message = escape_controls(&self.message);
        if self.line > 0 {
            let _ = write!(out, "{path}:{}:{}: {}: {message}", self.line, self.col, self.severity);
        } else {
            let _ = write!(out, "{path}: {}: {message}", self.severity);
        }
        if format == DiagnosticFormat::Human
            && let Some(source) = &self.source_line
        {
            let gutter = self.line.to_string();
            let pad = " ".repeat(gutter.len());
            let caret_pad: String = source
                .chars()
                .take(self.col.saturating_sub(1))
                .map(|c| {
                    if c == '\t' {
                        '\t'
                    } else if is_wide(c) {
                        '　'
                    } else {
                        ' '
                    }
                })
                .collect();
            let source = escape_controls(source);
            let _ = write!(out, "\n{pad} |\n{gutter} | {source}\n{pad} | {caret_pad}^");
        }
        out
    }
}

/// Where a GitHub workflow command points: a file, and a 1-based line and
/// column when known (0 for none).
#[derive(Debug, Clone, Copy, Default)]
pub struct Location<'a> {
    /// The file, if any.
    pub path: Option<&'a Path>,
    /// 1-based line, 0 when the message concerns the whole file.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub col: usize,
}

/// One GitHub Actions workflow command: `::error file=P,line=L,col=C::M`
/// (`::warning`, `::notice` for notes). A location without a line gives
/// `file=` only; without a file, no properties at all.
pub fn github_command(severity: Severity, at: &Location, message: &str) -> String {
    let command = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut properties = Vec::new();
    if let Some(path) = at.path.filter(|p| !p.as_os_str().is_empty()) {
        properties.push(format!("file={}", github_property(&path.display().to_string())));
        if at.line > 0 {
            properties.push(format!("line={}", at.line));
            if at.col > 0 {
                properties.push(format!("col={}", at.col));
            }
        }
    }
    let properties = if properties.is_empty() { String::new() } else { format!(" {}", properties.join(",")) };
    format!("::{command}{properties}::{}", github_data(message))
}

/// Escapes a workflow command's message as GitHub requires (`%`, CR, LF),
/// then any other control character as [`escape_controls`] does.
pub fn github_data(text: &str) -> String {
    escape_controls(&text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A"))
}

/// Escapes a workflow command's property value: as [`github_data`], plus
/// `:` and `,`.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes control characters (except tab) as `\u{1b}`, so data echoed in
/// a diagnostic cannot drive the terminal.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return text.to_owned();
    }
    text.chars()
        .map(|c| if c.is_control() && c != '\t' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

/// Converts a byte offset into a 1-based line and character column.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// The nearest character boundary at or before `offset`.
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Whether `c` takes two columns in a terminal.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// All problems found in one run.
#[derive(Debug, Default, Clone)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Adds a problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|p| p.severity == Severity::Error)
    }

    /// The number of errors.
    pub fn errors(&self) -> usize {
        self.0.iter().filter(|p| p.severity == Severity::Error).count()
    }

    /// The number of warnings.
    pub fn warnings(&self) -> usize {
        self.0.iter().filter(|p| p.severity == Severity::Warning).count()
    }

    /// Formats every problem, one after the other.
    pub fn render(&self, format: DiagnosticFormat) -> String {
        let mut out = String::new();
        for problem in &self.0 {
            out.push_str(&problem.render(format));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a = 1\n中文 = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        let offset = text.find('=').map(|_| text.rfind('=').unwrap_or(0)).unwrap_or(0);
        assert_eq!(line_col(text, offset), (2, 4));
    }

    #[test]
    fn short_format_is_one_line() {
        let p =
            Problem::at(Severity::Error, Path::new("data/x.toml"), "a\nbad = 1\n", Some(2..5), "unknown field 'bad'");
        assert_eq!(p.render(DiagnosticFormat::Short), "data/x.toml:2:1: error: unknown field 'bad'");
        assert!(p.render(DiagnosticFormat::Human).contains("2 | bad = 1"));
    }

    #[test]
    fn github_format_is_one_workflow_command_per_problem() {
        let p =
            Problem::at(Severity::Error, Path::new("data/x.toml"), "a\nbad = 1\n", Some(2..5), "unknown field 'bad'");
        assert_eq!(p.render(DiagnosticFormat::Github), "::error file=data/x.toml,line=2,col=1::unknown field 'bad'");
        let w = Problem::file(Severity::Warning, Path::new("fonts"), "no fonts");
        assert_eq!(w.render(DiagnosticFormat::Github), "::warning file=fonts::no fonts");
        let n = Problem::at(Severity::Note, Path::new("r.toml"), "x\n", Some(0..1), "left out");
        assert_eq!(n.render(DiagnosticFormat::Github), "::notice file=r.toml,line=1,col=1::left out");
        assert_eq!(github_command(Severity::Error, &Location::default(), "plain"), "::error::plain");
    }

    #[test]
    fn github_format_escapes_data_and_properties() {
        assert_eq!(github_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(github_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
        let p = Problem::at(
            Severity::Error,
            Path::new("dir,x/a:b.toml"),
            "k = 1\n",
            Some(0..1),
            "100% wrong: see\nthis \u{1b}[2J",
        );
        let out = p.render(DiagnosticFormat::Github);
        assert_eq!(out, "::error file=dir%2Cx/a%3Ab.toml,line=1,col=1::100%25 wrong: see%0Athis \\u{1b}[2J");
        assert!(!out.contains('\u{1b}') && !out.contains('\n'));
    }

    #[test]
    fn control_characters_are_escaped() {
        let p =
            Problem::at(Severity::Error, Path::new("x.toml"), "a = \"\u{1b}[2J\"\n", Some(0..1), "label '\u{1b}[2J'");
        for format in [DiagnosticFormat::Short, DiagnosticFormat::Human, DiagnosticFormat::Github] {
            let out = p.render(format);
            assert!(!out.contains('\u{1b}') && out.contains("\\u{1b}[2J"), "{out}");
        }
    }
}
