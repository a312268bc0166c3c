//! Ties a transcript to the study: which participant(s), which wave, what kind of document,
//! which language, and who each speaker label is. Front matter, command-line flags and the
//! file name (`P03_T2.txt`, `P03-w2.docx`) each may say; when front matter and a flag
//! disagree the file is refused, because guessing which is right could misfile an interview.

use std::collections::BTreeMap;

use super::transcript::Transcript;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Speaker {
    Interviewer,
    Participant(String),
    /// A label we could not map (reported, stored without a participant).
    Unknown,
}

/// A transcript with everything settled, ready to store.
#[derive(Debug, Clone)]
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

/// Wave names: a bare number or `w2`/`t2` becomes `T2`; anything else is kept as written.
pub fn normalise_wave(name: &str) -> String {
    let name = name.trim();
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
        return format!("T{}", without_leading_zeros(name));
    }
    let mut chars = name.chars();
    if let Some(first) = chars.next() {
        let rest = chars.as_str();
        if matches!(first, 'w' | 'W' | 't' | 'T')
            && !rest.is_empty()
            && rest.len() <= 3
            && rest.chars().all(|c| c.is_ascii_digit())
        {
            return format!("T{}", without_leading_zeros(rest));
        }
    }
    name.to_owned()
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

/// Settles a transcript's metadata; the error is a sentence about this file.
pub fn resolve(
    t: &Transcript,
    flags: &Flags,
    file_stem: &str,
    project_language: &str,
) -> Result<Resolved, String> {
    let m = &t.meta;
    let mut notes = Vec::new();

    // Participants: front matter, else flags, else the file name.
    let mut from_meta: Vec<String> = m
        .participant
        .iter()
        .chain(m.participants.iter())
        .map(|p| normalise_participant(p))
        .collect();
    from_meta.dedup();
    let from_flags: Vec<String> = flags
        .participants
        .iter()
        .map(|p| normalise_participant(p))
        .collect();
    let (file_participant, file_wave) = from_file_name(file_stem);
    if !from_meta.is_empty() && !from_flags.is_empty() && sorted(&from_meta) != sorted(&from_flags)
    {
        return Err(format!(
            "the front matter names participant(s) {} but --participant says {}; remove one of them",
            from_meta.join(", "),
            from_flags.join(", ")
        ));
    }
    // Speaker mappings: the file's own (front matter), then `--speakers` for labels it leaves.
    let mut declared: BTreeMap<String, String> = flags
        .speakers
        .iter()
        .map(|(k, v)| (k.to_lowercase(), v.clone()))
        .collect();
    for (k, v) in &m.speakers {
        declared.insert(k.to_lowercase(), v.clone());
    }
    let participants = if !from_meta.is_empty() {
        from_meta
    } else if !from_flags.is_empty() {
        from_flags
    } else if let Some(p) = file_participant.clone() {
        vec![p]
    } else {
        // Else the participants the speaker mappings name, among the labels that speak here.
        let mut mapped: Vec<String> = t
            .turns
            .iter()
            .filter_map(|turn| declared.get(&turn.speaker.to_lowercase()))
            .filter(|who| !who.eq_ignore_ascii_case("interviewer"))
            .map(|who| normalise_participant(who))
            .collect();
        mapped.sort();
        mapped.dedup();
        mapped
    };

    // Wave.
    let meta_wave = m.wave.as_deref().map(normalise_wave);
    let flag_wave = flags.wave.as_deref().map(normalise_wave);
    if let (Some(a), Some(b)) = (&meta_wave, &flag_wave)
        && a != b
    {
        return Err(format!(
            "the front matter says wave {a} but --wave says {b}; remove one of them"
        ));
    }
    let wave = meta_wave.or(flag_wave).or(file_wave.clone());
    if let (Some(w), Some(fw)) = (&wave, &file_wave)
        && w != fw
    {
        notes.push(format!(
            "the file name suggests wave {fw}, the front matter says {w}: {w} was used"
        ));
    }

    // Kind.
    let meta_kind = m.kind.as_deref().map(str::to_lowercase);
    let flag_kind = flags.kind.as_deref().map(str::to_lowercase);
    if let (Some(a), Some(b)) = (&meta_kind, &flag_kind)
        && a != b
    {
        return Err(format!(
            "the front matter says kind {a} but --kind says {b}; remove one of them"
        ));
    }
    let kind = meta_kind.or(flag_kind).unwrap_or_else(|| {
        if participants.len() > 1 {
            "group"
        } else {
            "individual"
        }
        .to_owned()
    });
    if !KINDS.contains(&kind.as_str()) {
        return Err(format!(
            "kind `{kind}` is not one of individual, group, fieldnote"
        ));
    }

    // Language.
    let language = m
        .language
        .clone()
        .or_else(|| flags.language.clone())
        .unwrap_or_else(|| project_language.to_owned())
        .to_lowercase();
    if !LANGUAGES.contains(&language.as_str()) {
        return Err(format!(
            "language `{language}` is not supported; use nl or en"
        ));
    }

    match kind.as_str() {
        "individual" if participants.len() != 1 => {
            return Err(if participants.is_empty() {
                "no participant is given: name one with --participant P03, in the file name like P03_T2.vtt, with --speakers LABEL=P03 (the label as it appears in the file), or in a .txt or .md file's front matter (`participant: P03`)".to_owned()
            } else {
                format!(
                    "an individual interview has one participant, but {} are named ({}); import it as a group interview with --kind group (or `kind: group` in a .txt or .md file's front matter)",
                    participants.len(),
                    participants.join(", ")
                )
            });
        }
        "group" if participants.is_empty() => {
            return Err("a group interview needs its participants: name them with --participant P01,P02 or map the speakers with --speakers LABEL=P01,LABEL=P02,LABEL=interviewer (labels as they appear in the file); a .txt or .md file can say `participants: [P01, P02]` in its front matter".into());
        }
        _ => {}
    }
    if !matches!(kind.as_str(), "fieldnote" | "document") && wave.is_none() {
        return Err("no wave is given: name it with --wave T2, in the file name like P03_T2.vtt, or in a .txt or .md file's front matter (`wave: T2`)".into());
    }

    let labels: Vec<&str> = t.turns.iter().map(|x| x.speaker.as_str()).collect();
    let speakers = map_speakers(
        &labels,
        &declared,
        &kind,
        &participants,
        m.interviewer.as_deref(),
        &mut notes,
    )?;

    let title = m.title.clone().unwrap_or_else(|| {
        let who = participants.join("+");
        match (&who[..], &wave) {
            ("", Some(w)) => format!("{kind} {w}"),
            ("", None) => kind.clone(),
            (who, Some(w)) => format!("{who} {w}"),
            (who, None) => who.to_owned(),
        }
    });

    Ok(Resolved {
        kind,
        participants,
        wave,
        language,
        title,
        date: m.date.clone(),
        interviewer: m.interviewer.clone(),
        attributes: m.attributes.clone(),
        participant_attributes: m.participant_attributes.clone(),
        speakers,
        notes,
    })
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::text;

    fn t(s: &str) -> Transcript {
        text::parse(s.to_owned(), 0).unwrap()
    }

    #[test]
    fn file_names_give_participant_and_wave() {
        assert_eq!(
            from_file_name("P03_T2"),
            (Some("P03".into()), Some("T2".into()))
        );
        assert_eq!(
            from_file_name("p03-w2"),
            (Some("P03".into()), Some("T2".into()))
        );
        assert_eq!(
            from_file_name("R11 t03 interview"),
            (Some("R11".into()), Some("T3".into()))
        );
        assert_eq!(from_file_name("P07"), (Some("P07".into()), None));
        assert_eq!(from_file_name("interview anna"), (None, None));
        assert_eq!(from_file_name("T2"), (None, None));
    }

    #[test]
    fn waves_are_normalised() {
        assert_eq!(normalise_wave("2"), "T2");
        assert_eq!(normalise_wave("w02"), "T2");
        assert_eq!(normalise_wave("T3"), "T3");
        assert_eq!(normalise_wave("baseline"), "baseline");
        assert_eq!(wave_ordinal("T12"), Some(12));
        assert_eq!(wave_ordinal("baseline"), None);
    }

    #[test]
    fn an_individual_interview_maps_interviewer_and_participant() {
        let r = resolve(
            &t("I: Vraag\nR: Antwoord\n"),
            &Flags::default(),
            "P03_T2",
            "nl",
        )
        .unwrap();
        assert_eq!(r.participants, vec!["P03"]);
        assert_eq!(r.wave.as_deref(), Some("T2"));
        assert_eq!(r.kind, "individual");
        assert_eq!(r.speakers["I"], Speaker::Interviewer);
        assert_eq!(r.speakers["R"], Speaker::Participant("P03".into()));
        assert_eq!(r.title, "P03 T2");
    }

    #[test]
    fn a_group_interview_maps_declared_labels_and_reports_unknown_ones() {
        let doc = t(
            "---\nparticipants: [P01, p02]\nwave: T1\nspeakers:\n  R1: P01\n  M: interviewer\n---\nM: Welkom\nR1: Dank\nP02: Ja\nX9: wie?\n",
        );
        let r = resolve(&doc, &Flags::default(), "G01", "nl").unwrap();
        assert_eq!(r.kind, "group");
        assert_eq!(r.speakers["M"], Speaker::Interviewer);
        assert_eq!(r.speakers["R1"], Speaker::Participant("P01".into()));
        assert_eq!(r.speakers["P02"], Speaker::Participant("P02".into()));
        assert_eq!(r.speakers["X9"], Speaker::Unknown);
        assert!(r.notes.iter().any(|n| n.contains("X9")));
    }

    #[test]
    fn conflicts_and_gaps_are_refused_with_a_reason() {
        let doc = t("---\nparticipant: P01\nwave: T1\n---\nI: x\n");
        let flags = Flags {
            wave: Some("T2".into()),
            ..Flags::default()
        };
        assert!(
            resolve(&doc, &flags, "x", "nl")
                .unwrap_err()
                .contains("--wave says T2")
        );
        let none = resolve(&t("I: x\n"), &Flags::default(), "interview", "nl").unwrap_err();
        assert!(none.contains("no participant"), "{none}");
        let no_wave = resolve(&t("I: x\n"), &Flags::default(), "P01", "nl").unwrap_err();
        assert!(no_wave.contains("no wave"), "{no_wave}");
        let lang = Flags {
            language: Some("de".into()),
            ..Flags::default()
        };
        assert!(
            resolve(&t("I: x\n"), &lang, "P01_T1", "nl")
                .unwrap_err()
                .contains("not supported")
        );
        let bad_map =
            t("---\nparticipants: [P01, P02]\nwave: T1\nspeakers:\n  R1: P09\n---\nR1: hoi\n");
        assert!(
            resolve(&bad_map, &Flags::default(), "x", "nl")
                .unwrap_err()
                .contains("P09")
        );
        let two_voices = resolve(
            &t("I: x\nAnna: a\nBert: b\nAnna: c\nBert: d\n"),
            &Flags::default(),
            "P01_T1",
            "nl",
        )
        .unwrap_err();
        assert!(two_voices.contains("several speakers"), "{two_voices}");
    }

    #[test]
    fn flags_fill_what_the_file_does_not_say() {
        let flags = Flags {
            participants: vec!["p05".into()],
            wave: Some("3".into()),
            language: Some("en".into()),
            ..Flags::default()
        };
        let r = resolve(&t("Interviewer: x\nP05: y\n"), &flags, "interview", "nl").unwrap();
        assert_eq!(
            (
                r.participants[0].as_str(),
                r.wave.as_deref(),
                r.language.as_str()
            ),
            ("P05", Some("T3"), "en")
        );
    }
}
