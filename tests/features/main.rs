//! The integration tests, one binary organised by feature. Each module runs
//! the real `csr-press` binary (or, where only the library shows it, the
//! library through `support::press`) and reads what it writes in Rust: no
//! test runs any other program.
//!
//! Run one feature with `cargo test --test features build::` (a module
//! path is a filter), one test by its name.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

/// Blocks as printed: index pages after floats, signatures, org charts, plain tables, words.
mod blocks;
/// `build` on the small fixture: pages, fonts, boxes, text, bookmarks.
mod build;
/// The editor and CI commands: `check`, `preview`, `fonts`, `--emit-data`.
mod commands;
/// Composition rules 18–26: binding, stranded and empty heads, tokens, loose lines.
mod composition;
/// Bad data: exit codes, located messages, the last good PDF untouched.
mod data_errors;
/// Editions: zh-HK by conversion, English by translation, `check --all-editions`.
mod editions;
/// Spreadsheets, `kpi export`, charts, QR codes and the change report.
mod editors;
/// Composition rules 20, 24, 25: balanced endings, floats in their section,
/// runts in captions and cells, narrow table columns.
mod endings;
/// The second example report and the `new` scaffold.
mod examples;
/// Hostile input and unsafe paths (issue 12).
mod hostile_input;
/// PDF/X-1a and PDF/X-4 on the print profile.
mod pdfx;
/// The layout preflight on the stress fixture and planted defects.
mod preflight;
/// Chosen pages of the full report against committed reference images.
mod reference;
/// The full 2020 report from `data/`.
mod report_2020;
/// Fast builds (issue 21): searched, remembered and `watch` builds give the same PDF.
mod speed;
/// Themes and identity.
mod themes;
/// Chinese typography rules on the laid-out pages of the full report.
mod typography;
/// `watch`: rebuilds, recoveries, replaced fonts and data.
mod watch;
/// Writers that never replace an input: `kpi export`, `new`.
mod writers;
