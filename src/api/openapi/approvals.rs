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
        Operation::get("/api/v1/proposals", Audience::Review, "审批事项（令牌范围内，新的在前）")
            .query(list_query)
            .responds(&[(200, "审批事项", Body::Json(schema::<Page<ProposalView>>)), (400, "参数无效", Body::Problem)]),
        Operation::get("/api/v1/proposals/{id}", Audience::Review, "一个审批事项及其公示")
            .path(&[("id", "审批事项 id")])
            .responds(&[(200, "审批事项", Body::Json(schema::<ProposalDetail>)), (404, "令牌范围内无此事项", Body::Problem)]),
        Operation::post("/api/v1/proposals/{id}/approve", Audience::Approver, "审批通过下一步（镇街、县级）；最后一步通过时记入台账；可带 Idempotency-Key 头")
            .path(&[("id", "审批事项 id")])
            .takes(Body::Json(schema::<ApproveBody>))
            .responds(&[(200, "审批后的事项", Body::Json(schema::<ProposalView>)), (400, "请求体不是 JSON", Body::Problem), (404, "令牌范围内无此事项", Body::Problem), (409, "wrong_step、proposal_decided", Body::Problem), (422, "same_approver、notice_required、notice_period_not_elapsed、objection_open、台账规则、idempotency_key_reused", Body::Problem)]),
        Operation::post("/api/v1/proposals/{id}/reject", Audience::Approver, "驳回（在下一步）；可带 Idempotency-Key 头")
            .path(&[("id", "审批事项 id")])
            .takes(Body::Json(schema::<RejectBody>))
            .responds(&[(200, "驳回后的事项", Body::Json(schema::<ProposalView>)), (400, "请求体不是 JSON", Body::Problem), (404, "令牌范围内无此事项", Body::Problem), (409, "wrong_step、proposal_decided", Body::Problem), (422, "缺少理由、idempotency_key_reused", Body::Problem)]),
        Operation::post("/api/v1/notices", Audience::Clerk, "登记公示（待审批事项）；可带 Idempotency-Key 头")
            .takes(Body::Json(schema::<NoticeBody>))
            .responds(&[(201, "已登记的公示", Body::Json(schema::<NoticeView>)), (400, "请求体不是 JSON", Body::Problem), (404, "令牌范围内无此事项", Body::Problem), (409, "proposal_decided", Body::Problem), (422, "字段错误、idempotency_key_reused", Body::Problem)]),
        Operation::post("/api/v1/notices/{id}/objections", Audience::Clerk, "登记对公示的异议；可带 Idempotency-Key 头")
            .path(&[("id", "公示 id")])
            .takes(Body::Json(schema::<ObjectionBody>))
            .responds(&[(201, "已登记的异议", Body::Json(schema::<ObjectionView>)), (400, "请求体不是 JSON", Body::Problem), (404, "令牌范围内无此公示", Body::Problem), (409, "proposal_decided", Body::Problem), (422, "字段错误、idempotency_key_reused", Body::Problem)]),
        Operation::post("/api/v1/notices/{id}/objections/{n}/resolve", Audience::Clerk, "处理异议；可带 Idempotency-Key 头")
            .path(&[("id", "公示 id"), ("n", "异议序号，从 1 起")])
            .takes(Body::Json(schema::<ResolutionBody>))
            .responds(&[(200, "已处理的异议", Body::Json(schema::<ObjectionView>)), (400, "请求体不是 JSON", Body::Problem), (404, "令牌范围内无此公示或异议", Body::Problem), (409, "objection_resolved", Body::Problem), (422, "字段错误、idempotency_key_reused", Body::Problem)]),
    ]
}
