//! Import of asset registers (CSV, .xlsx, .xls, .ods): all or nothing, row-precise errors, replay by hash,
//! bounded memory. The rooms, in the order a file passes through them:
//!
//! - `read`: the bytes decoded (or a workbook's sheet read), the header found, each row
//!   parsed and checked on its own, on a reading thread;
//! - `within_file`: the rows checked against each other (duplicate codes, project
//!   conflicts);
//! - `against_register`: a chunk of rows compared with the register (unchanged, new,
//!   or `conflicts_with_register`);
//! - `write`: the rows a chunk registers, built and written (by a writing thread into
//!   an empty register); `bulk`: whether a load is bulk;
//! - `delta`: the change to the maintained totals; `totals`: the file's own totals
//!   rows (合计, 总计, 小计) checked against its register rows;
//! - `run`: one pass over the rows, through the rooms above;
//! - `pipeline`: the import of one file in one transaction, and its outcome;
//! - `batch`: the record of every import; `error`: what can go wrong; `warnings`:
//!   what was left out, bounded.

mod against_register;
pub mod batch;
pub mod bulk;
mod delta;
pub mod error;
pub mod pipeline;
pub mod read;
mod run;
mod totals;
pub mod warnings;
mod within_file;
mod write;

pub use batch::{BatchReport, BatchStatus};
pub use error::{ImportFailure, RowError, Warning, MAX_LISTED_ERRORS};
pub use pipeline::{import_file, ImportOutcome, ImportRequest, Progress, Unwatched};
pub use read::row::MAX_FIELD_CHARS;
