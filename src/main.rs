//! The `csr-press` binary: parses the command line, runs a command, prints
//! what it said and chooses the exit code. The only place that does.

use std::process::ExitCode;

use clap::Parser;
use csr_press::commands::{Failure, Outcome, Printer};

/// jemalloc: a build allocates on every core at once (Typst's page runs, the
/// copyfit trials), where glibc's malloc spends more time; a searched build
/// takes 0.90x the time with it, a remembered one 0.98x (BENCHMARKS.md).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts: one arena, which every thread
/// shares. A build is as fast as with one per thread, and holds 15 MiB less
/// at its peak (BENCHMARKS.md).
// SAFETY: jemalloc reads this C string (`const char *malloc_conf`, under
// the prefix tikv-jemalloc-sys gives its symbols) once, at its start; a
// reference to a NUL-terminated byte array is that pointer.
#[cfg(not(target_env = "msvc"))]
#[allow(unsafe_code, non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
static malloc_conf: &[u8; 10] = b"narenas:1\0";

fn main() -> ExitCode {
    let cli = csr_press::args::Cli::parse();
    let printer = Printer::new(cli.command.diagnostic_format());
    if let Some(limit) = cli.command.time_limit() {
        watchdog(limit, printer);
    }
    let result = csr_press::commands::run(cli.command, &printer);
    report(&printer, &result)
}

/// Ends the process with exit code 1 when the command outlives `limit`: a
/// loop in a theme's Typst code cannot be stopped from inside Typst, so the
/// whole command is bounded instead. Outputs are written atomically, so the
/// last good PDF is untouched, and temporary files are removed.
fn watchdog(limit: std::time::Duration, printer: Printer) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        printer.error(&format_args!(
            "stopped after {} s (--time-limit): the layout did not finish; look for a loop in the theme's or layouts' Typst code, or raise --time-limit",
            limit.as_secs()
        ));
        csr_press::commands::remove_live_temps();
        std::process::exit(1);
    });
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
