//! The `asset-registry` binary: see `asset_registry::cli`.

use std::process::ExitCode;

use clap::Parser;

/// Imports allocate and free millions of small strings and bind buffers; mimalloc
/// halves the time the system allocator spent on them (see BENCHMARKS.md). Built
/// without transparent huge pages, which would count whole 2 MiB pages as resident
/// and push a million-row import past its memory budget.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`; the Rust binding names no constant
/// for it): how many milliseconds freed memory waits before it is handed back.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    let cli = asset_registry::cli::Cli::parse();
    if matches!(cli.command, asset_registry::cli::Command::Import { .. }) {
        // A province's import frees the chunks its threads hand each other as fast as
        // it allocates them; waiting 10-100 ms before handing them back held 30-60 MiB
        // more at its peak (1M rows on SQLite: 218-250 MiB against 186 MiB, in the same
        // time; BENCHMARKS.md).
        // SAFETY: sets one of the allocator's options before any other thread runs.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    asset_registry::cli::run(cli)
}
