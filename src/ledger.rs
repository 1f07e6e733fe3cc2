//! The custody ledger (管护台账): every change to an asset is an entry appended to one
//! hash chain; an asset's current state is the projection of its entries.

pub mod append;
pub mod as_of;
pub mod attachments;
pub mod chain;
pub mod contracts;
pub mod disclosure;
pub mod entry;
pub mod households;
mod idempotency;
pub mod projection;
pub mod registered;
pub mod search_names;
pub mod store;
pub mod verify;

pub use chain::{
    canonical, chain, chain_held, entry_hash, lock_head, read_head, CanonicalError, EntryPlace,
    EntryRow, Head, NewEntry, CURRENT_ENCODING, ENCODING_V1, ENCODING_V2, GENESIS_HASH,
};
pub use store::{insert_rows, store_head};
