//! Scores narrata's Dutch compound splitter (`lexicon::compounds`) against the hand-made list
//! `benches/compounds/nl.tsv`: `compound_eval [FILE] [--misses]`.
//!
//! Parts are compared after Dutch stemming (the form the index keeps), so `groepen` and
//! `groep` are one part. Precision: the share of the parts the splitter gave that the list
//! has; recall: the share of the list's parts the splitter gave; both over all parts of all
//! words. A part given for a word the list marks `-` (no compound) is a false split. Prints a
//! `RESULT` JSON line.

use std::collections::BTreeSet;

fn stem(word: &str) -> String {
    let mut analyzer = narrata::search::analyzer_for("nl");
    let mut stream = analyzer.token_stream(word);
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let file = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "benches/compounds/nl.tsv".into());
    let text = std::fs::read_to_string(&file).expect("the list");
    let (mut given, mut listed, mut right) = (0usize, 0usize, 0usize);
    let (mut compounds, mut whole, mut plain, mut false_splits) = (0, 0, 0, 0);
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (word, parts) = line.split_once('\t').expect("word<TAB>parts");
        // The index folds accents before cutting; so does this.
        let folded: String = stem_input(word);
        let gold: BTreeSet<String> = if parts.trim() == "-" {
            BTreeSet::new()
        } else {
            parts
                .split_whitespace()
                .map(|p| stem(&stem_input(p)))
                .collect()
        };
        let got: BTreeSet<String> = narrata::lexicon::compounds::parts(&folded)
            .into_iter()
            .map(stem)
            .collect();
        let hit = got.intersection(&gold).count();
        given += got.len();
        listed += gold.len();
        right += hit;
        if gold.is_empty() {
            plain += 1;
            if !got.is_empty() {
                false_splits += 1;
            }
        } else {
            compounds += 1;
            if got == gold {
                whole += 1;
            }
        }
        if misses && got != gold {
            println!("{word}\tlisted: {gold:?}\tgiven: {got:?}");
        }
    }
    let precision = right as f64 / given.max(1) as f64;
    let recall = right as f64 / listed.max(1) as f64;
    println!(
        "{compounds} compounds, {plain} other words: part precision {precision:.3}, recall {recall:.3}; compounds split exactly as listed {whole} ({:.1} %); other words split {false_splits} ({:.1} %)",
        100.0 * whole as f64 / compounds.max(1) as f64,
        100.0 * false_splits as f64 / plain.max(1) as f64
    );
    println!(
        "RESULT {}",
        serde_json::json!({"step": "compounds", "compounds": compounds, "other_words": plain,
            "precision": precision, "recall": recall, "exact": whole, "false_splits": false_splits})
    );
}

/// Lower-cased and folded as the index's analyser leaves a word before cutting it.
fn stem_input(word: &str) -> String {
    let mut analyzer = narrata::search::analyzer_for("und");
    let mut stream = analyzer.token_stream(word);
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}
