//! Declared figures (申报数): what a declaration holds (`figures`), parsing one from
//! JSON or CSV with errors that name the line (`parse`), and storing and loading it
//! (`store`).

mod figures;
mod parse;
mod store;

pub use figures::{Declaration, DeclarationError, DeclaredLine, Scope, StoredDeclaration};
pub use parse::{parse_csv, parse_json};
pub use store::{find, list, store};
