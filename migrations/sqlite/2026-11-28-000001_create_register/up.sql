-- The register: projects, assets, the custody ledger, import batches and access tokens.
-- Money is integer fen (1/100 yuan) in BIGINT columns; dates are ISO 'YYYY-MM-DD' text;
-- timestamps are RFC 3339 UTC text; UUIDs are text.

CREATE TABLE import_batches (
    id TEXT PRIMARY KEY NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('committed', 'rejected')),
    filename TEXT,
    encoding TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    data_rows BIGINT NOT NULL,
    projects_created BIGINT NOT NULL,
    assets_created BIGINT NOT NULL,
    projects_unchanged BIGINT NOT NULL,
    assets_unchanged BIGINT NOT NULL,
    rows_unchanged BIGINT NOT NULL,
    error_count BIGINT NOT NULL,
    warnings TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- One committed batch per file content: replay looks it up by hash.
CREATE UNIQUE INDEX import_batches_committed_sha256 ON import_batches (sha256) WHERE status = 'committed';
CREATE INDEX import_batches_created_at ON import_batches (created_at, id);

CREATE TABLE import_errors (
    batch_id TEXT NOT NULL REFERENCES import_batches (id),
    ordinal BIGINT NOT NULL,
    line BIGINT,
    column_name TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (batch_id, ordinal)
);

CREATE TABLE projects (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    town TEXT NOT NULL,
    village TEXT,
    funds_fen BIGINT NOT NULL CHECK (funds_fen >= 0),
    funding_source TEXT,
    batch_id TEXT NOT NULL REFERENCES import_batches (id),
    created_at TEXT NOT NULL
);
CREATE INDEX projects_town_village ON projects (town, village);
CREATE INDEX projects_year ON projects (year);

CREATE TABLE assets (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    project_code TEXT NOT NULL REFERENCES projects (code),
    name TEXT NOT NULL,
    class TEXT NOT NULL CHECK (class IN ('operating', 'public_welfare', 'household')),
    quantity TEXT,
    unit TEXT,
    value_fen BIGINT NOT NULL CHECK (value_fen >= 0),
    owner_name TEXT NOT NULL,
    owner_type TEXT NOT NULL,
    owner_id_number TEXT,
    custodian TEXT,
    status TEXT NOT NULL CHECK (status IN ('registered', 'confirmed', 'disposed')),
    confirmed_on TEXT,
    certificate_no TEXT,
    town TEXT NOT NULL,
    village TEXT,
    batch_id TEXT NOT NULL REFERENCES import_batches (id),
    last_seq BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX assets_project_code ON assets (project_code);
CREATE INDEX assets_class_status ON assets (class, status);
CREATE INDEX assets_town_village ON assets (town, village);
CREATE INDEX assets_owner_name ON assets (owner_name);

CREATE TABLE ledger_entries (
    seq BIGINT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets (id),
    asset_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    batch_id TEXT REFERENCES import_batches (id),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX ledger_entries_asset ON ledger_entries (asset_id, seq);

-- The head of the chain: one row, locked by every append so that appends are serialised
-- (no fork, no gap) also when several server processes share one database.
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO ledger_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'clerk', 'auditor', 'admin')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
