//! The shape of one operation of the OpenAPI document: who may call it, its bodies and
//! its parameters; the list of every operation is in `operations`.

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone.
    Open,
    /// reader, clerk, auditor, admin, approver.
    Reader,
    /// clerk, admin.
    Clerk,
    /// auditor, admin.
    Auditor,
    /// clerk, auditor, admin, approver: exports and findings.
    Review,
    /// admin.
    Admin,
    /// approver.
    Approver,
}

impl Audience {
    /// Who may call it, as the document says.
    pub fn describe(self) -> &'static str {
        match self {
            Audience::Open => "无需令牌",
            Audience::Reader => {
                "角色：reader、clerk、auditor、admin、approver（只答令牌范围内的数据）"
            }
            Audience::Clerk => "角色：clerk、admin",
            Audience::Auditor => "角色：auditor、admin",
            Audience::Review => "角色：clerk、auditor、admin、approver（只答令牌范围内的数据）",
            Audience::Admin => "角色：admin，需全县范围（否则 403 county_scope_required）",
            Audience::Approver => {
                "角色：approver（镇街步骤：该镇街或全县范围；县级步骤：全县范围）"
            }
        }
    }
}

/// A parameter: name, description.
pub type Param = (&'static str, &'static str);

/// What an operation returns or takes.
#[derive(Clone, Copy)]
pub enum Body {
    /// JSON of a type.
    Json(fn(&mut SchemaGenerator) -> Schema),
    /// A CSV file.
    Csv,
    /// An Excel workbook (.xlsx).
    Xlsx,
    /// Any file (an attachment).
    Binary,
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
    /// Query parameters: a typed query's from its struct ([`Documented`]).
    pub query: Vec<Param>,
    /// The request body.
    pub request: Option<Body>,
    /// Responses by status.
    pub responses: &'static [(u16, &'static str, Body)],
}

impl Operation {
    /// An operation of `method` on `path` that `audience` may call, doing `summary`:
    /// no parameters, no request body and no responses until given.
    fn new(
        method: &'static str,
        path: &'static str,
        audience: Audience,
        summary: &'static str,
    ) -> Self {
        Operation {
            method,
            path,
            summary,
            audience,
            path_params: &[],
            query: Vec::new(),
            request: None,
            responses: &[],
        }
    }

    /// A GET (see [`Operation::new`]).
    pub fn get(path: &'static str, audience: Audience, summary: &'static str) -> Self {
        Operation::new("get", path, audience, summary)
    }

    /// A POST (see [`Operation::new`]).
    pub fn post(path: &'static str, audience: Audience, summary: &'static str) -> Self {
        Operation::new("post", path, audience, summary)
    }

    /// A DELETE (see [`Operation::new`]).
    pub fn delete(path: &'static str, audience: Audience, summary: &'static str) -> Self {
        Operation::new("delete", path, audience, summary)
    }

    /// With these path parameters.
    pub fn path(self, path_params: &'static [Param]) -> Self {
        Operation {
            path_params,
            ..self
        }
    }

    /// With these query parameters.
    pub fn query(self, query: Vec<Param>) -> Self {
        Operation { query, ..self }
    }

    /// Taking this request body.
    pub fn takes(self, request: Body) -> Self {
        Operation {
            request: Some(request),
            ..self
        }
    }

    /// Answering these responses, by status.
    pub fn responds(self, responses: &'static [(u16, &'static str, Body)]) -> Self {
        Operation { responses, ..self }
    }
}

/// The schema of `T`: a reference to its definition in the document.
pub(crate) fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}
