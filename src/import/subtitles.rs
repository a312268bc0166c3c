//! Subtitle transcripts from transcription software: WebVTT (`<v Name>` voice tags) and SRT
//! (`Name:` prefixes). Cue times become turn timestamps; consecutive cues of one speaker are
//! joined into one turn, because tools cut a speaker's answer into many short cues.
//!
//! The stored text is composed as `Name: words` lines, the same shape as a plain transcript.

use super::decode;
use super::text::clock;
use crate::transcript::{TextBuilder, Transcript};

/// One cue: its times, the speaker if known, its words.
#[derive(Debug)]
struct Cue {
    start: f64,
    end: f64,
    speaker: Option<String>,
    words: String,
}

/// Reads a WebVTT file's text.
pub fn read_vtt(text: &str, controls_replaced: usize) -> Result<Transcript, String> {
    let mut blocks = blocks(text);
    let header = blocks.next().unwrap_or_default();
    if !header.first().is_some_and(|l| {
        l.starts_with("WEBVTT") && (l.len() == 6 || l[6..].starts_with([' ', '\t']))
    }) {
        return Err("this is not a WebVTT file: it does not start with the line WEBVTT".into());
    }
    let mut cues = Vec::new();
    for block in blocks {
        let first = block[0];
        if first.starts_with("NOTE") || first == "STYLE" || first == "REGION" {
            continue;
        }
        // An optional cue identifier precedes the timing line.
        let (timing_at, timing) = match block.iter().position(|l| l.contains("-->")) {
            Some(i) if i <= 1 => (i, block[i]),
            _ => {
                return Err(format!(
                    "a cue has no timing line (`00:00:01.000 --> 00:00:04.000`) near: {}",
                    first.chars().take(60).collect::<String>()
                ));
            }
        };
        let (start, end) = timing_line(timing, '.')?;
        let payload = block[timing_at + 1..].join("\n");
        let (speaker, words) = vtt_payload(&payload);
        cues.push(Cue {
            start,
            end,
            speaker,
            words,
        });
    }
    finish(cues, controls_replaced)
}

/// Reads an SRT file's text.
pub fn read_srt(text: &str, controls_replaced: usize) -> Result<Transcript, String> {
    let mut cues = Vec::new();
    for block in blocks(text) {
        let timing_at = match block.iter().position(|l| l.contains("-->")) {
            Some(i) if i <= 1 => i,
            _ => {
                return Err(format!(
                    "this is not a valid SRT file: a subtitle has no timing line (`00:00:01,000 --> 00:00:04,000`) near: {}",
                    block[0].chars().take(60).collect::<String>()
                ));
            }
        };
        let (start, end) = timing_line(block[timing_at], ',')?;
        let payload = block[timing_at + 1..].join("\n");
        let (speaker, words) = match name_prefix(&payload) {
            Some((name, rest)) => (Some(name), rest),
            None => (None, payload),
        };
        cues.push(Cue {
            start,
            end,
            speaker,
            words: strip_tags(&words),
        });
    }
    finish(cues, controls_replaced)
}

/// Blank-line separated blocks of non-empty lines.
fn blocks(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.split("\n\n")
        .map(|b| {
            b.lines()
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|b| !b.is_empty())
}

fn timing_line(line: &str, _decimal: char) -> Result<(f64, f64), String> {
    let bad =
        || format!("a timing line is not of the form `00:00:01.000 --> 00:00:04.000`: {line}");
    let (a, b) = line.split_once("-->").ok_or_else(bad)?;
    let b = b.split_whitespace().next().ok_or_else(bad)?; // cue settings follow the end time
    let start = clock(a.trim()).ok_or_else(bad)?;
    let end = clock(b.trim()).ok_or_else(bad)?;
    Ok((start, end))
}

/// `<v Name>words</v>` (also `<v.class Name>`): the voice and the words without tags.
fn vtt_payload(payload: &str) -> (Option<String>, String) {
    let mut speaker = None;
    if let Some(open) = payload.find("<v") {
        let tag_end = payload[open..].find('>').map(|i| open + i);
        if let Some(tag_end) = tag_end {
            let tag = &payload[open + 2..tag_end];
            if tag.starts_with([' ', '.', '\t']) {
                let name = tag
                    .split_once([' ', '\t'])
                    .map(|(_, n)| n.trim())
                    .unwrap_or("");
                if !name.is_empty() {
                    speaker = Some(unescape(name));
                }
            }
        }
    }
    let words = strip_tags(payload);
    match speaker {
        Some(s) => (Some(s), words),
        None => match name_prefix(&words) {
            Some((name, rest)) => (Some(name), rest),
            None => (None, words),
        },
    }
}

/// `Name: words` at the start of a cue.
fn name_prefix(payload: &str) -> Option<(String, String)> {
    let (name, rest) = payload.split_once(':')?;
    let name = name.trim().trim_start_matches('-').trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 40
        && name.split(' ').count() <= 3
        && name.chars().next().is_some_and(|c| c.is_uppercase())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '\'' | '_'));
    (ok && (rest.is_empty() || rest.starts_with([' ', '\t', '\n'])))
        .then(|| (name.to_owned(), rest.trim().to_owned()))
}

/// Removes `<...>` tags and decodes the entities WebVTT allows.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(out.trim())
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&lrm;", "\u{200e}")
        .replace("&rlm;", "\u{200f}")
        .replace("&amp;", "&")
}

/// Joins consecutive cues of one speaker into turns and composes the text.
fn finish(cues: Vec<Cue>, controls_replaced: usize) -> Result<Transcript, String> {
    if cues.iter().all(|c| c.words.trim().is_empty()) {
        return Err("the subtitle file holds no spoken text".into());
    }
    let mut builder = TextBuilder::new();
    let mut current: Option<Cue> = None;
    for cue in cues.into_iter().filter(|c| !c.words.trim().is_empty()) {
        let speaker = cue
            .speaker
            .clone()
            .or_else(|| current.as_ref().and_then(|c| c.speaker.clone()));
        match &mut current {
            Some(cur) if cur.speaker == speaker => {
                cur.words.push(' ');
                cur.words.push_str(cue.words.trim());
                cur.end = cue.end;
            }
            _ => {
                if let Some(done) = current.take() {
                    emit(&mut builder, done);
                }
                current = Some(Cue { speaker, ..cue });
            }
        }
    }
    if let Some(done) = current {
        emit(&mut builder, done);
    }
    let transcript = builder.finish(controls_replaced);
    // Names and words may themselves hold control characters; the text is already clean
    // because decoding ran first, so this only guards composition.
    debug_assert_eq!(decode::clean(&transcript.text).controls_replaced, 0);
    Ok(transcript)
}

fn emit(builder: &mut TextBuilder, cue: Cue) {
    // One line per turn: cue line breaks are layout, not speech.
    let words = cue.words.split_whitespace().collect::<Vec<_>>().join(" ");
    builder.turn(
        cue.speaker.as_deref().unwrap_or(""),
        &words,
        Some(cue.start),
        Some(cue.end),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns(t: &Transcript) -> Vec<(String, String, Option<f64>, Option<f64>)> {
        let chars: Vec<char> = t.text.chars().collect();
        t.turns
            .iter()
            .map(|x| {
                (
                    x.speaker.clone(),
                    chars[x.start..x.end].iter().collect(),
                    x.time_start,
                    x.time_end,
                )
            })
            .collect()
    }

    #[test]
    fn vtt_voices_become_turns_and_same_speaker_cues_join() {
        let vtt = "WEBVTT\n\nNOTE made by hand\n\n1\n00:00:01.000 --> 00:00:03.500 align:start\n<v Interviewer>Hoe gaat het?</v>\n\n00:03.500 --> 00:00:05.000\n<v.loud P03>Goed,\nbeter dan</v>\n\n00:00:05.000 --> 00:00:07.250\n<v P03>vorig jaar &amp; zo.</v>\n";
        let t = read_vtt(vtt, 0).unwrap();
        assert_eq!(
            t.text,
            "Interviewer: Hoe gaat het?\nP03: Goed, beter dan vorig jaar & zo.\n"
        );
        assert_eq!(
            turns(&t),
            vec![
                (
                    "Interviewer".into(),
                    "Hoe gaat het?".into(),
                    Some(1.0),
                    Some(3.5)
                ),
                (
                    "P03".into(),
                    "Goed, beter dan vorig jaar & zo.".into(),
                    Some(3.5),
                    Some(7.25)
                ),
            ]
        );
        assert_eq!(t.turns[1].line, 2);
    }

    #[test]
    fn vtt_without_header_or_timing_is_refused() {
        assert!(
            read_vtt("00:00:01.000 --> 00:00:02.000\nhoi\n", 0)
                .unwrap_err()
                .contains("WEBVTT")
        );
        assert!(
            read_vtt("WEBVTT\n\nhoi daar\nen meer\n", 0)
                .unwrap_err()
                .contains("timing")
        );
        assert!(
            read_vtt("WEBVTT\n\n00:00:01.000 --> nonsense\nhoi\n", 0)
                .unwrap_err()
                .contains("timing line")
        );
    }

    #[test]
    fn srt_name_prefixes_become_turns() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Hoe heet de groep?\n\n2\n00:00:02,000 --> 00:00:04,000\nP07: It's called\n\n3\n00:00:04,000 --> 00:00:05,000\n<i>the Tuesday group.</i>\n";
        let t = read_srt(srt, 0).unwrap();
        assert_eq!(
            turns(&t),
            vec![
                (
                    "Interviewer".into(),
                    "Hoe heet de groep?".into(),
                    Some(1.0),
                    Some(2.0)
                ),
                (
                    "P07".into(),
                    "It's called the Tuesday group.".into(),
                    Some(2.0),
                    Some(5.0)
                ),
            ]
        );
    }

    #[test]
    fn srt_garbage_is_refused() {
        assert!(
            read_srt("hello\nworld\n", 0)
                .unwrap_err()
                .contains("not a valid SRT")
        );
    }
}
