//! Whether an import is a bulk load: a file much larger than the register. What a bulk
//! load means for the database engine (indexes set aside and rebuilt on SQLite) is
//! `db::bulk_load`'s business.

/// A file estimated to hold at least this many rows is worth a rebuild.
pub const BULK_MIN_ROWS: u64 = 20_000;

/// ...and at least this many times the rows the register holds (a rebuild reads the
/// whole table, old rows too).
const BULK_FACTOR: u64 = 2;

/// A row of a register CSV file takes at least about this many bytes (a GBK file of
/// short names), so [`estimated_rows`] errs on the side of more rows.
const MIN_BYTES_PER_ROW: u64 = 150;

/// About how many rows, at most, a register CSV file of `file_bytes` holds.
pub fn estimated_rows(file_bytes: u64) -> u64 {
    file_bytes / MIN_BYTES_PER_ROW
}

/// Whether an import of `file_bytes` into a register of `registered_rows` assets is a
/// bulk load.
pub fn is_bulk(file_bytes: u64, registered_rows: u64) -> bool {
    let rows = estimated_rows(file_bytes);
    rows >= BULK_MIN_ROWS && rows >= registered_rows.saturating_mul(BULK_FACTOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_large_files_into_small_registers_are_bulk_loads() {
        let bytes_of = |rows: u64| rows * MIN_BYTES_PER_ROW;
        assert!(!is_bulk(bytes_of(BULK_MIN_ROWS - 1), 0));
        assert!(is_bulk(bytes_of(BULK_MIN_ROWS), 0));
        assert!(is_bulk(bytes_of(1_000_000), 500_000));
        assert!(!is_bulk(bytes_of(1_000_000), 500_001));
        assert!(!is_bulk(u64::MAX, u64::MAX));
    }
}
