//! Scores narrata's detection against gold lists in a folder made like `samples/`
//! (`transcripts/` and `gold/`), per category, as JSON:
//! `cargo run --release --example anonymise_score -- DIR`. Documents are processed in name
//! order with one key, as an import does.

use std::collections::BTreeMap;

use narrata::anonymise::evaluate::{Gold, accumulate, score};
use narrata::import::{self, Source};

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "samples".into()));
    let mut names: Vec<_> = std::fs::read_dir(dir.join("transcripts"))
        .expect("transcripts folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    let mut key = narrata::keyfile::Key::new("score");
    let mut total = BTreeMap::new();
    let started = std::time::Instant::now();
    let mut bytes = 0;
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let raw = std::fs::read(&path).expect("read");
        bytes += raw.len();
        let t = import::read(&Source {
            name: name.clone(),
            bytes: raw,
        })
        .expect("parse");
        let gold: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("gold").join(format!("{name}.json"))).expect("gold"),
        )
        .expect("json");
        let gold: Vec<Gold> = serde_json::from_value(gold["spans"].clone()).expect("spans");
        let participant = name.split(['_', '-']).next().unwrap_or("").to_owned();
        let language = t.meta.language.clone().unwrap_or_else(|| "nl".into());
        let found = narrata::anonymise::detect_in(&t, &key, Some(&participant), &language);
        for d in &found {
            key.pseudonym(
                narrata::offsets::slice_chars(&t.text, d.start, d.end),
                d.category,
                "t",
            );
        }
        accumulate(&mut total, &score(&t.text, &gold, &found));
    }
    let seconds = started.elapsed().as_secs_f64();
    let rows: BTreeMap<String, serde_json::Value> = total
        .iter()
        .map(|(k, s)| (k.clone(), serde_json::json!({"gold": s.gold, "covered_recall": s.covered_recall(), "recall": s.recall(), "precision": s.precision()})))
        .collect();
    println!(
        "{}",
        serde_json::json!({"tool": "narrata", "bytes": bytes, "seconds": seconds, "categories": rows})
    );
}
