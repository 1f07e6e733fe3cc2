//! Domain types of the register: parsed once at the boundary, valid everywhere after.
//!
//! Nothing here knows of HTTP, Rocket or the database.

pub mod asset;
pub mod codes;
pub mod custody;
pub mod dates;
pub mod error_labels;
pub mod id_number;
pub mod ledger_columns;
pub mod money;
pub mod number;
pub mod scope;
pub mod shown;
pub mod text;
pub mod vocabulary;
pub mod wire;

pub use asset::{AssetClass, AssetStatus, OwnerType};
pub use codes::{AssetCode, ProjectCode};
pub use custody::{ContractMode, DisposalMethod, InspectionResult, Recipients};
pub use dates::{BusinessDate, DateError, Year};
pub use id_number::IdNumber;
pub use ledger_columns::{AssetCondition, AssetForm, FundingChannel, OperatingMode};
pub use money::{MoneyUnit, Yuan};
pub use number::{NumberError, Quantity};
pub use scope::{CountyScope, Scope, ScopeError};
pub use vocabulary::{Spelling, Vocabulary};
