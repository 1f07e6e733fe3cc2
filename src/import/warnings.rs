//! The warnings of an import, bounded: the first [`MAX_LISTED_WARNINGS`] in full and
//! every one counted by code, in the answer and in what a batch stores, so that a
//! file with hundreds of unknown columns never makes `GET /imports` large.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::Warning;

/// The most warnings an answer or a stored batch lists in full.
pub const MAX_LISTED_WARNINGS: usize = 20;

/// The warnings of one file: the first few in full and the count of each code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WarningSummary {
    /// The first [`MAX_LISTED_WARNINGS`].
    pub listed: Vec<Warning>,
    /// How many there were in all.
    pub count: i64,
    /// How many of each code.
    pub counts: BTreeMap<String, i64>,
}

/// How a batch stores its warnings.
#[derive(Serialize, Deserialize)]
struct Stored {
    listed: Vec<StoredWarning>,
    count: i64,
    counts: BTreeMap<String, i64>,
}

#[derive(Serialize, Deserialize)]
struct StoredWarning {
    line: u64,
    column: String,
    message: String,
}

/// The batches of earlier releases stored every warning as an array.
#[derive(Deserialize)]
#[serde(untagged)]
enum AnyStored {
    Summary(Stored),
    Every(Vec<StoredWarning>),
}

impl StoredWarning {
    fn into_warning(self) -> Warning {
        Warning {
            line: self.line,
            column: self.column,
            code: "unknown_column",
            message: self.message,
        }
    }
}

impl WarningSummary {
    /// The summary of `warnings`.
    pub fn of(warnings: &[Warning]) -> Self {
        let mut counts = BTreeMap::new();
        for warning in warnings {
            *counts.entry(warning.code.to_owned()).or_insert(0) += 1;
        }
        WarningSummary {
            listed: warnings.iter().take(MAX_LISTED_WARNINGS).cloned().collect(),
            count: i64::try_from(warnings.len()).unwrap_or(i64::MAX),
            counts,
        }
    }

    /// Whether some warnings are counted but not listed.
    pub fn truncated(&self) -> bool {
        usize::try_from(self.count).unwrap_or(usize::MAX) > self.listed.len()
    }

    /// The form the `warnings` column stores.
    pub fn to_json(&self) -> String {
        let stored = Stored {
            listed: self
                .listed
                .iter()
                .map(|w| StoredWarning {
                    line: w.line,
                    column: w.column.clone(),
                    message: w.message.clone(),
                })
                .collect(),
            count: self.count,
            counts: self.counts.clone(),
        };
        serde_json::to_string(&stored).unwrap_or_else(|_| "[]".to_owned())
    }

    /// Reads what the `warnings` column stores (an earlier release's array too, which
    /// is summarised the same way); nothing for anything else.
    pub fn from_json(json: &str) -> Self {
        match serde_json::from_str::<AnyStored>(json) {
            Ok(AnyStored::Summary(stored)) => WarningSummary {
                listed: stored
                    .listed
                    .into_iter()
                    .take(MAX_LISTED_WARNINGS)
                    .map(StoredWarning::into_warning)
                    .collect(),
                count: stored.count,
                counts: stored.counts,
            },
            Ok(AnyStored::Every(every)) => WarningSummary::of(
                &every
                    .into_iter()
                    .map(StoredWarning::into_warning)
                    .collect::<Vec<_>>(),
            ),
            Err(_) => WarningSummary::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(i: usize) -> Warning {
        Warning {
            line: 1,
            column: format!("备注{i}"),
            code: "unknown_column",
            message: format!("未识别的列“备注{i}”"),
        }
    }

    #[test]
    fn many_warnings_keep_the_first_twenty_and_every_count() {
        let every: Vec<Warning> = (0..100).map(warning).collect();
        let summary = WarningSummary::of(&every);
        assert_eq!(summary.listed, every[..20].to_vec());
        assert_eq!((summary.count, summary.truncated()), (100, true));
        assert_eq!(summary.counts.get("unknown_column"), Some(&100));
        assert_eq!(WarningSummary::from_json(&summary.to_json()), summary);
    }

    #[test]
    fn an_earlier_release_s_array_reads_as_a_summary() {
        let json =
            r#"[{"line":1,"column":"备注","code":"unknown_column","message":"未识别的列“备注”"}]"#;
        let summary = WarningSummary::from_json(json);
        assert_eq!(
            summary,
            WarningSummary::of(&[Warning {
                line: 1,
                column: "备注".into(),
                code: "unknown_column",
                message: "未识别的列“备注”".into(),
            }])
        );
        assert!(!summary.truncated());
        assert_eq!(WarningSummary::from_json("[]"), WarningSummary::of(&[]));
    }
}
