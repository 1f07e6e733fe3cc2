//! `codes` (hidden): every code word the register uses — each closed vocabulary's codes,
//! the entry kinds, finding kinds, stock-take statuses and results, roles, declaration
//! scopes and error codes — as a JSON array, so that the end-to-end test can prove none
//! of them reaches a page as text.

use std::process::ExitCode;

use crate::auth::Role;
use crate::domain::error_labels::ERROR_LABELS;
use crate::domain::{
    AssetClass, AssetStatus, DisposalMethod, InspectionResult, OwnerType, Vocabulary,
};
use crate::import::BatchStatus;
use crate::ledger::entry::EntryKind;
use crate::reconcile::findings::FindingKind;
use crate::stocktake::CampaignStatus;

/// The codes of vocabulary `T`.
fn codes_of<T: Vocabulary>() -> impl Iterator<Item = String> {
    T::ALL.iter().map(|member| member.as_str().to_owned())
}

/// Every code word, sorted, each once.
pub fn code_words() -> Vec<String> {
    let mut words: Vec<String> = codes_of::<AssetClass>()
        .chain(codes_of::<OwnerType>())
        .chain(codes_of::<AssetStatus>())
        .chain(codes_of::<InspectionResult>())
        .chain(codes_of::<DisposalMethod>())
        .chain(codes_of::<BatchStatus>())
        .chain(codes_of::<FindingKind>())
        .chain(codes_of::<CampaignStatus>())
        .chain(["unchecked".to_owned()])
        .chain(EntryKind::ALL.iter().map(|k| k.as_str().to_owned()))
        .chain(
            [Role::Reader, Role::Clerk, Role::Auditor, Role::Admin]
                .iter()
                .map(|r| r.as_str().to_owned()),
        )
        .chain(ERROR_LABELS.iter().map(|(code, _)| (*code).to_owned()))
        .chain(["total", "unclassified", "none"].map(str::to_owned))
        .chain(codes_of::<AssetClass>().map(|c| format!("class:{c}")))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// Prints [`code_words`] as a JSON array.
pub(super) fn print() -> Result<ExitCode, String> {
    let json = serde_json::to_string(&code_words()).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}
