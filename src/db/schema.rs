//! The tables as Diesel sees them, in `diesel print-schema` form but written by hand
//! (diesel_cli is not installed here): change it with every migration.

diesel::table! {
    access_tokens (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        token_sha256 -> Text,
        created_at -> Text,
        revoked_at -> Nullable<Text>,
    }
}

diesel::table! {
    assets (id) {
        id -> Text,
        code -> Text,
        project_code -> Text,
        name -> Text,
        class -> Text,
        quantity -> Nullable<Text>,
        unit -> Nullable<Text>,
        value_fen -> BigInt,
        owner_name -> Text,
        owner_type -> Text,
        owner_id_number -> Nullable<Text>,
        custodian -> Nullable<Text>,
        status -> Text,
        confirmed_on -> Nullable<Text>,
        certificate_no -> Nullable<Text>,
        town -> Text,
        village -> Nullable<Text>,
        batch_id -> Text,
        last_seq -> BigInt,
        created_at -> Text,
        income_fen -> BigInt,
        distributed_fen -> BigInt,
        registered_on -> Text,
        has_value_events -> Integer,
    }
}

diesel::table! {
    class_summary (class) {
        class -> Text,
        projects -> BigInt,
        assets -> BigInt,
        funds_fen -> BigInt,
        value_fen -> BigInt,
    }
}

diesel::table! {
    declaration_lines (declaration_id, ordinal) {
        declaration_id -> Text,
        ordinal -> BigInt,
        scope -> Text,
        projects -> BigInt,
        amount_fen -> BigInt,
    }
}

diesel::table! {
    declarations (id) {
        id -> Text,
        name -> Text,
        as_of -> Text,
        actor -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    idempotency_keys (idempotency_key) {
        idempotency_key -> Text,
        request_sha256 -> Text,
        seq -> BigInt,
        created_at -> Text,
    }
}

diesel::table! {
    import_batches (id) {
        id -> Text,
        sha256 -> Text,
        status -> Text,
        filename -> Nullable<Text>,
        encoding -> Text,
        byte_size -> BigInt,
        data_rows -> BigInt,
        projects_created -> BigInt,
        assets_created -> BigInt,
        projects_unchanged -> BigInt,
        assets_unchanged -> BigInt,
        rows_unchanged -> BigInt,
        error_count -> BigInt,
        warnings -> Text,
        actor -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    import_errors (batch_id, ordinal) {
        batch_id -> Text,
        ordinal -> BigInt,
        line -> Nullable<BigInt>,
        column_name -> Nullable<Text>,
        code -> Text,
        message -> Text,
        registered_value -> Nullable<Text>,
        file_value -> Nullable<Text>,
    }
}

diesel::table! {
    ledger_entries (seq) {
        seq -> BigInt,
        asset_id -> Text,
        asset_code -> Text,
        kind -> Text,
        occurred_on -> Text,
        recorded_at -> Text,
        actor -> Text,
        data -> Text,
        batch_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    ledger_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    register_summary (id) {
        id -> Integer,
        projects -> BigInt,
        funds_fen -> BigInt,
        assets -> BigInt,
        value_fen -> BigInt,
        unclassified_projects -> BigInt,
        unclassified_funds_fen -> BigInt,
        last_registered_on -> Text,
        last_value_event_on -> Text,
    }
}

diesel::table! {
    projects (code) {
        code -> Text,
        name -> Text,
        year -> Integer,
        town -> Text,
        village -> Nullable<Text>,
        funds_fen -> BigInt,
        funding_source -> Nullable<Text>,
        batch_id -> Text,
        created_at -> Text,
    }
}

diesel::joinable!(assets -> import_batches (batch_id));
diesel::joinable!(assets -> projects (project_code));
diesel::joinable!(declaration_lines -> declarations (declaration_id));
diesel::joinable!(idempotency_keys -> ledger_entries (seq));
diesel::joinable!(import_errors -> import_batches (batch_id));
diesel::joinable!(ledger_entries -> assets (asset_id));
diesel::joinable!(ledger_entries -> import_batches (batch_id));
diesel::joinable!(projects -> import_batches (batch_id));

diesel::allow_tables_to_appear_in_same_query!(
    access_tokens,
    assets,
    class_summary,
    declaration_lines,
    declarations,
    idempotency_keys,
    import_batches,
    import_errors,
    ledger_entries,
    ledger_head,
    projects,
    register_summary,
);
