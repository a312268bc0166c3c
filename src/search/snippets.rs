//! Where the query's words are in a turn, and the short keyword-in-context line shown for it.

use tantivy::tokenizer::TextAnalyzer;

use super::query::Wanted;

/// The character spans (in the document; `said` starts at character `start`) of the words
/// whose analysed form the query asked for, stemmed or exact, or that hold a word the query
/// sought inside compounds, sorted and each once. Linear in
/// the turn's length: characters are counted forward from one match to the next.
pub(super) fn matched_spans(
    said: &str,
    start: i64,
    analyzers: [&Option<TextAnalyzer>; 2],
    want: &Wanted,
    compound: bool,
) -> Vec<[i64; 2]> {
    let mut spans: Vec<[i64; 2]> = Vec::new();
    // The Dutch analyser is made only for hits found through compounds.
    let dutch = compound.then(|| crate::search::analyzer_for("nl"));
    // A word holds a sought part when its cut into parts gives it (not when the letters merely
    // occur: `man` is not in `niemand`); looked at only in hits found through compounds.
    let holds_part = |word: &str| {
        compound
            && want
                .parts
                .iter()
                .any(|p| word.len() > p.len() && word.contains(p.as_str()))
            && dutch.as_ref().is_some_and(|dutch| {
                crate::lexicon::compounds::parts(word)
                    .into_iter()
                    .any(|part| want.parts.contains(&super::schema::analysed(dutch, part)))
            })
    };
    for analyzer in analyzers.into_iter().flatten() {
        let mut a = analyzer.clone();
        let mut stream = a.token_stream(said);
        let (mut byte, mut chars) = (0usize, 0usize);
        while stream.advance() {
            let t = stream.token();
            if !(want.terms.contains(&t.text)
                || want.prefixes.iter().any(|p| t.text.starts_with(p.as_str()))
                || holds_part(&t.text))
            {
                continue;
            }
            if t.offset_from < byte {
                (byte, chars) = (0, 0);
            }
            chars += said[byte..t.offset_from].chars().count();
            byte = t.offset_from;
            let s = start + chars as i64;
            let e = s + said[t.offset_from..t.offset_to].chars().count() as i64;
            spans.push([s, e]);
        }
    }
    spans.sort_unstable();
    spans.dedup();
    spans
}

/// About 60 characters either side of the first match, the matches marked «thus», on one
/// line. `said` is the turn's text, which starts at character `start` of the document.
pub(super) fn snippet(said: &str, start: i64, end: i64, spans: &[[i64; 2]]) -> String {
    let first = spans.first().map(|s| s[0]).unwrap_or(start);
    let from = (first - 60).max(start);
    let to = (spans.first().map(|s| s[1]).unwrap_or(start) + 60).min(end);
    let shown: Vec<[i64; 2]> = spans
        .iter()
        .copied()
        .filter(|s| s[0] >= from && s[1] <= to)
        .collect();
    // Byte offsets of the window's edges and the marks, in one pass up to the window's end.
    let mut wanted: Vec<usize> = std::iter::once([from, to])
        .chain(shown.iter().copied())
        .flatten()
        .map(|c| (c - start) as usize)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let bytes = crate::offsets::char_to_byte(said, &wanted);
    let at = |c: i64| bytes[wanted.binary_search(&((c - start) as usize)).unwrap_or(0)];
    let mut out = String::new();
    if from > start {
        out.push('…');
    }
    let mut last = from;
    for s in shown.iter().filter(|s| s[0] >= from) {
        if s[0] < last {
            continue; // overlaps the one marked before it
        }
        out.push_str(&said[at(last)..at(s[0])]);
        out.push('«');
        out.push_str(&said[at(s[0])..at(s[1])]);
        out.push('»');
        last = s[1];
    }
    out.push_str(&said[at(last)..at(to)]);
    if to < end {
        out.push('…');
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
