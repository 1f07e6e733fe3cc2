//! The rows of one file checked against each other: an asset code appears once, and
//! every row of a project says the same about it. Only what this needs is kept per
//! code — a 128-bit hash per asset code and a hash per project field — so memory stays
//! bounded by the number of codes, not the size of the rows. Codes are compared by their
//! key (NFKC, case ignored): a look-alike of an earlier row's code is the same code.

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::delta::ProjectFate;
use super::error::{ErrorList, RowError};
use super::read::field::{project_value, Field};
use super::read::header::Layout;
use super::read::row::ParsedRow;
use crate::domain::ProjectCode;
use crate::register::ProjectRecord;

/// What the file said first about a project, and what the import does to it.
struct SeenProject {
    /// Where the code, as the first row wrote it, lies in [`WithinFile::codes`].
    code: (u32, u32),
    line: u32,
    fingerprint: [u64; 7],
    fate: ProjectFate,
}

/// How a row fares against the rows before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// Consistent with the rows before it; `first_of_project` when no row before it
    /// named its project.
    Clean {
        /// No earlier row named the row's project.
        first_of_project: bool,
    },
    /// It contradicts an earlier row (the errors are listed).
    Contradicts,
}

/// The codes seen so far in one file.
///
/// A province names hundreds of thousands of projects: each is kept as one slot of a
/// vector, found by the 96-bit hash of its key, with its code (as first written) in one
/// shared string — not a map from an owned key to an owned code, which took three times
/// the memory.
pub struct WithinFile {
    /// The projects seen so far, by the hash of their key: their place in `projects`.
    by_key: HashMap<[u32; 3], u32>,
    projects: Vec<SeenProject>,
    /// The projects' codes as their first rows wrote them, one after another.
    codes: String,
    /// The asset codes seen so far, as 96-bit hashes (a collision between two of a
    /// province's million codes has a chance of about 10^-17), with their first line:
    /// `u32`s, 16 bytes a slot (a `u64` in the key would pad it to 24).
    assets: HashMap<[u32; 3], u32>,
}

impl WithinFile {
    /// Nothing seen yet.
    pub fn new() -> Self {
        WithinFile {
            by_key: HashMap::new(),
            projects: Vec::new(),
            codes: String::new(),
            assets: HashMap::new(),
        }
    }

    /// Makes room for the asset codes of about `rows` rows in all: sized for the file at
    /// once, as growing a table of a million codes would hold the old and the new table
    /// together for a moment.
    pub fn expect_rows(&mut self, rows: u64) {
        let more = usize::try_from(rows)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.assets.len());
        self.assets.reserve(more);
    }

    /// Checks `row`, at `line`, against the rows before it, and remembers its codes.
    /// Contradictions go to `errors`, named by the columns of `layout`.
    pub fn check(
        &mut self,
        layout: &Layout,
        line: u64,
        row: &ParsedRow,
        errors: &mut ErrorList,
    ) -> Checked {
        let mut clean = true;
        let mut contradiction = |field: Field, code: &'static str, message: String| {
            clean = false;
            errors.push(RowError::cell(line, layout.header_of(field), code, message));
        };
        let next = u32::try_from(self.projects.len()).unwrap_or(u32::MAX);
        let first_of_project = match self.by_key.entry(hashed_key(&row.project.code.key())) {
            Entry::Vacant(slot) => {
                slot.insert(next);
                let start = u32::try_from(self.codes.len()).unwrap_or(u32::MAX);
                self.codes.push_str(row.project.code.as_str());
                let len = u32::try_from(row.project.code.as_str().len()).unwrap_or(u32::MAX);
                self.projects.push(SeenProject {
                    code: (start, len),
                    line: u32::try_from(line).unwrap_or(u32::MAX),
                    fingerprint: fingerprint(&row.project),
                    fate: ProjectFate::new(row.project.funds.fen()),
                });
                true
            }
            Entry::Occupied(seen) => {
                let seen = &self.projects[*seen.get() as usize];
                let seen_code = code_at(&self.codes, seen.code);
                if seen_code != row.project.code.as_str() {
                    contradiction(
                        Field::ProjectCode,
                        "project_conflict",
                        format!(
                            "项目编号“{}”与第 {} 行的“{}”看起来相同（全角/半角、大小写或组合字符不同），同一项目须写法一致",
                            row.project.code, seen.line, seen_code
                        ),
                    );
                }
                let now = fingerprint(&row.project);
                let differing = Field::project_details()
                    .iter()
                    .copied()
                    .zip(seen.fingerprint.iter().zip(now.iter()))
                    .filter(|(_, (a, b))| a != b)
                    .map(|(field, _)| field);
                for field in differing {
                    contradiction(
                        field,
                        "project_conflict",
                        format!(
                            "项目 {} 的“{}”为“{}”，与第 {} 行的同一项目不一致",
                            row.project.code,
                            field.chinese(),
                            project_value(&row.project, field),
                            seen.line
                        ),
                    );
                }
                false
            }
        };
        if let Some(asset) = &row.asset {
            match self.assets.entry(hashed_key(&asset.code.key())) {
                Entry::Vacant(slot) => {
                    // A line past 32 bits (a file of billions of rows) is named as the last.
                    slot.insert(u32::try_from(line).unwrap_or(u32::MAX));
                }
                Entry::Occupied(first) => {
                    contradiction(
                        Field::AssetCode,
                        "duplicate_asset_code",
                        format!(
                            "资产编号 {} 在第 {} 行已出现，同一文件中资产编号不能重复",
                            asset.code,
                            first.get()
                        ),
                    );
                }
            }
        }
        if clean {
            Checked::Clean { first_of_project }
        } else {
            Checked::Contradicts
        }
    }

    /// What the import does to the project `code`, if the file names it.
    pub fn fate(&self, code: &ProjectCode) -> Option<&ProjectFate> {
        let at = *self.by_key.get(&hashed_key(&code.key()))?;
        Some(&self.projects[at as usize].fate)
    }

    /// What the import does to the project `code`, to be told more.
    pub fn fate_mut(&mut self, code: &ProjectCode) -> Option<&mut ProjectFate> {
        let at = *self.by_key.get(&hashed_key(&code.key()))?;
        Some(&mut self.projects[at as usize].fate)
    }

    /// Every project the file names (as its first row wrote the code), with what the
    /// import does to it.
    pub fn fates(&self) -> impl Iterator<Item = (&str, &ProjectFate)> {
        self.projects
            .iter()
            .map(|seen| (code_at(&self.codes, seen.code), &seen.fate))
    }

    /// Frees the asset codes once every row is read.
    pub fn forget_asset_codes(&mut self) {
        self.assets = HashMap::new();
    }
}

/// The code at `(start, len)` of `codes`.
fn code_at(codes: &str, (start, len): (u32, u32)) -> &str {
    let start = start as usize;
    &codes[start..start + len as usize]
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A 96-bit hash of a code's key: a SipHash digest and 32 bits of another under a
/// different key.
fn hashed_key(code: &str) -> [u32; 3] {
    let mut first = DefaultHasher::new();
    code.hash(&mut first);
    let mut second = DefaultHasher::new();
    0x9E37_79B9_7F4A_7C15u64.hash(&mut second);
    code.hash(&mut second);
    let [a, b, c, d, e, f, g, h] = first.finish().to_le_bytes();
    let [i, j, k, l, ..] = second.finish().to_le_bytes();
    [
        u32::from_le_bytes([a, b, c, d]),
        u32::from_le_bytes([e, f, g, h]),
        u32::from_le_bytes([i, j, k, l]),
    ]
}

/// One hash per project field, so a repeated project row is compared field by field
/// without keeping every project's text in memory.
fn fingerprint(project: &ProjectRecord) -> [u64; 7] {
    [
        hash_of(&project.name),
        hash_of(&project.year.get()),
        hash_of(&project.town),
        hash_of(&project.village),
        hash_of(&project.funds.fen()),
        hash_of(&project.funding_source),
        hash_of(&project.department),
    ]
}
