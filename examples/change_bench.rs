//! Time of the whole-corpus change table: 300 participants × 3 waves of generated transcripts,
//! a codebook of 40 codes, 100,000 codings placed at random on participants' turns:
//! `cargo run --release --example change_bench -- [WORK_DIR] [SENTENCES]` (530 sentences give
//! about 6,000 words per transcript, the design's benchmark corpus).

use std::time::Instant;

use narrata::import::{self, Anonymise, Options, Source};
use narrata::synth::{Rng, corpus};

fn main() {
    let work = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/bench-change".into()),
    );
    let _ = std::fs::remove_dir_all(&work);
    let mut store = narrata::project::init(&work, Some("change benchmark"), "nl").expect("project");
    let sentences: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(530);
    let sources: Vec<Source> = corpus(3, 300, 3, sentences)
        .into_iter()
        .map(|g| Source {
            name: g.name,
            bytes: g.file.into_bytes(),
        })
        .collect();
    let options = Options {
        anonymise: Anonymise::Off,
        ..Options::default()
    };
    import::import(&mut store, "bench", sources, &options, None, &mut |_, _| {}).expect("import");
    let codes: Vec<i64> = (0..40)
        .map(|i| {
            let polarity = if i % 2 == 0 { "positive" } else { "negative" };
            let f = narrata::codebook::Fields {
                dimension: Some(format!("d{}", i / 2)),
                polarity: Some(polarity.into()),
                ..Default::default()
            };
            narrata::codebook::add(&mut store, "bench", &format!("Code {i}"), &f)
                .expect("code")
                .id
        })
        .collect();
    let turns: Vec<(i64, i64, i64)> = store
        .conn()
        .prepare("SELECT doc_id, start, end FROM turns WHERE participant_id IS NOT NULL")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut rng = Rng::new(9);
    {
        let tx = store.conn().unchecked_transaction().unwrap();
        let coder: i64 = tx
            .query_row("SELECT id FROM coders LIMIT 1", [], |r| r.get(0))
            .unwrap();
        let mut stmt = tx
            .prepare("INSERT OR IGNORE INTO codings (guid, doc_id, code_id, start, end, coder_id, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'bench')")
            .unwrap();
        let mut n = 0;
        while n < 100_000 {
            let (doc, s, e) = turns[rng.below(turns.len())];
            let len = (e - s).max(2);
            let a = s + rng.below(len as usize / 2) as i64;
            let b = (a + 1 + rng.below(len as usize / 2) as i64).min(e);
            n += stmt
                .execute(rusqlite::params![
                    format!("g{n}"),
                    doc,
                    codes[rng.below(codes.len())],
                    a,
                    b,
                    coder
                ])
                .unwrap();
        }
        drop(stmt);
        tx.commit().unwrap();
    }
    let words: i64 = store
        .conn()
        .query_row("SELECT sum(words) FROM documents", [], |r| r.get(0))
        .unwrap();
    println!("corpus: 900 documents, {words} words, 100,000 codings, 40 codes");
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let table = narrata::change::table(store.conn(), &narrata::change::Options::default())
            .expect("table");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(table.rows.len(), 300 * 40);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "whole-corpus change table (12,000 rows, balance for 20 dimensions): median {:.0} ms, min {:.0} ms, max {:.0} ms",
        times[2], times[0], times[4]
    );
}
