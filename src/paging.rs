//! Seek pagination for every list: a page size, an opaque cursor over the key the list is
//! ordered by, and a page that carries the cursor of the next.
//!
//! A cursor is `c1.` followed by the hex of its key's text; the key is that of the last
//! row of the previous page, so paging sees no duplicate and no gap among the rows that
//! existed when it began, whatever is inserted meanwhile.

use std::fmt;

/// How many rows a page holds: 1 to [`Limit::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(u16);

impl Limit {
    /// The largest page.
    pub const MAX: u16 = 1000;
    /// The page size when none is asked.
    pub const DEFAULT: Limit = Limit(100);

    /// A page of `n` rows; `None` unless `n` is 1 to [`Limit::MAX`].
    pub fn new(n: i64) -> Option<Self> {
        u16::try_from(n)
            .ok()
            .filter(|n| (1..=Self::MAX).contains(n))
            .map(Limit)
    }

    /// A fixed page size (for pages whose size the reader does not choose): `n` brought
    /// into 1 to [`Limit::MAX`].
    pub const fn fixed(n: u16) -> Self {
        if n == 0 {
            Limit(1)
        } else if n > Self::MAX {
            Limit(Self::MAX)
        } else {
            Limit(n)
        }
    }

    /// The number of rows.
    pub fn get(self) -> usize {
        usize::from(self.0)
    }

    /// The number of rows, as SQL's `LIMIT` takes it.
    pub fn as_i64(self) -> i64 {
        i64::from(self.0)
    }

    /// How many rows to fetch: one more than the page, whose presence says that
    /// another page follows (see [`Page::from_rows`]).
    pub fn fetch(self) -> i64 {
        self.as_i64() + 1
    }
}

impl Default for Limit {
    fn default() -> Self {
        Limit::DEFAULT
    }
}

/// The key a list is ordered by, as a cursor carries it.
pub trait CursorKey: Sized {
    /// The key as text.
    fn to_text(&self) -> String;
    /// The key back from its text; `None` when the text is not one.
    fn from_text(text: &str) -> Option<Self>;
}

/// Lists in code order (projects, assets): the code.
impl CursorKey for String {
    fn to_text(&self) -> String {
        self.clone()
    }

    fn from_text(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

/// Lists in ledger order (an asset's entries): the `seq`.
impl CursorKey for i64 {
    fn to_text(&self) -> String {
        self.to_string()
    }

    fn from_text(text: &str) -> Option<Self> {
        text.parse().ok().filter(|seq| *seq >= 0)
    }
}

/// The key of a newest-first list (import batches, declarations): when the row was
/// made, then its id, both descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeKey {
    created_at: String,
    id: String,
}

impl TimeKey {
    /// The key of the row made at `created_at` with `id`.
    pub fn of(created_at: &str, id: &str) -> Self {
        TimeKey {
            created_at: created_at.to_owned(),
            id: id.to_owned(),
        }
    }

    /// `(created_at, id)`, as the list queries take it.
    pub fn as_pair(&self) -> (&str, &str) {
        (&self.created_at, &self.id)
    }
}

impl CursorKey for TimeKey {
    fn to_text(&self) -> String {
        format!("{}|{}", self.created_at, self.id)
    }

    fn from_text(text: &str) -> Option<Self> {
        text.split_once('|').map(|(at, id)| TimeKey::of(at, id))
    }
}

/// An opaque cursor: the key of the last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor<K>(K);

impl<K: CursorKey> Cursor<K> {
    /// The cursor that continues after the row with `key`.
    pub fn after(key: K) -> Self {
        Cursor(key)
    }

    /// Reads a cursor as [`Cursor`]'s `Display` writes it; `None` when `text` is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.strip_prefix("c1.")?).ok()?;
        let key = String::from_utf8(bytes).ok()?;
        K::from_text(&key).map(Cursor)
    }

    /// The key of the last row seen.
    pub fn key(&self) -> &K {
        &self.0
    }

    /// The key, taken out.
    pub fn into_key(self) -> K {
        self.0
    }
}

impl<K: CursorKey> fmt::Display for Cursor<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c1.{}", hex::encode(self.0.to_text()))
    }
}

/// A page of a list and the cursor of the next page, when one follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, K> {
    /// The rows of this page, in the list's order.
    pub items: Vec<T>,
    /// Where the next page begins; `None` on the last.
    pub next: Option<Cursor<K>>,
}

impl<T, K: CursorKey> Page<T, K> {
    /// The page of `rows` fetched with [`Limit::fetch`]: the extra row, when there, says
    /// that another page follows, whose cursor is the `key` of the last row kept.
    pub fn from_rows(mut rows: Vec<T>, limit: Limit, key: impl Fn(&T) -> K) -> Self {
        let more = rows.len() > limit.get();
        rows.truncate(limit.get());
        let next = if more {
            rows.last().map(|row| Cursor::after(key(row)))
        } else {
            None
        };
        Page { items: rows, next }
    }

    /// The page after `after` of a list that `rows` reads: `rows` gets the key to
    /// continue after and how many rows to read ([`Limit::fetch`]), and answers them in
    /// the list's order; `key` gives a row's key.
    ///
    /// Fails when `rows` fails.
    pub fn fetch<E>(
        after: Option<&Cursor<K>>,
        limit: Limit,
        rows: impl FnOnce(Option<&K>, i64) -> Result<Vec<T>, E>,
        key: impl Fn(&T) -> K,
    ) -> Result<Self, E> {
        let rows = rows(after.map(Cursor::key), limit.fetch())?;
        Ok(Page::from_rows(rows, limit, key))
    }

    /// The same page with each row made into something else.
    pub fn map<U>(self, item: impl FnMut(T) -> U) -> Page<U, K> {
        Page {
            items: self.items.into_iter().map(item).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_the_hex_of_their_key_after_c1() {
        let cursor = Cursor::after("XP2014-0001-02".to_owned());
        assert_eq!(cursor.to_string(), "c1.5850323031342d303030312d3032");
        assert_eq!(
            Cursor::<String>::parse("c1.5850323031342d303030312d3032"),
            Some(cursor)
        );
        let seq = Cursor::after(42_i64);
        assert_eq!(Cursor::<i64>::parse(&seq.to_string()), Some(seq));
        assert_eq!(Cursor::<i64>::parse("c1.2d31"), None, "-1 is no seq");
        let time = Cursor::after(TimeKey::of("2026-01-01T00:00:00Z", "b1"));
        assert_eq!(Cursor::parse(&time.to_string()), Some(time));
    }

    #[test]
    fn anything_else_is_not_a_cursor() {
        for text in ["garbage", "c1.zz", "c2.58", "c1.ff"] {
            assert_eq!(Cursor::<String>::parse(text), None, "{text}");
        }
        assert_eq!(Cursor::<TimeKey>::parse("c1.616263"), None, "no `|` in abc");
        assert_eq!(
            Cursor::<String>::parse("c1."),
            Some(Cursor::after(String::new())),
            "the empty key starts at the beginning"
        );
    }

    #[test]
    fn limits_run_from_1_to_1000() {
        assert_eq!(Limit::new(0), None);
        assert_eq!(Limit::new(1001), None);
        assert_eq!(Limit::new(-1), None);
        assert_eq!(Limit::new(1000).map(Limit::get), Some(1000));
        assert_eq!(Limit::fixed(0).get(), 1);
        assert_eq!(Limit::fixed(5000).get(), 1000);
        assert_eq!(Limit::default().get(), 100);
    }

    #[test]
    fn a_page_of_limit_plus_one_rows_has_a_next_cursor() {
        let limit = Limit::fixed(2);
        let page = Page::from_rows(vec!["a", "b", "c"], limit, |r| (*r).to_owned());
        assert_eq!(page.items, ["a", "b"]);
        assert_eq!(page.next, Some(Cursor::after("b".to_owned())));
        let last = Page::from_rows(vec!["c"], limit, |r| (*r).to_owned());
        assert_eq!((last.items, last.next), (vec!["c"], None));
    }

    #[test]
    fn a_fetched_page_reads_after_the_cursor_one_row_more_than_it_keeps() {
        let rows = ["a", "b", "c", "d"];
        let read = |after: Option<&String>, n: i64| {
            let start = after.map_or(0, |a| rows.iter().position(|r| r == a).map_or(0, |p| p + 1));
            let n = usize::try_from(n).unwrap_or_default();
            Ok::<_, ()>(rows.iter().skip(start).take(n).copied().collect())
        };
        let key = |r: &&str| (*r).to_owned();
        let first = Page::fetch(None, Limit::fixed(2), read, key);
        assert_eq!(first.clone().map(|p| p.items), Ok(vec!["a", "b"]),);
        let next = first.ok().and_then(|p| p.next);
        assert_eq!(next, Some(Cursor::after("b".to_owned())));
        let last = Page::fetch(next.as_ref(), Limit::fixed(2), read, key);
        assert_eq!(last.map(|p| (p.items, p.next)), Ok((vec!["c", "d"], None)));
    }
}
