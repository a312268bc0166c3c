//! Benchmarks of the terminal UI, headless (the app and its rendering into ratatui's
//! TestBackend; the terminal's own drawing of the changed cells is not included):
//!
//! `tui_bench keys [WORK_DIR]`: a project with one generated transcript of about 20,000 words
//! and 1,000 codings; the time from a key to a drawn 200×60 frame, per kind of key.
//!
//! `tui_bench start PROJECT_DIR`: on an existing project (the 5-million-word benchmark project
//! of `benches/run.sh`), the time from the start of the program to the first frame, to the
//! first frame with data, and of a short session (open the longest transcript, search, the
//! cohort of everyone). Run it under `/usr/bin/time` for peak memory.

use std::time::Instant;

use narrata::import::{self, Anonymise, Options, Source};
use narrata::store::Store;
use narrata::tui::app::{App, View};
use narrata::tui::keymap::{Action, Keymap};
use narrata::tui::theme::Theme;
use narrata::tui::{jobs, render};
use narrata_synth::{Rng, corpus};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

const W: u16 = 200;
const H: u16 = 60;

fn draw(app: &mut App, term: &mut Terminal<TestBackend>) {
    app.prepare(Rect::new(0, 0, W, H));
    let a = &*app;
    term.draw(|f| render::draw(f, a)).expect("draw");
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (p(0.5), p(0.95), v[v.len() - 1])
}

fn keys(work: &std::path::Path) {
    let _ = std::fs::remove_dir_all(work);
    let mut store = narrata::project::init(work, Some("tui benchmark"), "nl").expect("project");
    let sources: Vec<Source> = corpus(5, 1, 1, 1_900)
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
    import::import(
        &mut store,
        "bench",
        &sources,
        &options,
        None,
        &mut |_, _| {},
    )
    .expect("import");
    for i in 0..40 {
        narrata::codebook::add(
            &mut store,
            "bench",
            &format!("Code {i}"),
            &Default::default(),
        )
        .expect("code");
    }
    let codes = narrata::codebook::codes(store.conn()).expect("codes");
    let turns = narrata::corpus::turns(store.conn(), 1).expect("turns");
    let participant: Vec<_> = turns.iter().filter(|t| !t.interviewer).collect();
    let mut rng = Rng::new(3);
    store
        .action("bench", |a| {
            // Overlapping codings of one code are united: count what is stored.
            let mut n = 0;
            while n < 1_000 {
                let t = participant[rng.below(participant.len())];
                let len = (t.end - t.start).max(2);
                let s = t.start + rng.below(len as usize / 2) as i64;
                let e = (s + 1 + rng.below(len as usize / 2) as i64).min(t.end);
                let code = &codes[rng.below(codes.len())];
                let added = narrata::coding::add_in(a, 1, s, e, code)?;
                n += usize::from(added.inserted);
                n = n.saturating_sub(added.joined.len());
            }
            a.audit("code", "document:1", serde_json::json!({"codings": n}))
                .map(|_| ())
        })
        .expect("codings");
    let doc = narrata::corpus::document(store.conn(), 1).expect("doc");
    println!(
        "transcript: {} words, {} turns, {} codings; frame {W}×{H}",
        doc.words, doc.turns, doc.codings
    );

    let mut app = App::new(
        "bench".into(),
        "bench".into(),
        Keymap::default(),
        Theme::from_env(),
    );
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    app.load(&store).expect("load");
    app.open_document(&store, 1, None).expect("open");
    draw(&mut app, &mut term);

    let mut measure = |app: &mut App, store: &mut Store, events: &[KeyEvent]| -> f64 {
        let t = Instant::now();
        for e in events {
            app.on_key(store, *e);
        }
        draw(app, &mut term);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        // Index updates would run on the worker; they are not part of the frame.
        let _ = app.take_jobs();
        ms
    };
    let movements = [
        ('j', "line down"),
        ('w', "word right"),
        (']', "next turn"),
        ('l', "character right"),
        ('k', "line up"),
        ('b', "word left"),
        ('[', "previous turn"),
    ];
    println!(
        "{:<34} {:>8} {:>8} {:>8}",
        "key (200 presses each)", "p50 ms", "p95 ms", "max ms"
    );
    let mut results = serde_json::Map::new();
    let mut record = |what: &str, p50: f64, p95: f64, max: f64| {
        println!("{what:<34} {p50:>8.2} {p95:>8.2} {max:>8.2}");
        results.insert(
            what.to_string(),
            serde_json::json!({"p50_ms": p50, "p95_ms": p95, "max_ms": max}),
        );
    };
    for (c, what) in movements {
        let times: Vec<f64> = (0..200)
            .map(|_| measure(&mut app, &mut store, &[key(c)]))
            .collect();
        let (p50, p95, max) = percentiles(times);
        record(&format!("{c} ({what})"), p50, p95, max);
    }
    let pages: Vec<f64> = (0..100)
        .map(|i| {
            let k = if i % 20 < 10 {
                KeyCode::PageDown
            } else {
                KeyCode::PageUp
            };
            measure(
                &mut app,
                &mut store,
                &[KeyEvent::new(k, KeyModifiers::NONE)],
            )
        })
        .collect();
    let (p50, p95, max) = percentiles(pages);
    record("PageDown/PageUp", p50, p95, max);
    // Selecting: v then word by word.
    let mut select = vec![measure(&mut app, &mut store, &[key('v')])];
    select.extend((0..100).map(|_| measure(&mut app, &mut store, &[key('w')])));
    let (p50, p95, max) = percentiles(select);
    record("v, w (a growing selection)", p50, p95, max);
    let _ = app.act(&mut store, Action::Back);
    // Coding: the picker opens (c), filters (typed), applies (Enter: one transaction, the
    // document's codings read again, a frame).
    let (mut open, mut typed, mut apply, mut undo) = (vec![], vec![], vec![], vec![]);
    for i in 0..50 {
        let _ = app.act(&mut store, Action::NextTurn);
        open.push(measure(&mut app, &mut store, &[key('c')]));
        for c in format!("code {}", i % 40).chars() {
            typed.push(measure(&mut app, &mut store, &[key(c)]));
        }
        apply.push(measure(
            &mut app,
            &mut store,
            &[KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)],
        ));
        if i % 2 == 0 {
            undo.push(measure(&mut app, &mut store, &[key('u')]));
        }
    }
    for (what, v) in [
        ("c (open the picker)", open),
        ("typing in the picker", typed),
        ("Enter (code the turn, save)", apply),
        ("u (undo a coding)", undo),
    ] {
        let (p50, p95, max) = percentiles(v);
        record(what, p50, p95, max);
    }
    assert_eq!(app.view, View::Transcript);
    println!(
        "RESULT {}",
        serde_json::json!({"step": "tui_keys", "words": doc.words, "codings": doc.codings, "keys": results})
    );
}

fn start(dir: &std::path::Path) {
    let t0 = Instant::now();
    let mut store = Store::open(dir).expect("project");
    let name = store.project().expect("project").name;
    let mut app = App::new(name, "bench".into(), Keymap::default(), Theme::from_env());
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    draw(&mut app, &mut term);
    let first = t0.elapsed().as_secs_f64() * 1000.0;
    app.load(&store).expect("load");
    draw(&mut app, &mut term);
    let loaded = t0.elapsed().as_secs_f64() * 1000.0;
    let docs = app.documents.docs.len();
    let words: i64 = app.documents.docs.iter().map(|d| d.words).sum();
    let codings: i64 = app.documents.docs.iter().map(|d| d.codings).sum();
    println!("project: {docs} documents, {words} words, {codings} codings");
    println!("first frame (before any query): {first:.1} ms after start");
    println!("first frame with the documents grid and list: {loaded:.1} ms after start");

    let longest = app
        .documents
        .docs
        .iter()
        .max_by_key(|d| d.words)
        .map(|d| d.id)
        .expect("a document");
    let t = Instant::now();
    app.open_document(&store, longest, None).expect("open");
    draw(&mut app, &mut term);
    let open = t.elapsed().as_secs_f64() * 1000.0;
    println!("open the longest transcript and draw it: {open:.1} ms");
    let run = |app: &mut App, store: &Store| {
        for job in app.take_jobs() {
            let done = jobs::run(store, job);
            app.on_done(done);
        }
    };
    let t = Instant::now();
    app.act(&mut store, Action::ViewSearch)
        .expect("search view");
    for c in "groep rustig wave:T2".chars() {
        app.on_key(&mut store, key(c));
    }
    app.on_key(
        &mut store,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
    );
    run(&mut app, &store);
    draw(&mut app, &mut term);
    let searched = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "search (worker, synchronously here) and draw the results: {searched:.1} ms, {} hits",
        app.search.hits().len()
    );
    let t = Instant::now();
    app.act(&mut store, Action::ViewWaves).expect("waves");
    run(&mut app, &store);
    draw(&mut app, &mut term);
    let waves = t.elapsed().as_secs_f64() * 1000.0;
    println!("waves for everyone (change table and cohort on the worker) and draw: {waves:.1} ms");
    println!(
        "whole session: {:.1} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    println!(
        "RESULT {}",
        serde_json::json!({"step": "tui_start", "documents": docs, "first_frame_ms": first, "first_data_frame_ms": loaded, "open_ms": open, "search_ms": searched, "waves_ms": waves})
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (Some("keys"), dir) => keys(std::path::Path::new(
            &dir.unwrap_or_else(|| "target/bench-tui-keys".into()),
        )),
        (Some("start"), Some(dir)) => start(std::path::Path::new(&dir)),
        _ => {
            eprintln!("usage: tui_bench keys [WORK_DIR] | tui_bench start PROJECT_DIR");
            std::process::exit(2);
        }
    }
}
