//! csr-press: typesets the structured data of a report into a print-ready PDF.
//!
//! The pipeline, one module a stage: [`load`] reads the TOML data (and the
//! KPI spreadsheets), [`edition`] makes it into one of its editions
//! (Traditional Chinese by conversion, English by translation files),
//! [`validate`] checks it, [`resolve`] turns it into the
//! JSON the layouts read, [`world`] is the Typst world, [`compile`] lays out
//! and exports, `postprocess` finishes the PDF for print, `guard`
//! refuses outputs that would destroy an input and `write`
//! writes files atomically. `theme` finds the report's design theme and
//! checks the report against it. [`pipeline`] strings the stages together;
//! the commands live in [`commands`]; `scaffold` writes new reports.
//!
//! Stages call only down. Below them all lies the substrate ([`source`],
//! [`paths`], [`config`], [`model`], [`diag`], `locate`) and what several
//! stages derive from the data (`workbook`, `charts`, `image_check`,
//! `svg`, `virtual_files`).

#![warn(missing_docs)]

pub mod args;
pub mod changes;
mod charts;
pub mod commands;
pub mod compile;
pub mod config;
mod copyfit;
mod datacheck;
pub mod diag;
pub mod edition;
mod export;
pub mod fonts;
mod guard;
mod image_check;
pub mod images;
mod inspect;
pub mod load;
mod locate;
pub mod model;
mod parallel;
pub mod paths;
pub mod pipeline;
mod postprocess;
mod preview;
pub mod resolve;
mod scaffold;
pub mod source;
mod stamps;
mod svg;
pub mod theme;
mod typst_diag;
pub mod validate;
mod virtual_files;
mod workbook;
pub mod world;
mod write;
