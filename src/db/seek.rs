//! The one "newest first" seek page that the time-ordered lists share (proposals, import
//! batches, declarations, stock-takes, the access log): rows before the `(at, id)` of the
//! last row of the previous page, in descending `(at, id)`, at most `limit`.
//!
//! A macro because Diesel gives each table's columns their own types: a function over
//! any table's boxed query would need a bound for every expression it builds.

/// `$query` (a boxed select from `$table`) narrowed to the rows before `$before`
/// (`Option<(&str, &str)>`, the `(at, id)` of the previous page's last row), ordered by
/// the columns `$at` then `$id`, both descending, and limited to `$limit` rows. It only
/// builds the query; the caller loads it.
macro_rules! newest_first {
    ($query:expr, $table:ident, $at:ident, $id:ident, $before:expr, $limit:expr) => {{
        let mut query = $query;
        if let Some((at, id)) = $before {
            let (at, id): (&str, &str) = (at, id);
            query = query.filter(
                $table::$at.lt(at.to_owned()).or($table::$at
                    .eq(at.to_owned())
                    .and($table::$id.lt(id.to_owned()))),
            );
        }
        query
            .order(($table::$at.desc(), $table::$id.desc()))
            .limit($limit)
    }};
}

pub(crate) use newest_first;
