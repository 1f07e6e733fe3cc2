//! The name search `q` of the asset list: a substring of the asset's or the owner's
//! name, ASCII letters in either case and every other character exactly, on either
//! engine and in code ([`name_holds`], for the lists as of a date), read by each engine's
//! trigram index where it can (see [`crate::db::name_search`]).

use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::db::name_search::{assets_ever_named, assets_possibly_named};
use crate::db::pool::DbBackend;
use crate::db::schema::assets;
use crate::db::DbConnection;

/// A condition on `assets` rows.
pub(super) type AssetTest = Box<dyn BoxableExpression<assets::table, DbBackend, SqlType = Bool>>;

/// The most assets SQLite's trigram table gives a search to read by id and sort; a text
/// in more names is found soon walking the names in code order (at 1M assets, 5,000
/// matches are one in 200 names: a page of 50 is about 10,000 names away).
const READ_BY_ID: usize = 5_000;

/// Whether PostgreSQL's trigram indexes of the names can answer a search for `text`: it
/// needs a run of three letters or digits, from which it takes a trigram.
fn trigram_searchable(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|word| word.chars().count() >= 3)
}

/// The asset's name (or `owner_name`, with `owner`) holds the text of `pattern` (see
/// [`crate::db::name_search::holds`]). A text without a trigram is tested on an
/// expression no index holds: the trigram indexes would give every row to recheck (at
/// 1M assets a two-character search took 1.2–2.4 s on PostgreSQL that way, where
/// reading the names in code order stops at a page).
fn name_like(conn: &DbConnection, owner: bool, pattern: &str, searchable: bool) -> AssetTest {
    let column = if owner {
        "assets.owner_name"
    } else {
        "assets.name"
    };
    crate::db::name_search::holds(conn, column, pattern, searchable)
}

/// Whether `name` holds `text` under the name search's rule, in code: ASCII letters in
/// either case, every other character exactly (as the engines' conditions do).
pub fn name_holds(name: &str, text: &str) -> bool {
    name.to_ascii_lowercase()
        .contains(&text.to_ascii_lowercase())
}

/// `%text%` with LIKE's wildcards escaped by `\`.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The assets whose name or current owner's name holds `text`. Where SQLite's trigram
/// table finds at most [`READ_BY_ID`] assets that may, only those (read by id, then
/// `LIKE` decides); otherwise `LIKE` on every name the query walks, through
/// PostgreSQL's trigram indexes when `text` has a trigram.
///
/// Fails when the trigram table cannot be read.
pub(super) fn named_now(conn: &mut DbConnection, text: &str) -> QueryResult<AssetTest> {
    let pattern = like_pattern(text);
    let found = assets_possibly_named(conn, text, READ_BY_ID)?;
    let searchable = found.is_none() && trigram_searchable(text);
    let like = Box::new(
        name_like(conn, false, &pattern, searchable)
            .or(name_like(conn, true, &pattern, searchable)),
    );
    Ok(match found {
        Some(ids) => Box::new(assets::id.eq_any(ids).and(like)),
        None => like,
    })
}

/// The assets whose name holds `text` or whose owner was ever given a name that does
/// (every name held in `asset_search_names`): a superset of those that matched as of a
/// date, which the caller narrows on the state then. The asset's own name is tested on
/// its row too, so that a walk in code order tests each row without looking the set up
/// first.
pub(super) fn named_ever(conn: &DbConnection, text: &str) -> AssetTest {
    let pattern = like_pattern(text);
    let name = name_like(conn, false, &pattern, trigram_searchable(text));
    Box::new(name.or(assets_ever_named(conn, text, &pattern)))
}

#[cfg(test)]
mod tests {
    use super::{name_holds, trigram_searchable};

    #[test]
    fn ascii_letters_match_in_either_case_and_nothing_else_is_folded() {
        for (name, text) in [("LED路灯", "led"), ("LED路灯", "LED"), ("led路灯", "Led路")] {
            assert!(name_holds(name, text), "{name} {text}");
        }
        for (name, text) in [
            ("ＬＥＤ路灯", "ｌｅｄ"),
            ("ΑΒΓ", "αβγ"),
            ("Ä", "ä"),
            ("路灯", "led"),
        ] {
            assert!(!name_holds(name, text), "{name} {text}");
        }
    }

    #[test]
    fn a_text_is_searched_by_trigrams_with_a_run_of_three_letters_or_digits() {
        for text in ["王建国", "光伏电站", "PR1", "第1镇 东"] {
            assert!(trigram_searchable(text), "{text}");
        }
        for text in ["罗涛", "站", "a b c", "1村 2", "%_"] {
            assert!(!trigram_searchable(text), "{text}");
        }
    }
}
