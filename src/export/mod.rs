//! Reports and exchange files: the change report, coded excerpts and transcripts as Word
//! documents (docx-rs), codings as CSV and JSON. Every file is written to a temporary file in
//! the target's folder and renamed into place when complete.

mod appendix;
mod changes;
pub mod docx;
pub mod excerpts;
pub mod language;
mod matrix;
mod query;
pub mod rows;
pub mod table;
pub mod transcript;
pub mod xlsx;

pub use appendix::Appendices;
pub use changes::changes_docx;
pub use excerpts::excerpts_docx;
pub use matrix::matrix_docx;
pub use query::query_docx;
pub use transcript::transcript_docx;

use std::collections::HashMap;

use rusqlite::Connection;

use crate::error::Result;

pub use crate::files::write_atomically;

/// Memos on codings: coding id → (coder, text), oldest first.
pub(crate) fn coding_memos(conn: &Connection) -> Result<HashMap<i64, Vec<(String, String)>>> {
    let mut stmt = conn.prepare(
        "SELECT m.target_id, k.name, m.text FROM memos m JOIN coders k ON k.id = m.coder_id
         WHERE m.target_kind = 'coding' ORDER BY m.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for row in rows {
        let (id, coder, text) = row?;
        out.entry(id).or_default().push((coder, text));
    }
    Ok(out)
}
