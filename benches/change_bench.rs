//! Time of the whole-corpus change table on an existing project (the benchmark project of
//! `benches/run.sh`: imported generated transcripts coded by `bench_codings`):
//! `change_bench PROJECT_DIR [RUNS]`. Each run computes every participant × code row over all
//! waves and the balance of every dimension, as the waves view does. Prints the times and a
//! `RESULT` JSON line.

use std::time::Instant;

use narrata::store::Store;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir =
        std::path::PathBuf::from(args.next().expect("usage: change_bench PROJECT_DIR [RUNS]"));
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let store = Store::open(&dir).expect("project");
    let (words, codings): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT (SELECT coalesce(sum(words), 0) FROM documents), (SELECT count(*) FROM codings)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("counts");
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let table = narrata::change::table(store.conn(), &narrata::change::Options::default())
            .expect("table");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        rows = table.rows.len();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    println!(
        "{words} words, {codings} codings: change table of {rows} rows, median {median:.0} ms (min {:.0}, max {:.0}) over {runs} runs",
        times[0],
        times[times.len() - 1]
    );
    println!(
        "RESULT {}",
        serde_json::json!({"step": "changes", "words": words, "codings": codings, "rows": rows, "median_ms": median, "min_ms": times[0], "max_ms": times[times.len() - 1], "runs": runs})
    );
}
