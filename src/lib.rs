//! asset-registry: the register of poverty-alleviation project assets (扶贫项目资产),
//! their tamper-evident custody ledger, and reconciliation with declared figures.

pub mod api;
pub mod approvals;
pub mod auth;
pub mod cli;
pub mod db;
pub mod domain;
pub mod export;
pub mod front;
pub mod import;
pub mod ledger;
pub mod observe;
pub mod paging;
pub mod reconcile;
pub mod register;
pub mod request;
pub mod server;
pub mod settings;
pub mod stocktake;
pub mod web;
