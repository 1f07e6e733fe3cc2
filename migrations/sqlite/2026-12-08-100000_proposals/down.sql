DROP TABLE idempotent_replies;
DROP TABLE notice_objections;
DROP TABLE notices;
DROP TABLE proposal_decisions;
DROP TABLE proposals;
