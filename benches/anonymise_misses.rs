//! Lists, for every fictional sample, the gold identifiers detection misses and what it
//! finds that the gold lists do not name: `cargo run --example anonymise_misses [CATEGORY]`.

use narrata::import::{self, Source};
use std::path::Path;
fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let want = std::env::args().nth(1).unwrap_or_default();
    for entry in std::fs::read_dir(root.join("transcripts")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let t = import::read(&Source {
            name: name.clone(),
            bytes: std::fs::read(&path).unwrap(),
        })
        .unwrap();
        let gold: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("gold").join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let regions: Vec<(usize, usize)> = t.turns.iter().map(|x| (x.start, x.end)).collect();
        let language = t.meta.language.clone().unwrap_or_else(|| "nl".into());
        let found = narrata::anonymise::detect(&t.text, &regions, &[], &language);
        let chars: Vec<char> = t.text.chars().collect();
        for g in gold["spans"].as_array().unwrap() {
            let (s, e) = (
                g["start"].as_u64().unwrap() as usize,
                g["end"].as_u64().unwrap() as usize,
            );
            let cat = g["category"].as_str().unwrap();
            if !want.is_empty() && cat != want {
                continue;
            }
            let covered = (s..e)
                .filter(|&i| !chars[i].is_whitespace())
                .all(|i| found.iter().any(|d| d.start <= i && i < d.end));
            if !covered {
                let ctx: String = chars[s.saturating_sub(25)..(e + 15).min(chars.len())]
                    .iter()
                    .collect();
                let parts: Vec<String> = found
                    .iter()
                    .filter(|d| d.start < e && d.end > s)
                    .map(|d| {
                        format!(
                            "{}:{}",
                            chars[d.start..d.end].iter().collect::<String>(),
                            d.category
                        )
                    })
                    .collect();
                println!(
                    "MISS {name} {cat} {:?} | {:?} | got {:?}",
                    g["text"].as_str().unwrap(),
                    ctx.replace('\n', " "),
                    parts
                );
            }
        }
        for d in &found {
            if !want.is_empty() && d.category != want {
                continue;
            }
            let hit = gold["spans"].as_array().unwrap().iter().any(|g| {
                (g["start"].as_u64().unwrap() as usize) < d.end
                    && (g["end"].as_u64().unwrap() as usize) > d.start
            });
            if !hit {
                let ctx: String = chars[d.start.saturating_sub(20)..(d.end + 10).min(chars.len())]
                    .iter()
                    .collect();
                println!(
                    "FP   {name} {} {:?} | {:?}",
                    d.category,
                    chars[d.start..d.end].iter().collect::<String>(),
                    ctx.replace('\n', " ")
                );
            }
        }
    }
}
