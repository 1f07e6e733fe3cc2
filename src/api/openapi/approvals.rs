//! The operations of proposals, approvals and notices, as the OpenAPI document lists
//! them.

use super::operations::{schema, Audience, Body, Operation};
use crate::api::notices::{NoticeBody, ObjectionBody, ResolutionBody};
use crate::api::proposals::{ApproveBody, ProposalDetail, RejectBody};
use crate::api::views::Page;
use crate::approvals::notices::{NoticeView, ObjectionView};
use crate::approvals::proposals::ProposalView;
use crate::paging::TimeKey;
use crate::request::{Documented, PageQuery};

/// The operations of proposals and notices.
pub fn operations() -> Vec<Operation> {
    let mut list_query = vec![("status", "pending、approved 或 rejected")];
    list_query.extend(PageQuery::<TimeKey>::parameters());
    vec![
        Operation {
            method: "get",
            path: "/api/v1/proposals",
            summary: "审批事项（令牌范围内，新的在前）",
            audience: Audience::Review,
            path_params: &[],
            query: list_query,
            request: None,
            responses: &[
                (200, "审批事项", Body::Json(schema::<Page<ProposalView>>)),
                (400, "参数无效", Body::Problem),
            ],
        },
        Operation {
            method: "get",
            path: "/api/v1/proposals/{id}",
            summary: "一个审批事项及其公示",
            audience: Audience::Review,
            path_params: &[("id", "审批事项 id")],
            query: Vec::new(),
            request: None,
            responses: &[
                (200, "审批事项", Body::Json(schema::<ProposalDetail>)),
                (404, "令牌范围内无此事项", Body::Problem),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/proposals/{id}/approve",
            summary: "审批通过下一步（镇街、县级）；最后一步通过时记入台账；可带 Idempotency-Key 头",
            audience: Audience::Approver,
            path_params: &[("id", "审批事项 id")],
            query: Vec::new(),
            request: Some(Body::Json(schema::<ApproveBody>)),
            responses: &[
                (200, "审批后的事项", Body::Json(schema::<ProposalView>)),
                (400, "请求体不是 JSON", Body::Problem),
                (404, "令牌范围内无此事项", Body::Problem),
                (409, "wrong_step、proposal_decided", Body::Problem),
                (
                    422,
                    "same_approver、notice_required、notice_period_not_elapsed、objection_open、台账规则、idempotency_key_reused",
                    Body::Problem,
                ),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/proposals/{id}/reject",
            summary: "驳回（在下一步）；可带 Idempotency-Key 头",
            audience: Audience::Approver,
            path_params: &[("id", "审批事项 id")],
            query: Vec::new(),
            request: Some(Body::Json(schema::<RejectBody>)),
            responses: &[
                (200, "驳回后的事项", Body::Json(schema::<ProposalView>)),
                (400, "请求体不是 JSON", Body::Problem),
                (404, "令牌范围内无此事项", Body::Problem),
                (409, "wrong_step、proposal_decided", Body::Problem),
                (422, "缺少理由、idempotency_key_reused", Body::Problem),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/notices",
            summary: "登记公示（待审批事项）；可带 Idempotency-Key 头",
            audience: Audience::Clerk,
            path_params: &[],
            query: Vec::new(),
            request: Some(Body::Json(schema::<NoticeBody>)),
            responses: &[
                (201, "已登记的公示", Body::Json(schema::<NoticeView>)),
                (400, "请求体不是 JSON", Body::Problem),
                (404, "令牌范围内无此事项", Body::Problem),
                (409, "proposal_decided", Body::Problem),
                (422, "字段错误、idempotency_key_reused", Body::Problem),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/notices/{id}/objections",
            summary: "登记对公示的异议；可带 Idempotency-Key 头",
            audience: Audience::Clerk,
            path_params: &[("id", "公示 id")],
            query: Vec::new(),
            request: Some(Body::Json(schema::<ObjectionBody>)),
            responses: &[
                (201, "已登记的异议", Body::Json(schema::<ObjectionView>)),
                (400, "请求体不是 JSON", Body::Problem),
                (404, "令牌范围内无此公示", Body::Problem),
                (409, "proposal_decided", Body::Problem),
                (422, "字段错误、idempotency_key_reused", Body::Problem),
            ],
        },
        Operation {
            method: "post",
            path: "/api/v1/notices/{id}/objections/{n}/resolve",
            summary: "处理异议；可带 Idempotency-Key 头",
            audience: Audience::Clerk,
            path_params: &[("id", "公示 id"), ("n", "异议序号，从 1 起")],
            query: Vec::new(),
            request: Some(Body::Json(schema::<ResolutionBody>)),
            responses: &[
                (200, "已处理的异议", Body::Json(schema::<ObjectionView>)),
                (400, "请求体不是 JSON", Body::Problem),
                (404, "令牌范围内无此公示或异议", Body::Problem),
                (409, "objection_resolved", Body::Problem),
                (422, "字段错误、idempotency_key_reused", Body::Problem),
            ],
        },
    ]
}
