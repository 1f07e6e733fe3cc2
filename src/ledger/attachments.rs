//! Documents (档案): files stored once by their SHA-256 in the database, cited by ledger
//! entries as `attachments: [sha256…]` inside their hashed data. An entry may cite only
//! a stored file (`unknown_attachment`), and verification rehashes every cited file, so
//! a file changed or removed after it was cited fails the entry that cites it.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::attachment_rows::{insert_attachment_unless_stored, AttachmentRow};
use crate::db::schema::{assets, attachments, ledger_entries, proposals};
use crate::db::DbConnection;
use crate::domain::dates::timestamp_now;
use crate::domain::Scope;
use crate::register::scope::{assets_in, entries_in};

/// The upload limit of an attachment when none is configured (`limits.attachment`).
pub const DEFAULT_LIMIT_BYTES: u64 = 20 * 1024 * 1024;

/// The longest file name kept.
pub const MAX_FILENAME_CHARS: usize = 255;

/// A stored file, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentInfo {
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
    /// The name it was first uploaded under.
    pub filename: String,
}

/// The SHA-256 of `bytes`, lowercase hex.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `text` is a SHA-256 as an entry cites it: 64 lowercase hex digits.
pub fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Stores `content` under its SHA-256 unless it is stored already (then the first
/// upload's name stays); returns what is stored and whether this call stored it.
///
/// A file another request stores meanwhile is passed over by the key (`ON CONFLICT DO
/// NOTHING`) and read back, not caught as a failed insert: inside a caller's
/// transaction (the phone page's results) a failed statement would abort it on
/// PostgreSQL.
///
/// Fails when the database fails.
pub fn store(
    conn: &mut DbConnection,
    content: &[u8],
    filename: &str,
    by: &str,
) -> QueryResult<(AttachmentInfo, bool)> {
    let sha256 = digest(content);
    if let Some(found) = info(conn, &sha256)? {
        return Ok((found, false));
    }
    let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
    let row = AttachmentRow {
        sha256: &sha256,
        size,
        filename,
        content,
        created_at: timestamp_now(),
        created_by: by,
    };
    let inserted = insert_attachment_unless_stored(conn, &row)?;
    if inserted == 1 {
        return Ok((
            AttachmentInfo {
                sha256,
                size,
                filename: filename.to_owned(),
            },
            true,
        ));
    }
    // Another request stored the same bytes meanwhile: theirs stands.
    info(conn, &sha256)?
        .map(|found| (found, false))
        .ok_or(diesel::result::Error::NotFound)
}

/// What is stored under `sha256`, without the content.
///
/// Fails when the database fails.
pub fn info(conn: &mut DbConnection, sha256: &str) -> QueryResult<Option<AttachmentInfo>> {
    attachments::table
        .find(sha256)
        .select(AttachmentInfo::as_select())
        .first(conn)
        .optional()
}

/// Whether the token `name` of `scope` may read the stored file `sha256`: the county
/// reads every file; another scope the files it uploaded and those an entry or a
/// proposal of an asset within it cites (out of scope a document is not there).
///
/// Fails when the database fails.
pub fn readable_by(
    conn: &mut DbConnection,
    scope: &Scope,
    name: &str,
    sha256: &str,
) -> QueryResult<bool> {
    let (Some(entries), Some(in_scope)) = (entries_in(scope), assets_in(scope)) else {
        return Ok(true);
    };
    let uploaded: i64 = attachments::table
        .filter(attachments::sha256.eq(sha256))
        .filter(attachments::created_by.eq(name))
        .count()
        .get_result(conn)?;
    if uploaded > 0 {
        return Ok(true);
    }
    // A digest is hexadecimal: nothing in it is special to LIKE.
    let pattern = format!("%\"{sha256}\"%");
    let cited: i64 = ledger_entries::table
        .filter(ledger_entries::data.like(&pattern))
        .filter(entries)
        .count()
        .get_result(conn)?;
    if cited > 0 {
        return Ok(true);
    }
    let proposed: Vec<String> = proposals::table
        .filter(proposals::body.like(&pattern))
        .select(proposals::asset_code)
        .load(conn)?;
    let proposed_in_scope: i64 = assets::table
        .filter(assets::code.eq_any(proposed))
        .filter(in_scope)
        .count()
        .get_result(conn)?;
    Ok(proposed_in_scope > 0)
}

/// The stored file `sha256` and its content.
///
/// Fails when the database fails.
pub fn content(
    conn: &mut DbConnection,
    sha256: &str,
) -> QueryResult<Option<(AttachmentInfo, Vec<u8>)>> {
    let found: Option<(String, i64, String, Vec<u8>)> = attachments::table
        .find(sha256)
        .select((
            attachments::sha256,
            attachments::size,
            attachments::filename,
            attachments::content,
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(sha256, size, filename, content)| {
        (
            AttachmentInfo {
                sha256,
                size,
                filename,
            },
            content,
        )
    }))
}

/// What is wrong in a list of cited files.
#[derive(Debug, Clone, PartialEq)]
pub enum CitedProblem {
    /// The value is not a list.
    NotAList,
    /// Its item at this index is not a SHA-256 in hex.
    NotADigest(usize, serde_json::Value),
}

/// The digests an `attachments` value cites — a list of SHA-256 in hex, taken in
/// lowercase, each kept once — and what is wrong in it.
pub fn cited_digests(value: &serde_json::Value) -> (Vec<String>, Vec<CitedProblem>) {
    let Some(list) = value.as_array() else {
        return (Vec::new(), vec![CitedProblem::NotAList]);
    };
    let mut digests: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in list.iter().enumerate() {
        match item
            .as_str()
            .map(str::to_ascii_lowercase)
            .filter(|d| is_digest(d))
        {
            Some(digest) if !digests.contains(&digest) => digests.push(digest),
            Some(_) => {}
            None => problems.push(CitedProblem::NotADigest(i, item.clone())),
        }
    }
    (digests, problems)
}

/// Of `digests`, the first that is not stored.
///
/// Fails when the database fails.
pub fn first_unknown<'a>(
    conn: &mut DbConnection,
    digests: &'a [String],
) -> QueryResult<Option<&'a str>> {
    if digests.is_empty() {
        return Ok(None);
    }
    let known: Vec<String> = attachments::table
        .filter(attachments::sha256.eq_any(digests))
        .select(attachments::sha256)
        .load(conn)?;
    Ok(digests
        .iter()
        .find(|d| !known.contains(d))
        .map(String::as_str))
}

/// The digests an entry's stored `data` cites (`attachments`), if any.
pub fn cited(data: &str) -> Vec<String> {
    // Most entries cite none: skip the parse.
    if !data.contains("\"attachments\"") {
        return Vec::new();
    }
    serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|v| v.get("attachments").cloned())
        .and_then(|v| v.as_array().cloned())
        .map(|list| {
            list.iter()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// What is wrong with the files entry `seq` cites in its stored `data`: one removed,
/// or one whose content no longer hashes to its digest; `None` when all are intact.
///
/// Fails when the database fails.
pub fn problem_of(conn: &mut DbConnection, seq: i64, data: &str) -> QueryResult<Option<String>> {
    for sha256 in cited(data) {
        match content(conn, &sha256)? {
            None => {
                return Ok(Some(format!(
                    "条目 {seq} 引用的附件 {sha256} 已不在库中（被删除）"
                )))
            }
            Some((stored, bytes)) => {
                let now = digest(&bytes);
                let size_ok = i64::try_from(bytes.len()).is_ok_and(|n| n == stored.size);
                if now != sha256 || !size_ok {
                    return Ok(Some(format!(
                        "条目 {seq} 引用的附件 {sha256}（{}）内容已被改动：现在的 SHA-256 为 {now}",
                        stored.filename
                    )));
                }
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_lowercase_sha256_hex() {
        assert_eq!(
            digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_digest(&digest(b"")));
        assert!(!is_digest(&digest(b"").to_uppercase()));
        assert!(!is_digest("abc"));
    }

    #[test]
    fn cited_digests_are_read_from_the_data() {
        let d = digest(b"x");
        assert_eq!(
            cited(&format!(
                "{{\"attachments\":[\"{d}\"],\"description\":\"修\"}}"
            )),
            vec![d]
        );
        assert!(cited("{\"description\":\"attachments\"}").is_empty());
        assert!(cited("{\"description\":\"修\"}").is_empty());
    }
}
