//! Scores anonymisation on hand-written interviews marked up with their identifiers:
//! `anonymise_eval DIR… [--misses]`. Each `*.md` holds a transcript in which every identifier is
//! written `{CATEGORY#entity|words}` (the entity tag ties mentions of one person, place or
//! organisation together) and every word that must stay `{KEEP|words}`. The files are imported
//! as one import with anonymisation on, through the same path `narrata import` takes, into a
//! project in a temporary folder; the replacements are read back from the key's log.
//!
//! Prints, per category and overall: gold identifiers, covered recall (no character of the
//! identifier left readable); precision; must-keep words replaced; recurring entities and
//! those given exactly one pseudonym everywhere; ordinary words given a person's pseudonym.
//! With `--misses`, every miss and false alarm with its context (for the development set only).
//! Ends with a `RESULT` JSON line.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use narrata::import::{self, Anonymise, Options, Privacy, Source};

/// A marked span of the plain text, in characters.
#[derive(Debug, Clone)]
struct Mark {
    category: String,
    entity: Option<String>,
    text: String,
    start: usize,
    end: usize,
}

/// The plain text of a marked-up file and its marks.
fn unmark(marked: &str) -> (String, Vec<Mark>) {
    let mut plain = String::with_capacity(marked.len());
    let mut marks = Vec::new();
    let mut chars = 0usize;
    let mut rest = marked;
    while let Some(open) = rest.find('{') {
        let before = &rest[..open];
        plain.push_str(before);
        chars += before.chars().count();
        let close = rest[open..].find('}').map(|c| open + c).unwrap_or_else(|| {
            panic!(
                "an unclosed mark near {:?}",
                &rest[open..open + 40.min(rest.len() - open)]
            )
        });
        let inner = &rest[open + 1..close];
        let (head, words) = inner
            .split_once('|')
            .unwrap_or_else(|| panic!("a mark without `|`: {inner:?}"));
        let (category, entity) = match head.split_once('#') {
            Some((c, e)) => (c.trim().to_owned(), Some(e.trim().to_owned())),
            None => (head.trim().to_owned(), None),
        };
        let n = words.chars().count();
        marks.push(Mark {
            category,
            entity,
            text: words.to_owned(),
            start: chars,
            end: chars + n,
        });
        plain.push_str(words);
        chars += n;
        rest = &rest[close + 1..];
    }
    plain.push_str(rest);
    (plain, marks)
}

/// The body of a transcript file (after its front matter), and how many characters precede it.
fn front_matter_chars(plain: &str) -> usize {
    if let Some(rest) = plain.strip_prefix("---\n")
        && let Some(end) = rest.find("\n---\n")
    {
        return plain[.."---\n".len() + end + "\n---\n".len()]
            .chars()
            .count();
    }
    0
}

/// A replacement in the original text: character span, category and pseudonym.
#[derive(Debug, Clone)]
struct Replaced {
    start: usize,
    end: usize,
    category: String,
    pseudonym: String,
}

/// Where the replacements stood in the original text, from the stored text and the key's log
/// (positions in the stored text): the text between pseudonyms is the original's, unchanged.
fn align(
    original: &[char],
    stored: &[char],
    log: &[(usize, usize, String, String)],
) -> Vec<Replaced> {
    let mut out = Vec::new();
    let mut old = 0usize;
    let mut new = 0usize;
    for (i, (s, e, category, pseudonym)) in log.iter().enumerate() {
        let literal = &stored[new..*s];
        assert!(
            original[old..].starts_with(literal),
            "the stored text does not follow the original at {old}"
        );
        old += literal.len();
        let next = log.get(i + 1).map(|x| x.0).unwrap_or(stored.len());
        let after = &stored[*e..next];
        let probe = &after[..after.len().min(24)];
        let mut end = old + 1;
        while end < original.len() && !original[end..].starts_with(probe) {
            end += 1;
        }
        if probe.is_empty() {
            end = original.len().min(old + 1);
        }
        out.push(Replaced {
            start: old,
            end: end.min(original.len()),
            category: category.clone(),
            pseudonym: pseudonym.clone(),
        });
        old = end;
        new = *e;
    }
    out
}

#[derive(Default, Debug)]
struct Tally {
    gold: usize,
    covered: usize,
    detections: usize,
    correct: usize,
}

fn main() {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut show_misses = false;
    for a in std::env::args().skip(1) {
        if a == "--misses" {
            show_misses = true;
        } else {
            dirs.push(a.into());
        }
    }
    assert!(!dirs.is_empty(), "usage: anonymise_eval DIR… [--misses]");
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(d)
                .expect("folder")
                .flatten()
                .map(|e| e.path())
        })
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("README.md"))
        .collect();
    files.sort_by_key(|p| p.file_name().map(|n| n.to_owned()));

    // Plain files and their gold, relative to the stored body.
    let mut sources = Vec::new();
    let mut gold: HashMap<String, (Vec<char>, Vec<Mark>)> = HashMap::new();
    for path in &files {
        let (plain, marks) = unmark(&std::fs::read_to_string(path).expect("read"));
        let skip = front_matter_chars(&plain);
        let body: Vec<char> = plain.chars().skip(skip).collect();
        let marks = marks
            .into_iter()
            .filter(|m| m.start >= skip)
            .map(|m| Mark {
                start: m.start - skip,
                end: m.end - skip,
                ..m
            })
            .collect();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        gold.insert(name.clone(), (body, marks));
        sources.push(Source {
            name,
            bytes: plain.into_bytes(),
        });
    }

    let tmp = std::env::temp_dir().join(format!("narrata-anon-eval-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut store = narrata::project::init(&tmp, Some("evaluation"), "nl").expect("project");
    let mut key = narrata::keyfile::Key::new("evaluation");
    let mut save = |_: &narrata::keyfile::Key| Ok(());
    let options = Options {
        anonymise: Anonymise::Auto,
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let report = import::import(
        &mut store,
        "eval",
        &sources,
        &options,
        Some(Privacy {
            key: &mut key,
            save: &mut save,
        }),
        &mut |_, _| {},
    )
    .expect("import");
    let seconds = started.elapsed().as_secs_f64();
    for f in report.files.iter().filter(|f| f.status != "imported") {
        eprintln!("not imported: {} {:?} {:?}", f.file, f.reason, f.notes);
    }

    let mut per: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut keep, mut keep_replaced) = (0, 0);
    let mut entities: BTreeMap<String, (usize, BTreeSet<String>, bool)> = BTreeMap::new();
    let mut person_on_ordinary = 0;
    // Each entity's mentions and the pseudonyms they were given, for --misses.
    let mut forms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut lines = Vec::new();
    // (document, words) of every identifier left readable, for the scan below.
    let mut missed: Vec<(i64, String)> = Vec::new();
    for f in &report.files {
        let Some(id) = f.document else { continue };
        let doc = narrata::corpus::document(store.conn(), id).expect("document");
        let stored: Vec<char> = narrata::corpus::text(store.conn(), id)
            .expect("text")
            .chars()
            .collect();
        let mut log: Vec<(usize, usize, String, String)> =
            narrata::keyfile::log(store.conn(), &key, Some(&doc.guid))
                .expect("log")
                .iter()
                .filter(|l| l.document == doc.guid && l.action == "auto")
                .map(|l| (l.start, l.end, l.category.clone(), l.pseudonym.clone()))
                .collect();
        log.sort();
        let (original, marks) = &gold[&f.file];
        let replaced = align(original, &stored, &log);
        let context = |s: usize, e: usize| -> String {
            let a = s.saturating_sub(30);
            let b = (e + 30).min(original.len());
            original[a..b]
                .iter()
                .collect::<String>()
                .replace('\n', " ⏎ ")
        };
        for m in marks {
            if m.category == "KEEP" {
                keep += 1;
                if let Some(r) = replaced.iter().find(|r| r.start < m.end && m.start < r.end) {
                    keep_replaced += 1;
                    if r.category == "PERSON" {
                        person_on_ordinary += 1;
                    }
                    lines.push(format!(
                        "KEPT? {} `{}` became {} ({}): …{}…",
                        f.file,
                        m.text,
                        r.pseudonym,
                        r.category,
                        context(m.start, m.end)
                    ));
                }
                continue;
            }
            let t = per.entry(m.category.clone()).or_default();
            t.gold += 1;
            // A possessive ending ("Jade’s") identifies no one: it may stay.
            let words: String = original[m.start..m.end].iter().collect();
            let end = m.end
                - ["'s", "’s", "'", "’"]
                    .iter()
                    .find(|p| words.ends_with(*p) && words.chars().count() > 3)
                    .map(|p| p.chars().count())
                    .unwrap_or(0);
            let covered = (m.start..end)
                .filter(|&i| !original[i].is_whitespace())
                .all(|i| replaced.iter().any(|r| r.start <= i && i < r.end));
            if covered {
                t.covered += 1;
            } else {
                missed.push((id, m.text.clone()));
                lines.push(format!(
                    "MISS {} {} `{}`: …{}…",
                    f.file,
                    m.category,
                    m.text,
                    context(m.start, m.end)
                ));
            }
            if let Some(e) = &m.entity {
                let entry = entities
                    .entry(e.clone())
                    .or_insert((0, BTreeSet::new(), true));
                entry.0 += 1;
                entry.2 &= covered;
                for r in replaced
                    .iter()
                    .filter(|r| r.start < m.end && m.start < r.end)
                {
                    entry.1.insert(r.pseudonym.clone());
                    forms
                        .entry(e.clone())
                        .or_default()
                        .insert(format!("{}={}", m.text, r.pseudonym));
                }
            }
        }
        for r in &replaced {
            let t = per.entry(r.category.clone()).or_default();
            t.detections += 1;
            let hit = marks
                .iter()
                .any(|m| m.category != "KEEP" && m.start < r.end && r.start < m.end);
            if hit {
                t.correct += 1;
            } else {
                let on_keep = marks
                    .iter()
                    .any(|m| m.category == "KEEP" && m.start < r.end && r.start < m.end);
                if r.category == "PERSON" && !on_keep {
                    person_on_ordinary += 1;
                }
                if !on_keep {
                    lines.push(format!(
                        "FALSE {} {} `{}`: …{}…",
                        f.file,
                        r.category,
                        original[r.start..r.end].iter().collect::<String>(),
                        context(r.start, r.end)
                    ));
                }
            }
        }
    }
    let mut all = Tally::default();
    println!("category        gold  covered  recall  detections  precision");
    for (c, t) in &per {
        all.gold += t.gold;
        all.covered += t.covered;
        all.detections += t.detections;
        all.correct += t.correct;
        if t.gold > 0 || t.detections > 0 {
            println!(
                "{c:<14} {:>5}  {:>7}  {:>5.1}%  {:>10}  {:>8.1}%",
                t.gold,
                t.covered,
                pct(t.covered, t.gold),
                t.detections,
                pct(t.correct, t.detections)
            );
        }
    }
    println!(
        "{:<14} {:>5}  {:>7}  {:>5.1}%  {:>10}  {:>8.1}%",
        "ALL",
        all.gold,
        all.covered,
        pct(all.covered, all.gold),
        all.detections,
        pct(all.correct, all.detections)
    );
    let recurring: Vec<&(usize, BTreeSet<String>, bool)> =
        entities.values().filter(|e| e.0 >= 2).collect();
    let one = recurring.iter().filter(|e| e.2 && e.1.len() == 1).count();
    println!(
        "must-keep words replaced: {keep_replaced} of {keep} ({:.1}%)",
        pct(keep_replaced, keep)
    );
    println!(
        "recurring entities with one pseudonym everywhere: {one} of {} ({:.1}%)",
        recurring.len(),
        pct(one, recurring.len())
    );
    println!("ordinary words given a person's pseudonym: {person_on_ordinary}");
    if show_misses {
        for (e, (n, p, c)) in &entities {
            if *n >= 2 && !(*c && p.len() == 1) {
                lines.push(format!(
                    "ENTITY {e}: {n} mentions, pseudonyms {p:?}, all covered: {c}; {:?}",
                    forms.get(e).cloned().unwrap_or_default()
                ));
            }
        }
        for l in &lines {
            println!("{l}");
        }
    }
    // anonymise scan, the second look: which of the misses it lists, and at what rank.
    let ids: Vec<i64> = report.files.iter().filter_map(|f| f.document).collect();
    let suspects =
        narrata::anonymise::scan::suspects(store.conn(), &ids, Some(&key)).expect("scan");
    let texts: HashMap<i64, String> = ids
        .iter()
        .map(|&d| (d, narrata::corpus::text(store.conn(), d).expect("text")))
        .collect();
    let mut ranks = Vec::new();
    for (doc, words) in &missed {
        let rank = suspects.iter().position(|s| {
            let found = narrata::offsets::slice_chars(&texts[&s.doc], s.start, s.end);
            s.doc == *doc && !found.is_empty() && words.contains(found)
        });
        ranks.push(rank.map_or("-".to_owned(), |r| (r + 1).to_string()));
    }
    let words: usize = ids
        .iter()
        .map(|&d| {
            narrata::corpus::document(store.conn(), d)
                .expect("doc")
                .words as usize
        })
        .sum();
    println!(
        "scan: lists {} of {} misses (ranks {}); {} suspects in all ({:.1} per 1,000 words)",
        ranks.iter().filter(|r| *r != "-").count(),
        missed.len(),
        ranks.join(", "),
        suspects.len(),
        suspects.len() as f64 * 1000.0 / words.max(1) as f64
    );
    if show_misses {
        for s in suspects.iter().take(40) {
            println!(
                "SUSPECT {:.2} {} {}",
                s.score,
                s.reason,
                s.context.replace('\n', " ")
            );
        }
    }
    // privacy-check on the imported project: every finding is either an identifier the
    // import missed (counted above) or a false alarm.
    let check = narrata::privacy::check(store.root(), store.conn(), &key).expect("privacy-check");
    let mut flagged: BTreeMap<String, usize> = BTreeMap::new();
    for f in &check.findings {
        *flagged.entry(f.entry.clone()).or_default() += 1;
    }
    println!(
        "privacy-check: {} findings, {} entries of {} checked",
        check.findings.len(),
        flagged.len(),
        check.originals_checked
    );
    if show_misses {
        for (entry, n) in &flagged {
            let original = key
                .entries
                .iter()
                .find(|e| format!("{}-{}", e.category, e.number) == *entry)
                .map_or("?", |e| &*e.original);
            let places: BTreeSet<&str> = check
                .findings
                .iter()
                .filter(|f| f.entry == *entry)
                .map(|f| f.file.as_str())
                .collect();
            println!("PRIVACY {entry} ({original}): {n} in {places:?}");
        }
    }
    let categories: BTreeMap<&String, serde_json::Value> = per
        .iter()
        .map(|(c, t)| {
            (
                c,
                serde_json::json!({"gold": t.gold, "covered_recall": pct(t.covered, t.gold) / 100.0,
                    "precision": pct(t.correct, t.detections) / 100.0}),
            )
        })
        .collect();
    println!(
        "RESULT {}",
        serde_json::json!({
            "step": "anonymise_eval", "files": report.files.len(), "seconds": seconds,
            "gold": all.gold, "covered_recall": pct(all.covered, all.gold) / 100.0,
            "precision": pct(all.correct, all.detections) / 100.0,
            "keep": keep, "keep_replaced": keep_replaced,
            "recurring_entities": recurring.len(), "one_pseudonym": one,
            "person_on_ordinary": person_on_ordinary, "categories": categories,
            "privacy_check_findings": check.findings.len(),
            "scan_suspects": suspects.len(),
            "scan_lists_misses": ranks.iter().filter(|r| *r != "-").count(),
        })
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        a as f64 * 100.0 / b as f64
    }
}
