//! The Chinese name of every error code an import, a declaration, a ledger entry or the
//! API answers with, in one table: people read the name (the code may follow as a
//! tooltip); machines keep the code. The codes themselves stay where each error is made.

/// Every error code with its Chinese name, import row and file errors first.
pub const ERROR_LABELS: &[(&str, &str)] = &[
    // Rows of an import.
    ("required", "必填项为空"),
    ("unknown_asset_class", "资产类别无法识别"),
    ("unknown_owner_type", "所有权人类型无法识别"),
    ("invalid_date", "日期无效"),
    ("invalid_year", "年度无效"),
    ("invalid_id_number", "证件号无效"),
    ("duplicate_asset_code", "资产编号重复"),
    ("project_conflict", "同一项目的信息前后不一致"),
    ("field_too_long", "内容过长"),
    ("bad_row_length", "列数不对"),
    ("conflicts_with_register", "与已登记的内容不一致"),
    ("invalid_code", "编号含有控制字符"),
    ("invalid_character", "含有无效字符"),
    ("negative_amount", "金额为负数"),
    ("scientific_notation", "科学计数法（数字已丢失）"),
    ("too_many_decimals", "小数位过多"),
    ("invalid_number", "不是有效的数字"),
    ("out_of_scope", "超出本账号的管辖范围"),
    ("formula_without_value", "公式没有计算结果"),
    ("cell_error", "单元格为错误值"),
    ("total_row_mismatch", "合计行与明细不符"),
    ("funding_sum_mismatch", "各资金来源之和与项目资金不符"),
    // A whole import file.
    ("empty_file", "文件为空"),
    ("no_header", "找不到表头"),
    ("missing_column", "缺少必需的列"),
    ("duplicate_column", "列名重复"),
    ("ambiguous_unit", "金额单位不明"),
    ("undecodable", "文件编码无法识别"),
    ("unknown_sheet", "找不到指定的工作表"),
    ("invalid_csv", "CSV 格式错误"),
    ("unknown_column", "未使用的列"),
    ("import_rejected", "导入被拒绝"),
    // Declarations and ledger entries.
    ("invalid_declaration", "申报数无效"),
    ("duplicate_scope", "口径重复"),
    ("unknown_scope", "口径无法识别"),
    ("invalid_amount", "金额无效"),
    ("malformed_json", "JSON 格式错误"),
    ("invalid_entry", "台账记录无效"),
    ("unknown_entry", "台账记录不存在"),
    ("unknown_kind", "记录类型无法识别"),
    ("unknown_field", "多余的字段"),
    ("invalid_type", "字段类型不对"),
    ("invalid_value", "取值无效"),
    ("future_date", "日期晚于今天"),
    ("asset_disposed", "资产已处置"),
    ("cannot_correct_registration", "登记记录不能更正"),
    ("already_corrected", "该条目已被更正"),
    ("overdistributed", "分配额超过收益"),
    ("distribution_lines_mismatch", "分户明细之和与分配金额不符"),
    ("invalid_period", "起止日期颠倒"),
    ("no_contract", "没有生效的经营合同"),
    ("unknown_attachment", "附件不存在"),
    // Requests.
    ("bad_parameter", "查询参数无效"),
    ("bad_request", "请求无效"),
    ("unauthorized", "未登录或令牌无效"),
    ("forbidden", "无权访问"),
    ("county_scope_required", "需要县级账号"),
    ("not_found", "未找到"),
    ("payload_too_large", "文件过大"),
    ("too_many_requests", "请求过于频繁"),
    ("busy", "系统繁忙，请稍后再试"),
    ("idempotency_key_reused", "重复请求的内容不同"),
    ("invalid_token_request", "令牌请求无效"),
    ("unprocessable", "内容无效"),
    ("internal", "系统内部错误"),
];

/// The Chinese name of an error `code`; codes not in the table read as 其他错误.
pub fn error_label(code: &str) -> &'static str {
    ERROR_LABELS
        .iter()
        .find(|(known, _)| *known == code)
        .map_or("其他错误", |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_named_once() {
        let mut codes: Vec<&str> = ERROR_LABELS.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), before, "a code named twice");
        assert_eq!(error_label("unknown_asset_class"), "资产类别无法识别");
        assert_eq!(error_label("no_such_code"), "其他错误");
    }
}
