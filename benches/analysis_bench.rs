//! Times of the analyses of `docs/ANALYSIS.md` on an existing project (the benchmark project
//! of `benches/run.sh`): `analysis_bench PROJECT_DIR [RUNS]`. Each analysis runs as the
//! command line runs it (reading its codings from the database every time): a code ×
//! participant matrix, a code × wave coverage matrix, co-occurrence by overlap and by turn
//! over every code used, and two coding queries with their passages described (text, lines).
//! Prints the times and a `RESULT` JSON line per analysis.

use std::time::Instant;

use narrata::analysis::cooccurrence::{self, Near};
use narrata::analysis::matrix::{self, Across, Measure};
use narrata::analysis::{Scope, query};
use narrata::store::Store;

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (times, last.expect("at least one run"))
}

fn report(step: &str, what: &str, times: &[f64], size: serde_json::Value) {
    let median = times[times.len() / 2];
    println!(
        "{step}: {what}: median {median:.0} ms (min {:.0}, max {:.0}) over {} runs",
        times[0],
        times[times.len() - 1],
        times.len()
    );
    println!(
        "RESULT {}",
        serde_json::json!({"step": step, "what": what, "size": size, "median_ms": median, "min_ms": times[0], "max_ms": times[times.len() - 1], "runs": times.len()})
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .expect("usage: analysis_bench PROJECT_DIR [RUNS]"),
    );
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let store = Store::open(&dir).expect("project");
    let conn = store.conn();
    let scope = Scope::default();
    let counts =
        |m: &matrix::Matrix| serde_json::json!({"rows": m.rows.len(), "columns": m.columns.len()});

    let (t, m) = time(runs, || {
        matrix::matrix(conn, &scope, &Across::Participant, &Default::default()).expect("matrix")
    });
    report("matrix", "code × participant, passages", &t, counts(&m));
    let options = matrix::Options {
        measure: Measure::Coverage,
        ..Default::default()
    };
    let (t, m) = time(runs, || {
        matrix::matrix(conn, &scope, &Across::Wave, &options).expect("matrix")
    });
    report(
        "matrix",
        "code × wave, coverage (words counted)",
        &t,
        counts(&m),
    );
    for (near, what) in [(Near::Overlap, "overlap"), (Near::SameTurn, "same turn")] {
        let (t, c) = time(runs, || {
            cooccurrence::cooccurrence(conn, &scope, near, &Default::default())
                .expect("cooccurrence")
        });
        let pairs: usize = c.cells.iter().flatten().map(|p| p.count).sum::<usize>()
            - c.passages.iter().sum::<usize>();
        report(
            "cooccurrence",
            &format!("every code used, {what}"),
            &t,
            serde_json::json!({"codes": c.codes.len(), "pairs": pairs / 2}),
        );
    }
    // Two codes of different themes, as a researcher would combine them.
    let codes = narrata::codebook::codes(conn).expect("codes");
    let leaves: Vec<&str> = codes
        .iter()
        .filter(|c| c.parent.is_some())
        .map(|c| c.path.as_str())
        .collect();
    let (a, b) = (leaves[0], leaves[leaves.len() / 2 + 1]);
    for (text, o) in [
        (format!("\"{a}\" AND \"{b}\""), query::Options::default()),
        (
            format!("\"{a}\" NEAR \"{b}\""),
            query::Options {
                distance: 2,
                ..Default::default()
            },
        ),
    ] {
        let (t, out) = time(runs, || {
            query::run(&store, &text, &scope, &o, None).expect("query")
        });
        report(
            "query",
            &text,
            &t,
            serde_json::json!({"passages": out.total}),
        );
    }
}
