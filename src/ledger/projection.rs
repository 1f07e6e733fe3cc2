//! An asset's state as the fold of its ledger entries: the current state kept in the
//! assets table, and the state as of any date.

use std::collections::HashSet;

use serde_json::Value;

use super::entry::EntryKind;
use crate::domain::{AssetStatus, MoneyUnit, Yuan};

/// The fields of an asset that entries change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetState {
    /// 所有权人.
    pub owner_name: String,
    /// 所有权人类型 (English name).
    pub owner_type: String,
    /// 所有权人证件号.
    pub owner_id_number: Option<String>,
    /// 管护主体.
    pub custodian: Option<String>,
    /// registered, confirmed or disposed.
    pub status: AssetStatus,
    /// 确权日期.
    pub confirmed_on: Option<String>,
    /// 确权证书编号.
    pub certificate_no: Option<String>,
    /// 资产价值.
    pub value: Yuan,
    /// Income recorded.
    pub income: Yuan,
    /// Income distributed.
    pub distributed: Yuan,
}

/// One entry as the fold reads it.
#[derive(Debug, Clone)]
pub struct Folded<'a> {
    /// Its position in the chain.
    pub seq: i64,
    /// Its kind.
    pub kind: EntryKind,
    /// Its data.
    pub data: &'a Value,
}

/// A stored entry whose data does not fit its kind.
#[derive(Debug, thiserror::Error)]
#[error("ledger entry {seq} has malformed data: {what}")]
pub struct MalformedEntry {
    /// The entry.
    pub seq: i64,
    /// What is wrong.
    pub what: &'static str,
}

fn text(data: &Value, field: &str) -> Option<String> {
    data.get(field).and_then(Value::as_str).map(str::to_owned)
}

fn amount(seq: i64, data: &Value, field: &str) -> Result<Yuan, MalformedEntry> {
    data.get(field)
        .and_then(Value::as_str)
        .and_then(|t| Yuan::parse(t, MoneyUnit::Yuan).ok())
        .ok_or(MalformedEntry {
            seq,
            what: "amount",
        })
}

impl AssetState {
    /// The state a `registered` entry sets up.
    ///
    /// Fails when its data lacks the owner, status or value.
    pub fn registered(seq: i64, data: &Value) -> Result<Self, MalformedEntry> {
        let owner = data
            .get("owner")
            .ok_or(MalformedEntry { seq, what: "owner" })?;
        Ok(AssetState {
            owner_name: text(owner, "name").ok_or(MalformedEntry {
                seq,
                what: "owner.name",
            })?,
            owner_type: text(owner, "type").ok_or(MalformedEntry {
                seq,
                what: "owner.type",
            })?,
            owner_id_number: text(owner, "id_number"),
            custodian: text(data, "custodian"),
            status: text(data, "status")
                .and_then(|s| AssetStatus::parse(&s))
                .ok_or(MalformedEntry {
                    seq,
                    what: "status",
                })?,
            confirmed_on: text(data, "confirmed_on"),
            certificate_no: text(data, "certificate_no"),
            value: amount(seq, data, "value")?,
            income: Yuan::ZERO,
            distributed: Yuan::ZERO,
        })
    }

    /// Applies one entry (not `registered`, not `correction`).
    ///
    /// Fails when its data does not fit its kind.
    fn apply(&mut self, entry: &Folded<'_>) -> Result<(), MalformedEntry> {
        let (seq, data) = (entry.seq, entry.data);
        match entry.kind {
            EntryKind::Registered | EntryKind::Correction => {}
            EntryKind::OwnershipConfirmed => {
                self.confirmed_on = text(data, "confirmed_on");
                self.certificate_no = text(data, "certificate_no");
                if self.status != AssetStatus::Disposed {
                    self.status = AssetStatus::Confirmed;
                }
            }
            EntryKind::HandedOver => self.custodian = text(data, "to"),
            EntryKind::CustodianChanged => self.custodian = text(data, "custodian"),
            EntryKind::Maintenance | EntryKind::Inspection => {}
            EntryKind::OwnershipTransferred => {
                let owner = data
                    .get("owner")
                    .ok_or(MalformedEntry { seq, what: "owner" })?;
                self.owner_name = text(owner, "name").ok_or(MalformedEntry {
                    seq,
                    what: "owner.name",
                })?;
                self.owner_type = text(owner, "type").ok_or(MalformedEntry {
                    seq,
                    what: "owner.type",
                })?;
                self.owner_id_number = text(owner, "id_number");
            }
            EntryKind::Income => {
                self.income = self
                    .income
                    .checked_add(amount(seq, data, "amount")?)
                    .ok_or(MalformedEntry {
                        seq,
                        what: "amount",
                    })?;
            }
            EntryKind::IncomeDistributed => {
                self.distributed = self
                    .distributed
                    .checked_add(amount(seq, data, "amount")?)
                    .ok_or(MalformedEntry {
                        seq,
                        what: "amount",
                    })?;
            }
            EntryKind::ValueAdjusted => self.value = amount(seq, data, "value")?,
            EntryKind::Disposed => self.status = AssetStatus::Disposed,
        }
        Ok(())
    }
}

/// Folds an asset's entries, given in `seq` order, into its state. A correction
/// cancels the entry it names (unless the correction is itself corrected); cancelled
/// entries and corrections have no effect. `None` when there is no `registered` entry
/// (the asset did not exist yet).
///
/// Fails when an entry's data does not fit its kind.
pub fn fold(entries: &[Folded<'_>]) -> Result<Option<AssetState>, MalformedEntry> {
    let mut cancelled = HashSet::new();
    for entry in entries.iter().rev() {
        if entry.kind == EntryKind::Correction && !cancelled.contains(&entry.seq) {
            if let Some(target) = entry.data.get("corrects").and_then(Value::as_i64) {
                cancelled.insert(target);
            }
        }
    }
    let mut state: Option<AssetState> = None;
    for entry in entries {
        if cancelled.contains(&entry.seq) {
            continue;
        }
        match (&mut state, entry.kind) {
            (None, EntryKind::Registered) => {
                state = Some(AssetState::registered(entry.seq, entry.data)?)
            }
            (Some(current), _) => current.apply(entry)?,
            (None, _) => {}
        }
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn registered() -> Value {
        json!({"owner": {"name": "王寨村村民委员会", "type": "village_collective", "id_number": null},
               "custodian": "王寨村村民委员会", "status": "registered", "confirmed_on": null,
               "certificate_no": null, "value": "100000.00"})
    }

    #[test]
    fn entries_fold_into_the_current_state() {
        let reg = registered();
        let custodian = json!({"custodian": "王寨村供水站"});
        let income = json!({"amount": "500.00", "period": "2021"});
        let paid = json!({"amount": "200.00", "period": "2021", "recipients": 12});
        let entries = [
            Folded {
                seq: 1,
                kind: EntryKind::Registered,
                data: &reg,
            },
            Folded {
                seq: 5,
                kind: EntryKind::CustodianChanged,
                data: &custodian,
            },
            Folded {
                seq: 9,
                kind: EntryKind::Income,
                data: &income,
            },
            Folded {
                seq: 12,
                kind: EntryKind::IncomeDistributed,
                data: &paid,
            },
        ];
        let state = fold(&entries).ok().flatten().expect("state");
        assert_eq!(state.custodian.as_deref(), Some("王寨村供水站"));
        assert_eq!(
            (state.income.to_string(), state.distributed.to_string()),
            ("500.00".into(), "200.00".into())
        );
    }

    #[test]
    fn a_correction_cancels_its_target_and_a_corrected_correction_restores_it() {
        let reg = registered();
        let disposed = json!({"method": "scrap", "approval_no": "A1"});
        let fix = json!({"corrects": 2, "reason": "录错"});
        let unfix = json!({"corrects": 3, "reason": "更正有误"});
        let mut entries = vec![
            Folded {
                seq: 1,
                kind: EntryKind::Registered,
                data: &reg,
            },
            Folded {
                seq: 2,
                kind: EntryKind::Disposed,
                data: &disposed,
            },
            Folded {
                seq: 3,
                kind: EntryKind::Correction,
                data: &fix,
            },
        ];
        assert_eq!(
            fold(&entries).ok().flatten().map(|s| s.status),
            Some(AssetStatus::Registered)
        );
        entries.push(Folded {
            seq: 4,
            kind: EntryKind::Correction,
            data: &unfix,
        });
        assert_eq!(
            fold(&entries).ok().flatten().map(|s| s.status),
            Some(AssetStatus::Disposed)
        );
    }

    #[test]
    fn without_its_registered_entry_an_asset_does_not_exist() {
        let maintenance = json!({"description": "x"});
        let entries = [Folded {
            seq: 3,
            kind: EntryKind::Maintenance,
            data: &maintenance,
        }];
        assert_eq!(fold(&entries).ok().flatten(), None);
    }
}
