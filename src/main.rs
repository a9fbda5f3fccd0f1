//! The `csr-press` binary: parses the command line and runs a command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = csr_press::args::Cli::parse();
    csr_press::commands::run(cli.command)
}
