//! The `asset-registry` binary: see `asset_registry::cli`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    asset_registry::cli::run(asset_registry::cli::Cli::parse())
}
