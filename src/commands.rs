//! The commands: each turns its arguments into a config, runs the pipeline
//! and maps the result to an exit code (0 success, 1 errors, 2 usage).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::{BuildArgs, CheckArgs, Command, KpiCommand};
use crate::config::Profile;
use crate::exit::{EXIT_ERRORS, fail};
use crate::pipeline::{Failure, Session};

/// Runs one command.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Build(args) => build(&args),
        Command::Watch(args) => crate::watch::watch(&args),
        Command::Check(args) => check(&args),
        Command::Preview(args) => crate::preview::preview(&args),
        Command::Fonts(args) => crate::preflight::fonts(&args),
        Command::New(args) => crate::scaffold::new_report(&args),
        Command::Kpi(KpiCommand::Export(args)) => crate::export::export(&args),
    }
}

/// `csr-press build`.
fn build(args: &BuildArgs) -> ExitCode {
    let outputs: Vec<&std::path::Path> =
        std::iter::once(args.output.as_path()).chain(args.emit_data.as_deref()).collect();
    if let Err(code) = crate::exit::guard(&args.common, &outputs, args.force) {
        return code;
    }
    crate::write::install_cleanup();
    let config = args.config();
    let format = config.format;
    let result = Session::new(config).and_then(|mut session| session.build_emitting(args.emit_data.as_deref()));
    match result {
        Ok(outcome) => {
            eprint!("{}", outcome.warnings);
            println!("{}", outcome.summary(&args.output));
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure, format, &args.output),
    }
}

/// `csr-press check`: every validation, then the pages are composed (not
/// written) so that the layout preflight reports too.
fn check(args: &CheckArgs) -> ExitCode {
    let format = args.common.diagnostic_format;
    let mut problems = crate::preflight::check(&args.common);
    let mut typst_warnings = String::new();
    if !problems.has_errors() {
        let config = args.common.config(PathBuf::from("out/check.pdf"), Profile::Print, false);
        match Session::new(config).and_then(|mut session| session.compose()) {
            Ok(composed) => {
                // The data's checks ran above; what composing adds is its
                // notes (figures left out) and the layout findings.
                let notes = composed.problems.0.into_iter().filter(|p| p.severity == crate::diag::Severity::Note);
                problems.0.extend(notes);
                problems.0.extend(composed.findings.0);
                typst_warnings = composed.typst_warnings;
            }
            Err(Failure::Data(found)) => problems.0.extend(found.0),
            Err(failure) => {
                eprint!("{}", failure.render(format));
                println!("check: layout failed");
                return ExitCode::from(EXIT_ERRORS);
            }
        }
    }
    eprint!("{}{typst_warnings}", problems.render(format));
    let errors = problems.errors();
    let warnings = problems.warnings();
    let failed = errors > 0 || (args.strict && warnings > 0);
    println!(
        "check: {errors} error{}, {warnings} warning{}{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
        if args.strict && warnings > 0 { " (--strict: warnings are errors)" } else { "" }
    );
    if failed { ExitCode::from(EXIT_ERRORS) } else { ExitCode::SUCCESS }
}
