//! The commands: each turns its arguments into a config, runs the pipeline
//! and maps the result to an exit code (0 success, 1 errors, 2 usage).

use std::process::ExitCode;

use crate::args::{BuildArgs, CheckArgs, Command};
use crate::exit::{EXIT_ERRORS, fail};
use crate::pipeline::{Session, emit_data};

/// Runs one command.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Build(args) => build(&args),
        Command::Watch(args) => crate::watch::watch(&args),
        Command::Check(args) => check(&args),
        Command::Preview(args) => crate::preview::preview(&args),
        Command::Fonts(args) => crate::preflight::fonts(&args),
    }
}

/// `csr-press build`.
fn build(args: &BuildArgs) -> ExitCode {
    let outputs: Vec<&std::path::Path> =
        std::iter::once(args.output.as_path()).chain(args.emit_data.as_deref()).collect();
    if let Err(code) = crate::exit::guard(&args.common, &outputs, args.force) {
        return code;
    }
    crate::output::install_cleanup();
    let config = args.config();
    let format = config.format;
    let result = Session::new(config).and_then(|mut session| {
        if let Some(path) = &args.emit_data {
            emit_data(&mut session, path)?;
        }
        session.build()
    });
    match result {
        Ok(outcome) => {
            eprint!("{}", outcome.warnings);
            println!("{}", outcome.summary(&args.output));
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure, format, &args.output),
    }
}

/// `csr-press check`.
fn check(args: &CheckArgs) -> ExitCode {
    let problems = crate::preflight::check(&args.common);
    let format = args.common.diagnostic_format;
    eprint!("{}", problems.render(format));
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
