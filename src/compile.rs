//! Stage 4: compiles the layouts in the world and exports the PDF.
//!
//! Typst diagnostics are rendered with typst-kit (file:line:col and the
//! source line in `human` format, one line each in `short`, workflow
//! commands in `github`).

use typst::World;
use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst::syntax::{Span, SpanKind};
use typst_kit::diagnostics::{self, termcolor};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::diag::DiagnosticFormat;
use crate::world::PressWorld;

/// Typst's errors (and the warnings that came with them), rendered in the
/// configured diagnostic format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rendered}")]
pub struct TypstErrors {
    /// The rendered diagnostics.
    pub rendered: String,
}

/// A successful compilation: the laid-out document and any warnings.
pub struct Compiled {
    /// The laid-out pages.
    pub document: PagedDocument,
    /// Rendered warnings (empty when there are none).
    pub warnings: String,
}

/// Compiles the world's main file into pages.
///
/// On failure, returns the rendered errors (then the warnings).
///
/// `CSR_PRESS_TRACE=FILE` records Typst's own timing events (which layout
/// functions and show rules take the time) as a Chrome trace in FILE, for
/// profiling layouts and themes.
pub fn compile(world: &PressWorld, format: DiagnosticFormat) -> Result<Compiled, TypstErrors> {
    let trace = std::env::var_os("CSR_PRESS_TRACE");
    if trace.is_some() {
        typst_timing::enable();
        typst_timing::clear();
    }
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    let mut warnings = render(world, &warnings, format);
    if let Some(path) = trace
        && let Err(e) = write_trace(world, std::path::Path::new(&path))
    {
        // Said with the warnings: only `main` prints.
        warnings.push_str(&format!("warning: cannot write the trace {}: {e}\n", std::path::Path::new(&path).display()));
    }
    match output {
        Ok(document) => Ok(Compiled { document, warnings }),
        Err(errors) => Err(TypstErrors { rendered: format!("{}{}", render(world, &errors, format), warnings) }),
    }
}

/// Why the trace could not be written.
#[derive(Debug, thiserror::Error)]
enum TraceError {
    /// The file could not be created.
    #[error("{0}")]
    Create(std::io::Error),
    /// typst-timing could not write the events.
    #[error("{0}")]
    Export(String),
}

/// Writes the recorded timing events as JSON for Chrome's tracing tool; a
/// failure is a warning and does not fail the build.
fn write_trace(world: &PressWorld, path: &std::path::Path) -> Result<(), TraceError> {
    let file = std::fs::File::create(path).map_err(TraceError::Create)?;
    typst_timing::export_json(std::io::BufWriter::new(file), |span| {
        span_line(world, Span::from_raw(span)).unwrap_or_else(|| ("unknown".into(), 0))
    })
    .map_err(TraceError::Export)
}

/// The file and 1-based line of a span, for the trace.
fn span_line(world: &PressWorld, span: Span) -> Option<(String, u32)> {
    let (id, line) = match span.get() {
        SpanKind::Detached => return None,
        SpanKind::Number { id, num } => {
            let source = world.source(id).ok()?;
            let range = source.range(num, None)?;
            (id, source.lines().byte_to_line(range.start)?)
        }
        SpanKind::Range { id, range } => {
            let lines = world.file(id).ok()?.lines().ok()?;
            (id, lines.byte_to_line(range.start)?)
        }
    };
    Some((format!("{:?}", id.vpath()), line as u32 + 1))
}

/// Exports pages to PDF bytes with a fixed identifier and date, so the same
/// inputs give the same bytes.
///
/// `tagged` writes the structure tree (accessibility); it costs export time
/// and a print shop has no use for it.
pub fn export_pdf(
    world: &PressWorld,
    document: &PagedDocument,
    ident: &str,
    date: Datetime,
    tagged: bool,
    format: DiagnosticFormat,
) -> Result<Vec<u8>, TypstErrors> {
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_owned()),
        creator: Smart::Custom(Some(format!("csr-press {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(date)),
        page_ranges: None,
        standards: Default::default(),
        tagged,
        pretty: false,
    };
    typst_pdf::pdf(document, &options).map_err(|errors| TypstErrors { rendered: render(world, &errors, format) })
}

/// Renders Typst diagnostics as text.
pub fn render(world: &PressWorld, diags: &[SourceDiagnostic], format: DiagnosticFormat) -> String {
    if diags.is_empty() {
        return String::new();
    }
    let mut buffer = termcolor::NoColor::new(Vec::new());
    let kit_format = match format {
        DiagnosticFormat::Human => diagnostics::DiagnosticFormat::Human,
        DiagnosticFormat::Short => diagnostics::DiagnosticFormat::Short,
        DiagnosticFormat::Github => return crate::typst_diag::github(world, diags),
    };
    if let Err(e) = crate::typst_diag::emit(&mut buffer, world, diags, kit_format) {
        return format!("error: cannot print diagnostics ({e})\n");
    }
    String::from_utf8_lossy(&buffer.into_inner()).into_owned()
}
