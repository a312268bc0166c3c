//! Query latency of the search index, in one process (as the terminal UI will use it):
//! `cargo run --release --example search_bench -- PROJECT_DIR [RUNS]`. Prints p50/p95 per
//! query kind as JSON lines.

use std::time::Instant;

use narrata::search::{Filters, search};
use narrata::store::Store;

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: search_bench PROJECT_DIR [RUNS]"),
    );
    let runs: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(100);
    let store = Store::open(&dir).expect("project");
    let cases: Vec<(&str, &str, Filters)> = vec![
        (
            "one word",
            "groep",
            Filters {
                limit: 20,
                ..Filters::default()
            },
        ),
        (
            "one word, rare",
            "tegenslag",
            Filters {
                limit: 20,
                ..Filters::default()
            },
        ),
        (
            "two words",
            "groep rustig",
            Filters {
                limit: 20,
                ..Filters::default()
            },
        ),
        (
            "two words + wave",
            "groep rustig",
            Filters {
                limit: 20,
                wave: Some("T2".into()),
                ..Filters::default()
            },
        ),
        (
            "phrase",
            "\"elke week\"",
            Filters {
                limit: 20,
                ..Filters::default()
            },
        ),
        (
            "prefix",
            "tegen*",
            Filters {
                limit: 20,
                ..Filters::default()
            },
        ),
        (
            "one word, also inside compounds",
            "tijd",
            Filters {
                limit: 20,
                ..Filters::default()
            },
        ),
        (
            "suffix wildcard",
            "*groep",
            Filters {
                limit: 20,
                ..Filters::default()
            },
        ),
        (
            "infix wildcard",
            "te*slag",
            Filters {
                limit: 20,
                ..Filters::default()
            },
        ),
    ];
    for (name, query, filters) in cases {
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let r = search(&store, query, &filters).expect("search");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = r.total;
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "{}",
            serde_json::json!({"case": name, "query": query, "hits": total, "p50_ms": p(0.5), "p95_ms": p(0.95), "runs": runs})
        );
    }
}
