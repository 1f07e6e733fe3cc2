-- Documents (档案): each file stored once by its SHA-256, cited by ledger entries as
-- `attachments: [sha256…]` in their hashed data; verification rehashes every cited file.

CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
