//! The schema as an append-only list of migrations. Never edit a published migration: add a
//! new one at the end. `PRAGMA user_version` records how many have been applied.

/// Migration `i` brings the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the foundation: project, participants, waves, documents, turns, coders, audit log.
    r#"
CREATE TABLE project (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    guid        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    created     TEXT NOT NULL,
    generation  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE coders (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    created  TEXT NOT NULL
);

CREATE TABLE participants (
    id          INTEGER PRIMARY KEY,
    guid        TEXT NOT NULL UNIQUE,
    code        TEXT NOT NULL UNIQUE,
    attributes  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    created     TEXT NOT NULL
);

CREATE TABLE waves (
    id       INTEGER PRIMARY KEY,
    guid     TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL UNIQUE,
    ordinal  INTEGER NOT NULL,
    created  TEXT NOT NULL
);

CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    guid           TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('individual', 'group', 'fieldnote')),
    language       TEXT NOT NULL,
    wave_id        INTEGER REFERENCES waves(id),
    interview_date TEXT,
    interviewer    TEXT,
    attributes     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    source_name    TEXT NOT NULL,
    source_format  TEXT NOT NULL,
    source_sha256  TEXT NOT NULL UNIQUE,
    text           TEXT NOT NULL,
    chars          INTEGER NOT NULL,
    words          INTEGER NOT NULL,
    created        TEXT NOT NULL,
    created_by     INTEGER NOT NULL REFERENCES coders(id)
);
CREATE INDEX documents_wave ON documents(wave_id);

CREATE TABLE document_participants (
    doc_id          INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    participant_id  INTEGER NOT NULL REFERENCES participants(id),
    PRIMARY KEY (doc_id, participant_id)
);
CREATE INDEX document_participants_participant ON document_participants(participant_id);

CREATE TABLE turns (
    id              INTEGER PRIMARY KEY,
    doc_id          INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    speaker         TEXT NOT NULL,
    participant_id  INTEGER REFERENCES participants(id),
    is_interviewer  INTEGER NOT NULL DEFAULT 0,
    start           INTEGER NOT NULL,
    end             INTEGER NOT NULL,
    line            INTEGER NOT NULL,
    words           INTEGER NOT NULL,
    time_start      REAL,
    time_end        REAL,
    UNIQUE (doc_id, seq),
    CHECK (start >= 0 AND end >= start)
);
CREATE INDEX turns_participant ON turns(participant_id);

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    coder_id  INTEGER NOT NULL REFERENCES coders(id),
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
    // 2: codebooks and coding: codes (a tree), codings (character spans), memos, and the
    // row changes each audited action made, which undo and redo replay.
    r#"
ALTER TABLE audit ADD COLUMN ops TEXT CHECK (ops IS NULL OR json_valid(ops));

CREATE TABLE codes (
    id           INTEGER PRIMARY KEY,
    guid         TEXT NOT NULL UNIQUE,
    parent_id    INTEGER REFERENCES codes(id),
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0 AND instr(name, '/') = 0),
    description  TEXT NOT NULL DEFAULT '',
    include      TEXT NOT NULL DEFAULT '',
    exclude      TEXT NOT NULL DEFAULT '',
    example      TEXT NOT NULL DEFAULT '',
    color        TEXT,
    dimension    TEXT,
    polarity     TEXT CHECK (polarity IN ('positive', 'negative')),
    position     INTEGER NOT NULL DEFAULT 0,
    created      TEXT NOT NULL
);
CREATE UNIQUE INDEX codes_sibling_name ON codes(ifnull(parent_id, 0), name COLLATE NOCASE);

CREATE TABLE codings (
    id        INTEGER PRIMARY KEY,
    guid      TEXT NOT NULL UNIQUE,
    doc_id    INTEGER NOT NULL REFERENCES documents(id),
    code_id   INTEGER NOT NULL REFERENCES codes(id),
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    coder_id  INTEGER NOT NULL REFERENCES coders(id),
    created   TEXT NOT NULL,
    CHECK (start >= 0 AND end > start),
    UNIQUE (doc_id, code_id, start, end, coder_id)
);
CREATE INDEX codings_doc ON codings(doc_id, start);
CREATE INDEX codings_code ON codings(code_id);

CREATE TABLE memos (
    id           INTEGER PRIMARY KEY,
    guid         TEXT NOT NULL UNIQUE,
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('project', 'participant', 'wave', 'document', 'code', 'coding')),
    target_id    INTEGER,
    text         TEXT NOT NULL,
    coder_id     INTEGER NOT NULL REFERENCES coders(id),
    created      TEXT NOT NULL,
    CHECK ((target_kind = 'project') = (target_id IS NULL))
);
CREATE INDEX memos_target ON memos(target_kind, target_id);
"#,
    // 3: labels of change across waves that the researcher confirmed or overrode.
    r#"
CREATE TABLE change_overrides (
    id              INTEGER PRIMARY KEY,
    participant_id  INTEGER NOT NULL REFERENCES participants(id),
    code_id         INTEGER NOT NULL REFERENCES codes(id),
    label           TEXT NOT NULL,
    memo            TEXT,
    coder_id        INTEGER NOT NULL REFERENCES coders(id),
    created         TEXT NOT NULL,
    UNIQUE (participant_id, code_id)
);
"#,
    // 4: pen portraits: a memo about one participant in one wave. SQLite cannot change a
    // CHECK constraint, so the memos table is rebuilt with the new kind and a wave column.
    r#"
CREATE TABLE memos_v4 (
    id           INTEGER PRIMARY KEY,
    guid         TEXT NOT NULL UNIQUE,
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('project', 'participant', 'wave', 'document', 'code', 'coding', 'portrait')),
    target_id    INTEGER,
    text         TEXT NOT NULL,
    coder_id     INTEGER NOT NULL REFERENCES coders(id),
    created      TEXT NOT NULL,
    wave_id      INTEGER REFERENCES waves(id),
    CHECK ((target_kind = 'project') = (target_id IS NULL)),
    CHECK ((target_kind = 'portrait') = (wave_id IS NOT NULL))
);
INSERT INTO memos_v4 (id, guid, target_kind, target_id, text, coder_id, created)
    SELECT id, guid, target_kind, target_id, text, coder_id, created FROM memos;
DROP TABLE memos;
ALTER TABLE memos_v4 RENAME TO memos;
CREATE INDEX memos_target ON memos(target_kind, target_id);
"#,
    // 5: ids a user sees are never reused. Without AUTOINCREMENT, SQLite gives a new row the
    // id of the last one deleted ("coding 3" in a memo listing or the audit trail could mean
    // two codings over time). The three tables whose rows are deleted are rebuilt with it, and
    // each sequence starts above every id the audit log has ever recorded, deleted ones too.
    // (Run with foreign keys off, checked before commit: codes is referred to by other tables.)
    r#"
CREATE TABLE codes_v5 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guid         TEXT NOT NULL UNIQUE,
    parent_id    INTEGER REFERENCES codes(id),
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0 AND instr(name, '/') = 0),
    description  TEXT NOT NULL DEFAULT '',
    include      TEXT NOT NULL DEFAULT '',
    exclude      TEXT NOT NULL DEFAULT '',
    example      TEXT NOT NULL DEFAULT '',
    color        TEXT,
    dimension    TEXT,
    polarity     TEXT CHECK (polarity IN ('positive', 'negative')),
    position     INTEGER NOT NULL DEFAULT 0,
    created      TEXT NOT NULL
);
INSERT INTO codes_v5 SELECT id, guid, parent_id, name, description, include, exclude, example,
    color, dimension, polarity, position, created FROM codes;
DROP TABLE codes;
ALTER TABLE codes_v5 RENAME TO codes;
CREATE UNIQUE INDEX codes_sibling_name ON codes(ifnull(parent_id, 0), name COLLATE NOCASE);

CREATE TABLE codings_v5 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    guid      TEXT NOT NULL UNIQUE,
    doc_id    INTEGER NOT NULL REFERENCES documents(id),
    code_id   INTEGER NOT NULL REFERENCES codes(id),
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    coder_id  INTEGER NOT NULL REFERENCES coders(id),
    created   TEXT NOT NULL,
    CHECK (start >= 0 AND end > start),
    UNIQUE (doc_id, code_id, start, end, coder_id)
);
INSERT INTO codings_v5 SELECT id, guid, doc_id, code_id, start, end, coder_id, created FROM codings;
DROP TABLE codings;
ALTER TABLE codings_v5 RENAME TO codings;
CREATE INDEX codings_doc ON codings(doc_id, start);
CREATE INDEX codings_code ON codings(code_id);

CREATE TABLE memos_v5 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guid         TEXT NOT NULL UNIQUE,
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('project', 'participant', 'wave', 'document', 'code', 'coding', 'portrait')),
    target_id    INTEGER,
    text         TEXT NOT NULL,
    coder_id     INTEGER NOT NULL REFERENCES coders(id),
    created      TEXT NOT NULL,
    wave_id      INTEGER REFERENCES waves(id),
    CHECK ((target_kind = 'project') = (target_id IS NULL)),
    CHECK ((target_kind = 'portrait') = (wave_id IS NOT NULL))
);
INSERT INTO memos_v5 SELECT id, guid, target_kind, target_id, text, coder_id, created, wave_id FROM memos;
DROP TABLE memos;
ALTER TABLE memos_v5 RENAME TO memos;
CREATE INDEX memos_target ON memos(target_kind, target_id);

DELETE FROM sqlite_sequence WHERE name IN ('codes', 'codings', 'memos');
INSERT INTO sqlite_sequence (name, seq)
SELECT t.name, max(t.highest, ifnull((
    SELECT max(json_extract(j.value, '$.id')) FROM audit a, json_each(a.ops) j
    WHERE a.ops IS NOT NULL AND json_extract(j.value, '$.table') = t.name), 0))
FROM (SELECT 'codes' AS name, ifnull((SELECT max(id) FROM codes), 0) AS highest
      UNION ALL SELECT 'codings', ifnull((SELECT max(id) FROM codings), 0)
      UNION ALL SELECT 'memos', ifnull((SELECT max(id) FROM memos), 0)) t;
"#,
    // 6: texts from other tools. A document may be of kind `document`: a text brought in (from
    // a REFI-QDA project, say) that is not yet tied to a participant and a wave. Which
    // participants a document is about becomes a row with an id, so that assigning them is an
    // action undo can take back. Document groups: named sets of documents (REFI-QDA's sets of
    // sources), usable as a filter.
    r#"
CREATE TABLE documents_v6 (
    id             INTEGER PRIMARY KEY,
    guid           TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('individual', 'group', 'fieldnote', 'document')),
    language       TEXT NOT NULL,
    wave_id        INTEGER REFERENCES waves(id),
    interview_date TEXT,
    interviewer    TEXT,
    attributes     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    source_name    TEXT NOT NULL,
    source_format  TEXT NOT NULL,
    source_sha256  TEXT NOT NULL UNIQUE,
    text           TEXT NOT NULL,
    chars          INTEGER NOT NULL,
    words          INTEGER NOT NULL,
    created        TEXT NOT NULL,
    created_by     INTEGER NOT NULL REFERENCES coders(id)
);
INSERT INTO documents_v6 SELECT id, guid, title, kind, language, wave_id, interview_date,
    interviewer, attributes, source_name, source_format, source_sha256, text, chars, words,
    created, created_by FROM documents;
DROP TABLE documents;
ALTER TABLE documents_v6 RENAME TO documents;
CREATE INDEX documents_wave ON documents(wave_id);

CREATE TABLE document_participants_v6 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id          INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    participant_id  INTEGER NOT NULL REFERENCES participants(id),
    UNIQUE (doc_id, participant_id)
);
INSERT INTO document_participants_v6 (doc_id, participant_id)
    SELECT doc_id, participant_id FROM document_participants ORDER BY doc_id, participant_id;
DROP TABLE document_participants;
ALTER TABLE document_participants_v6 RENAME TO document_participants;
CREATE INDEX document_participants_participant ON document_participants(participant_id);

CREATE TABLE groups (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guid         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    description  TEXT NOT NULL DEFAULT '',
    created      TEXT NOT NULL
);
CREATE UNIQUE INDEX groups_name ON groups(name COLLATE NOCASE);
CREATE TABLE group_documents (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id  INTEGER NOT NULL REFERENCES groups(id),
    doc_id    INTEGER NOT NULL REFERENCES documents(id),
    UNIQUE (group_id, doc_id)
);
CREATE INDEX group_documents_doc ON group_documents(doc_id);
"#,
    // 7: participant groups defined by a rule (`age_group = 50-59 AND wave = T2`): a group
    // with a rule has no listed documents; its documents are those the rule matches, now.
    r#"
ALTER TABLE groups ADD COLUMN rule TEXT CHECK (rule IS NULL OR length(trim(rule)) > 0);
"#,
    // 8: where each document's words are (`words::Index` as bytes), kept at import so that
    // analyses count words without reading the texts; a change of a document's text deletes
    // its row, and a missing row is computed from the text when needed. A covering index for
    // the participants' turns, read whole by the change table.
    r#"
CREATE TABLE document_words (
    doc_id  INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    spans   BLOB NOT NULL
);
CREATE TRIGGER document_words_stale AFTER UPDATE OF text ON documents
BEGIN
    DELETE FROM document_words WHERE doc_id = NEW.id;
END;
CREATE INDEX turns_participant_spans ON turns(participant_id, doc_id, start, end, words)
    WHERE participant_id IS NOT NULL;
"#,
    // 9: the anonymisation log (each replacement with its rule, each accept, reject and
    // correction), kept here instead of in the key: it names pseudonyms and positions in the
    // stored text, never an original, and in the key it made every save rewrite and encrypt
    // a record that grows with every replacement (37 MB for the benchmark study). Logs
    // written before stay in the key and are read with this one.
    r#"
CREATE TABLE anonymisation_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    coder       TEXT NOT NULL,
    action      TEXT NOT NULL,
    document    TEXT NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    category    TEXT NOT NULL,
    pseudonym   TEXT NOT NULL,
    confidence  REAL NOT NULL,
    rule        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX anonymisation_log_document ON anonymisation_log(document);
CREATE TRIGGER anonymisation_log_no_update BEFORE UPDATE ON anonymisation_log
BEGIN
    SELECT RAISE(ABORT, 'the anonymisation log is append-only');
END;
"#,
    // 10: each document's participant turns and codings with the words each holds, packed in
    // one row (`document_spans`), read by the change table instead of every turn and coding.
    // Derived: any change of a document's turns or codings, or of its text, deletes its row;
    // every committed action stores the missing ones; a missing row is computed when read.
    // Turns are inserted only with their document, before its row is written (import,
    // merge), so no trigger watches their insertion (it cost an import 0.2 s per 282,000).
    r#"
CREATE TABLE document_spans (
    doc_id  INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    spans   BLOB NOT NULL
);
CREATE TRIGGER document_spans_turn_changed
    AFTER UPDATE OF doc_id, participant_id, start, end, words ON turns
BEGIN
    DELETE FROM document_spans WHERE doc_id IN (OLD.doc_id, NEW.doc_id);
END;
CREATE TRIGGER document_spans_turn_removed AFTER DELETE ON turns
BEGIN
    DELETE FROM document_spans WHERE doc_id = OLD.doc_id;
END;
CREATE TRIGGER document_spans_coding_added AFTER INSERT ON codings
BEGIN
    DELETE FROM document_spans WHERE doc_id = NEW.doc_id;
END;
CREATE TRIGGER document_spans_coding_changed
    AFTER UPDATE OF doc_id, code_id, coder_id, start, end ON codings
BEGIN
    DELETE FROM document_spans WHERE doc_id IN (OLD.doc_id, NEW.doc_id);
END;
CREATE TRIGGER document_spans_coding_removed AFTER DELETE ON codings
BEGIN
    DELETE FROM document_spans WHERE doc_id = OLD.doc_id;
END;
CREATE TRIGGER document_spans_text_changed AFTER UPDATE OF text ON documents
BEGIN
    DELETE FROM document_spans WHERE doc_id = NEW.id;
END;
"#,
];

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;
    use crate::store::{DB_FILE, Store};
    use rusqlite::Connection;

    /// A project written before schema 5, whose coding 3 and memo 2 were deleted: after the
    /// upgrade its rows and references are intact and new ids start above every id it ever
    /// used (SQLite would have given out 3 again).
    #[test]
    fn upgrading_keeps_rows_and_never_reuses_an_id_the_audit_log_has_seen() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        for sql in &MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            r#"
            PRAGMA user_version = 4;
            INSERT INTO project (id, guid, name, language, created) VALUES (1, 'p', 'oud', 'nl', 't');
            INSERT INTO coders (id, name, created) VALUES (1, 'anna', 't');
            INSERT INTO documents (id, guid, title, kind, language, source_name, source_format,
                source_sha256, text, chars, words, created, created_by)
                VALUES (1, 'd', 'P01', 'individual', 'nl', 'a.txt', 'text', 'x', 'Ik heb hoop.', 12, 3, 't', 1);
            INSERT INTO codes (id, guid, parent_id, name, created) VALUES (1, 'c1', NULL, 'Hoop', 't');
            INSERT INTO codes (id, guid, parent_id, name, created) VALUES (2, 'c2', 1, 'Vertrouwen', 't');
            INSERT INTO codings (id, guid, doc_id, code_id, start, end, coder_id, created)
                VALUES (1, 'g1', 1, 2, 0, 2, 1, 't'), (2, 'g2', 1, 1, 3, 6, 1, 't');
            INSERT INTO memos (id, guid, target_kind, target_id, text, coder_id, created)
                VALUES (1, 'm1', 'coding', 2, 'Twijfel.', 1, 't');
            INSERT INTO audit (at, coder_id, action, target, detail, ops) VALUES
                ('t', 1, 'uncode', 'coding:3', '{}', '[{"table":"codings","id":3,"before":{"id":3},"after":null}]'),
                ('t', 1, 'rm memo', 'memo:2', '{}', '[{"table":"memos","id":2,"before":{"id":2},"after":null}]');
            "#,
        )
        .unwrap();
        drop(conn);
        let mut store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let count = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM codings"), 2);
        assert_eq!(count("SELECT parent_id FROM codes WHERE id = 2"), 1);
        assert_eq!(count("SELECT target_id FROM memos WHERE id = 1"), 2);
        let fk: i64 = store
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1, "foreign keys are on again after the upgrade");
        let (coding, memo) = store
            .action("anna", |a| {
                let c = a.insert(
                    "codings",
                    &[
                        ("guid", &"g3"),
                        ("doc_id", &1),
                        ("code_id", &1),
                        ("start", &7),
                        ("end", &11),
                        ("coder_id", &a.coder_id()),
                        ("created", &"t"),
                    ],
                )?;
                let m = a.insert(
                    "memos",
                    &[
                        ("guid", &"m3"),
                        ("target_kind", &"coding"),
                        ("target_id", &c),
                        ("text", &"Nieuw."),
                        ("coder_id", &a.coder_id()),
                        ("created", &"t"),
                    ],
                )?;
                a.audit("code", "test", serde_json::json!({}))?;
                Ok((c, m))
            })
            .unwrap();
        assert_eq!(
            (coding, memo),
            (4, 3),
            "3 and 2 were used and deleted before"
        );
    }
}
