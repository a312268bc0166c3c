//! Ties a transcript to the study: which participant(s), which wave, what kind of document,
//! which language, and who each speaker label is. Front matter, command-line flags and the
//! file name (`P03_T2.txt`, `P03-w2.docx`) each may say; when front matter and a flag
//! disagree the file is refused, because guessing which is right could misfile an interview.

use std::collections::BTreeMap;

use crate::transcript::Transcript;

pub use crate::transcript::study::{
    Flags, KINDS, LANGUAGES, Resolved, Speaker, from_file_name, map_speakers,
    normalise_participant, normalise_wave, parse_speakers, same_wave, wave_key, wave_ordinal,
};

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
        && !same_wave(a, b)
    {
        return Err(format!(
            "the front matter says wave {a} but --wave says {b}; remove one of them"
        ));
    }
    let wave = meta_wave.or(flag_wave).or(file_wave.clone());
    if let (Some(w), Some(fw)) = (&wave, &file_wave)
        && !same_wave(w, fw)
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
        // The wave as the file names it: `w2` is W2 (not T2).
        assert_eq!(
            from_file_name("p03-w2"),
            (Some("P03".into()), Some("W2".into()))
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
        // Kept as named: a letter and a number tidied, any other name as written.
        assert_eq!(normalise_wave("2"), "T2");
        assert_eq!(normalise_wave("w02"), "W2");
        assert_eq!(normalise_wave("T3"), "T3");
        assert_eq!(normalise_wave(" baseline "), "baseline");
        assert_eq!(normalise_wave("voorjaar-2024"), "voorjaar-2024");
        // One wave whatever the letter or case.
        assert!(
            same_wave("W2", "t02") && same_wave("2", "T2") && same_wave("Baseline", "baseline")
        );
        assert!(!same_wave("W2", "W3") && !same_wave("voorjaar-2024", "najaar-2024"));
        assert!(!same_wave("F1", "T1") && !same_wave("R2", "W2") && same_wave("f01", "F1"));
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
