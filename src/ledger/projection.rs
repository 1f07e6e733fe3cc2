//! An asset's state as the fold of its ledger entries: the current state kept in the
//! assets table, and the state as of any date.

use std::collections::HashSet;

use super::entry::kinds::Registered;
use super::entry::EntryData;
use crate::domain::{AssetStatus, Vocabulary, Yuan};

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
    /// Its data, which says its kind.
    pub data: &'a EntryData,
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

impl AssetState {
    /// The state a `registered` entry sets up.
    pub fn registered(data: &Registered) -> Self {
        AssetState {
            owner_name: data.owner.name.clone(),
            owner_type: data.owner.owner_type.as_str().to_owned(),
            owner_id_number: data
                .owner
                .id_number
                .as_ref()
                .map(|id| id.as_str().to_owned()),
            custodian: data.custodian.clone(),
            status: data.status,
            confirmed_on: data.confirmed_on.map(|d| d.to_string()),
            certificate_no: data.certificate_no.clone(),
            value: data.value,
            income: Yuan::ZERO,
            distributed: Yuan::ZERO,
        }
    }

    /// Applies one entry (a `registered` or `correction` one changes nothing here).
    ///
    /// Fails when a running total overflows.
    pub fn apply(&mut self, seq: i64, data: &EntryData) -> Result<(), MalformedEntry> {
        let overflow = MalformedEntry {
            seq,
            what: "amount",
        };
        match data {
            EntryData::Registered(_) | EntryData::Correction(_) => {}
            EntryData::OwnershipConfirmed(confirmed) => {
                self.confirmed_on = Some(confirmed.confirmed_on.to_string());
                self.certificate_no = Some(confirmed.certificate_no.clone());
                if self.status != AssetStatus::Disposed {
                    self.status = AssetStatus::Confirmed;
                }
            }
            EntryData::HandedOver(handed) => self.custodian = Some(handed.to.clone()),
            EntryData::CustodianChanged(changed) => {
                self.custodian = Some(changed.custodian.clone())
            }
            EntryData::Maintenance(_) | EntryData::Inspection(_) => {}
            // Contracts change no field of the asset: the contract view and the
            // contract findings read them from the ledger.
            EntryData::ContractSigned(_) | EntryData::ContractEnded(_) => {}
            EntryData::OwnershipTransferred(transferred) => {
                let owner = &transferred.owner;
                self.owner_name = owner.name.clone();
                self.owner_type = owner.owner_type.as_str().to_owned();
                self.owner_id_number = owner.id_number.as_ref().map(|id| id.as_str().to_owned());
            }
            EntryData::Income(income) => {
                self.income = self.income.checked_add(income.amount).ok_or(overflow)?;
            }
            EntryData::IncomeDistributed(paid) => {
                self.distributed = self.distributed.checked_add(paid.amount).ok_or(overflow)?;
            }
            EntryData::ValueAdjusted(adjusted) => self.value = adjusted.value,
            EntryData::Disposed(_) => self.status = AssetStatus::Disposed,
        }
        Ok(())
    }
}

/// The entries that live corrections cancel, from the corrections given newest first as
/// `(seq, the seq it corrects)`: a correction cancels the entry it names unless a later
/// live correction cancels the correction itself. Every reader of the ledger (the fold,
/// contracts, households, findings, the public notice) cancels entries by this rule.
pub fn cancelled_by(
    corrections_newest_first: impl IntoIterator<Item = (i64, i64)>,
) -> HashSet<i64> {
    let mut cancelled = HashSet::new();
    for (seq, corrects) in corrections_newest_first {
        if !cancelled.contains(&seq) {
            cancelled.insert(corrects);
        }
    }
    cancelled
}

/// The live correction that cancels `target`, from the corrections given newest first as
/// `(seq, the seq it corrects)` (the rule of [`cancelled_by`]); `None` when `target` is
/// not cancelled. An entry a live correction cancels is not corrected a second time:
/// correcting that correction restores it.
pub fn cancelling(corrections_newest_first: &[(i64, i64)], target: i64) -> Option<i64> {
    let cancelled = cancelled_by(corrections_newest_first.iter().copied());
    corrections_newest_first
        .iter()
        .find(|(seq, corrects)| *corrects == target && !cancelled.contains(seq))
        .map(|(seq, _)| *seq)
}

/// Folds an asset's entries, given in `seq` order, into its state. A correction
/// cancels the entry it names (unless the correction is itself corrected); cancelled
/// entries and corrections have no effect. `None` when there is no `registered` entry
/// (the asset did not exist yet).
///
/// Fails when a running total overflows.
pub fn fold(entries: &[Folded<'_>]) -> Result<Option<AssetState>, MalformedEntry> {
    let cancelled = cancelled_by(entries.iter().rev().filter_map(|entry| match entry.data {
        EntryData::Correction(correction) => Some((entry.seq, correction.corrects)),
        _ => None,
    }));
    let mut state: Option<AssetState> = None;
    for entry in entries {
        if cancelled.contains(&entry.seq) {
            continue;
        }
        match (&mut state, entry.data) {
            (None, EntryData::Registered(registered)) => {
                state = Some(AssetState::registered(registered))
            }
            (Some(current), data) => current.apply(entry.seq, data)?,
            (None, _) => {}
        }
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::entry::EntryKind;
    use serde_json::{json, Value};

    fn data(kind: EntryKind, value: Value) -> EntryData {
        EntryData::from_stored(kind.as_str(), &value.to_string()).expect("data of its kind")
    }

    fn registered() -> EntryData {
        data(
            EntryKind::Registered,
            json!({"owner": {"name": "王寨村村民委员会", "type": "village_collective", "id_number": null},
               "custodian": "王寨村村民委员会", "status": "registered", "confirmed_on": null,
               "certificate_no": null, "value": "100000.00", "project_code": "P1", "name": "供水站",
               "class": "public_welfare", "quantity": null, "unit": null, "town": "店张街道",
               "village": "王寨村"}),
        )
    }

    #[test]
    fn entries_fold_into_the_current_state() {
        let reg = registered();
        let custodian = data(
            EntryKind::CustodianChanged,
            json!({"custodian": "王寨村供水站"}),
        );
        let income = data(
            EntryKind::Income,
            json!({"amount": "500.00", "period": "2021"}),
        );
        let paid = data(
            EntryKind::IncomeDistributed,
            json!({"amount": "200.00", "period": "2021", "recipients": 12}),
        );
        let entries = [
            Folded { seq: 1, data: &reg },
            Folded {
                seq: 5,
                data: &custodian,
            },
            Folded {
                seq: 9,
                data: &income,
            },
            Folded {
                seq: 12,
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
        let disposed = data(
            EntryKind::Disposed,
            json!({"method": "scrap", "approval_no": "A1"}),
        );
        let fix = data(
            EntryKind::Correction,
            json!({"corrects": 2, "reason": "录错"}),
        );
        let unfix = data(
            EntryKind::Correction,
            json!({"corrects": 3, "reason": "更正有误"}),
        );
        let mut entries = vec![
            Folded { seq: 1, data: &reg },
            Folded {
                seq: 2,
                data: &disposed,
            },
            Folded { seq: 3, data: &fix },
        ];
        assert_eq!(
            fold(&entries).ok().flatten().map(|s| s.status),
            Some(AssetStatus::Registered)
        );
        entries.push(Folded {
            seq: 4,
            data: &unfix,
        });
        assert_eq!(
            fold(&entries).ok().flatten().map(|s| s.status),
            Some(AssetStatus::Disposed)
        );
    }

    #[test]
    fn an_entry_is_cancelled_by_its_newest_live_correction_only() {
        // 3 corrects 2, 4 corrects 3 (2 restored), 5 corrects 2 again.
        let newest_first = [(5, 2), (4, 3), (3, 2)];
        assert_eq!(cancelling(&newest_first, 2), Some(5));
        assert_eq!(cancelling(&newest_first, 3), Some(4));
        assert_eq!(cancelling(&newest_first, 4), None);
        assert_eq!(cancelling(&newest_first[1..], 2), None);
        assert_eq!(cancelling(&newest_first[2..], 2), Some(3));
    }

    #[test]
    fn without_its_registered_entry_an_asset_does_not_exist() {
        let maintenance = data(EntryKind::Maintenance, json!({"description": "x"}));
        let entries = [Folded {
            seq: 3,
            data: &maintenance,
        }];
        assert_eq!(fold(&entries).ok().flatten(), None);
    }
}
