//! csr-press: typesets the structured data of a report into a print-ready PDF.
//!
//! The pipeline, one module a stage: [`load`] reads the TOML data (and the
//! KPI spreadsheets), [`validate`] checks it, [`resolve`] turns it into the
//! JSON the layouts read, [`world`] is the Typst world, [`compile`] lays out
//! and exports, [`postprocess`] finishes the PDF for print, [`guard`]
//! refuses outputs that would destroy an input and [`write`](mod@write)
//! writes files atomically. [`theme`] finds the report's design theme and
//! checks the report against it. [`pipeline`] strings the stages together;
//! the commands live in [`commands`]; [`scaffold`] writes new reports.
//!
//! Stages call only down. Below them all lies the substrate ([`source`],
//! [`paths`], [`config`], [`model`], [`diag`], [`locate`]) and what several
//! stages derive from the data ([`workbook`], [`charts`], [`image_check`],
//! [`svg`], [`virtual_files`]).

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
pub mod guard;
pub mod image_check;
pub mod images;
pub mod inspect;
pub mod load;
pub mod locate;
pub mod model;
pub mod parallel;
pub mod paths;
pub mod pipeline;
pub mod postprocess;
pub mod preview;
pub mod resolve;
pub mod scaffold;
pub mod source;
pub mod stamps;
pub mod svg;
pub mod theme;
pub mod typst_diag;
pub mod validate;
pub mod virtual_files;
pub mod workbook;
pub mod world;
pub mod write;
