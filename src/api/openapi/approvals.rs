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

/// The path parameter of a proposal.
const PROPOSAL_ID: &[(&str, &str)] = &[("id", "审批事项 id")];
/// The path parameter of a notice.
const NOTICE_ID: &[(&str, &str)] = &[("id", "公示 id")];

/// The refusals several operations may answer.
const NOT_JSON: (u16, &str, Body) = (400, "请求体不是 JSON", Body::Problem);
const NO_PROPOSAL: (u16, &str, Body) = (404, "令牌范围内无此事项", Body::Problem);
const DECIDED: (u16, &str, Body) = (409, "proposal_decided", Body::Problem);
const FIELD_ERRORS: (u16, &str, Body) = (422, "字段错误、idempotency_key_reused", Body::Problem);

/// The operations of proposals and notices.
pub fn operations() -> Vec<Operation> {
    let mut list_query = vec![("status", "pending、approved 或 rejected")];
    list_query.extend(PageQuery::<TimeKey>::parameters());
    vec![
        Operation::get("/api/v1/proposals", Audience::Review, "审批事项（令牌范围内，新的在前）")
            .query(list_query)
            .responds(&[(200, "审批事项", Body::Json(schema::<Page<ProposalView>>)), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/proposals/{id}", Audience::Review, "一个审批事项及其公示")
            .path(PROPOSAL_ID)
            .responds(&[(200, "审批事项", Body::Json(schema::<ProposalDetail>)), NO_PROPOSAL]),
        Operation::post("/api/v1/proposals/{id}/approve", Audience::Approver, "审批通过下一步（镇街、县级）；最后一步通过时记入台账；可带 Idempotency-Key 头")
            .path(PROPOSAL_ID)
            .takes(Body::Json(schema::<ApproveBody>))
            .responds(&[(200, "审批后的事项", Body::Json(schema::<ProposalView>)), NOT_JSON, NO_PROPOSAL, (409, "wrong_step、proposal_decided", Body::Problem), (422, "same_approver、notice_required、notice_period_not_elapsed、objection_open、台账规则、idempotency_key_reused", Body::Problem)]),
        Operation::post("/api/v1/proposals/{id}/reject", Audience::Approver, "驳回（在下一步）；可带 Idempotency-Key 头")
            .path(PROPOSAL_ID)
            .takes(Body::Json(schema::<RejectBody>))
            .responds(&[(200, "驳回后的事项", Body::Json(schema::<ProposalView>)), NOT_JSON, NO_PROPOSAL, (409, "wrong_step、proposal_decided", Body::Problem), (422, "缺少理由、idempotency_key_reused", Body::Problem)]),
        Operation::post("/api/v1/notices", Audience::Clerk, "登记公示（待审批事项）；可带 Idempotency-Key 头")
            .takes(Body::Json(schema::<NoticeBody>))
            .responds(&[(201, "已登记的公示", Body::Json(schema::<NoticeView>)), NOT_JSON, NO_PROPOSAL, DECIDED, FIELD_ERRORS]),
        Operation::post("/api/v1/notices/{id}/objections", Audience::Clerk, "登记对公示的异议；可带 Idempotency-Key 头")
            .path(NOTICE_ID)
            .takes(Body::Json(schema::<ObjectionBody>))
            .responds(&[(201, "已登记的异议", Body::Json(schema::<ObjectionView>)), NOT_JSON, (404, "令牌范围内无此公示", Body::Problem), DECIDED, FIELD_ERRORS]),
        Operation::post("/api/v1/notices/{id}/objections/{n}/resolve", Audience::Clerk, "处理异议；可带 Idempotency-Key 头")
            .path(&[("id", "公示 id"), ("n", "异议序号，从 1 起")])
            .takes(Body::Json(schema::<ResolutionBody>))
            .responds(&[(200, "已处理的异议", Body::Json(schema::<ObjectionView>)), NOT_JSON, (404, "令牌范围内无此公示或异议", Body::Problem), (409, "objection_resolved", Body::Problem), FIELD_ERRORS]),
    ]
}
