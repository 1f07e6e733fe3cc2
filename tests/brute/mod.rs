//! The brute force a reader can try on masked fields: everything a reader reads of an
//! entry (its fields, its data with the personal fields masked, `hash`, `prev_hash`,
//! an asset's `ledger_head`, a report's `ledger_head`) is gathered, and for every entry
//! with one masked ID number or phone number every value the mask allows is tried
//! under the documented canonical encoding, chaining forward through entries the
//! reader knows whole up to the first hash the reader was shown. A value that gives
//! that hash is recovered.
//!
//! Only the first encoding can be computed from what a reader reads: the second one
//! commits to a secret per-entry salt, which no reader sees.

#![allow(dead_code)]

use std::collections::BTreeMap;

use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::TestApp;

/// The `prev_hash` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How far forward the attack chains through entries it knows whole.
const REACH: i64 = 40;

/// What a reader has gathered.
#[derive(Default)]
pub struct Gathered {
    /// Entries as served, by `seq`.
    pub entries: BTreeMap<i64, Value>,
    /// Hashes the reader was shown, by the `seq` of the entry they are the hash of.
    pub hashes: BTreeMap<i64, String>,
}

impl Gathered {
    /// Adds entries as served (`/events` items, `/assets/{key}/ledger`).
    pub fn entries(&mut self, entries: &[Value]) {
        for entry in entries {
            let Some(seq) = entry["seq"].as_i64() else {
                continue;
            };
            if let Some(hash) = entry["hash"].as_str() {
                self.hashes.insert(seq, hash.to_owned());
            }
            if let Some(prev) = entry["prev_hash"].as_str() {
                self.hashes.insert(seq - 1, prev.to_owned());
            }
            self.entries.insert(seq, entry.clone());
        }
    }

    /// Adds a `ledger_head` (`{seq, hash}`) as served on an asset or a report.
    pub fn head(&mut self, head: &Value) {
        if let (Some(seq), Some(hash)) = (head["seq"].as_i64(), head["hash"].as_str()) {
            self.hashes.insert(seq, hash.to_owned());
        }
    }
}

/// A personal value a reader was shown, masked or not.
#[derive(Debug, Clone)]
struct Personal {
    pointer: String,
    shown: String,
}

const POINTERS: [&str; 2] = ["/owner/id_number", "/phone"];

/// Where personal values sit in an entry's data: the owner's ID number, a phone
/// number, and the ID number of every household line of a distribution.
fn pointers(data: &Value) -> Vec<String> {
    let mut pointers: Vec<String> = POINTERS.iter().map(|p| (*p).to_owned()).collect();
    let lines = data["lines"].as_array().map_or(0, Vec::len);
    pointers.extend((0..lines).map(|i| format!("/lines/{i}/id_number")));
    pointers
}

fn personal(entry: &Value) -> Vec<Personal> {
    pointers(&entry["data"])
        .into_iter()
        .filter_map(|pointer| {
            entry["data"]
                .pointer(&pointer)
                .and_then(Value::as_str)
                .map(|shown| Personal {
                    pointer,
                    shown: shown.to_owned(),
                })
        })
        .collect()
}

fn masked(value: &str) -> bool {
    value.contains('*')
}

/// The first encoding's canonical text of an entry as served, with `data` as given.
fn canonical_v1(entry: &Value, data: &Value) -> String {
    let mut object = serde_json::Map::new();
    for key in [
        "actor",
        "asset_code",
        "asset_id",
        "batch_id",
        "kind",
        "occurred_on",
        "recorded_at",
        "seq",
    ] {
        object.insert(key.to_owned(), entry[key].clone());
    }
    object.insert("data".to_owned(), data.clone());
    Value::Object(object).to_string()
}

fn link(prev: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

fn check_character(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

/// Every value a mask allows: birth dates 1900–2026 for an ID number (with the right
/// check character), the four hidden digits of a phone number.
fn candidates(shown: &str) -> Vec<String> {
    let chars: Vec<char> = shown.chars().collect();
    if chars.len() == 18 && shown[6..14].chars().all(|c| c == '*') {
        let (area, tail) = (&shown[..6], &shown[14..]);
        let mut out = Vec::new();
        for year in 1900..=2026 {
            for month in 1..=12 {
                for day in 1..=31 {
                    let id = format!("{area}{year:04}{month:02}{day:02}{tail}");
                    let bytes = id.as_bytes();
                    if bytes[..17].iter().all(u8::is_ascii_digit)
                        && check_character(&bytes[..17]) == bytes[17]
                    {
                        out.push(id);
                    }
                }
            }
        }
        return out;
    }
    if chars.len() == 11 && shown[3..7].chars().all(|c| c == '*') {
        return (0..10_000)
            .map(|n| format!("{}{n:04}{}", &shown[..3], &shown[7..]))
            .collect();
    }
    Vec::new()
}

/// What the brute force recovered: `(seq, pointer, value)`; a personal value shown
/// unmasked counts as recovered too.
pub fn recover(gathered: &Gathered) -> Vec<(i64, String, String)> {
    let mut recovered = Vec::new();
    for (&seq, entry) in &gathered.entries {
        let fields = personal(entry);
        for field in &fields {
            if !masked(&field.shown) {
                recovered.push((seq, field.pointer.clone(), field.shown.clone()));
            }
        }
        let hidden: Vec<&Personal> = fields.iter().filter(|f| masked(&f.shown)).collect();
        let [target] = hidden.as_slice() else {
            continue;
        };
        let base = if seq == 1 {
            Some(GENESIS.to_owned())
        } else {
            gathered.hashes.get(&(seq - 1)).cloned()
        };
        let Some(base) = base else { continue };
        // The first hash shown at or after the entry, through entries known whole.
        let mut end = None;
        for next in seq..=seq + REACH {
            if next > seq {
                match gathered.entries.get(&next) {
                    Some(e) if personal(e).iter().all(|f| !masked(&f.shown)) => {}
                    _ => break,
                }
            }
            if let Some(hash) = gathered.hashes.get(&next) {
                end = Some((next, hash.clone()));
                break;
            }
        }
        let Some((end, wanted)) = end else { continue };
        let tail: Vec<String> = (seq + 1..=end)
            .map(|s| {
                let e = &gathered.entries[&s];
                canonical_v1(e, &e["data"])
            })
            .collect();
        for candidate in candidates(&target.shown) {
            let mut data = entry["data"].clone();
            if let Some(slot) = data.pointer_mut(&target.pointer) {
                *slot = Value::String(candidate.clone());
            }
            let mut hash = link(&base, &canonical_v1(entry, &data));
            for canonical in &tail {
                hash = link(&hash, canonical);
            }
            if hash == wanted {
                recovered.push((seq, target.pointer.clone(), candidate));
                break;
            }
        }
    }
    recovered
}

/// Everything a reader can read that carries an entry, a hash or a head.
pub fn gather(app: &TestApp, token: &str, codes: &[&str]) -> Gathered {
    let mut gathered = Gathered::default();
    let events = app.get("/api/v1/events?limit=1000", Some(token));
    assert_eq!(events.status, Status::Ok, "{}", events.body);
    gathered.entries(events.body["items"].as_array().expect("items"));
    for code in codes {
        let ledger = app.get(&format!("/api/v1/assets/{code}/ledger"), Some(token));
        assert_eq!(ledger.status, Status::Ok, "{}", ledger.body);
        assert_eq!(ledger.body["next_cursor"], Value::Null, "one page");
        gathered.entries(ledger.body["items"].as_array().expect("entries"));
        let asset = app.get(&format!("/api/v1/assets/{code}"), Some(token));
        assert_eq!(asset.status, Status::Ok, "{}", asset.body);
        gathered.head(&asset.body["ledger_head"]);
        let project = asset.body["project_code"].as_str().unwrap_or_default();
        let project = app.get(&format!("/api/v1/projects/{project}"), Some(token));
        for asset in project.body["assets"].as_array().into_iter().flatten() {
            gathered.head(&asset["ledger_head"]);
        }
    }
    let declaration = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        json!({"name": "核对", "as_of": "2024-06-30", "lines": [{"scope": "total", "projects": 1, "amount": "1.00"}]})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(declaration.status, Status::Created, "{}", declaration.body);
    let id = declaration.body["id"].as_str().unwrap_or_default();
    let report = app.get(
        &format!("/api/v1/declarations/{id}/reconciliation"),
        Some(token),
    );
    assert_eq!(report.status, Status::Ok, "{}", report.body);
    gathered.head(&report.body["ledger_head"]);
    gathered
}

/// Masks what a reader should see masked, to show the brute force works on hashes
/// that commit to the plain values.
pub fn masked_by_hand(mut gathered: Gathered) -> Gathered {
    for entry in gathered.entries.values_mut() {
        if let Some(Value::String(id)) = entry["data"].pointer_mut("/owner/id_number") {
            *id = format!("{}********{}", &id[..6], &id[14..]);
        }
        if let Some(Value::String(phone)) = entry["data"].pointer_mut("/phone") {
            *phone = format!("{}****{}", &phone[..3], &phone[7..]);
        }
        for pointer in pointers(&entry["data"]).into_iter().skip(POINTERS.len()) {
            if let Some(Value::String(id)) = entry["data"].pointer_mut(&pointer) {
                *id = format!("{}********{}", &id[..6], &id[14..]);
            }
        }
    }
    gathered
}

/// What a reader gathered (`masked`), its hashes from `seq` on replaced by those the
/// first encoding gives the entries as `whole` holds them: what a chain that committed
/// to personal values unsalted would have shown. The control that shows the brute
/// force reaches a field.
pub fn as_if_unsalted(whole: &Gathered, mut masked: Gathered, seq: i64) -> Gathered {
    let mut prev = masked.hashes.get(&(seq - 1)).cloned().unwrap_or_default();
    let seqs: Vec<i64> = whole
        .entries
        .keys()
        .copied()
        .filter(|s| *s >= seq)
        .collect();
    masked.hashes.retain(|s, _| *s < seq);
    for s in seqs {
        let entry = &whole.entries[&s];
        let hash = link(&prev, &canonical_v1(entry, &entry["data"]));
        masked.hashes.insert(s, hash.clone());
        prev = hash;
    }
    masked
}
