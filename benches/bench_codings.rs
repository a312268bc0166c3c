//! Codes an imported benchmark project by script, as a coder's months of work would leave it:
//! `bench_codings PROJECT_DIR [CODINGS] [SEED]` adds a codebook of 5 themes × 8 codes (20
//! positive/negative dimensions) and places CODINGS codings (default 100,000) at random on
//! participants' turns, through the library's coding function, in one action. Prints the time
//! and a `RESULT` JSON line for `benches/run.sh`.

use std::time::Instant;

use narrata::codebook::{self, Fields};
use narrata::store::Store;
use narrata_synth::Rng;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .expect("usage: bench_codings PROJECT_DIR [CODINGS] [SEED]"),
    );
    let wanted: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(9);
    let mut store = Store::open(&dir).expect("project");
    for theme in 1..=5 {
        codebook::add(
            &mut store,
            "bench",
            &format!("Theme {theme}"),
            &Fields::default(),
        )
        .expect("theme");
        for i in 0..8 {
            let fields = Fields {
                dimension: Some(format!("t{theme}d{}", i / 2)),
                polarity: Some(if i % 2 == 0 { "positive" } else { "negative" }.into()),
                ..Fields::default()
            };
            codebook::add(
                &mut store,
                "bench",
                &format!("Theme {theme}/Code {i}"),
                &fields,
            )
            .expect("code");
        }
    }
    let codes: Vec<_> = codebook::codes(store.conn())
        .expect("codes")
        .into_iter()
        .filter(|c| c.parent.is_some())
        .collect();
    let turns: Vec<(i64, i64, i64)> = store
        .conn()
        .prepare("SELECT doc_id, start, end FROM turns WHERE participant_id IS NOT NULL")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()
        })
        .expect("turns");
    let mut rng = Rng::new(seed);
    let t = Instant::now();
    let added = store
        .action("bench", |a| {
            // Overlapping codings of one code are united: count what is stored.
            let mut n = 0;
            while n < wanted {
                let (doc, s, e) = turns[rng.below(turns.len())];
                let len = (e - s).max(2) as usize;
                let start = s + rng.below(len / 2) as i64;
                let end = (start + 1 + rng.below(len / 2) as i64).min(e);
                let added =
                    narrata::coding::add_in(a, doc, start, end, &codes[rng.below(codes.len())])?;
                n += usize::from(added.inserted);
                n = n.saturating_sub(added.joined.len());
            }
            a.audit("code", "benchmark", serde_json::json!({"codings": n}))?;
            Ok(n)
        })
        .expect("codings");
    let seconds = t.elapsed().as_secs_f64();
    println!(
        "{added} codings of {} codes on {} turns in one action: {seconds:.2} s",
        codes.len(),
        turns.len()
    );
    println!(
        "RESULT {}",
        serde_json::json!({"step": "coding", "codings": added, "codes": codes.len(), "seconds": seconds})
    );
}
