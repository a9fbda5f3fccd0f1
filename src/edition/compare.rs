//! Editions that agree: placeholder, filled in below.
