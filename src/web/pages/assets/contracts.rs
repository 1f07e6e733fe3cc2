//! The contract view on an asset's page: each operating contract with its years, what
//! they owed and what arrived.

use maud::{html, Markup};

use crate::domain::{shown, Vocabulary};
use crate::ledger::contracts::Contract;
use crate::web::view::{header_row, number_cell, scroll_table};

/// The asset's contracts: the current one first when one holds today, each with its
/// years, what they owed and what arrived.
pub(super) fn render_contracts(contracts: &[Contract], current: Option<i64>) -> Markup {
    html! {
        h2 { "经营合同" }
        @if current.is_none() {
            p class="muted" { "今天没有生效的经营合同。" }
        }
        @for contract in contracts {
            @let terms = &contract.terms;
            div class="card contract" {
                p {
                    @if current == Some(contract.seq) { strong { "当前合同：" } }
                    (terms.mode.label()) "给 " (terms.counterparty) "，"
                    (terms.starts_on) " 至 " (terms.ends_on)
                    "，每年 " (shown::yuan(terms.annual_amount.fen())) " 元"
                    @if let Some(number) = &terms.document_no { "，合同编号 " (number) }
                    @if let Some((on, reason)) = &contract.ended { "；" (on) " 终止：" (reason) }
                }
                (scroll_table(
                    header_row(&[
                        ("合同年度", false),
                        ("起止", false),
                        ("应收（元）", true),
                        ("实收（元）", true),
                        ("差额（元）", true),
                    ]),
                    html! {
                        @for year in &contract.years {
                            tr {
                                td { "第 " (year.number) " 年" }
                                td { (year.first) " 至 " (year.last) }
                                (number_cell(shown::yuan(year.expected.fen())))
                                (number_cell(shown::yuan(year.received.fen())))
                                (number_cell(shown::yuan(year.received.fen().saturating_sub(year.expected.fen()))))
                            }
                        }
                    },
                ))
            }
        }
    }
}
