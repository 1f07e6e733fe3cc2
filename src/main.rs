//! The `asset-registry` binary: see `asset_registry::cli`.

use std::process::ExitCode;

use clap::Parser;

/// Imports allocate and free millions of small strings and bind buffers; mimalloc
/// halves the time the system allocator spent on them (see BENCHMARKS.md). Built
/// without transparent huge pages, which would count whole 2 MiB pages as resident
/// and push a million-row import past its memory budget.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    asset_registry::cli::run(asset_registry::cli::Cli::parse())
}
