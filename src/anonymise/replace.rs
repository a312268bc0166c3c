//! Replacing what was found: each detection by its pseudonym from the key (`[PERSOON-3]`),
//! the turns moved with the text, and the key's log entries written.

use super::*;
use crate::anchor;
use crate::keyfile::{Key, LogEntry, label};
use crate::transcript::Transcript;

/// One replacement made in a transcript (for the key's log).
#[derive(Debug, Clone)]
pub struct Replacement {
    /// Where the pseudonym is in the new text.
    pub start: usize,
    pub end: usize,
    /// Where the identifier was in the old text (to move other spans with it).
    pub old_start: usize,
    pub old_end: usize,
    pub category: String,
    pub pseudonym: String,
    pub confidence: f32,
    /// The rule or list that found the identifier.
    pub rule: String,
}

/// Labels that name no one: participant codes, interviewer codes, role words.
pub(super) fn anonymous_label(label: &str) -> bool {
    let letters = label
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let rest = &label[letters..];
    (letters <= 3 && rest.chars().all(|c| c.is_ascii_digit()))
        || matches!(
            label
                .split(' ')
                .next()
                .unwrap_or("")
                .to_lowercase()
                .as_str(),
            "interviewer"
                | "interviewster"
                | "interviewee"
                | "onderzoeker"
                | "researcher"
                | "moderator"
                | "gespreksleider"
                | "facilitator"
                | "respondent"
                | "deelnemer"
                | "participant"
                | "speaker"
                | "spreker"
        )
}

/// Replaces every identifier in the transcript's spoken words with its pseudonym (assigned by
/// the key) and moves the turns so each still covers its own words. Speaker labels that are
/// names are replaced too. Returns what was replaced, in the new text's offsets.
pub fn apply(
    t: &mut Transcript,
    key: &mut Key,
    language: &str,
    participant: Option<&str>,
    at: &str,
) -> Vec<Replacement> {
    let found = detect_in(t, key, participant, language);
    apply_detections(t, key, language, found, participant, at)
}

/// Replaces the given identifiers (and speaker labels that are names) with pseudonyms from
/// the key and moves the turns with them: the second half of [`apply`], also used when a
/// reviewer has decided which suggestions stand. People named in the text get pseudonyms
/// in `scope`, the participant whose document it is (see [`Key::pseudonym_in`]); speaker
/// labels, which name the same interviewer in every document, in none.
pub fn apply_detections(
    t: &mut Transcript,
    key: &mut Key,
    language: &str,
    mut found: Vec<Detection>,
    scope: Option<&str>,
    at: &str,
) -> Vec<Replacement> {
    // Speaker labels that are names ("Anna:") are identifiers too.
    let mut label_names: Vec<String> = t
        .turns
        .iter()
        .map(|x| x.speaker.clone())
        .filter(|s| !s.is_empty() && !anonymous_label(s))
        .collect();
    label_names.sort();
    label_names.dedup();
    let mut label_map = std::collections::HashMap::new();
    for name in &label_names {
        let (c, n) = key.pseudonym(name, "PERSON", at);
        label_map.insert(name.clone(), label(&c, n, language));
    }
    if !label_map.is_empty() {
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(
                t.text
                    .chars()
                    .enumerate()
                    .filter(|(_, c)| *c == '\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        for turn in &t.turns {
            if label_map.contains_key(&turn.speaker) {
                let line_start =
                    line_starts[turn.line.saturating_sub(1).min(line_starts.len() - 1)];
                let line = crate::offsets::slice_chars(&t.text, line_start, turn.start);
                if let Some(pos) = line.find(turn.speaker.as_str()) {
                    let s = line_start + line[..pos].chars().count();
                    found.push(Detection {
                        start: s,
                        end: s + turn.speaker.chars().count(),
                        category: "PERSON",
                        confidence: 1.0,
                        rule: "speaker-label",
                    });
                }
            }
        }
        found.sort_by_key(|d| d.start);
    }
    // Build the new text in one pass, and map every turn boundary through the replacements.
    found.sort_by_key(|d| d.start);
    let mut bounds: Vec<usize> = found.iter().flat_map(|d| [d.start, d.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let bytes = crate::offsets::char_to_byte(&t.text, &bounds);
    let byte_of = |c: usize| bytes[bounds.binary_search(&c).unwrap_or(0)];
    // Pseudonyms are mostly longer than what they replace: room for an eighth more, so that a
    // batch's new texts are not held in buffers twice their size (docs/PERFORMANCE.md).
    let mut text = String::with_capacity(t.text.len() + t.text.len() / 8);
    let mut replacements = Vec::with_capacity(found.len());
    let mut copied = 0; // bytes of the old text copied so far
    let mut shift: i64 = 0; // characters added so far
    // (old start, old end, new length) per replacement, for moving the turns afterwards
    let mut moves: Vec<(usize, usize, usize)> = Vec::with_capacity(found.len());
    let mut last_end = 0;
    for d in &found {
        if d.start < last_end {
            continue; // overlaps the previous one (labels found twice): already replaced
        }
        let (bs, be) = (byte_of(d.start), byte_of(d.end));
        let original = &t.text[bs..be];
        let (category, number) = if d.rule == "speaker-label" {
            key.pseudonym(original, d.category, at)
        } else {
            key.pseudonym_in(original, d.category, scope, at)
        };
        let pseudonym = label(&category, number, language);
        text.push_str(&t.text[copied..bs]);
        text.push_str(&pseudonym);
        copied = be;
        let new_len = pseudonym.chars().count();
        let new_start = (d.start as i64 + shift) as usize;
        replacements.push(Replacement {
            start: new_start,
            end: new_start + new_len,
            old_start: d.start,
            old_end: d.end,
            category,
            pseudonym,
            confidence: d.confidence,
            rule: d.rule.to_owned(),
        });
        moves.push((d.start, d.end, new_len));
        shift += new_len as i64 - (d.end - d.start) as i64;
        last_end = d.end;
    }
    text.push_str(&t.text[copied..]);
    if text.capacity() > text.len() + text.len() / 4 {
        text.shrink_to_fit();
    }
    t.text = text;
    // Apply the moves from the last to the first, each on offsets still in the old frame
    // for everything before it.
    for &(s, e, new_len) in moves.iter().rev() {
        for turn in &mut t.turns {
            if let Some((ns, ne)) = anchor::shift(turn.start, turn.end, s, e, new_len) {
                turn.start = ns;
                turn.end = ne;
            }
        }
    }
    for turn in &mut t.turns {
        if let Some(p) = label_map.get(&turn.speaker) {
            turn.speaker = p.clone();
        }
    }
    replacements
}

/// Replaces the identifiers in a short text (a title, an attribute value) with pseudonyms.
pub fn apply_str(text: &str, key: &mut Key, language: &str, at: &str) -> String {
    let mut t = Transcript {
        text: text.to_owned(),
        turns: vec![crate::transcript::RawTurn {
            speaker: String::new(),
            start: 0,
            end: text.chars().count(),
            line: 1,
            time_start: None,
            time_end: None,
        }],
        meta: Default::default(),
        controls_replaced: 0,
    };
    apply(&mut t, key, language, None, at);
    t.text
}

/// Log entries for a document's replacements.
pub fn log_entries(
    replacements: &[Replacement],
    document: &str,
    coder: &str,
    at: &str,
    action: &str,
) -> Vec<LogEntry> {
    replacements
        .iter()
        .map(|r| LogEntry {
            at: at.to_owned(),
            coder: coder.to_owned(),
            action: action.to_owned(),
            document: document.to_owned(),
            start: r.start,
            end: r.end,
            category: r.category.clone(),
            pseudonym: r.pseudonym.clone(),
            confidence: r.confidence,
            rule: r.rule.clone(),
        })
        .collect()
}
