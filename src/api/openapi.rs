//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, built from the route table
//! below and the JSON schemas derived from the wire types, so it cannot drift from
//! them; a test checks that every mounted route is in it.

use rocket::get;
use rocket::serde::json::Json;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use super::declarations::{DeclarationBody, DeclarationView};
use super::health::Health;
use super::ledger::Events;
use super::tokens::{CreatedToken, NewToken};
use super::views::{AssetView, EntryView, Page, ProjectView};
use crate::import::BatchReport;
use crate::ledger::entry::request_schema;
use crate::ledger::verify::Verification;
use crate::reconcile::findings::Finding;
use crate::reconcile::report::Report;
use crate::register::totals::Totals;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone.
    Open,
    /// reader, clerk, auditor, admin.
    Reader,
    /// clerk, admin.
    Clerk,
    /// auditor, admin.
    Auditor,
    /// admin.
    Admin,
}

impl Audience {
    fn describe(self) -> &'static str {
        match self {
            Audience::Open => "无需令牌",
            Audience::Reader => "角色：reader、clerk、auditor、admin",
            Audience::Clerk => "角色：clerk、admin",
            Audience::Auditor => "角色：auditor、admin",
            Audience::Admin => "角色：admin",
        }
    }
}

/// A query parameter: name, description.
type Param = (&'static str, &'static str);

/// What an operation returns or takes.
#[derive(Clone, Copy)]
pub enum Body {
    /// JSON of a type.
    Json(fn(&mut SchemaGenerator) -> Schema),
    /// A CSV file.
    Csv,
    /// A problem+json error.
    Problem,
    /// Nothing.
    Empty,
}

/// One operation of the API.
pub struct Operation {
    /// GET, POST or DELETE.
    pub method: &'static str,
    /// The path under the server root, with `{name}` parameters.
    pub path: &'static str,
    /// One line of what it does.
    pub summary: &'static str,
    /// Who may call it.
    pub audience: Audience,
    /// Path parameters.
    pub path_params: &'static [Param],
    /// Query parameters.
    pub query: &'static [Param],
    /// The request body.
    pub request: Option<Body>,
    /// Responses by status.
    pub responses: &'static [(u16, &'static str, Body)],
}

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

const LIST: &[Param] = &[
    ("limit", "每页条数，1–1000，默认 100"),
    ("cursor", "上一页的 next_cursor"),
];

/// Every operation of the API.
pub fn operations() -> Vec<Operation> {
    vec![
        Operation {
            method: "get",
            path: "/api/v1/health",
            summary: "健康检查：数据库类型与版本",
            audience: Audience::Open,
            path_params: &[],
            query: &[],
            request: None,
            responses: &[
                (200, "正常", Body::Json(schema::<Health>)),
                (500, "数据库不可用", Body::Problem),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/imports",
            summary: "导入资产登记表 CSV（UTF-8 或 GBK），全部成功或全部不写入",
            audience: Audience::Clerk,
            path_params: &[],
            query: &[
                ("dry_run", "true 时只校验并报告，不写入"),
                ("filename", "原始文件名（记入批次）"),
            ],
            request: Some(Body::Csv),
            responses: &[
                (201, "已导入", Body::Json(schema::<BatchReport>)),
                (
                    200,
                    "试导入结果，或相同文件的原批次（replayed）",
                    Body::Json(schema::<BatchReport>),
                ),
                (413, "超过上传上限", Body::Problem),
                (
                    422,
                    "文件有错误：errors 列出行、列、代码与说明",
                    Body::Problem,
                ),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/imports",
            summary: "导入批次（最新在前）",
            audience: Audience::Reader,
            path_params: &[],
            query: LIST,
            request: None,
            responses: &[(200, "批次列表", Body::Json(schema::<Page<BatchReport>>))],
        },
        Operation {
            method: "get",
            path: "/api/v1/imports/{id}",
            summary: "一个导入批次及其行错误",
            audience: Audience::Reader,
            path_params: &[("id", "批次 id")],
            query: &[],
            request: None,
            responses: &[
                (200, "批次", Body::Json(schema::<BatchReport>)),
                (404, "无此批次", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/projects",
            summary: "项目列表",
            audience: Audience::Reader,
            path_params: &[],
            query: &[
                ("town", "镇/街道"),
                ("village", "村"),
                ("year", "项目年度"),
                ("class", "含此类别资产的项目"),
                ("q", "项目名称中的子串"),
                ("limit", "每页条数，1–1000，默认 100"),
                ("cursor", "上一页的 next_cursor"),
            ],
            request: None,
            responses: &[
                (200, "项目", Body::Json(schema::<Page<ProjectView>>)),
                (400, "参数无效", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/projects/{code}",
            summary: "一个项目及其资产",
            audience: Audience::Reader,
            path_params: &[("code", "项目编号")],
            query: &[],
            request: None,
            responses: &[
                (200, "项目", Body::Json(schema::<ProjectView>)),
                (404, "无此项目", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/assets",
            summary: "资产列表；as_of 时按台账给出当日结束时的状态",
            audience: Audience::Reader,
            path_params: &[],
            query: &[
                ("class", "operating | public_welfare | household"),
                ("town", "镇/街道"),
                ("village", "村"),
                ("owner", "所有权人（完全相同）"),
                (
                    "owner_type",
                    "village_collective | household | government | enterprise | other",
                ),
                ("status", "registered | confirmed | disposed"),
                ("project", "项目编号"),
                ("q", "资产名称或所有权人名称中的子串"),
                ("as_of", "YYYY-MM-DD"),
                ("limit", "每页条数，1–1000，默认 100"),
                ("cursor", "上一页的 next_cursor"),
            ],
            request: None,
            responses: &[
                (200, "资产", Body::Json(schema::<Page<AssetView>>)),
                (400, "参数无效", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/assets.csv",
            summary: "按导入格式导出资产（默认 UTF-8 带 BOM；encoding=gbk）",
            audience: Audience::Auditor,
            path_params: &[],
            query: &[
                ("encoding", "utf-8 | gbk"),
                ("class", "operating | public_welfare | household"),
                ("town", "镇/街道"),
                ("village", "村"),
                ("owner", "所有权人"),
                ("owner_type", "所有权人类型"),
                ("status", "状态"),
                ("project", "项目编号"),
                ("q", "名称子串"),
            ],
            request: None,
            responses: &[
                (200, "CSV 文件", Body::Csv),
                (400, "参数无效", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/assets/{key}",
            summary: "一项资产（含 ledger_head）；as_of 时为当日状态",
            audience: Audience::Reader,
            path_params: &[("key", "资产 id 或资产编号")],
            query: &[("as_of", "YYYY-MM-DD")],
            request: None,
            responses: &[
                (200, "资产", Body::Json(schema::<AssetView>)),
                (404, "无此资产", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/assets/{key}/ledger",
            summary: "一项资产的管护台账（按 seq）",
            audience: Audience::Reader,
            path_params: &[("key", "资产 id 或资产编号")],
            query: &[],
            request: None,
            responses: &[
                (200, "条目", Body::Json(schema::<Vec<EntryView>>)),
                (404, "无此资产", Body::Problem),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/assets/{key}/ledger",
            summary: "追加台账条目；可带 Idempotency-Key 头",
            audience: Audience::Clerk,
            path_params: &[("key", "资产 id 或资产编号")],
            query: &[],
            request: Some(Body::Json(request_schema)),
            responses: &[
                (201, "已追加", Body::Json(schema::<EntryView>)),
                (
                    200,
                    "相同 Idempotency-Key 与请求体：原条目",
                    Body::Json(schema::<EntryView>),
                ),
                (404, "无此资产", Body::Problem),
                (
                    422,
                    "字段或规则错误（overdistributed、idempotency_key_reused …）",
                    Body::Problem,
                ),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/events",
            summary: "按 seq 的变更流",
            audience: Audience::Reader,
            path_params: &[],
            query: &[
                ("after", "从此 seq 之后开始"),
                ("limit", "条数，1–1000，默认 100"),
            ],
            request: None,
            responses: &[
                (200, "条目", Body::Json(schema::<Events>)),
                (400, "参数无效", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/ledger/verify",
            summary: "重算整条哈希链、逐项资产按台账折算、重算维护的合计，报告第一个不符的条目、资产或合计；against 时并证明报告所印链头仍在链中",
            audience: Audience::Auditor,
            path_params: &[],
            query: &[(
                "against",
                "报告所印的链头 SEQ:HASH：证明第 SEQ 条的哈希仍为 HASH，且其后完整",
            )],
            request: None,
            responses: &[
                (200, "校验结果", Body::Json(schema::<Verification>)),
                (400, "against 格式不对", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/totals",
            summary: "合计，按 class（含 none）、town、village 或 year 分组",
            audience: Audience::Reader,
            path_params: &[],
            query: &[("group_by", "class | town | village | year")],
            request: None,
            responses: &[
                (200, "合计", Body::Json(schema::<Totals>)),
                (400, "参数无效", Body::Problem),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/tokens",
            summary: "创建访问令牌（令牌只显示这一次）",
            audience: Audience::Admin,
            path_params: &[],
            query: &[],
            request: Some(Body::Json(schema::<NewToken>)),
            responses: &[
                (201, "已创建", Body::Json(schema::<CreatedToken>)),
                (422, "字段无效", Body::Problem),
            ],
        },
        Operation {
            method: "delete",
            path: "/api/v1/tokens/{id}",
            summary: "吊销令牌，立即生效",
            audience: Audience::Admin,
            path_params: &[("id", "令牌 id")],
            query: &[],
            request: None,
            responses: &[
                (204, "已吊销", Body::Empty),
                (404, "无此有效令牌", Body::Problem),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/declarations",
            summary: "录入申报数（JSON，或 scope,projects,amount 的 CSV 加 name、as_of 查询参数）",
            audience: Audience::Clerk,
            path_params: &[],
            query: &[("name", "CSV 时：申报名称"), ("as_of", "CSV 时：申报截止日期 YYYY-MM-DD")],
            request: Some(Body::Json(schema::<DeclarationBody>)),
            responses: &[(201, "已保存", Body::Json(schema::<DeclarationView>)), (422, "某行有误：errors 指明行与字段", Body::Problem)],
        },
        Operation {
            method: "get",
            path: "/api/v1/declarations",
            summary: "申报列表（最新在前）",
            audience: Audience::Reader,
            path_params: &[],
            query: &[("limit", "每页条数，1–1000，默认 100"), ("cursor", "上一页的 next_cursor")],
            request: None,
            responses: &[(200, "申报", Body::Json(schema::<Page<DeclarationView>>))],
        },
        Operation {
            method: "get",
            path: "/api/v1/declarations/{id}",
            summary: "一份申报",
            audience: Audience::Reader,
            path_params: &[("id", "申报 id")],
            query: &[],
            request: None,
            responses: &[(200, "申报", Body::Json(schema::<DeclarationView>)), (404, "无此申报", Body::Problem)],
        },
        Operation {
            method: "get",
            path: "/api/v1/declarations/{id}/reconciliation",
            summary: "对账：逐行申报数、登记数与差额，未形成资产的项目，链头哈希",
            audience: Audience::Reader,
            path_params: &[("id", "申报 id")],
            query: &[],
            request: None,
            responses: &[(200, "对账报告", Body::Json(schema::<Report>)), (404, "无此申报", Body::Problem)],
        },
        Operation {
            method: "get",
            path: "/api/v1/declarations/{id}/report.html",
            summary: "可打印的对账报告（公示用）",
            audience: Audience::Reader,
            path_params: &[("id", "申报 id")],
            query: &[],
            request: None,
            responses: &[(200, "HTML 页面", Body::Empty), (404, "无此申报", Body::Problem)],
        },
        Operation {
            method: "get",
            path: "/api/v1/findings",
            summary: "审计发现",
            audience: Audience::Auditor,
            path_params: &[],
            query: &[("kind", "project_value_mismatch | owner_type_mismatch | missing_custodian | unconfirmed | operating_without_income | idle_or_damaged | duplicate_candidate"), ("limit", "每页条数"), ("cursor", "上一页的 next_cursor")],
            request: None,
            responses: &[(200, "审计发现", Body::Json(schema::<Page<Finding>>)), (400, "参数无效", Body::Problem)],
        },
        Operation {
            method: "get",
            path: "/api/v1/openapi.json",
            summary: "本文档",
            audience: Audience::Open,
            path_params: &[],
            query: &[],
            request: None,
            responses: &[(200, "OpenAPI 3.1 文档", Body::Empty)],
        },
    ]
}

fn content(body: Body, generator: &mut SchemaGenerator) -> Option<Value> {
    match body {
        Body::Json(schema) => Some(json!({"application/json": {"schema": schema(generator)}})),
        Body::Csv => Some(json!({"text/csv": {"schema": {"type": "string"}}})),
        Body::Problem => Some(
            json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}),
        ),
        Body::Empty => None,
    }
}

/// The whole OpenAPI document.
pub fn document() -> Value {
    let mut generator = SchemaGenerator::new(SchemaSettings::openapi3());
    let mut paths = Map::new();
    for operation in &operations() {
        let mut parameters: Vec<Value> = operation
            .path_params
            .iter()
            .map(|(name, description)| json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(
            operation
                .query
                .iter()
                .map(|(name, description)| json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})),
        );
        let mut responses = Map::new();
        for (status, description, body) in operation.responses {
            let mut response = json!({"description": description});
            if let Some(content) = content(*body, &mut generator) {
                response["content"] = content;
            }
            responses.insert(status.to_string(), response);
        }
        if operation.audience != Audience::Open {
            responses.insert("401".to_owned(), json!({"description": "缺少有效令牌", "content": content(Body::Problem, &mut generator)}));
            responses.insert("403".to_owned(), json!({"description": "角色无权", "content": content(Body::Problem, &mut generator)}));
        }
        let mut op = json!({
            "summary": operation.summary,
            "description": operation.audience.describe(),
            "parameters": parameters,
            "responses": responses,
        });
        if operation.audience == Audience::Open {
            op["security"] = json!([]);
        }
        if let Some(request) = operation.request {
            op["requestBody"] =
                json!({"required": true, "content": content(request, &mut generator)});
        }
        let item = paths
            .entry(operation.path.to_owned())
            .or_insert_with(|| json!({}));
        item[operation.method] = op;
    }
    let mut schemas: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    schemas.insert(
        "Problem".to_owned(),
        json!({
            "type": "object",
            "description": "RFC 9457 problem details; row errors carry {line, column, code, message}, field errors {field, code, message}",
            "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}},
                "parameter": {"type": "string"}, "error_count": {"type": "integer"}
            },
            "required": ["type", "title", "status", "detail"]
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "asset-registry",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "扶贫项目资产登记、管护台账与对账。金额一律为两位小数的元（字符串），从不使用浮点数。"
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas
        },
        "paths": paths
    })
}

/// The OpenAPI document.
#[get("/openapi.json")]
pub fn openapi() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/api/v1/assets/<key>/ledger` → `/api/v1/assets/{key}/ledger`.
    fn openapi_path(uri: &str) -> String {
        let path = uri.split('?').next().unwrap_or(uri);
        path.split('/')
            .map(
                |segment| match segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                    Some(name) => format!("{{{}}}", name.trim_end_matches("..")),
                    None => segment.to_owned(),
                },
            )
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_mounted_route_is_documented_and_nothing_else() {
        let figment = rocket::Config::figment();
        let db_less = rocket::custom(figment).mount("/api/v1", crate::api::routes());
        let mounted: std::collections::BTreeSet<(String, String)> = db_less
            .routes()
            .map(|r| {
                (
                    r.method.as_str().to_ascii_lowercase(),
                    openapi_path(&r.uri.to_string()),
                )
            })
            .collect();
        let documented: std::collections::BTreeSet<(String, String)> = operations()
            .iter()
            .map(|o| (o.method.to_owned(), o.path.to_owned()))
            .collect();
        assert_eq!(mounted, documented);
    }

    #[test]
    fn every_referenced_schema_is_defined() {
        let doc = document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap_or_default();
            assert!(schemas.contains_key(name), "missing schema {name}");
        }
        assert!(
            schemas.contains_key("AssetView")
                && schemas.contains_key("BatchReport")
                && schemas.contains_key("Totals")
        );
    }
}
