//! What ties a transcript to the study, below every module that stores or reads it: the
//! document kinds and languages narrata knows, what the command line says about the files of
//! an import (`Flags`), who a speaker label is, a transcript with everything settled
//! (`Resolved`), and how participant codes and wave names are written. `import::resolve`
//! settles a file's metadata with these; `corpus` stores them; the key keeps staged `Flags`.

use std::collections::BTreeMap;

/// Document kinds. `document`: a text brought in from elsewhere (a REFI-QDA project) that is
/// not yet tied to participants and a wave.
pub const KINDS: &[&str] = &["individual", "group", "fieldnote", "document"];
/// Languages narrata analyses (stemming, pronoun lists).
pub const LANGUAGES: &[&str] = &["nl", "en"];

/// What the command line says about the files being imported.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Flags {
    pub participants: Vec<String>,
    pub wave: Option<String>,
    pub kind: Option<String>,
    pub language: Option<String>,
    /// Speaker label → participant code or `interviewer` (`--speakers Anna=P01,Karin=interviewer`),
    /// for every file of the import; a file's own front matter wins for the labels it maps.
    #[serde(default)]
    pub speakers: BTreeMap<String, String>,
}

/// Reads `--speakers` as written: `LABEL=P01,LABEL=interviewer`, labels as they appear in the
/// files (a voice tag, a name before a colon). The error is a sentence.
pub fn parse_speakers(given: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for pair in given.iter().flat_map(|g| g.split(',')) {
        let pair = pair.trim();
        if pair.is_empty() {
            continue;
        }
        let Some((label, who)) = pair.split_once('=') else {
            return Err(format!(
                "`{pair}` is not a speaker mapping; write LABEL=P01 or LABEL=interviewer, separated by commas"
            ));
        };
        let (label, who) = (label.trim(), who.trim());
        if label.is_empty() || who.is_empty() {
            return Err(format!(
                "`{pair}` is not a speaker mapping; write LABEL=P01 or LABEL=interviewer, separated by commas"
            ));
        }
        map.insert(label.to_owned(), who.to_owned());
    }
    Ok(map)
}

/// Who a speaker label is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Speaker {
    Interviewer,
    Participant(String),
    /// A label we could not map (reported, stored without a participant).
    Unknown,
}

/// A transcript with everything settled, ready to store.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Resolved {
    pub kind: String,
    pub participants: Vec<String>,
    pub wave: Option<String>,
    pub language: String,
    pub title: String,
    pub date: Option<String>,
    pub interviewer: Option<String>,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub participant_attributes: serde_json::Map<String, serde_json::Value>,
    pub speakers: BTreeMap<String, Speaker>,
    pub notes: Vec<String>,
}

/// Participant codes are upper-case (`p03` and `P03` are one person).
pub fn normalise_participant(code: &str) -> String {
    code.trim().to_uppercase()
}

/// A wave's name as it is stored: the name the researcher gave it (`W1`, `T0`, `baseline`,
/// `voorjaar-2024`), trimmed; a letter and a number (`w02`) is written `W2`; a bare number
/// (`2`), which names no scheme, becomes `T2`.
pub fn normalise_wave(name: &str) -> String {
    let name = name.trim();
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
        return format!("T{}", without_leading_zeros(name));
    }
    if let Some((letter, digits)) = letter_and_number(name) {
        return format!(
            "{}{}",
            letter.to_ascii_uppercase(),
            without_leading_zeros(digits)
        );
    }
    name.to_owned()
}

/// `W2`, `t02`: one letter and a number of up to three digits.
fn letter_and_number(name: &str) -> Option<(char, &str)> {
    let mut chars = name.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    (first.is_ascii_alphabetic()
        && (1..=3).contains(&rest.len())
        && rest.chars().all(|c| c.is_ascii_digit()))
    .then_some((first, rest))
}

/// What makes two wave names one wave: case and leading zeros do not matter, and `T` and `W`
/// with a number are the number (`W2`, `T2`, `t02` and `2` are one wave: narrata stored files
/// named `W2` as `T2` before it kept names, and a project from then takes new `W2` files into
/// its `T2`). Any other letter is a series of its own (`F1`, a follow-up, is not `T1`).
pub fn wave_key(name: &str) -> String {
    let name = normalise_wave(name);
    match letter_and_number(&name) {
        Some(('T' | 'W', digits)) => format!("#{digits}"),
        _ => name.to_lowercase(),
    }
}

/// Whether two wave names name the same wave ([`wave_key`]).
pub fn same_wave(a: &str, b: &str) -> bool {
    wave_key(a) == wave_key(b)
}

fn without_leading_zeros(digits: &str) -> &str {
    let t = digits.trim_start_matches('0');
    if t.is_empty() { "0" } else { t }
}

/// The ordinal of a wave name: its trailing number (`T2` → 2), if any.
pub fn wave_ordinal(name: &str) -> Option<i64> {
    let digits: String = name
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

/// Reads `P03_T2`, `P03-w2`, `p03 T2 interview` from a file stem.
pub fn from_file_name(stem: &str) -> (Option<String>, Option<String>) {
    let tokens: Vec<&str> = stem
        .split(['_', '-', ' ', '.'])
        .filter(|t| !t.is_empty())
        .collect();
    let is_participant = |t: &str| {
        let letters = t.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        let digits = t.len() - letters;
        (1..=3).contains(&letters)
            && (1..=4).contains(&digits)
            && t[letters..].chars().all(|c| c.is_ascii_digit())
    };
    let is_wave = |t: &str| {
        let mut c = t.chars();
        matches!(c.next(), Some('t' | 'T' | 'w' | 'W'))
            && (1..=3).contains(&c.as_str().len())
            && c.as_str().chars().all(|d| d.is_ascii_digit())
    };
    match tokens.as_slice() {
        [p, w, ..] if is_participant(p) && is_wave(w) => {
            (Some(normalise_participant(p)), Some(normalise_wave(w)))
        }
        [p, ..] if is_participant(p) && !is_wave(p) => (Some(normalise_participant(p)), None),
        _ => (None, None),
    }
}

/// Labels that mean the interviewer unless the front matter says otherwise.
fn is_interviewer_label(label: &str) -> bool {
    matches!(
        label.to_lowercase().as_str(),
        "i" | "int"
            | "iv"
            | "m"
            | "q"
            | "interviewer"
            | "interviewster"
            | "onderzoeker"
            | "researcher"
            | "moderator"
            | "gespreksleider"
            | "facilitator"
    )
}

/// Maps every speaker label (of the turns, in order) to the interviewer or a participant;
/// `declared` holds the mappings given (lower-case labels). In an individual interview whose
/// turns carry no label at all (a participant's own text, or a text from another tool that
/// is not split into turns), the unlabelled text is the participant's.
pub fn map_speakers(
    labels: &[&str],
    declared: &BTreeMap<String, String>,
    kind: &str,
    participants: &[String],
    interviewer: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<BTreeMap<String, Speaker>, String> {
    let mut map = BTreeMap::new();
    if kind == "individual" && !labels.is_empty() && labels.iter().all(|l| l.is_empty()) {
        map.insert(String::new(), Speaker::Participant(participants[0].clone()));
        return Ok(map);
    }
    let mut unknown = Vec::new();
    for &label in labels {
        if label.is_empty() || map.contains_key(label) {
            continue;
        }
        let label = &label.to_owned();
        let lower = label.to_lowercase();
        let speaker = if let Some(target) = declared.get(&lower) {
            if target.eq_ignore_ascii_case("interviewer") {
                Speaker::Interviewer
            } else {
                let code = normalise_participant(target);
                if !participants.contains(&code) {
                    return Err(format!(
                        "speaker `{label}` is mapped to {code}, who is not among this document's participants ({})",
                        participants.join(", ")
                    ));
                }
                Speaker::Participant(code)
            }
        } else if let Some(code) = participants.iter().find(|p| p.eq_ignore_ascii_case(label)) {
            Speaker::Participant(code.clone())
        } else if interviewer.is_some_and(|i| i.eq_ignore_ascii_case(label))
            || is_interviewer_label(label)
        {
            Speaker::Interviewer
        } else if kind == "individual" {
            // The one other voice in an individual interview is the participant.
            Speaker::Participant(participants[0].clone())
        } else {
            unknown.push(label.clone());
            Speaker::Unknown
        };
        map.insert(label.clone(), speaker);
    }
    if kind == "individual" {
        let voices: Vec<&String> = map
            .iter()
            .filter(|(label, s)| {
                matches!(s, Speaker::Participant(_))
                    && !participants.iter().any(|p| p.eq_ignore_ascii_case(label))
            })
            .map(|(l, _)| l)
            .collect();
        if voices.len() > 1 {
            let labels: Vec<&str> = voices.iter().map(|s| s.as_str()).collect();
            return Err(format!(
                "several speakers ({}) would all be participant {}: if it is a group interview, import it with --kind group --speakers {}; else say which one is the interviewer, e.g. --speakers {}=interviewer (a .txt or .md file can map them with `speakers:` in its front matter)",
                labels.join(", "),
                participants[0],
                labels
                    .iter()
                    .map(|l| format!("{l}=<code or interviewer>"))
                    .collect::<Vec<_>>()
                    .join(","),
                labels[0]
            ));
        }
    }
    if !unknown.is_empty() {
        notes.push(format!(
            "speaker label(s) {} are not mapped to a participant; map them with --speakers LABEL=P01 when importing (or `speakers:` in a .txt or .md file's front matter)",
            unknown.join(", ")
        ));
    }
    Ok(map)
}
