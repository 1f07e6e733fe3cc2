-- The canonical encoding is versioned: `encoding` says which version hashed an entry.
-- Entries written before are version 1 (personal fields hashed as they are); new
-- entries are version 2, which hashes a commitment to each personal field under the
-- entry's own random `salt` (hex, 128 bits) and a seal of that salt. The salt is never
-- served: a reader who sees a masked field cannot test guesses against the hash.
ALTER TABLE ledger_entries ADD COLUMN encoding INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ledger_entries ADD COLUMN salt TEXT;
