//! The one place that prints: every diagnostic, error and summary a
//! command has goes through a [`Printer`], which renders it in the chosen
//! [`DiagnosticFormat`] and escapes control characters (except tab), so
//! data echoed in a message cannot drive the terminal.

use std::fmt::Display;
use std::io::Write as _;

use super::{Failure, Outcome};
use crate::diag::{DiagnosticFormat, Location, Problems, Severity, escape_controls, github_command};
use crate::pipeline::{BuildError, Diagnostics, Said};

/// Prints diagnostics (standard error) and summaries (standard output).
#[derive(Debug, Clone, Copy, Default)]
pub struct Printer {
    format: DiagnosticFormat,
}

impl Printer {
    /// A printer for the given format.
    pub fn new(format: DiagnosticFormat) -> Self {
        Self { format }
    }

    /// The format it prints in.
    pub fn format(&self) -> DiagnosticFormat {
        self.format
    }

    /// Prints what a successful command has to say.
    pub fn outcome(&self, outcome: &Outcome) {
        self.diagnostics(&outcome.diagnostics);
        self.summary(&outcome.summary);
    }

    /// Prints why a command failed.
    pub fn failure(&self, failure: &Failure) {
        match failure {
            Failure::Usage(error) => self.error(error),
            Failure::Error(error) => self.error(error),
            Failure::NotWritten { cause, .. } => {
                self.build_error(cause);
                self.note(failure);
            }
            Failure::CheckLayout(cause) => {
                self.build_error(cause);
                self.summary(&failure.to_string());
            }
            Failure::Findings { diagnostics, summary } => {
                self.diagnostics(diagnostics);
                self.summary(summary);
            }
            Failure::After { diagnostics, failure } => {
                self.diagnostics(diagnostics);
                self.failure(failure);
            }
        }
    }

    /// Prints why a build stopped: its problems, Typst's errors, or an
    /// error line.
    pub fn build_error(&self, error: &BuildError) {
        match error {
            BuildError::Data(problems) => self.problems(problems),
            BuildError::Layout(errors) => self.stderr(&errors.rendered),
            other => self.error(other),
        }
    }

    /// Prints diagnostics in order.
    pub fn diagnostics(&self, diagnostics: &Diagnostics) {
        for said in &diagnostics.0 {
            match said {
                Said::Problems(problems) => self.problems(problems),
                Said::Typst(rendered) => self.stderr(rendered),
            }
        }
    }

    /// Prints located problems.
    pub fn problems(&self, problems: &Problems) {
        self.stderr(&problems.render(self.format));
    }

    /// Prints an error that has no place in a file: `error: …`, or an
    /// `::error::` workflow command.
    pub fn error(&self, error: &dyn Display) {
        let line = match self.format {
            DiagnosticFormat::Github => github_command(Severity::Error, &Location::default(), &error.to_string()),
            _ => format!("error: {error}"),
        };
        self.stderr(&line);
    }

    /// Prints a status line on standard error (`build failed; …`).
    pub fn note(&self, text: &dyn Display) {
        self.stderr(&text.to_string());
    }

    /// Prints a summary on standard output (nothing for an empty one).
    pub fn summary(&self, text: &str) {
        if !text.is_empty() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(escaped_lines(text).as_bytes());
        }
    }

    /// Writes text to standard error, every line escaped.
    fn stderr(&self, text: &str) {
        if !text.is_empty() {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(escaped_lines(text).as_bytes());
        }
    }
}

/// Every line of `text` with its control characters escaped, each ended by
/// a newline.
fn escaped_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for line in text.lines() {
        out.push_str(&escape_controls(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escaped_lines;

    #[test]
    fn every_line_is_escaped_and_ended() {
        assert_eq!(escaped_lines("a\u{1b}[2J\nb"), "a\\u{1b}[2J\nb\n");
        assert_eq!(escaped_lines("one\n"), "one\n");
    }
}
