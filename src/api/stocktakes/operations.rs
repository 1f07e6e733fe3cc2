//! The stock-take's operations, as the OpenAPI document lists them.

use super::views::{
    ChecklistView, NewStocktake, ResultBody, ResultsRecorded, StocktakeDetail, StocktakeList,
};
use super::PlaceQuery;
use crate::api::openapi::{schema, Audience, Body, Operation};
use crate::paging::TimeKey;
use crate::request::{Documented, PageQuery};

/// The refusals every campaign operation may answer.
const MISSING: (u16, &str, Body) = (404, "没有此盘点，或不在令牌范围内", Body::Problem);

/// The stock-take's operations, as the OpenAPI document lists them.
pub fn operations() -> Vec<Operation> {
    let place = PlaceQuery::parameters();
    let id: &'static [(&'static str, &'static str)] = &[("id", "盘点 id")];
    vec![
        Operation::post("/api/v1/stocktakes", Audience::Clerk, "开始年度清查盘点：范围内所有未处置的资产列入清单（范围须在令牌范围之内）；可带 Idempotency-Key 头")
            .takes(Body::Json(schema::<NewStocktake>))
            .responds(&[(201, "已开始，附进度；相同 Idempotency-Key 与请求体：原盘点", Body::Json(schema::<StocktakeDetail>)), (422, "名称、年度或范围无效，或范围超出令牌范围；idempotency_key_reused", Body::Problem)]),
        Operation::get("/api/v1/stocktakes", Audience::Review, "令牌范围可见的盘点，最新的在前，附令牌范围内的进度；给出 limit 或 cursor 时按页返回 {items, next_cursor}，都不给时返回最新的至多 1000 次（数组，分页前的格式）")
            .query(PageQuery::<TimeKey>::parameters())
            .responds(&[(200, "盘点列表", Body::Json(schema::<StocktakeList>)), (400, "limit 或 cursor 无效", Body::Problem)]),
        Operation::get("/api/v1/stocktakes/{id}", Audience::Review, "一次盘点及其按镇街、村的进度（已盘/应盘，按盘点结果）")
            .path(id)
            .responds(&[(200, "盘点与进度", Body::Json(schema::<StocktakeDetail>)), MISSING]),
        Operation::get("/api/v1/stocktakes/{id}/report", Audience::Review, "盘点报告：按盘点结果的资产数与价值，盘亏（缺失资产价值），按镇街、村")
            .path(id)
            .responds(&[(200, "盘点报告", Body::Json(schema::<StocktakeDetail>)), MISSING]),
        Operation::get("/api/v1/stocktakes/{id}/report.html", Audience::Review, "可打印的盘点报告")
            .path(id)
            .responds(&[(200, "HTML 页面", Body::Empty), MISSING]),
        Operation::post("/api/v1/stocktakes/{id}/close", Audience::Clerk, "结束盘点：资产价值按此刻固定，报告从此不变；未盘点的资产列为审计发现 not_stocktaken；可带 Idempotency-Key 头")
            .path(id)
            .responds(&[(200, "已结束，附盘点报告；相同 Idempotency-Key：当时的报告", Body::Json(schema::<StocktakeDetail>)), MISSING, (422, "盘点已结束，或令牌范围不包含盘点范围；idempotency_key_reused", Body::Problem)]),
        Operation::get("/api/v1/stocktakes/{id}/checklist", Audience::Review, "盘点清单（按村）：资产编号、名称、所有权人、管护主体、价值与已记录的结果")
            .path(id)
            .query(place.clone())
            .responds(&[(200, "盘点清单", Body::Json(schema::<ChecklistView>)), MISSING]),
        Operation::get("/api/v1/stocktakes/{id}/checklist.html", Audience::Review, "可打印的盘点清单，附盘点人签字栏")
            .path(id)
            .query(place.clone())
            .responds(&[(200, "HTML 页面", Body::Empty), MISSING]),
        Operation::get("/api/v1/stocktakes/{id}/checklist.xlsx", Audience::Review, "盘点清单 Excel：村里填写盘点结果、盘点日期、备注后上传为盘点结果")
            .path(id)
            .query(place)
            .responds(&[(200, "Excel 工作簿", Body::Xlsx), MISSING]),
        Operation::post("/api/v1/stocktakes/{id}/results", Audience::Clerk, "记录盘点结果（JSON 数组，或填好的盘点清单 XLSX/CSV），每条记为一条巡查（inspection）台账记录；全部成功或全部不写入；可带 Idempotency-Key 头")
            .path(id)
            .takes(Body::Json(schema::<Vec<ResultBody>>))
            .responds(&[(201, "已记录", Body::Json(schema::<ResultsRecorded>)), MISSING, (413, "上传内容过大", Body::Problem), (422, "逐行错误（index 或 line、cell、field、code、message），或盘点已结束；idempotency_key_reused", Body::Problem)]),
    ]
}
