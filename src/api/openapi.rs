//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, built from the table of
//! operations (`operations`) and the JSON schemas derived from the wire types, so it
//! cannot drift from them; a test checks that every mounted route is in it.

mod approvals;
mod operation;
mod operations;

use rocket::get;
use rocket::serde::json::Json;
use schemars::generate::SchemaSettings;
use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};

pub(crate) use operation::schema;
pub use operations::{operations, Audience, Body, Operation, Param};

/// The content of a body: its media type and schema; none for an empty body.
fn content(body: Body, generator: &mut SchemaGenerator) -> Option<Value> {
    match body {
        Body::Json(schema) => Some(json!({"application/json": {"schema": schema(generator)}})),
        Body::Csv => Some(json!({"text/csv": {"schema": {"type": "string"}}})),
        Body::Xlsx => Some(json!({
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                {"schema": {"type": "string", "format": "binary"}}
        })),
        Body::Binary => Some(json!({
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
        })),
        Body::Problem => Some(
            json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}),
        ),
        Body::Empty => None,
    }
}

/// The type of a query parameter: the page size and the change feed's position are
/// integers, everything else is text.
fn query_schema(name: &str) -> Value {
    match name {
        "limit" => json!({"type": "integer", "minimum": 1, "maximum": 1000}),
        "after" => json!({"type": "integer", "minimum": 0}),
        _ => json!({"type": "string"}),
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
                .map(|(name, description)| json!({"name": name, "in": "query", "required": false, "description": description, "schema": query_schema(name)})),
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
                "parameter": {"type": "string"}, "error_count": {"type": "integer"},
                "instance": {"type": "string", "description": "the request's id (also its X-Request-Id header), to quote when reporting a problem"}
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
