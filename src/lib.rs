//! csr-press: typesets the structured data of a report into a print-ready PDF.
//!
//! The pipeline, one module a stage: [`load`] reads the TOML data,
//! [`validate`] checks it, [`resolve`] turns it into the JSON the layouts
//! read, [`world`] is the Typst world, [`compile`] lays out and exports,
//! [`postprocess`] finishes the PDF for print and [`output`] writes it
//! atomically. [`theme`] finds the report's design theme and checks the
//! report against it. [`pipeline`] strings the stages together as typed
//! steps; the commands live in [`commands`] (one file each), which return
//! what to print to `main`; [`datacheck`] holds the data checks `check`
//! adds, [`preview`] renders pages, [`export`] writes the KPI workbook and
//! [`scaffold`] writes new reports.

pub mod args;
pub mod changes;
pub mod charts;
pub mod commands;
pub mod compile;
pub mod config;
pub mod copyfit;
pub mod datacheck;
pub mod diag;
pub mod export;
pub mod fonts;
pub mod images;
pub mod inspect;
pub mod load;
pub mod locate;
pub mod model;
pub mod output;
pub mod parallel;
pub mod paths;
pub mod pipeline;
pub mod postprocess;
pub mod preview;
pub mod resolve;
pub mod scaffold;
pub mod sheets;
pub mod source;
pub mod sources;
pub mod svg;
pub mod theme;
pub mod typst_diag;
pub mod validate;
pub mod world;
