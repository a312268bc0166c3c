//! Writes a generated fictional corpus with its gold identifier lists, for benchmarks and for
//! scoring other anonymisers on the same files:
//! `cargo run --release --example synth_corpus -- OUT_DIR [PARTICIPANTS] [WAVES] [SENTENCES] [SEED] [templates|zipf]`.
//! The benchmark corpus (300 × 3 × about 6,000 words) is `OUT_DIR 300 3 530 5 zipf`.
//! Transcripts go to `OUT_DIR/transcripts/`, gold lists (the `samples/gold` format) to `OUT_DIR/gold/`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!(
            "usage: synth_corpus OUT_DIR [PARTICIPANTS] [WAVES] [SENTENCES] [SEED] [templates|zipf]"
        );
        std::process::exit(2);
    };
    let num =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (participants, waves, sentences, seed) =
        (num(1, 300), num(2, 3), num(3, 500), num(4, 7) as u64);
    let out = std::path::Path::new(out);
    std::fs::create_dir_all(out.join("transcripts")).expect("output folder");
    std::fs::create_dir_all(out.join("gold")).expect("output folder");
    let mut bytes = 0;
    let prose = match args.get(5).map(String::as_str) {
        Some("zipf") => narrata_synth::Prose::Zipf,
        None | Some("templates") => narrata_synth::Prose::Templates,
        Some(other) => {
            eprintln!("unknown prose {other:?}: use templates or zipf");
            std::process::exit(2);
        }
    };
    let corpus = narrata_synth::corpus_with(seed, participants, waves, sentences, prose);
    for g in &corpus {
        std::fs::write(out.join("transcripts").join(&g.name), &g.file).expect("write transcript");
        let gold = serde_json::json!({"file": g.name, "offsets": "characters of the stored text (the body after any front matter)", "spans": g.spans});
        std::fs::write(
            out.join("gold").join(format!("{}.json", g.name)),
            gold.to_string(),
        )
        .expect("write gold");
        bytes += g.file.len();
    }
    println!(
        "{} transcripts, {:.1} MB, in {}",
        corpus.len(),
        bytes as f64 / 1e6,
        out.display()
    );
}
