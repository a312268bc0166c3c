//! REFI-QDA projects (`.qdpx`): the exchange format of ATLAS.ti, NVivo, MAXQDA, QualCoder and
//! Taguette. [`write`](mod@write) exports a project: `project.qde` (namespace `urn:QDA-XML:project:1.0`)
//! with users, the codebook, variables (wave, kind, participant attributes), cases
//! (participants), sources with one selection per coding, and memos as notes; the stored
//! transcripts as UTF-8 files under `sources/`, named by GUID.
//!
//! How narrata's things map: a coder is a `User` (its GUID derived from the project's GUID and
//! the coder's name, so every export names them alike); a participant is a `Case` with
//! `SourceRef`s to their documents; a document's wave and kind are `VariableValue`s on its
//! `TextSource`; a coding is a `PlainTextSelection` holding one `Coding` (positions in
//! characters, end exclusive, as the standard counts); a memo is a `Note` referred to from
//! what it is about (selection, source, code or project). Memos on participants, waves and pen
//! portraits have no place to be referred from in the standard; their note carries the target
//! in its description (`narrata:target=portrait:P03:T2`) and narrata reads it back from there.

pub mod load;
pub mod read;
mod sources;
pub mod write;

use sha2::{Digest, Sha256};

pub use write::export;

pub const NAMESPACE: &str = "urn:QDA-XML:project:1.0";

/// A GUID derived from other text: the same input gives the same GUID in every export.
pub fn derived_guid(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let hex: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-5{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_guids_are_stable_well_formed_and_distinct() {
        let a = derived_guid(&["project", "user", "anna"]);
        assert_eq!(a, derived_guid(&["project", "user", "anna"]));
        assert_ne!(a, derived_guid(&["project", "user", "ann"]));
        assert_ne!(
            derived_guid(&["ab", "c"]),
            derived_guid(&["a", "bc"]),
            "parts are separated"
        );
        assert!(crate::codebook::file::normalise_guid(&a).is_some());
    }
}
