//! One asset's page: its fields, its custody timeline (newest first) and, for those who
//! may write, the forms that append to it.

use maud::{html, Markup};

use super::contracts::render_contracts;
use super::entries::{entry_forms, render_forms, summary, EntryForm, Prefill};
use crate::approvals::proposals::ProposalRow;
use crate::auth::Visibility;
use crate::db::Db;
use crate::domain::shown;
use crate::domain::{AssetStatus, Scope, Vocabulary};
use crate::ledger::contracts::{active_on, contracts_of, Contract};
use crate::ledger::entry::personal::personal_values;
use crate::ledger::entry::EntryKind;
use crate::ledger::store::entries_of_asset;
use crate::ledger::EntryRow;
use crate::observe::access::Disclosure;
use crate::register::query::find_asset;
use crate::register::store::AssetRow;
use crate::register::AssetDetails;
use crate::web::pages::{internal, missing, PageError};
use crate::web::view::{class_label, encode, kind_label, owner_type_label, status_label};

/// What an asset's page shows.
pub(super) struct AssetPage {
    fields: AssetFields,
    /// Its entries, newest first.
    timeline: Vec<TimelineLine>,
    /// The entry forms, for those who may write.
    writing: Option<Writing>,
    /// Its operating contracts, newest first, and the one that holds today.
    contracts: Vec<Contract>,
    /// The `seq` of the contract that holds today, if one does.
    current_contract: Option<i64>,
    /// Its proposals waiting for approval: id and kind label (none shown to readers).
    pending: Vec<(String, String)>,
}

impl AssetPage {
    /// The asset's code.
    pub(super) fn code(&self) -> &str {
        &self.fields.code
    }
}

/// The asset's fields, codes as their labels and the owner's ID number as the caller
/// may see it.
struct AssetFields {
    code: String,
    name: String,
    project_code: String,
    class: &'static str,
    quantity: Option<String>,
    unit: Option<String>,
    value_fen: i64,
    owner_name: String,
    owner_type: &'static str,
    id_number: Option<String>,
    custodian: Option<String>,
    status: &'static str,
    confirmed_on: Option<String>,
    certificate_no: Option<String>,
    town: String,
    village: Option<String>,
    income_fen: i64,
    distributed_fen: i64,
    registered_on: String,
    /// The filled 台账 columns (资产形态 … 备注), labelled, the phone as the caller may
    /// see it.
    ledger: Vec<(&'static str, String)>,
}

/// The filled 台账 columns of an asset as a person reads them: Chinese labels and
/// values, the phone masked for readers.
pub(crate) fn details_lines(
    details: &AssetDetails,
    visibility: Visibility,
) -> Vec<(&'static str, String)> {
    let AssetDetails {
        asset_form,
        beneficiary_households,
        beneficiary_persons,
        responsible_person,
        phone,
        handed_over_on,
        received_by,
        operating_mode,
        operator,
        condition,
        completed_on,
        location,
        remarks,
    } = details;
    [
        ("资产形态", asset_form.map(|f| f.label().to_owned())),
        (
            "受益户数",
            beneficiary_households.map(|n| format!("{n} 户")),
        ),
        ("受益人数", beneficiary_persons.map(|n| format!("{n} 人"))),
        ("管护责任人", responsible_person.clone()),
        ("联系电话", visibility.phone(phone.as_deref())),
        ("移交日期", handed_over_on.map(|d| d.to_string())),
        ("接收单位", received_by.clone()),
        ("经营方式", operating_mode.map(|m| m.label().to_owned())),
        ("经营主体", operator.clone()),
        ("资产状态", condition.map(|c| c.label().to_owned())),
        ("建成日期", completed_on.map(|d| d.to_string())),
        ("坐落位置", location.clone()),
        ("备注", remarks.clone()),
    ]
    .into_iter()
    .filter_map(|(label, value)| Some((label, value?)))
    .collect()
}

/// One entry in the timeline.
struct TimelineLine {
    /// The kind's label.
    kind: &'static str,
    occurred_on: String,
    seq: i64,
    actor: String,
    /// The entry in one line of text ([`summary`]).
    summary: String,
}

/// The entry forms of an asset.
struct Writing {
    /// Whether the asset is disposed: only a correction may follow.
    disposed: bool,
    forms: Vec<EntryForm>,
}

/// Reads the asset `key`, when it is in `scope`, and its entries; the forms of every kind that may be appended
/// when `can_write`, holding what `prefill` gives.
///
/// Fails with a 404 page when there is no such asset.
pub(super) async fn load(
    db: &Db,
    scope: Scope,
    key: &str,
    visibility: Visibility,
    disclosure: &Disclosure,
    can_write: bool,
    prefill: Prefill<'_>,
) -> Result<AssetPage, PageError> {
    let lookup = key.to_owned();
    let found = db
        .run(move |conn| {
            let Some(row) = find_asset(conn, &scope, &lookup).map_err(internal)? else {
                return Ok(None);
            };
            let entries = entries_of_asset(conn, &row.code).map_err(internal)?;
            // Readers see no proposals (the only role that sees ID numbers masked).
            let pending = if visibility == Visibility::Whole {
                let rows = ProposalRow::pending_of_asset(conn, &row.id).map_err(internal)?;
                let mut labelled = Vec::with_capacity(rows.len());
                for proposal in rows {
                    let label = proposal.label(conn).map_err(internal)?;
                    labelled.push((proposal.id, label));
                }
                labelled
            } else {
                Vec::new()
            };
            Ok::<_, PageError>(Some((row, entries, pending)))
        })
        .await?;
    let Some((row, entries, pending)) = found else {
        return Err(missing("没有这项资产。", "/assets"));
    };
    // The page shows the owner's ID number and the 联系电话, and what each entry's line
    // says of its own.
    let personal = row.carries_personal()
        || entries.iter().any(|entry| {
            let line = summary(entry, visibility);
            serde_json::from_str(&entry.data).is_ok_and(|data| {
                personal_values(&entry.kind, &data)
                    .iter()
                    .any(|value| line.contains(value.as_str()))
            })
        });
    if personal {
        disclosure.asset(visibility, &row.code);
    }
    let writing = can_write.then(|| {
        let disposed = row.status == AssetStatus::Disposed.as_str();
        let kinds: Vec<EntryKind> = if disposed {
            vec![EntryKind::Correction]
        } else {
            EntryKind::ALL
                .iter()
                .copied()
                .filter(|k| k.appendable())
                .collect()
        };
        let today = crate::domain::dates::today_in_china().to_string();
        Writing {
            disposed,
            forms: entry_forms(&kinds, prefill.attempt.as_ref(), &today, prefill.attached),
        }
    });
    let contracts = contracts_of(&entries).unwrap_or_default();
    let today = crate::domain::dates::today_in_china();
    let current_contract = active_on(&contracts, today).map(|c| c.seq);
    Ok(AssetPage {
        pending,
        contracts: contracts.into_iter().rev().collect(),
        current_contract,
        timeline: entries
            .iter()
            .rev()
            .map(|entry| timeline_line(entry, visibility))
            .collect(),
        fields: asset_fields(row, visibility),
        writing,
    })
}

fn asset_fields(row: AssetRow, visibility: Visibility) -> AssetFields {
    // A details column that does not read back shows nothing; verification names it.
    let details = row.details().unwrap_or_default();
    AssetFields {
        ledger: details_lines(&details, visibility),
        class: class_label(&row.class),
        owner_type: owner_type_label(&row.owner_type),
        status: status_label(&row.status),
        id_number: visibility.id_number(row.owner_id_number.as_deref()),
        code: row.code,
        name: row.name,
        project_code: row.project_code,
        quantity: row.quantity,
        unit: row.unit,
        value_fen: row.value_fen,
        owner_name: row.owner_name,
        custodian: row.custodian,
        confirmed_on: row.confirmed_on,
        certificate_no: row.certificate_no,
        town: row.town,
        village: row.village,
        income_fen: row.income_fen,
        distributed_fen: row.distributed_fen,
        registered_on: row.registered_on,
    }
}

fn timeline_line(entry: &EntryRow, visibility: Visibility) -> TimelineLine {
    TimelineLine {
        kind: kind_label(&entry.kind),
        occurred_on: entry.occurred_on.clone(),
        seq: entry.seq,
        actor: entry.actor.clone(),
        summary: summary(entry, visibility),
    }
}

/// The page's body: fields, timeline, forms.
pub(super) fn render(view: &AssetPage) -> Markup {
    html! {
        (render_fields(&view.fields))
        @if !view.pending.is_empty() {
            h2 { "待审批事项" }
            ul {
                @for (id, kind) in &view.pending {
                    li { a href={ "/proposals/" (crate::web::view::encode(id)) } { (kind) "（待审批）" } }
                }
            }
        }
        @if !view.contracts.is_empty() {
            (render_contracts(&view.contracts, view.current_contract))
        }
        h2 { "管护台账" }
        ol class="timeline" {
            @for line in &view.timeline {
                li {
                    strong { (line.kind) }
                    " "
                    span class="muted" {
                        (line.occurred_on) " · 第 " (line.seq) " 条 · " (line.actor)
                    }
                    br;
                    (line.summary)
                }
            }
        }
        @if let Some(writing) = &view.writing {
            @if writing.disposed {
                p class="muted" { "资产已处置，只能记录更正。" }
            }
            (render_forms(&view.fields.code, &writing.forms))
        }
    }
}

fn render_fields(asset: &AssetFields) -> Markup {
    let or_dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "—".to_owned());
    let or_empty = |value: &Option<String>| value.clone().unwrap_or_default();
    html! {
        div class="card" {
            dl class="fields" {
                dt { "资产编号" } dd { (asset.code) }
                dt { "资产名称" } dd { (asset.name) }
                dt { "项目编号" } dd { a href={ "/projects/" (encode(&asset.project_code)) } { (asset.project_code) } }
                dt { "类别" } dd { (asset.class) }
                dt { "数量" } dd { (or_dash(&asset.quantity)) " " (or_empty(&asset.unit)) }
                dt { "资产价值" }
                dd {
                    (shown::wan(asset.value_fen)) " 万元（" (shown::yuan(asset.value_fen)) " 元）"
                }
                dt { "所有权人" } dd { (asset.owner_name) "（" (asset.owner_type) "）" }
                dt { "证件号" } dd { (or_dash(&asset.id_number)) }
                dt { "管护主体" } dd { (or_dash(&asset.custodian)) }
                dt { "状态" } dd { (asset.status) }
                dt { "确权" }
                dd { (or_dash(&asset.confirmed_on)) " " (or_empty(&asset.certificate_no)) }
                dt { "镇街/村" } dd { (asset.town) " " (or_empty(&asset.village)) }
                dt { "经营收益 / 已分配" }
                dd {
                    (shown::yuan(asset.income_fen)) " 元 / " (shown::yuan(asset.distributed_fen)) " 元"
                }
                dt { "登记日期" } dd { (asset.registered_on) }
                @for (label, value) in &asset.ledger {
                    dt { (label) } dd { (value) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::entry::FieldError;
    use crate::web::pages::assets::entries::Attempt;
    use crate::web::view::tests::{assert_escaped, escaped, hostile};

    fn fields() -> AssetFields {
        AssetFields {
            code: hostile("code"),
            name: hostile("name"),
            project_code: hostile("project"),
            class: "到户类",
            quantity: Some(hostile("quantity")),
            unit: Some(hostile("unit")),
            value_fen: 800_050,
            owner_name: hostile("owner"),
            owner_type: "农户",
            id_number: Some(hostile("id")),
            custodian: Some(hostile("custodian")),
            status: "已确权",
            confirmed_on: Some(hostile("confirmed")),
            certificate_no: Some(hostile("certificate")),
            town: hostile("town"),
            village: Some(hostile("village")),
            income_fen: 10_000,
            distributed_fen: -5_000,
            registered_on: hostile("registered"),
            ledger: vec![("坐落位置", hostile("location"))],
        }
    }

    fn view(writing: Option<Writing>) -> AssetPage {
        AssetPage {
            fields: fields(),
            timeline: vec![TimelineLine {
                kind: "管护/维修",
                occurred_on: hostile("occurred"),
                seq: 7,
                actor: hostile("actor"),
                summary: hostile("summary"),
            }],
            writing,
            contracts: Vec::new(),
            current_contract: None,
            pending: Vec::new(),
        }
    }

    #[test]
    fn the_fields_and_the_timeline_are_escaped() {
        let html = render(&view(None)).into_string();
        assert_escaped(
            &html,
            &[
                "code",
                "name",
                "project",
                "quantity",
                "unit",
                "owner",
                "id",
                "custodian",
                "confirmed",
                "certificate",
                "town",
                "village",
                "registered",
                "occurred",
                "actor",
                "summary",
            ],
        );
        assert!(html.starts_with(&format!(
            "<div class=\"card\"><dl class=\"fields\"><dt>资产编号</dt><dd>{}</dd>",
            escaped("code")
        )));
        assert!(
            html.contains("<dt>资产价值</dt><dd>0.80005 万元（8,000.50 元）</dd><dt>所有权人</dt>")
        );
        assert!(html.contains("<dt>经营收益 / 已分配</dt><dd>100.00 元 / -50.00 元</dd>"));
        assert!(html.contains(&format!(
            "<ol class=\"timeline\"><li><strong>管护/维修</strong> <span class=\"muted\">{} · 第 7 条 · {}</span><br>{}</li></ol>",
            escaped("occurred"),
            escaped("actor"),
            escaped("summary")
        )));
        assert!(!html.contains("记录管护台账") && !html.contains("<form"));
    }

    #[test]
    fn absent_fields_show_a_dash() {
        let mut bare = view(None);
        bare.fields = AssetFields {
            quantity: None,
            unit: None,
            id_number: None,
            custodian: None,
            confirmed_on: None,
            certificate_no: None,
            village: None,
            ..fields()
        };
        bare.timeline.clear();
        let html = render(&bare).into_string();
        assert!(html.contains("<dt>数量</dt><dd>— </dd>"));
        assert!(html.contains("<dt>证件号</dt><dd>—</dd><dt>管护主体</dt><dd>—</dd>"));
        assert!(html.contains("<dt>确权</dt><dd>— </dd>"));
        assert!(html.contains(&format!("<dt>镇街/村</dt><dd>{} </dd>", escaped("town"))));
        assert!(html.ends_with("<h2>管护台账</h2><ol class=\"timeline\"></ol>"));
    }

    #[test]
    fn a_disposed_asset_offers_only_a_correction() {
        let attempt = Attempt {
            kind: "correction".to_owned(),
            values: [("reason".to_owned(), hostile("reason"))].into(),
            errors: vec![FieldError::new("corrects", "required", hostile("error"))],
        };
        let writing = Writing {
            disposed: true,
            forms: entry_forms(&[EntryKind::Correction], Some(&attempt), "2021-06-30", None),
        };
        let html = render(&view(Some(writing))).into_string();
        assert_escaped(&html, &["reason", "error"]);
        assert!(html.contains(
            "</ol><p class=\"muted\">资产已处置，只能记录更正。</p><h2>记录管护台账</h2><form method=\"post\" action=\"/assets/"
        ));
        assert!(
            html.contains("</form><details class=\"entry-form\" data-kind=\"correction\" open>")
        );
        assert_eq!(html.matches("<details").count(), 1);
    }
}
