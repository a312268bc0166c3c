//! Plain text and Markdown transcripts: optional YAML front matter, then speaker turns that
//! start with `LABEL:` at the beginning of a line, optionally with a `[hh:mm:ss]` timestamp
//! before or after the label. Lines without a label continue the current turn. Word files
//! are read into the same text and parsed here too.
//!
//! What counts as a label (written down in `docs/IMPORT.md`): a label the front matter
//! declares (speakers, participants, interviewer); a short code such as `I`, `M`, `IV`,
//! `P03`, `R11`; a role word such as `Interviewer`, `Respondent`, `Deelnemer` (optionally
//! numbered); or a capitalised name of up to three words that opens at least two turns.
//! Markdown bold around the label (`**I:**`, `**I**:`) is accepted.
//!
//! About 230 of its lines are the tests of the speaker-label rules.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::transcript::{Meta, RawTurn, Transcript};

/// Front matter larger than this is refused: real metadata is a few hundred bytes.
const FRONT_MATTER_LIMIT: usize = 64 * 1024;

/// Text without a speaker label longer than this (in characters, about 1,500 words) is
/// divided into turns: its paragraphs, each paragraph still longer than this packed into
/// runs of whole lines, then of whole sentences, then of whole words. A turn is what search
/// finds and shows, so a book-length turn makes a useless hit.
pub const LONG_UNLABELLED: usize = 10_000;

/// Parses decoded text (front matter and turns).
pub fn parse(text: String, controls_replaced: usize) -> Result<Transcript, String> {
    parse_with(text, controls_replaced, &[])
}

/// [`parse`], with `labels` (from `--speakers`) counting as declared speaker labels.
pub fn parse_with(
    text: String,
    controls_replaced: usize,
    labels: &[String],
) -> Result<Transcript, String> {
    let (meta, body) = split_front_matter(&text)?;
    let body = body.to_owned();
    if body.trim().is_empty() {
        return Err("the file has front matter but no transcript text after it".into());
    }
    let turns = turns(&body, &meta, labels);
    Ok(Transcript {
        text: body,
        turns,
        meta,
        controls_replaced,
    })
}

/// Splits `---` YAML front matter from the body. Text without front matter is all body.
fn split_front_matter(text: &str) -> Result<(Meta, &str), String> {
    let Some(rest) = text.strip_prefix("---\n") else {
        return Ok((Meta::default(), text));
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n').trim_end();
        if bare == "---" || bare == "..." {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok((parse_meta(yaml)?, body));
        }
        offset += line.len();
        if offset > FRONT_MATTER_LIMIT {
            break;
        }
    }
    if offset > FRONT_MATTER_LIMIT {
        return Err(format!(
            "the front matter is larger than {} KiB; it should hold only a few lines of metadata",
            FRONT_MATTER_LIMIT / 1024
        ));
    }
    Err(
        "the file starts with front matter (`---`) that is never closed by a second `---` line"
            .into(),
    )
}

/// Reads the YAML of the front matter into [`Meta`]; unknown keys become attributes.
pub fn parse_meta(yaml: &str) -> Result<Meta, String> {
    let mut meta = Meta::default();
    if yaml.trim().is_empty() {
        return Ok(meta);
    }
    let value: Value = serde_saphyr::from_str(yaml).map_err(|e| {
        // The YAML starts on line 2 of the file.
        format!(
            "the front matter is not valid YAML: {}",
            first_line(&e.to_string())
        )
    })?;
    let Value::Object(map) = value else {
        return Err("the front matter must be a list of `key: value` lines".into());
    };
    for (key, value) in map {
        let k = key.to_ascii_lowercase();
        match k.as_str() {
            "participant" => meta.participant = scalar(&k, &value)?,
            "participants" => meta.participants = list(&k, &value)?,
            "wave" => meta.wave = scalar(&k, &value)?,
            "date" => meta.date = scalar(&k, &value)?,
            "kind" => meta.kind = scalar(&k, &value)?,
            "language" => meta.language = scalar(&k, &value)?,
            "interviewer" => meta.interviewer = scalar(&k, &value)?,
            "title" => meta.title = scalar(&k, &value)?,
            "speakers" => meta.speakers = speakers(&value)?,
            "participant_attributes" => match value {
                Value::Object(m) => meta.participant_attributes = m,
                Value::Null => {}
                _ => return Err("`participant_attributes` must be a map of `key: value`".into()),
            },
            _ => {
                meta.attributes.insert(key, value);
            }
        }
    }
    Ok(meta)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn scalar(key: &str, value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(format!(
            "`{key}` in the front matter must be a single value"
        )),
    }
}

fn list(key: &str, value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| scalar(key, v)?.ok_or_else(|| format!("`{key}` holds an empty entry")))
            .collect(),
        Value::String(s) => Ok(s
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()),
        Value::Null => Ok(Vec::new()),
        _ => Err(format!(
            "`{key}` in the front matter must be a list such as [P01, P02]"
        )),
    }
}

fn speakers(value: &Value) -> Result<BTreeMap<String, String>, String> {
    match value {
        Value::Object(m) => m
            .iter()
            .map(|(label, v)| {
                let who = scalar("speakers", v)?
                    .ok_or_else(|| format!("speaker `{label}` is mapped to nothing"))?;
                Ok((label.trim().to_owned(), who))
            })
            .collect(),
        Value::Null => Ok(BTreeMap::new()),
        _ => Err("`speakers` must map labels to participants, e.g. `R1: P03`".into()),
    }
}

/// A label found at the start of a line.
#[derive(Debug, Clone, PartialEq)]
struct LabelLine {
    label: String,
    /// Byte offset in the line where the spoken words begin.
    content_at: usize,
    time: Option<f64>,
}

/// Splits the body into turns.
fn turns(body: &str, meta: &Meta, extra_labels: &[String]) -> Vec<RawTurn> {
    // First pass: candidate labels, and how often each opens a line.
    let mut candidates: Vec<Option<LabelLine>> = Vec::new();
    let mut frequency: HashMap<String, usize> = HashMap::new();
    for line in body.split('\n') {
        let c = label_line(line);
        if let Some(c) = &c {
            *frequency.entry(c.label.clone()).or_default() += 1;
        }
        candidates.push(c);
    }
    let declared: Vec<String> = meta
        .speakers
        .keys()
        .cloned()
        .chain(meta.participant.clone())
        .chain(meta.participants.iter().cloned())
        .chain(meta.interviewer.clone())
        .chain(extra_labels.iter().cloned())
        .map(|s| s.to_lowercase())
        .collect();
    let accepted = |l: &LabelLine| {
        declared.contains(&l.label.to_lowercase())
            || is_code_label(&l.label)
            || is_role_label(&l.label)
            || frequency.get(&l.label).copied().unwrap_or(0) >= 2
    };

    // Second pass: turns, with character offsets. A turn starts at its first spoken
    // character (the label line may hold none) and ends after its last one.
    let mut turns: Vec<RawTurn> = Vec::new();
    let mut open: Option<RawTurn> = None;
    let mut chars_before = 0usize; // characters before the current line
    for (index, (line, candidate)) in body.split('\n').zip(candidates).enumerate() {
        let line_no = index + 1;
        let from = match candidate.filter(|c| accepted(c)) {
            Some(c) => {
                turns.extend(open.take());
                open = Some(RawTurn {
                    speaker: c.label,
                    start: usize::MAX,
                    end: 0,
                    line: line_no,
                    time_start: c.time,
                    time_end: None,
                });
                c.content_at
            }
            None => {
                if open.is_none() && !line.trim().is_empty() {
                    // Text before the first label: a turn without a speaker.
                    open = Some(RawTurn {
                        speaker: String::new(),
                        start: usize::MAX,
                        end: 0,
                        line: line_no,
                        time_start: None,
                        time_end: None,
                    });
                }
                0
            }
        };
        if let Some(turn) = open.as_mut() {
            let words = line[from..].trim();
            if !words.is_empty() {
                let lead = line[..from].chars().count() + leading_ws_chars(&line[from..]);
                if turn.start == usize::MAX {
                    turn.start = chars_before + lead;
                }
                turn.end = chars_before + lead + words.chars().count();
            }
        }
        chars_before += line.chars().count() + 1;
    }
    turns.extend(open);
    // A label with no words after it is no utterance.
    turns.retain(|t| t.start != usize::MAX);
    if turns
        .iter()
        .any(|t| t.speaker.is_empty() && t.end - t.start > LONG_UNLABELLED)
    {
        turns = divide_long_unlabelled(body, turns);
    }
    turns
}

/// A text from another tool as it is: no front matter, no speaker labels looked for; each
/// paragraph (each line with words; a line over [`LONG_UNLABELLED`] characters divided as
/// that constant says) is a turn without a speaker.
pub fn paragraphs(text: String) -> Transcript {
    let mut turns = Vec::new();
    let mut chars_before = 0usize;
    for (index, line) in text.split('\n').enumerate() {
        let mut pieces = Vec::new();
        pieces_of(line, 0, &mut pieces);
        let (mut c, mut b) = (chars_before, 0usize);
        for (ps, pe) in pieces {
            c += line[b..ps].chars().count();
            let length = line[ps..pe].chars().count();
            turns.push(RawTurn {
                speaker: String::new(),
                start: c,
                end: c + length,
                line: index + 1,
                time_start: None,
                time_end: None,
            });
            c += length;
            b = pe;
        }
        chars_before += line.chars().count() + 1;
    }
    Transcript {
        text,
        turns,
        meta: Meta::default(),
        controls_replaced: 0,
    }
}

/// Divides every unlabelled turn longer than [`LONG_UNLABELLED`] characters as that constant
/// says; the pieces keep the turn's words exactly (only white space between them is left out).
fn divide_long_unlabelled(body: &str, turns: Vec<RawTurn>) -> Vec<RawTurn> {
    let mut out = Vec::with_capacity(turns.len());
    // Character → byte offsets and line numbers, walked forward once.
    let mut bytes = body.char_indices().map(|(b, _)| b).chain([body.len()]);
    let mut at_char = 0usize;
    let mut at_byte = bytes.next().unwrap_or(0);
    let mut line = 1usize;
    for turn in turns {
        if !turn.speaker.is_empty() || turn.end - turn.start <= LONG_UNLABELLED {
            out.push(turn);
            continue;
        }
        while at_char < turn.start {
            if body.as_bytes().get(at_byte) == Some(&b'\n') {
                line += 1;
            }
            at_byte = bytes.next().unwrap_or(body.len());
            at_char += 1;
        }
        let start_byte = at_byte;
        let end_byte = body[start_byte..]
            .char_indices()
            .nth(turn.end - turn.start)
            .map(|(b, _)| start_byte + b)
            .unwrap_or(body.len());
        let mut pieces = Vec::new();
        pieces_of(&body[start_byte..end_byte], 0, &mut pieces);
        // Pieces are byte ranges of the turn: give them characters and lines.
        let text = &body[start_byte..end_byte];
        let (mut c, mut b, mut l) = (turn.start, 0usize, line);
        for (ps, pe) in pieces {
            for ch in text[b..ps].chars() {
                c += 1;
                if ch == '\n' {
                    l += 1;
                }
            }
            let start = c;
            let piece = &text[ps..pe];
            let length = piece.chars().count();
            out.push(RawTurn {
                speaker: String::new(),
                start,
                end: start + length,
                line: l,
                time_start: None,
                time_end: None,
            });
            c += length;
            l += piece.matches('\n').count();
            b = pe;
        }
    }
    out
}

/// The byte ranges (trimmed of white space) into which `text` is divided: see
/// [`LONG_UNLABELLED`]. `level` 0 splits at blank lines, 1 packs lines, 2 sentences, 3 words,
/// and past that the text is cut at the limit.
fn pieces_of(text: &str, offset: usize, out: &mut Vec<(usize, usize)>) {
    let trimmed_start = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return;
    }
    let base = offset + trimmed_start;
    if trimmed.chars().count() <= LONG_UNLABELLED {
        out.push((base, base + trimmed.len()));
        return;
    }
    // Paragraphs, each its own turn.
    let paragraphs = split_keeping(trimmed, |rest| {
        let nl = rest.find('\n')?;
        let after = &rest[nl + 1..];
        let gap = after.len() - after.trim_start_matches([' ', '\t', '\r']).len();
        after[gap..]
            .starts_with('\n')
            .then_some((nl, nl + 1 + gap + 1))
    });
    if paragraphs.len() > 1 {
        for (s, e) in paragraphs {
            pieces_of(&trimmed[s..e], base + s, out);
        }
        return;
    }
    // One paragraph: runs of whole lines, of whole sentences, of whole words, packed up to
    // the limit; a single word longer than the limit is cut.
    let units: [Separator; 3] = [
        |rest| rest.find('\n').map(|i| (i, i + 1)),
        |rest| {
            let mut from = 0;
            loop {
                let j = from + rest[from..].find(char::is_whitespace)?;
                if rest[..j].ends_with(['.', '?', '!', '…']) {
                    return Some((j, j + 1));
                }
                from = j + 1;
            }
        },
        |rest| rest.find(char::is_whitespace).map(|i| (i, i + 1)),
    ];
    for unit in units {
        let parts = split_keeping(trimmed, unit);
        if parts.len() > 1 {
            for (s, e) in pack(trimmed, &parts) {
                pieces_of(&trimmed[s..e], base + s, out);
            }
            return;
        }
    }
    // One word longer than the limit: cut into pieces of the limit.
    let mut from = 0;
    while from < trimmed.len() {
        let cut = trimmed[from..]
            .char_indices()
            .nth(LONG_UNLABELLED)
            .map(|(b, _)| from + b)
            .unwrap_or(trimmed.len());
        out.push((base + from, base + cut));
        from = cut;
    }
}

/// Finds the next separator in the rest of a text: its start and end there.
type Separator = fn(&str) -> Option<(usize, usize)>;

/// `text` cut where `next` finds a separator: `next(rest)` gives the separator's start and
/// end in `rest`. Returns the ranges between separators (the separators left out).
fn split_keeping(text: &str, next: impl Fn(&str) -> Option<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while from < text.len() {
        match next(&text[from..]) {
            Some((s, e)) if e > 0 => {
                out.push((from, from + s));
                from += e;
            }
            _ => break,
        }
    }
    if from < text.len() {
        out.push((from, text.len()));
    }
    out
}

/// Consecutive parts joined into runs of at most [`LONG_UNLABELLED`] characters (a part
/// longer than that is a run of its own, divided further by the caller).
fn pack(text: &str, parts: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut run: Option<(usize, usize, usize)> = None; // start, end, characters
    for &(s, e) in parts {
        let n = text[s..e].chars().count();
        run = match run {
            Some((rs, _, rn)) if rn + n < LONG_UNLABELLED => Some((rs, e, rn + n + 1)),
            Some((rs, re, _)) => {
                runs.push((rs, re));
                Some((s, e, n))
            }
            None => Some((s, e, n)),
        };
    }
    runs.extend(run.map(|(s, e, _)| (s, e)));
    runs
}

fn leading_ws_chars(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// Recognises `[ts] LABEL: [ts] words` (and bold `**LABEL:**`) at the start of a line.
fn label_line(line: &str) -> Option<LabelLine> {
    let mut pos = line.len() - line.trim_start().len();
    let mut time = None;
    if let Some((t, len)) = timestamp(&line[pos..]) {
        time = Some(t);
        pos += len;
        pos += line[pos..].len() - line[pos..].trim_start().len();
    }
    let rest = &line[pos..];
    let (bold, rest) = match rest.strip_prefix("**") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let colon = rest.find(':')?;
    let mut label = &rest[..colon];
    let mut after = colon + 1;
    if bold {
        if let Some(l) = label.strip_suffix("**") {
            label = l; // **I**:
        } else if rest[after..].starts_with("**") {
            after += 2; // **I:**
        } else {
            return None;
        }
    }
    let label = label.trim_end();
    if !is_label_shape(label) {
        return None;
    }
    let tail = &rest[after..];
    // A label is followed by a space, a tab or the end of the line ("10:30" is no label).
    if !(tail.is_empty() || tail.starts_with([' ', '\t'])) {
        return None;
    }
    let mut content_at = pos + (if bold { 2 } else { 0 }) + after;
    content_at += line[content_at..].len() - line[content_at..].trim_start().len();
    if time.is_none()
        && let Some((t, len)) = timestamp(&line[content_at..])
    {
        time = Some(t);
        content_at += len;
        content_at += line[content_at..].len() - line[content_at..].trim_start().len();
    }
    Some(LabelLine {
        label: label.to_owned(),
        content_at,
        time,
    })
}

/// Name particles that may stand lower-case inside a name label.
const PARTICLES: &[&str] = &[
    "van", "de", "der", "den", "ter", "ten", "te", "von", "la", "le", "el",
];

/// One to three words, the first capitalised (or a code like `p03`), at most 40 characters.
fn is_label_shape(label: &str) -> bool {
    if label.is_empty() || label.chars().count() > 40 {
        return false;
    }
    let words: Vec<&str> = label.split(' ').collect();
    if words.len() > 3 || words.iter().any(|w| w.is_empty()) {
        return false;
    }
    let word_ok = |w: &str| {
        w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '\'' | '_'))
    };
    if !words.iter().all(|w| word_ok(w)) {
        return false;
    }
    let first = words[0];
    let starts_upper = first.chars().next().is_some_and(|c| c.is_uppercase());
    if !(starts_upper || is_code_label(first)) {
        return false;
    }
    words[1..].iter().all(|w| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            || PARTICLES.contains(w)
    })
}

/// `I`, `M`, `IV`, `INT`, `P03`, `R11`, `p3`, `Sp1`: short codes transcribers use.
fn is_code_label(label: &str) -> bool {
    let letters: String = label
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let digits = &label[letters.len()..];
    if letters.is_empty() || letters.len() > 3 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    if digits.is_empty() {
        letters.chars().all(|c| c.is_ascii_uppercase())
    } else {
        digits.len() <= 4
    }
}

/// Role words, optionally numbered: `Interviewer`, `Respondent 2`, `Deelnemer`, `Speaker 1`.
fn is_role_label(label: &str) -> bool {
    const ROLES: &[&str] = &[
        "interviewer",
        "interviewster",
        "interviewee",
        "onderzoeker",
        "researcher",
        "moderator",
        "gespreksleider",
        "facilitator",
        "respondent",
        "deelnemer",
        "participant",
        "speaker",
        "spreker",
    ];
    let mut words = label.split(' ');
    let role = words.next().unwrap_or("").to_lowercase();
    let number_ok = match words.next() {
        None => true,
        Some(n) => n.chars().all(|c| c.is_ascii_alphanumeric()) && n.len() <= 3,
    };
    ROLES.contains(&role.as_str()) && number_ok && words.next().is_none()
}

/// `[hh:mm:ss]`, `[mm:ss]`, `(hh:mm:ss)`, with optional `.mmm` or `,mmm`: seconds and length.
pub fn timestamp(s: &str) -> Option<(f64, usize)> {
    let close = match s.chars().next()? {
        '[' => ']',
        '(' => ')',
        _ => return None,
    };
    let end = s.find(close)?;
    let seconds = clock(&s[1..end])?;
    Some((seconds, end + 1))
}

/// `hh:mm:ss(.mmm)` or `mm:ss(.mmm)` to seconds.
pub fn clock(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let (main, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = main.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let nums: Vec<f64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let (h, m, sec) = match nums[..] {
        [m, s] => (0.0, m, s),
        [h, m, s] => (h, m, s),
        _ => return None,
    };
    if m >= 60.0 || sec >= 60.0 {
        return None;
    }
    let frac = match frac {
        Some(f) if !f.is_empty() && f.len() <= 3 && f.chars().all(|c| c.is_ascii_digit()) => {
            f.parse::<f64>().ok()? / 10f64.powi(f.len() as i32)
        }
        Some(_) => return None,
        None => 0.0,
    };
    Some(h * 3600.0 + m * 60.0 + sec + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transcript without speaker labels was one turn however long (a 25 MB file one
    /// turn, which search could not answer on). Long unlabelled text is divided into
    /// paragraphs, then runs of lines, sentences and words, none over the limit, keeping
    /// every word in order; short unlabelled text and labelled turns stay as they are.
    #[test]
    fn long_unlabelled_text_is_divided_into_turns_that_keep_every_word() {
        let sentence = "Ik ging elke week naar de groep, en dat hielp mij echt. ";
        let long_paragraph = sentence.repeat(400); // one line, ~22,000 characters
        let lines: String = (0..600)
            .map(|i| format!("Regel {i} van een lang verhaal.\n"))
            .collect();
        let word = "x".repeat(25_000);
        let body = format!(
            "Een korte eerste alinea.\n\n{long_paragraph}\n\n{lines}\n\n{word}\n\nEen laatste alinea met één woord: café 😀.\n"
        );
        let t = parse(body.clone(), 0).unwrap();
        let chars: Vec<char> = body.chars().collect();
        assert!(t.turns.len() > 6, "{} turns", t.turns.len());
        let mut last_end = 0;
        let mut words: Vec<String> = Vec::new(); // the turns' text, white space left out
        for turn in &t.turns {
            assert!(turn.speaker.is_empty());
            assert!(turn.start >= last_end && turn.end > turn.start);
            assert!(
                turn.end - turn.start <= LONG_UNLABELLED,
                "{} characters",
                turn.end - turn.start
            );
            let piece: String = chars[turn.start..turn.end].iter().collect();
            assert_eq!(piece.trim(), piece, "a turn starts and ends with words");
            // Its line is the line it starts on.
            let line = chars[..turn.start].iter().filter(|c| **c == '\n').count() + 1;
            assert_eq!(turn.line, line);
            words.push(piece.split_whitespace().collect());
            last_end = turn.end;
        }
        // Every character but white space, in order, once.
        let kept: String = words.concat();
        let all: String = body.split_whitespace().collect();
        assert!(kept == all, "the turns lost or repeated text");
        // Only the one word longer than the limit is cut inside a word.
        for x in &t.turns {
            let before = x.start.checked_sub(1).map(|i| chars[i]);
            let after = chars.get(x.end).copied();
            let cut = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
            if cut(before) || cut(after) {
                assert_eq!(chars[x.start], 'x', "a word was cut at {}", x.start);
            }
        }
        // The first paragraph is a turn of its own; sentences are not cut.
        assert_eq!(
            chars[t.turns[0].start..t.turns[0].end]
                .iter()
                .collect::<String>(),
            "Een korte eerste alinea."
        );
        assert!(t.turns.iter().any(|x| {
            let p: String = chars[x.start..x.end].iter().collect();
            p.starts_with("Ik ging") && p.ends_with("echt.")
        }));
        // Short unlabelled text is one turn, as before; labelled turns are never divided.
        assert_eq!(
            parse("Een notitie.\n\nNog een.\n".into(), 0)
                .unwrap()
                .turns
                .len(),
            1
        );
        let labelled = parse(format!("P01: {long_paragraph}\n"), 0).unwrap();
        assert_eq!(labelled.turns.len(), 1);
    }

    fn spans(t: &Transcript) -> Vec<(String, String)> {
        let chars: Vec<char> = t.text.chars().collect();
        t.turns
            .iter()
            .map(|x| (x.speaker.clone(), chars[x.start..x.end].iter().collect()))
            .collect()
    }

    #[test]
    fn labels_turns_and_continuation_lines() {
        let t = parse(
            "I: Hoe gaat het?\nP03: Goed.\nDaar zit ook iemand.\n\nI: En verder?\n".into(),
            0,
        )
        .unwrap();
        assert_eq!(
            spans(&t),
            vec![
                ("I".into(), "Hoe gaat het?".into()),
                ("P03".into(), "Goed.\nDaar zit ook iemand.".into()),
                ("I".into(), "En verder?".into()),
            ]
        );
        assert_eq!(
            t.turns.iter().map(|x| x.line).collect::<Vec<_>>(),
            vec![1, 2, 5]
        );
    }

    #[test]
    fn timestamps_before_or_after_the_label_are_read_and_skipped() {
        let t = parse(
            "[00:12:31] P03: Ja.\nInterviewer: [01:02] Echt?\n(1:00:00.5) I: Zeker.\n".into(),
            0,
        )
        .unwrap();
        assert_eq!(
            spans(&t),
            vec![
                ("P03".into(), "Ja.".into()),
                ("Interviewer".into(), "Echt?".into()),
                ("I".into(), "Zeker.".into()),
            ]
        );
        let times: Vec<_> = t.turns.iter().map(|x| x.time_start).collect();
        assert_eq!(times, vec![Some(751.0), Some(62.0), Some(3600.5)]);
    }

    #[test]
    fn sentences_with_colons_are_not_mistaken_for_labels() {
        let t = parse(
            "P01: Toen zei ik: dat wil ik niet.\nIk zei toen: nee.\nom 10:30 ging ik\nwant: niemand.\n"
                .into(),
            0,
        )
        .unwrap();
        assert_eq!(t.turns.len(), 1);
        assert!(spans(&t)[0].1.ends_with("niemand."));
    }

    #[test]
    fn a_capitalised_name_is_a_label_only_when_it_recurs() {
        let once = parse("I: vraag\nAnna: antwoord\nI: nog een\n".into(), 0).unwrap();
        assert_eq!(once.turns.len(), 2, "{:?}", spans(&once));
        let twice = parse(
            "I: vraag\nAnna de Wit: antwoord\nI: nog een\nAnna de Wit: ja\n".into(),
            0,
        )
        .unwrap();
        assert_eq!(twice.turns.len(), 4);
        assert_eq!(twice.turns[1].speaker, "Anna de Wit");
    }

    #[test]
    fn markdown_bold_labels_are_accepted() {
        let t = parse("**I:** Vraag\n**P02**: Antwoord\n".into(), 0).unwrap();
        assert_eq!(
            spans(&t),
            vec![
                ("I".into(), "Vraag".into()),
                ("P02".into(), "Antwoord".into())
            ]
        );
    }

    #[test]
    fn text_before_the_first_label_is_an_unlabelled_turn() {
        let t = parse("Notitie vooraf.\n\nI: Vraag\n".into(), 0).unwrap();
        assert_eq!(
            spans(&t),
            vec![
                ("".into(), "Notitie vooraf.".into()),
                ("I".into(), "Vraag".into())
            ]
        );
    }

    #[test]
    fn a_label_alone_on_its_line_starts_its_turn_on_the_next_line() {
        let t = parse("I:\n  Vraag hier\nP01: ja\n".into(), 0).unwrap();
        assert_eq!(spans(&t)[0], ("I".into(), "Vraag hier".into()));
        assert_eq!(t.turns[0].line, 1);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let t = parse("I: één café\nP01: ☕ ja\n".into(), 0).unwrap();
        assert_eq!(spans(&t)[1], ("P01".into(), "☕ ja".into()));
        assert_eq!((t.turns[1].start, t.turns[1].end), (17, 21));
    }

    #[test]
    fn front_matter_is_read_and_split_from_the_body() {
        let t = parse(
            "---\nparticipants: [P01, P02]\nwave: 2\nkind: group\nsite: Leiden\nspeakers:\n  R1: P01\n  M: interviewer\nparticipant_attributes:\n  age_group: 40-49\n---\nM: Welkom\nR1: Dank\n"
                .into(),
            0,
        )
        .unwrap();
        assert_eq!(t.text, "M: Welkom\nR1: Dank\n");
        assert_eq!(t.meta.participants, vec!["P01", "P02"]);
        assert_eq!(t.meta.wave.as_deref(), Some("2"));
        assert_eq!(t.meta.kind.as_deref(), Some("group"));
        assert_eq!(t.meta.speakers.get("R1").map(String::as_str), Some("P01"));
        assert_eq!(t.meta.attributes.get("site"), Some(&Value::from("Leiden")));
        assert_eq!(
            t.meta.participant_attributes.get("age_group"),
            Some(&Value::from("40-49"))
        );
        assert_eq!(t.turns[0].line, 1);
    }

    #[test]
    fn broken_front_matter_is_refused_with_a_reason() {
        let unclosed = parse("---\nwave: T1\nI: hallo\n".into(), 0).unwrap_err();
        assert!(unclosed.contains("never closed"), "{unclosed}");
        let invalid = parse("---\nwave: [T1\n---\nI: hallo\n".into(), 0).unwrap_err();
        assert!(invalid.contains("not valid YAML"), "{invalid}");
        let not_map = parse("---\n- a\n- b\n---\nI: hallo\n".into(), 0).unwrap_err();
        assert!(not_map.contains("key: value"), "{not_map}");
        let empty_body = parse("---\nwave: T1\n---\n\n".into(), 0).unwrap_err();
        assert!(empty_body.contains("no transcript text"), "{empty_body}");
    }

    #[test]
    fn clock_parses_common_forms_and_rejects_others() {
        assert_eq!(clock("00:12:31"), Some(751.0));
        assert_eq!(clock("12:31"), Some(751.0));
        assert_eq!(clock("00:00:01.500"), Some(1.5));
        assert_eq!(clock("00:00:01,5"), Some(1.5));
        assert_eq!(clock("10:75"), None);
        assert_eq!(clock("abc"), None);
        assert_eq!(clock("1:2:3:4"), None);
    }
}
