//! The hash chain of the custody ledger: one append-only, SHA-256 hash-chained sequence of
//! entries over all assets.
//!
//! Every entry says, in its `encoding` column, which version of the canonical encoding
//! hashed it; each version keeps verifying as it was written. In both,
//! `hash = hex(SHA-256(prev_hash ‖ "\n" ‖ canonical))` and the first entry's `prev_hash`
//! is 64 zeros; strings are JSON-escaped as serde_json writes them.
//!
//! **Version 1** (entries written before 2026-12, the release that first shipped the
//! ledger): `canonical` is the compact JSON object with keys in this order and no
//! whitespace — `{"actor":…,"asset_code":…,"asset_id":…,"batch_id":…|null,"data":<data>,
//! "kind":…,"occurred_on":"YYYY-MM-DD","recorded_at":"RFC 3339","seq":N}` — where
//! `<data>` is the entry's data exactly as stored (itself compact JSON with sorted keys).
//! Its hash commits to personal fields as they are, so whoever knows the rest of the
//! entry can test guesses of a masked ID number against it: readers are never shown
//! the hash of a version 1 entry (nor, as `prev_hash`, of the entry before a version 2
//! one); see `ledger::disclosure`.
//!
//! **Version 2** (every entry written since): each entry has a random 128-bit `salt`,
//! stored beside it (hex) and never served. `canonical` is
//! `{"actor":…,"asset_code":…,"asset_id":…,"batch_id":…,"data":<committed>,"encoding":2,
//! "kind":…,"occurred_on":…,"recorded_at":…,"seal":…,"seq":N}`, where `<committed>` is
//! the stored data (which must be its own compact, sorted JSON) with every personal
//! field its kind declares (`owner.id_number`, `phone`, `lines[].id_number`: see
//! `entry::personal`) replaced by `hex(SHA-256(salt ‖ path ‖ value))` (`path` the
//! concrete path, `lines[2].id_number`), and `seal = hex(SHA-256(salt))`. The seal puts
//! a secret into every version 2 hash, so no hash a reader sees can be computed from
//! what a reader reads, even of an entry without personal fields that follows a
//! version 1 one. Verification recomputes the commitments from the stored values and
//! salt: an edited ID number, phone or salt breaks the entry's hash.
//!
//! **Registered fields held apart** (every `registered` entry an import writes since
//! 2026-12-09, in version 2): the entry's data is `{"fields_sha256":D}`, the digest of
//! the asset's registered fields, which the register holds once (`ledger::registered`);
//! `D = hex(SHA-256(committed))` with `committed` the version 2 `<committed>` text of
//! the data an entry carrying the fields would store, under the entry's salt. The hash
//! is computed as for any version 2 entry; verification also recomputes `D` from the
//! held fields. Earlier `registered` entries carry the fields and hash as they did.

use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::rows::AssetRow;
pub use crate::db::rows::EntryRow;
use crate::db::schema::ledger_head;
use crate::db::DbConnection;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The end of the chain: the last entry's `seq` and `hash` (0 and the genesis hash
/// for an empty ledger).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last `seq`.
    pub seq: i64,
    /// The last `hash`.
    pub hash: String,
}

/// An entry about to be appended.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The asset's UUID.
    pub asset_id: String,
    /// The asset's code.
    pub asset_code: String,
    /// What happened.
    pub kind: &'static str,
    /// Business date (YYYY-MM-DD).
    pub occurred_on: String,
    /// Server time (RFC 3339, UTC).
    pub recorded_at: String,
    /// The token name that writes it.
    pub actor: String,
    /// Kind-specific data.
    pub data: serde_json::Value,
    /// The import batch making it, if any.
    pub batch_id: Option<String>,
    /// Where the asset belongs, held beside the entry (not hashed).
    pub place: EntryPlace,
}

/// An asset's town and its project's department (which never change), held beside each
/// of its entries: a town's or a department's change feed reads them by index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryPlace {
    /// The asset's town.
    pub town: String,
    /// The asset's project's department.
    pub department: Option<String>,
}

impl EntryPlace {
    /// Where `asset` belongs.
    pub fn of(asset: &AssetRow) -> Self {
        EntryPlace {
            town: asset.town.clone(),
            department: asset.project_department.clone(),
        }
    }
}

/// The first canonical encoding: personal fields hashed as they are.
pub const ENCODING_V1: i32 = 1;
/// The second canonical encoding: personal fields salted, every entry sealed.
pub const ENCODING_V2: i32 = 2;
/// The encoding new entries are written in.
pub const CURRENT_ENCODING: i32 = ENCODING_V2;

/// Bytes of an entry's salt.
const SALT_BYTES: usize = 16;

/// Why an entry's canonical encoding cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// No such version of the encoding.
    #[error("unknown canonical encoding {0}")]
    UnknownEncoding(i32),
    /// A version 2 entry without a salt of 32 hexadecimal characters.
    #[error("missing or malformed salt")]
    BadSalt,
    /// A version 2 entry whose data is not its own compact JSON with sorted keys.
    #[error("data is not canonical JSON")]
    DataNotCanonical,
}

impl CanonicalError {
    /// What is wrong, in Chinese.
    pub fn chinese(&self) -> String {
        match self {
            CanonicalError::UnknownEncoding(version) => format!("编码版本 {version} 不存在"),
            CanonicalError::BadSalt => "盐值缺失或格式不对".to_owned(),
            CanonicalError::DataNotCanonical => "数据不是规范的 JSON 文本".to_owned(),
        }
    }
}

fn json_string(text: &str) -> String {
    // Infallible: serialising a string into JSON cannot fail.
    serde_json::to_string(text).expect("a string serialises to JSON")
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// The canonical text: `data` is what stands for the data, and `sealed` the salt's
/// seal (version 2) or `None` (version 1).
fn encode(entry: &EntryRow, data: &str, sealed: Option<&str>) -> String {
    let batch = entry
        .batch_id
        .as_deref()
        .map_or_else(|| "null".to_owned(), json_string);
    let (encoding, seal) = match sealed {
        Some(seal) => (
            format!(",\"encoding\":{ENCODING_V2}"),
            format!(",\"seal\":{}", json_string(seal)),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "{{\"actor\":{},\"asset_code\":{},\"asset_id\":{},\"batch_id\":{},\"data\":{}{encoding},\"kind\":{},\"occurred_on\":{},\"recorded_at\":{}{seal},\"seq\":{}}}",
        json_string(&entry.actor),
        json_string(&entry.asset_code),
        json_string(&entry.asset_id),
        batch,
        data,
        json_string(&entry.kind),
        json_string(&entry.occurred_on),
        json_string(&entry.recorded_at),
        entry.seq,
    )
}

/// The version 2 text of `data` with its personal fields committed under `salt`, and
/// the salt's seal.
fn committed(kind: &str, mut data: serde_json::Value, salt: &[u8]) -> (String, String) {
    super::entry::personal::commit(kind, &mut data, salt);
    (data.to_string(), sha256_hex(&[salt]))
}

/// The canonical encoding of an entry, in the version its `encoding` names (see the
/// top of this module).
///
/// Fails when the version is unknown, or a version 2 entry's salt or data is malformed.
pub fn canonical(entry: &EntryRow) -> Result<String, CanonicalError> {
    match entry.encoding {
        ENCODING_V1 => Ok(encode(entry, &entry.data, None)),
        ENCODING_V2 => {
            let salt = salt_of(entry)?;
            let data: serde_json::Value =
                serde_json::from_str(&entry.data).map_err(|_| CanonicalError::DataNotCanonical)?;
            // Compared as text: `Value == String` would compare with a JSON string.
            let text = data.to_string();
            if text != entry.data {
                return Err(CanonicalError::DataNotCanonical);
            }
            let (data, seal) = committed(&entry.kind, data, &salt);
            Ok(encode(entry, &data, Some(&seal)))
        }
        other => Err(CanonicalError::UnknownEncoding(other)),
    }
}

/// `hex(SHA-256(prev_hash ‖ "\n" ‖ canonical(entry)))`.
///
/// Fails when the canonical encoding cannot be computed.
pub fn entry_hash(entry: &EntryRow) -> Result<String, CanonicalError> {
    let canonical = canonical(entry)?;
    Ok(link(&entry.prev_hash, &canonical))
}

fn link(prev_hash: &str, canonical: &str) -> String {
    sha256_hex(&[prev_hash.as_bytes(), b"\n", canonical.as_bytes()])
}

/// Takes the chain's lock for the rest of the current transaction and reads the head.
///
/// The first statement writes the single head row: on PostgreSQL that row lock
/// serialises appends across processes; on SQLite the write takes the database's write
/// lock at once (so a deferred transaction never has to upgrade a read lock). How long
/// the lock was waited for goes to the metrics, granted or not. The wait is bounded by
/// the connection's statement timeout on PostgreSQL (another process's long import may
/// hold the lock) and by the busy timeout on SQLite.
///
/// Fails when the database fails; a lock not granted in time fails as a serialization
/// failure ([`crate::db::lock_not_granted`]), which the API answers 503 with
/// `Retry-After`. Must run inside a transaction.
pub fn lock_head(conn: &mut DbConnection) -> QueryResult<Head> {
    let asked = std::time::Instant::now();
    let locked = diesel::update(ledger_head::table.filter(ledger_head::id.eq(1)))
        .set(ledger_head::seq.eq(ledger_head::seq))
        .execute(conn);
    // A wait that ran out is counted too: it is the longest there is.
    crate::observe::metrics::METRICS.chain_lock_waited(asked.elapsed());
    locked.map_err(|e| crate::db::lock_not_granted(e, asked.elapsed()))?;
    read_head(conn)
}

/// Reads the head without locking it.
///
/// Fails when the database fails.
pub fn read_head(conn: &mut DbConnection) -> QueryResult<Head> {
    let (seq, hash) = ledger_head::table
        .filter(ledger_head::id.eq(1))
        .select((ledger_head::seq, ledger_head::hash))
        .first::<(i64, String)>(conn)?;
    Ok(Head { seq, hash })
}

/// Chains `entries` after `head` in the current encoding, each with a fresh random
/// salt, returning the rows to insert and the new head.
pub fn chain(head: &Head, entries: Vec<NewEntry>) -> (Vec<EntryRow>, Head) {
    chain_with(head, entries, false)
}

/// As [`chain`], but a `registered` entry (whose data are the asset's registered
/// fields) is stored with their digest in place of the fields, which the register
/// holds (see `ledger::registered`): its data is `{"fields_sha256": D}`, where
/// `D = hex(SHA-256(committed))` and `committed` is the fields' version 2 text with
/// their personal fields committed under the entry's salt (so the digest, like the
/// hash, cannot be computed from what a reader reads). The entry's hash covers the
/// digest as it covers any data.
pub fn chain_held(head: &Head, entries: Vec<NewEntry>) -> (Vec<EntryRow>, Head) {
    chain_with(head, entries, true)
}

fn chain_with(head: &Head, entries: Vec<NewEntry>, hold: bool) -> (Vec<EntryRow>, Head) {
    let mut prev = head.clone();
    let rows = entries
        .into_iter()
        .map(|entry| {
            let mut salt = [0u8; SALT_BYTES];
            rand::rngs::OsRng.fill_bytes(&mut salt);
            let data = if hold && entry.kind == REGISTERED {
                let (fields, _) = committed(entry.kind, entry.data, &salt);
                digest_form(&sha256_hex(&[fields.as_bytes()]))
            } else {
                entry.data
            };
            let mut row = EntryRow {
                seq: prev.seq + 1,
                asset_id: entry.asset_id,
                asset_code: entry.asset_code,
                kind: entry.kind.to_owned(),
                occurred_on: entry.occurred_on,
                recorded_at: entry.recorded_at,
                actor: entry.actor,
                data: data.to_string(),
                batch_id: entry.batch_id,
                prev_hash: prev.hash.clone(),
                hash: String::new(),
                encoding: CURRENT_ENCODING,
                salt: Some(hex::encode(salt)),
                asset_town: entry.place.town,
                asset_department: entry.place.department,
            };
            let (data, seal) = committed(&row.kind, data, &salt);
            row.hash = link(&row.prev_hash, &encode(&row, &data, Some(&seal)));
            prev = Head {
                seq: row.seq,
                hash: row.hash.clone(),
            };
            row
        })
        .collect();
    (rows, prev)
}

/// The kind whose fields [`chain_held`] stores as a digest.
const REGISTERED: &str = "registered";

/// The key of the digest a `registered` entry carries in place of its fields.
pub const FIELDS_DIGEST: &str = "fields_sha256";

fn digest_form(digest: &str) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert(
        FIELDS_DIGEST.to_owned(),
        serde_json::Value::String(digest.to_owned()),
    );
    serde_json::Value::Object(object)
}

/// The digest a `registered` entry stores when its data is only that digest (see
/// [`chain_held`]); `None` when it carries its fields (every entry written before the
/// fields were held, and every other kind).
pub fn stored_digest(entry: &EntryRow) -> Option<String> {
    if entry.kind != REGISTERED || !entry.data.starts_with("{\"fields_sha256\":") {
        return None;
    }
    let serde_json::Value::Object(object) = serde_json::from_str(&entry.data).ok()? else {
        return None;
    };
    match object.get(FIELDS_DIGEST) {
        Some(serde_json::Value::String(digest)) if object.len() == 1 => Some(digest.clone()),
        _ => None,
    }
}

/// The digest of `fields`, the data a `registered` entry would carry, under the
/// entry's salt: what [`chain_held`] stored in it if the fields are unchanged.
///
/// Fails when the entry has no well-formed salt.
pub fn fields_digest(
    entry: &EntryRow,
    fields: serde_json::Value,
) -> Result<String, CanonicalError> {
    let salt = salt_of(entry)?;
    let (text, _) = committed(&entry.kind, fields, &salt);
    Ok(sha256_hex(&[text.as_bytes()]))
}

fn salt_of(entry: &EntryRow) -> Result<Vec<u8>, CanonicalError> {
    entry
        .salt
        .as_deref()
        .and_then(|salt| hex::decode(salt).ok())
        .filter(|salt| salt.len() == SALT_BYTES)
        .ok_or(CanonicalError::BadSalt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str) -> NewEntry {
        NewEntry {
            asset_id: format!("id-{code}"),
            asset_code: code.to_owned(),
            kind: "registered",
            occurred_on: "2020-03-05".to_owned(),
            recorded_at: "2026-11-28T00:00:00.000000Z".to_owned(),
            actor: "clerk \"one\"".to_owned(),
            data: serde_json::json!({"b": 1, "a": "值"}),
            batch_id: None,
            place: EntryPlace::default(),
        }
    }

    fn genesis() -> Head {
        Head {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }

    #[test]
    fn version_1_is_compact_sorted_json_over_the_stored_data() {
        let (mut rows, _) = chain(&genesis(), vec![entry("A-1")]);
        let row = &mut rows[0];
        row.encoding = ENCODING_V1;
        row.salt = None;
        assert_eq!(
            canonical(row),
            Ok(r#"{"actor":"clerk \"one\"","asset_code":"A-1","asset_id":"id-A-1","batch_id":null,"data":{"a":"值","b":1},"kind":"registered","occurred_on":"2020-03-05","recorded_at":"2026-11-28T00:00:00.000000Z","seq":1}"#.to_owned())
        );
        assert_eq!(entry_hash(row).map(|h| h.len()), Ok(64));
    }

    #[test]
    fn version_2_commits_to_personal_fields_and_seals_the_salt() {
        let mut new = entry("A-1");
        new.data = serde_json::json!({"owner": {"id_number": "610481199003154318", "name": "张三", "type": "household"}});
        let (rows, head) = chain(&genesis(), vec![new]);
        let row = &rows[0];
        assert_eq!(row.encoding, ENCODING_V2);
        let salt = hex::decode(row.salt.as_deref().expect("salt")).expect("hex");
        assert_eq!(salt.len(), 16);
        let text = canonical(row).expect("canonical");
        let commitment = super::super::entry::personal::commitment(
            &salt,
            "owner.id_number",
            "610481199003154318",
        );
        assert!(!text.contains("610481199003154318"), "{text}");
        assert!(text.contains(&commitment), "{text}");
        assert!(text.contains(r#""encoding":2,"kind""#), "{text}");
        assert!(text.contains(&format!(r#""seal":"{}","seq":1}}"#, sha256_hex(&[&salt]))));
        assert_eq!(entry_hash(row), Ok(head.hash.clone()));
        // The stored ID, the salt, or a stray space in the data breaks the hash.
        let mut edited = row.clone();
        edited.data = edited.data.replace("4318", "4319");
        assert_ne!(entry_hash(&edited), Ok(head.hash.clone()));
        let mut resalted = row.clone();
        resalted.salt = Some("00".repeat(16));
        assert_ne!(entry_hash(&resalted), Ok(head.hash.clone()));
        let mut spaced = row.clone();
        spaced.data = spaced.data.replace(",", ", ");
        assert_eq!(entry_hash(&spaced), Err(CanonicalError::DataNotCanonical));
        let mut unknown = row.clone();
        unknown.encoding = 3;
        assert_eq!(
            entry_hash(&unknown),
            Err(CanonicalError::UnknownEncoding(3))
        );
    }

    #[test]
    fn a_held_registered_entry_carries_the_salted_digest_of_its_fields() {
        let mut new = entry("A-1");
        let fields = serde_json::json!({"owner": {"id_number": "610481199003154318", "name": "张三"}, "value": "1.00"});
        new.data = fields.clone();
        let mut other = entry("A-2");
        other.kind = "maintenance";
        let (rows, head) = chain_held(&genesis(), vec![new.clone(), other]);
        let digest = stored_digest(&rows[0]).expect("a digest");
        assert_eq!(rows[0].data, format!(r#"{{"fields_sha256":"{digest}"}}"#));
        assert_eq!(fields_digest(&rows[0], fields.clone()), Ok(digest.clone()));
        // Salted: the same fields under another salt digest differently.
        let (again, _) = chain_held(&genesis(), vec![new]);
        assert_ne!(stored_digest(&again[0]), Some(digest.clone()));
        let mut edited = fields;
        edited["value"] = serde_json::json!("2.00");
        assert_ne!(fields_digest(&rows[0], edited), Ok(digest));
        assert_eq!(entry_hash(&rows[0]), Ok(rows[0].hash.clone()));
        assert_eq!(entry_hash(&rows[1]), Ok(head.hash));
        // Only `registered` entries hold their fields apart.
        assert_eq!(stored_digest(&rows[1]), None);
        let (plain, _) = chain(&genesis(), vec![entry("A-1")]);
        assert_eq!(stored_digest(&plain[0]), None);
    }

    #[test]
    fn each_entry_links_to_the_previous_hash() {
        let (rows, head) = chain(&genesis(), vec![entry("A-1"), entry("A-2")]);
        assert_eq!(rows[0].prev_hash, GENESIS_HASH);
        assert_eq!(rows[1].prev_hash, rows[0].hash);
        assert_eq!(
            head,
            Head {
                seq: 2,
                hash: rows[1].hash.clone()
            }
        );
        assert_ne!(rows[0].salt, rows[1].salt);
        let mut edited = rows[0].clone();
        edited.data = r#"{"a":"改","b":1}"#.to_owned();
        assert_ne!(entry_hash(&edited), Ok(rows[0].hash.clone()));
    }
}
