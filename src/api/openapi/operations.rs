//! Every operation of the API as the OpenAPI document lists it: method and path, who
//! may call it, its parameters (a typed query's taken from its struct in `request`),
//! its request body and its responses, each body's schema derived from its wire type.

use crate::api::access_log::AccessView;
use crate::api::attachments::AttachmentView;
use crate::api::declarations::{DeclarationBody, DeclarationView};
use crate::api::health::Health;
use crate::api::households::HouseholdView;
use crate::api::ledger::Events;
use crate::api::tokens::{CreatedToken, NewToken, TokenView};
use crate::api::views::{AssetView, EntryView, Page, ProjectView};
use crate::approvals::proposals::ProposalCreated;
use crate::import::BatchReport;
use crate::ledger::entry::request_schema;
use crate::ledger::verify::Verification;
use crate::paging::TimeKey;
use crate::reconcile::findings::Finding;
use crate::reconcile::report::Report;
use crate::register::totals::Totals;
use crate::request::{
    AccessLogQuery, AssetFilterQuery, AssetListQuery, Documented, EventsQuery, ExportQuery,
    FindingExportQuery, FindingListQuery, PageQuery, ProjectListQuery,
};

pub(super) use super::operation::schema;
pub use super::operation::{Audience, Body, Operation, Param};

/// Every operation of the API.
pub fn operations() -> Vec<Operation> {
    let mut operations = vec![
        Operation::get("/api/v1/health", Audience::Open, "健康检查：数据库类型与版本")
            .responds(&[(200, "正常", Body::Json(schema::<Health>)), (500, "数据库不可用", Body::Problem)]),
        Operation::post("/api/v1/imports", Audience::Clerk, "导入资产登记表：CSV（UTF-8 或 GBK）或 Excel/WPS 工作簿（.xlsx、.xls、.ods，按内容识别），全部成功或全部不写入")
            .query(vec![("dry_run", "true 时只校验并报告，不写入"), ("filename", "原始文件名（记入批次）"), ("sheet", "工作簿中要导入的工作表名（默认第一个可见的工作表；CSV 不用）")])
            .takes(Body::Csv)
            .responds(&[(201, "已导入", Body::Json(schema::<BatchReport>)), (200, "试导入结果，或相同文件的原批次（replayed）", Body::Json(schema::<BatchReport>)), (413, "超过上传上限", Body::Problem), (422, "文件有错误：errors 列出行、列、代码与说明", Body::Problem)]),
        Operation::get("/api/v1/imports", Audience::Reader, "导入批次（最新在前）")
            .query(PageQuery::<TimeKey>::parameters())
            .responds(&[(200, "批次列表", Body::Json(schema::<Page<BatchReport>>))]),
        Operation::get("/api/v1/imports/{id}", Audience::Reader, "一个导入批次及其行错误")
            .path(&[("id", "批次 id")])
            .responds(&[(200, "批次", Body::Json(schema::<BatchReport>)), (404, "无此批次", Body::Problem)]),
        Operation::get("/api/v1/projects", Audience::Reader, "项目列表")
            .query(ProjectListQuery::parameters())
            .responds(&[(200, "项目", Body::Json(schema::<Page<ProjectView>>)), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/projects/{code}", Audience::Reader, "一个项目及其资产")
            .path(&[("code", "项目编号")])
            .responds(&[(200, "项目", Body::Json(schema::<ProjectView>)), (404, "无此项目", Body::Problem)]),
        Operation::get("/api/v1/assets", Audience::Reader, "资产列表；as_of 时按台账给出当日结束时的状态")
            .query(AssetListQuery::parameters())
            .responds(&[(200, "资产", Body::Json(schema::<Page<AssetView>>)), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/assets.csv", Audience::Review, "按导入格式导出资产（默认 UTF-8 带 BOM；encoding=gbk）；证件号写作 =\"…\"，Excel 打开时保留全部 18 位")
            .query(ExportQuery::parameters())
            .responds(&[(200, "CSV 文件", Body::Csv), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/assets.xlsx", Audience::Review, "导出资产台账 Excel（标题、单位：元、截至日期、冻结表头、项目单元格合并、金额 #,##0.00、合计行）；列同 CSV 导出")
            .query(AssetFilterQuery::parameters())
            .responds(&[(200, "Excel 文件", Body::Xlsx), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/assets/{key}", Audience::Reader, "一项资产（含 ledger_head）；as_of 时为当日状态")
            .path(&[("key", "资产 id 或资产编号")])
            .query(vec![("as_of", "YYYY-MM-DD")])
            .responds(&[(200, "资产", Body::Json(schema::<AssetView>)), (404, "无此资产", Body::Problem)]),
        Operation::get("/api/v1/assets/{key}/ledger", Audience::Reader, "一项资产的管护台账（按 seq 分页）")
            .path(&[("key", "资产 id 或资产编号")])
            .query(PageQuery::<i64>::parameters())
            .responds(&[(200, "条目", Body::Json(schema::<Page<EntryView>>)), (400, "参数无效", Body::Problem), (404, "无此资产", Body::Problem)]),
        Operation::post("/api/v1/assets/{key}/ledger", Audience::Clerk, "追加台账条目；可带 Idempotency-Key 头")
            .path(&[("key", "资产 id 或资产编号")])
            .takes(Body::Json(request_schema))
            .responds(&[(201, "已追加", Body::Json(schema::<EntryView>)), (202, "须经审批的类型（设置 approvals），或更正此类条目（correction，按被更正条目的类型审批，无须公示）：已提交审批，未记入台账", Body::Json(schema::<ProposalCreated>)), (200, "同一令牌以相同 Idempotency-Key 与请求体重发：原条目", Body::Json(schema::<EntryView>)), (404, "无此资产", Body::Problem), (422, "字段或规则错误（overdistributed、already_corrected …）；idempotency_key_reused：此 Idempotency-Key 已用于另一请求或由另一令牌使用", Body::Problem)]),
        Operation::get("/api/v1/events", Audience::Reader, "按 seq 的变更流")
            .query(EventsQuery::parameters())
            .responds(&[(200, "条目", Body::Json(schema::<Events>)), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/ledger/verify", Audience::Auditor, "重算整条哈希链、逐项资产按台账折算、重算维护的合计，报告第一个不符的条目、资产或合计；against 时并证明报告所印链头仍在链中")
            .query(vec![("against", "报告所印的链头 SEQ:HASH：证明第 SEQ 条的哈希仍为 HASH，且其后完整")])
            .responds(&[(200, "校验结果", Body::Json(schema::<Verification>)), (400, "against 格式不对", Body::Problem)]),
        Operation::get("/api/v1/totals", Audience::Reader, "合计，按 class（含 none）、town、village、year、department 或 funding_channel（含 unspecified）分组")
            .query(vec![("group_by", "class | town | village | year | department | funding_channel")])
            .responds(&[(200, "合计", Body::Json(schema::<Totals>)), (400, "参数无效", Body::Problem)]),
        Operation::post("/api/v1/tokens", Audience::Admin, "创建访问令牌（令牌只显示这一次）")
            .takes(Body::Json(schema::<NewToken>))
            .responds(&[(201, "已创建", Body::Json(schema::<CreatedToken>)), (422, "字段无效", Body::Problem)]),
        Operation::get("/api/v1/tokens", Audience::Admin, "列出全部令牌（含已吊销的；从不显示令牌本身），需全县范围")
            .responds(&[(200, "令牌", Body::Json(schema::<Vec<TokenView>>)), (403, "无权访问或需全县范围（county_scope_required）", Body::Problem)]),
        Operation::delete("/api/v1/tokens/{id}", Audience::Admin, "吊销令牌，立即生效")
            .path(&[("id", "令牌 id")])
            .responds(&[(204, "已吊销", Body::Empty), (404, "无此有效令牌", Body::Problem)]),
        Operation::post("/api/v1/declarations", Audience::Clerk, "录入申报数（JSON，或 scope,projects,amount 的 CSV 加 name、as_of 查询参数）；可带 Idempotency-Key 头")
            .query(vec![("name", "CSV 时：申报名称"), ("as_of", "CSV 时：申报截至日期 YYYY-MM-DD")])
            .takes(Body::Json(schema::<DeclarationBody>))
            .responds(&[(201, "已保存；相同 Idempotency-Key 与请求体：原申报", Body::Json(schema::<DeclarationView>)), (422, "某行有误：errors 指明行与字段；idempotency_key_reused", Body::Problem)]),
        Operation::get("/api/v1/declarations", Audience::Reader, "申报列表（最新在前）")
            .query(PageQuery::<TimeKey>::parameters())
            .responds(&[(200, "申报", Body::Json(schema::<Page<DeclarationView>>))]),
        Operation::get("/api/v1/declarations/{id}", Audience::Reader, "一份申报")
            .path(&[("id", "申报 id")])
            .responds(&[(200, "申报", Body::Json(schema::<DeclarationView>)), (404, "无此申报", Body::Problem)]),
        Operation::get("/api/v1/declarations/{id}/reconciliation", Audience::Reader, "对账：逐行申报数、登记数与差额，未形成资产的项目，链头哈希")
            .path(&[("id", "申报 id")])
            .responds(&[(200, "对账报告", Body::Json(schema::<Report>)), (404, "无此申报", Body::Problem)]),
        Operation::get("/api/v1/declarations/{id}/report.html", Audience::Reader, "可打印的对账报告（公示用）")
            .path(&[("id", "申报 id")])
            .responds(&[(200, "HTML 页面", Body::Empty), (404, "无此申报", Body::Problem)]),
        Operation::get("/api/v1/findings", Audience::Review, "审计发现")
            .query(FindingListQuery::parameters())
            .responds(&[(200, "审计发现", Body::Json(schema::<Page<Finding>>)), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/findings.csv", Audience::Review, "导出审计发现 CSV（中文表头与类别名，附资产或项目及其所在镇村；默认 UTF-8 带 BOM；encoding=gbk）")
            .query(FindingExportQuery::parameters())
            .responds(&[(200, "CSV 文件", Body::Csv), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/households/{id_number}", Audience::Review, "分户收益：付给该身份证号的每一笔收益分配明细（跨资产、跨年度），及每年合计")
            .path(&[("id_number", "身份证号（GB 11643）")])
            .responds(&[(200, "分户收益", Body::Json(schema::<HouseholdView>)), (403, "只读角色不能查看分户收益", Body::Problem), (404, "身份证号无效，或令牌范围内没有付给该身份证号的明细", Body::Problem)]),
        Operation::post("/api/v1/attachments", Audience::Clerk, "上传附件（档案）：请求体即文件本身，不超过 limits.attachment（默认 20 MiB）；按 SHA-256 只存一份。条目以 attachments: [sha256…] 引用，校验时逐一重算其哈希")
            .query(vec![("filename", "文件名（不超过 255 个字符）")])
            .takes(Body::Binary)
            .responds(&[(201, "已保存", Body::Json(schema::<AttachmentView>)), (200, "同样的文件早已保存", Body::Json(schema::<AttachmentView>)), (400, "filename 无效", Body::Problem), (413, "超过大小上限", Body::Problem), (422, "空文件", Body::Problem)]),
        Operation::get("/api/v1/attachments/{sha256}", Audience::Review, "取回附件（只读角色不可）")
            .path(&[("sha256", "附件的 SHA-256")])
            .responds(&[(200, "文件", Body::Binary), (403, "只读角色不能取回附件", Body::Problem), (404, "没有这个附件", Body::Problem)]),
        Operation::get("/api/v1/access-log", Audience::Auditor, "个人信息访问记录（最新在前）：每个带有完整身份证号或电话号码的响应记一条——谁（令牌名称、角色、范围）、何时、哪个路由、涉及哪些资产编号；导出记其行数。此表任何角色都不能修改。需全县范围")
            .query(AccessLogQuery::parameters())
            .responds(&[(200, "访问记录", Body::Json(schema::<Page<AccessView>>)), (400, "参数无效", Body::Problem), (403, "只限审计与管理员，且需全县范围", Body::Problem)]),
        Operation::get("/api/v1/openapi.json", Audience::Open, "本文档")
            .responds(&[(200, "OpenAPI 3.1 文档", Body::Empty)]),
    ];
    operations.extend(super::approvals::operations());
    operations.extend(crate::api::stocktakes::operations());
    operations
}
