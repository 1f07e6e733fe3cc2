//! Unit tests of `header`.

use super::*;

#[test]
fn an_exported_id_number_formula_reads_as_its_text() {
    assert_eq!(clean("=\"610481199003154318\""), "610481199003154318");
    assert_eq!(clean(" =\"11010519491231002X\" "), "11010519491231002X");
    assert_eq!(
        clean("'=\"1\""),
        "=\"1\"",
        "an exported formula-looking text stays"
    );
    assert_eq!(
        clean("=\"a\"\"b\""),
        "=\"a\"\"b\"",
        "quotes inside: not ours"
    );
    assert_eq!(clean("=SUM(A1)"), "=SUM(A1)");
}

#[test]
fn headers_with_units_aliases_and_spaces_are_understood() {
    use HeaderCell::{Known, Unknown, UnknownUnit};
    for (header, cell) in [
        (
            " 项目资金(万元) ",
            Known(Field::ProjectFunds, Some(MoneyUnit::Wan)),
        ),
        (
            "资产价值（元）",
            Known(Field::AssetValue, Some(MoneyUnit::Yuan)),
        ),
        ("资产价值", Known(Field::AssetValue, None)),
        (
            "project_funds_wan",
            Known(Field::ProjectFunds, Some(MoneyUnit::Wan)),
        ),
        (
            "Asset_Value_Yuan",
            Known(Field::AssetValue, Some(MoneyUnit::Yuan)),
        ),
        ("项目资金(千元)", UnknownUnit(Field::ProjectFunds)),
        ("乡镇", Known(Field::Town, None)),
        ("镇/街道", Known(Field::Town, None)),
        ("产权归属", Known(Field::Owner, None)),
        ("行政村", Known(Field::Village, None)),
        ("\u{feff}项目编号", Known(Field::ProjectCode, None)),
        ("备注", Known(Field::Remarks, None)),
        (
            "中央衔接资金（万元）",
            Known(Field::FundsCentral, Some(MoneyUnit::Wan)),
        ),
        (
            "funds_other_yuan",
            Known(Field::FundsOther, Some(MoneyUnit::Yuan)),
        ),
        ("联系电话", Known(Field::Phone, None)),
        ("说明", Unknown),
    ] {
        assert_eq!(classify(header), cell, "{header}");
    }
}

#[test]
fn a_layout_needs_its_columns_and_units() {
    let layout = Layout::from_header(
        3,
        &[
            "项目编号",
            "项目名称",
            "项目年度",
            "乡镇",
            "项目资金",
            "说明",
        ],
        Some(MoneyUnit::Wan),
    )
    .expect("valid header");
    assert_eq!(layout.funds_unit, MoneyUnit::Wan);
    assert_eq!(layout.position(Field::Town), Some(3));
    assert!(!layout.has_asset_columns);
    assert_eq!(layout.warnings.len(), 1);

    let errors = Layout::from_header(
        1,
        &["项目编号", "项目名称", "项目年度", "乡镇", "项目资金"],
        None,
    )
    .unwrap_err();
    assert_eq!(
        errors.iter().map(|e| e.code).collect::<Vec<_>>(),
        ["ambiguous_unit"]
    );

    let errors = Layout::from_header(
        1,
        &["项目编号", "项目名称", "项目资金(元)", "资产编号"],
        None,
    )
    .unwrap_err();
    let missing: Vec<_> = errors
        .iter()
        .filter(|e| e.code == "missing_column")
        .filter_map(|e| e.column.clone())
        .collect();
    assert_eq!(
        missing,
        [
            "项目年度",
            "镇街",
            "资产名称",
            "资产类别",
            "资产价值",
            "所有权人"
        ]
    );
}

#[test]
fn two_header_rows_read_as_one() {
    let top = [
        "项目编号",
        "项目名称",
        "金额（万元）",
        "资金来源",
        "",
        "资产价值",
        "备注",
    ];
    let below = ["", "", "项目资金", "中央衔接资金", "省级衔接资金", "元", ""];
    assert!(is_sub_header(&top, &below));
    assert_eq!(
        combine_two_rows(&top, &below),
        [
            "项目编号",
            "项目名称",
            "项目资金(万元)",
            "中央衔接资金",
            "省级衔接资金",
            "资产价值(元)",
            "备注"
        ]
    );
    // A data row right under the header is no sub-header.
    assert!(!is_sub_header(
        &top,
        &["XP-1", "路", "12.5", "", "", "1", ""]
    ));
    assert!(!is_sub_header(&top, &["", "", "12.5", "", "", "", ""]));
    // Merged cells spread over both rows repeat the header above.
    assert!(is_sub_header(
        &["项目编号", "资金来源", "资金来源"],
        &["项目编号", "中央衔接资金", "其他资金"]
    ));
}

#[test]
fn a_group_row_above_the_header_gives_its_unit() {
    let above = ["项目信息", "", "金额（万元）", "", "资产信息"];
    let header = [
        "项目编号",
        "项目名称",
        "项目资金",
        "资产价值(元)",
        "资产编号",
    ];
    assert_eq!(
        units_from_above(&above, &header),
        [
            "项目编号",
            "项目名称",
            "项目资金(万元)",
            "资产价值(元)",
            "资产编号"
        ]
    );
    assert_eq!(
        units_from_above(&["兴平市扶贫项目资产登记表"], &["项目资金"]),
        ["项目资金"]
    );
}

#[test]
fn unit_lines_declare_the_unit() {
    assert_eq!(unit_line(["单位：万元", ""]), Some(MoneyUnit::Wan));
    assert_eq!(unit_line(["", "金额单位:元"]), Some(MoneyUnit::Yuan));
    assert_eq!(unit_line(["兴平市扶贫项目资产登记表"]), None);
}
