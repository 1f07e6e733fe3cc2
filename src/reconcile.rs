//! Reconciliation (对账): declared figures against the register as of their date,
//! the gap the classes leave, audit findings, and the printable report.

pub mod declaration;
pub mod findings;
pub mod html;
pub mod report;
