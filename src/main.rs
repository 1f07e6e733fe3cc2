//! The `asset-registry` binary: see `asset_registry::cli`.

use std::process::ExitCode;

use clap::Parser;

/// Imports allocate and free millions of small strings and bind buffers; mimalloc
/// halves the time the system allocator spent on them (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    asset_registry::cli::run(asset_registry::cli::Cli::parse())
}
