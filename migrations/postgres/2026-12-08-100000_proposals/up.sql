-- Proposals (待审批): an entry of a kind the setting `approvals` names waits here,
-- with its request body as sent, until its last step approves it (then it is appended
-- to the ledger and `entry_seq` names it) or a step rejects it. Decisions are
-- append-only, one per step; the primary key stops two servers from taking one step
-- twice.
CREATE TABLE proposals (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL,
    asset_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    body TEXT NOT NULL,
    steps TEXT NOT NULL,
    status TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    decided_at TEXT,
    entry_seq BIGINT
);
CREATE INDEX proposals_by_status ON proposals (status, proposed_at);
CREATE INDEX proposals_by_asset ON proposals (asset_code);

CREATE TABLE proposal_decisions (
    proposal_id TEXT NOT NULL,
    step TEXT NOT NULL,
    approved INTEGER NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (proposal_id, step)
);

-- Notices (公示) of proposals, and the objections raised against them, numbered from
-- 1 within their notice.
CREATE TABLE notices (
    id TEXT PRIMARY KEY NOT NULL,
    proposal_id TEXT NOT NULL,
    place TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    days BIGINT NOT NULL,
    ends_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX notices_by_proposal ON notices (proposal_id);

CREATE TABLE notice_objections (
    notice_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    text TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    resolution TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    PRIMARY KEY (notice_id, n)
);

-- The answers given to requests with an `Idempotency-Key` that are not ledger appends
-- (proposals, approvals, notices): a retry with the same key and body gets the same
-- answer.
CREATE TABLE idempotent_replies (
    idempotency_key TEXT PRIMARY KEY NOT NULL,
    request_sha256 TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
