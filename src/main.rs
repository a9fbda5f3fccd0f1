//! The `csr-press` binary: parses the command line, runs a command, prints
//! what it said and chooses the exit code. The only place that does.

use std::process::ExitCode;

use clap::Parser;
use csr_press::commands::{Failure, Outcome, Printer};

fn main() -> ExitCode {
    let cli = csr_press::args::Cli::parse();
    let printer = Printer::new(cli.command.diagnostic_format());
    let result = csr_press::commands::run(cli.command, &printer);
    report(&printer, &result)
}

/// Prints what the command said and maps it to the exit code: 0 success,
/// 1 errors, 2 usage.
fn report(printer: &Printer, result: &Result<Outcome, Failure>) -> ExitCode {
    match result {
        Ok(outcome) => {
            printer.outcome(outcome);
            ExitCode::SUCCESS
        }
        Err(failure) => {
            printer.failure(failure);
            ExitCode::from(failure.exit_code())
        }
    }
}
