//! The annual stock-take (年度清查盘点): campaigns over the live assets of a scope, the
//! village checklists, results recorded as `inspection` entries of the ledger (one by
//! one or a whole upload, all or nothing), and the closing report with its 盘亏.
//!
//! A campaign keeps the list of assets it covers as they were when it was opened
//! (`stocktake_assets`); each result recorded through it is an `inspection` entry tied
//! to it in `stocktake_results`. Closing freezes the values, so that the report reads
//! the same ever after.

pub mod campaign;
pub mod checklist;
pub mod listing;
pub mod report;
pub mod results;
mod rows;
pub mod upload;

pub use campaign::{Campaign, CampaignStatus, StocktakeError, Tally, TallyLine};

/// Whether `id` could be a campaign's id (a UUID as this register writes them): any
/// other text names no campaign, and is never put into a query.
pub fn is_campaign_id(id: &str) -> bool {
    id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}
