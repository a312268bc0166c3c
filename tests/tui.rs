//! The terminal UI driven headless: the app gets key events as a user would type them, slow
//! work runs as the worker would run it, and every frame is drawn into ratatui's TestBackend.
//! The project is the real demo (SQLite file, tantivy index on disk). Snapshots of the views at
//! a fixed size are in `tests/snapshots/`.

use std::path::Path;

use narrata::store::Store;
use narrata::tui::app::{App, View};
use narrata::tui::jobs;
use narrata::tui::keymap::Keymap;
use narrata::tui::overlay::Overlay;
use narrata::tui::render;
use narrata::tui::theme::Theme;
use narrata::{change, codebook, coding, corpus, demo};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

const CODER: &str = "anna";

struct Session {
    app: App,
    store: Store,
    term: Terminal<TestBackend>,
    /// Commits by other processes seen so far, as the event loop watches them.
    seen: i64,
    _tmp: tempfile::TempDir,
}

impl Session {
    fn demo(width: u16, height: u16) -> Session {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        demo::build(&dir, "onderzoeker-a").unwrap();
        Session::open(tmp, &dir, width, height)
    }

    fn open(tmp: tempfile::TempDir, dir: &Path, width: u16, height: u16) -> Session {
        let store = Store::open(dir).unwrap();
        let name = store.project().unwrap().name;
        let mut app = App::new(name, CODER.into(), Keymap::default(), Theme::plain());
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        let area = ratatui::layout::Rect::new(0, 0, width, height);
        app.prepare(area);
        term.draw(|f| render::draw(f, &app)).unwrap();
        app.load(&store).unwrap();
        let seen = store.data_version().unwrap();
        let mut s = Session {
            app,
            store,
            term,
            seen,
            _tmp: tmp,
        };
        s.frame();
        s
    }

    /// Runs what the worker would, then draws a frame.
    fn frame(&mut self) {
        let now = self.store.data_version().unwrap();
        if now != self.seen {
            self.seen = now;
            self.app.outside_change(&mut self.store).unwrap();
        }
        loop {
            let jobs = self.app.take_jobs();
            if jobs.is_empty() {
                break;
            }
            for job in jobs {
                let done = jobs::run(&self.store, job);
                self.app.on_done(done);
            }
        }
        let size = self.term.size().unwrap();
        self.app
            .prepare(ratatui::layout::Rect::new(0, 0, size.width, size.height));
        let app = &self.app;
        self.term.draw(|f| render::draw(f, app)).unwrap();
    }

    /// Types keys: characters as they are, `<Enter>`, `<Esc>`, `<Tab>`, `<C-r>`, `<Down>`…
    fn keys(&mut self, spec: &str) {
        for e in parse_keys(spec) {
            self.app.on_key(&mut self.store, e);
            self.frame();
        }
    }

    fn mouse(&mut self, kind: MouseEventKind, column: u16, row: u16) {
        self.app.on_mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        });
        self.frame();
    }

    fn screen(&self) -> String {
        let buf = self.term.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    fn status(&self) -> String {
        self.app.status.message.clone()
    }

    fn my_codings(&self) -> Vec<coding::Coding> {
        coding::list(
            self.store.conn(),
            &coding::Filter {
                coders: vec![CODER.into()],
                ..Default::default()
            },
        )
        .unwrap()
    }
}

/// The key's passphrase in these tests: the one the window under test will take from the
/// environment when it is set there (a developer's shell may set it), else a test phrase.
fn passphrase() -> String {
    std::env::var("NARRATA_PASSPHRASE").unwrap_or_else(|_| "proef-wachtwoord".into())
}

/// Imports a file with the binary, as a user would, with [`passphrase`].
fn import(dir: &Path, file: &Path, anonymise: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_narrata"))
        .args(["--project", dir.to_str().unwrap(), "import"])
        .arg(file)
        .args(["--anonymise", anonymise])
        .env("NARRATA_PASSPHRASE", passphrase())
        .env("NARRATA_CODER", CODER)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A new project holding one transcript `P01_T1.txt`, imported with `anonymise`.
fn one_transcript(text: &str, anonymise: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    narrata::project::init(&dir, Some("p"), "nl").unwrap();
    let file = tmp.path().join("P01_T1.txt");
    std::fs::write(&file, text).unwrap();
    import(&dir, &file, anonymise);
    (tmp, dir)
}

fn parse_keys(spec: &str) -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' && chars.peek().is_some_and(|n| n.is_ascii_alphabetic()) {
            let mut name = String::new();
            for n in chars.by_ref() {
                if n == '>' {
                    break;
                }
                name.push(n);
            }
            let (mods, name) = match name.strip_prefix("C-") {
                Some(rest) => (KeyModifiers::CONTROL, rest.to_string()),
                None => (KeyModifiers::NONE, name),
            };
            let code = match name.as_str() {
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "Tab" => KeyCode::Tab,
                "Down" => KeyCode::Down,
                "Up" => KeyCode::Up,
                "Left" => KeyCode::Left,
                "Right" => KeyCode::Right,
                "BS" => KeyCode::Backspace,
                "PageDown" => KeyCode::PageDown,
                n if n.chars().count() == 1 => KeyCode::Char(n.chars().next().unwrap()),
                other => panic!("unknown key <{other}>"),
            };
            out.push(KeyEvent::new(code, mods));
        } else {
            out.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }
    out
}

/// The document the transcript shows, and the turn at the cursor.
fn current_turn(s: &Session) -> (i64, i64, i64) {
    let doc = s.app.transcript.doc.as_ref().unwrap();
    let t = doc.turn_of(s.app.transcript.cursor);
    (doc.summary.id, doc.turns[t].start, doc.turns[t].end)
}

fn settle_status(screen: &str) -> String {
    // Timings vary from run to run, and so does the padding that right-aligns what follows.
    let re = regex::Regex::new(r"in \d+ ms +").unwrap();
    let screen = re.replace_all(screen, "in N ms … ");
    // A timing on a line of its own in a view (the analysis view's), padded to the border.
    let screen = regex::Regex::new(r"│\d+ ms +│")
        .unwrap()
        .replace_all(&screen, "│N ms│");
    regex::Regex::new(r" +coder: ")
        .unwrap()
        .replace_all(&screen, " … coder: ")
        .into_owned()
}

#[test]
fn first_frame_is_drawn_before_the_data_is_read_then_the_documents_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    demo::build(&dir, "onderzoeker-a").unwrap();
    let store = Store::open(&dir).unwrap();
    let mut app = App::new("x".into(), CODER.into(), Keymap::default(), Theme::plain());
    let mut term = Terminal::new(TestBackend::new(80, 20)).unwrap();
    app.prepare(ratatui::layout::Rect::new(0, 0, 80, 20));
    term.draw(|f| render::draw(f, &app)).unwrap();
    assert!(!app.loaded);
    assert!(format!("{}", term.backend()).contains("loading"));
    app.load(&store).unwrap();
    assert!(app.documents.docs.len() == 24);

    let s = Session::open(tmp, &dir, 100, 30);
    insta::assert_snapshot!("documents", s.screen());
}

#[test]
fn code_a_whole_turn_with_the_picker() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>"); // P01 T1
    assert_eq!(s.app.view, View::Transcript);
    s.keys("]]]"); // the participant's second turn
    let (doc, start, end) = current_turn(&s);
    s.keys("c");
    insta::assert_snapshot!("picker", s.screen());
    s.keys("hoop<Enter>");
    let mine = s.my_codings();
    assert_eq!(mine.len(), 1, "{}", s.status());
    let c = &mine[0];
    assert_eq!((c.doc, c.code.as_str()), (doc, "Hoop en optimisme"));
    // The whole turn, without the white space at its ends.
    let text = corpus::text(s.store.conn(), doc).unwrap();
    let turn = narrata::offsets::slice_chars(&text, start as usize, end as usize);
    assert_eq!(c.text, turn.trim());
    assert!(s.status().starts_with("coded r."), "{}", s.status());
    // The margin now names the code on the turn's rows.
    assert!(s.screen().contains("▌Hoop en optimisme"));
    insta::assert_snapshot!("transcript", s.screen());
    // The recently used code comes first next time (on the participant's next turn).
    s.keys("]]c");
    let first = s
        .screen()
        .lines()
        .find(|l| l.contains("›"))
        .map(|_| ())
        .and(
            s.screen()
                .lines()
                .skip_while(|l| !l.contains("›"))
                .nth(2)
                .map(str::to_owned),
        );
    assert!(first.unwrap().contains("Hoop en optimisme"));
}

#[test]
fn select_words_and_code_them_then_undo_and_redo() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>]]]");
    let (doc, start, _) = current_turn(&s);
    // Select from the turn's first word to the end of its third.
    s.keys("veee");
    s.keys("c");
    s.keys("zinloos<Enter>");
    let mine = s.my_codings();
    assert_eq!(mine.len(), 1);
    let c = &mine[0];
    assert_eq!(c.doc, doc);
    assert_eq!(c.start, start);
    assert_eq!(c.code, "Zinloosheid");
    assert_eq!(c.text.split_whitespace().count(), 3, "{:?}", c.text);
    assert!(
        s.app.transcript.anchor.is_none(),
        "coding ends the selection"
    );

    s.keys("u");
    assert!(s.my_codings().is_empty(), "undo removes it: {}", s.status());
    assert!(s.status().starts_with("undid"), "{}", s.status());
    s.keys("<C-r>");
    assert_eq!(s.my_codings().len(), 1, "redo restores it");
    assert_eq!(s.my_codings()[0].start, start);

    // x removes the coding under the cursor.
    s.keys("x");
    assert!(s.my_codings().is_empty(), "{}", s.status());
}

#[test]
fn mouse_drag_selects_exact_words() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>");
    let g = s.app.transcript.geometry.text;
    // Drag over the first row's first ten columns.
    s.mouse(MouseEventKind::Down(MouseButton::Left), g.x, g.y);
    s.mouse(MouseEventKind::Drag(MouseButton::Left), g.x + 9, g.y);
    s.mouse(MouseEventKind::Up(MouseButton::Left), g.x + 9, g.y);
    let (a, b) = s.app.transcript.target().unwrap();
    let doc = s.app.transcript.doc.as_ref().unwrap();
    let picked: String = doc.chars[a..b].iter().collect();
    let row: String = doc.chars[s.app.transcript.rows[0].start..]
        .iter()
        .take(40)
        .collect();
    assert!(row.starts_with(&picked), "{picked:?} / {row:?}");
    assert!(!picked.ends_with(' ') && picked.split_whitespace().count() >= 2);
}

#[test]
fn search_and_jump_to_the_hit_then_code_every_hit() {
    let mut s = Session::demo(100, 30);
    s.keys("4");
    assert!(
        s.app.search.editing,
        "an empty search view starts in the query"
    );
    s.keys("taartvrouw participant:P01<Enter>");
    let hits = s.app.search.hits().to_vec();
    assert!(!hits.is_empty(), "{}", s.status());
    assert!(hits.iter().all(|h| h.participant.as_deref() == Some("P01")));
    insta::assert_snapshot!("search", settle_status(&s.screen()));
    s.keys("<Enter>");
    assert_eq!(s.app.view, View::Transcript);
    let doc = s.app.transcript.doc.as_ref().unwrap();
    assert_eq!(doc.summary.id, hits[0].doc);
    let at = s.app.transcript.cursor;
    let word: String = doc.chars[at..at + 10].iter().collect();
    assert_eq!(word.to_lowercase(), "taartvrouw");

    // Back to the results; code all of them: their whole turns (the first choice).
    s.keys("4C");
    s.keys("positief denken<Enter>");
    assert!(
        s.screen().contains("only the matched words"),
        "{}",
        s.screen()
    );
    s.keys("<Enter>");
    let mine = s.my_codings();
    assert_eq!(mine.len(), hits.len(), "{}", s.status());
    assert!(
        mine.iter()
            .all(|c| c.code == "Positief denken en successen waarderen")
    );
    for (c, h) in mine.iter().zip(&hits) {
        assert_eq!(
            (c.doc, c.start, c.end),
            (h.doc, h.start, h.end),
            "the hit's turn"
        );
    }
    // Or only the matched words, with another code.
    s.keys("Cidentiteit<Enter>");
    s.keys("<Down><Enter>");
    let words: Vec<String> = s
        .my_codings()
        .into_iter()
        .filter(|c| c.code == "Identiteit")
        .map(|c| c.text.to_lowercase())
        .collect();
    assert!(!words.is_empty(), "{}", s.status());
    assert!(words.iter().all(|w| w == "taartvrouw"), "{words:?}");
}

#[test]
fn find_in_the_document_and_next_uncoded_turn() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>/bakkerij<Enter>");
    let doc = s.app.transcript.doc.as_ref().unwrap();
    let at = s.app.transcript.cursor;
    let word: String = doc.chars[at..at + 8].iter().collect();
    assert_eq!(word.to_lowercase(), "bakkerij");
    s.keys(";");
    assert!(s.app.transcript.cursor > at);

    s.keys("g");
    s.keys("n");
    let doc = s.app.transcript.doc.as_ref().unwrap();
    let t = doc.turn_of(s.app.transcript.cursor);
    let (a, b) = doc.spans[t];
    assert!(!doc.turns[t].interviewer);
    assert_eq!(doc.codings_in(a, b).filter(|c| c.coder == CODER).count(), 0);
}

/// For a second coder `n` once found nothing, because every turn had the first coder's
/// codings, and left the cursor on the interviewer's turn, where `c` then coded the
/// interviewer's question without a word. `n` now means "not yet coded by me", and coding an
/// interviewer's turn asks first.
#[test]
fn next_uncoded_is_per_coder_and_coding_the_interviewer_asks_first() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>");
    // The demo coder coded this transcript; anna has coded nothing of it.
    let doc = s.app.transcript.doc.as_ref().unwrap();
    let coded_by_other: Vec<usize> = (0..doc.spans.len())
        .filter(|&t| {
            let (a, b) = doc.spans[t];
            !doc.turns[t].interviewer && doc.codings_in(a, b).next().is_some()
        })
        .collect();
    assert!(!coded_by_other.is_empty(), "the demo codes its transcripts");
    s.keys("gn");
    let doc = s.app.transcript.doc.as_ref().unwrap();
    let first = (0..doc.spans.len())
        .find(|&t| !doc.turns[t].interviewer)
        .unwrap();
    assert_eq!(
        doc.turn_of(s.app.transcript.cursor),
        first,
        "{}",
        s.status()
    );

    // The first turn is the interviewer's: c asks, n says no, nothing is coded.
    s.keys("g");
    let doc = s.app.transcript.doc.as_ref().unwrap();
    assert!(doc.turns[doc.turn_of(s.app.transcript.cursor)].interviewer);
    s.keys("c");
    assert!(
        matches!(&s.app.overlay, Some(Overlay::Confirm(_))),
        "{:?}",
        s.app.overlay
    );
    assert!(s.screen().contains("interviewer's turn"), "{}", s.screen());
    s.keys("n");
    assert!(s.app.overlay.is_none());
    assert!(s.my_codings().is_empty());
    // y goes on to the picker, and the turn is coded.
    s.keys("cy");
    assert!(matches!(&s.app.overlay, Some(Overlay::Picker(_))));
    s.keys("hoop<Enter>");
    assert_eq!(s.my_codings().len(), 1);
}

/// A second find once appended to the first ("My brotherI usedused"). A new find starts
/// empty; `Up` brings back the last one.
#[test]
fn a_new_find_starts_empty_and_up_recalls_the_last() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>/bakkerij<Enter>");
    assert_eq!(s.app.transcript.find.as_deref(), Some("bakkerij"));
    s.keys("/");
    match &s.app.overlay {
        Some(Overlay::Prompt(p)) => assert_eq!(p.text, "", "a new find starts empty"),
        other => panic!("no find prompt: {other:?}"),
    }
    s.keys("groep<Enter>");
    assert_eq!(s.app.transcript.find.as_deref(), Some("groep"));
    // Up brings back the last find, to be run again or changed.
    s.keys("/<Up><Enter>");
    assert_eq!(s.app.transcript.find.as_deref(), Some("groep"));
    s.keys("/<Up>en<Enter>");
    assert_eq!(s.app.transcript.find.as_deref(), Some("groepen"));
}

#[test]
fn memo_on_the_coding_at_the_cursor() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>]]]c");
    s.keys("hoop<Enter>");
    let id = s.my_codings()[0].id;
    s.keys("m");
    s.keys("Eerste keer dat ze vooruit kijkt<Enter>");
    let memos = narrata::memo::list(s.store.conn(), None).unwrap();
    let m = memos.iter().find(|m| m.coder == CODER).unwrap();
    assert_eq!(m.target, format!("coding:{id}"));
    assert_eq!(m.text, "Eerste keer dat ze vooruit kijkt");
    // The transcript's lower edge shows the coding at the cursor with its memo.
    assert!(
        s.screen()
            .contains("Hoop en optimisme (anna) ✎ anna: “Eerste keer dat ze vooruit kijkt”"),
        "{}",
        s.screen()
    );
    // The margin marks the row where the coding with a memo starts.
    assert!(
        s.screen().contains("✎ ▌Hoop en optimisme"),
        "{}",
        s.screen()
    );
    // m again opens that memo to edit; Alt-Enter makes a second paragraph.
    s.keys("m");
    assert!(s.screen().contains("your memo"), "{}", s.screen());
    s.keys("<C-u>Eerste keer vooruit.");
    s.app.on_key(
        &mut s.store,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT),
    );
    s.keys("Let op: T3.<Enter>");
    let memos = narrata::memo::list(s.store.conn(), None).unwrap();
    let mine: Vec<_> = memos.iter().filter(|m| m.coder == CODER).collect();
    assert_eq!(mine.len(), 1, "edited, not added");
    assert_eq!(mine[0].text, "Eerste keer vooruit.\nLet op: T3.");
    // M shows the memos in full.
    s.keys("M");
    assert!(s.screen().contains("Let op: T3."), "{}", s.screen());
    s.keys("u");
    assert!(s.app.overlay.is_none());
    s.keys("u");
    let memos = narrata::memo::list(s.store.conn(), None).unwrap();
    assert_eq!(
        memos.iter().find(|m| m.coder == CODER).unwrap().text,
        "Eerste keer dat ze vooruit kijkt",
        "u undid the edit"
    );
}

#[test]
fn codebook_add_rename_and_move_codes() {
    let mut s = Session::demo(100, 30);
    s.keys("3");
    insta::assert_snapshot!("codebook", s.screen());
    // Add a code under the selected (first) code, rename it, then move it to the top.
    let parent = s.app.codebook.selected().unwrap().path.clone();
    s.keys("aNieuwe vriendschap<Enter>");
    let all = narrata::codebook::codes(s.store.conn()).unwrap();
    assert!(
        all.iter()
            .any(|c| c.path == format!("{parent}/Nieuwe vriendschap")),
        "{}",
        s.status()
    );
    assert_eq!(
        s.app.codebook.selected().unwrap().name,
        "Nieuwe vriendschap"
    );
    s.keys("r<C-u>Vriendschap<Enter>");
    s.keys("m(top<Enter>");
    let all = narrata::codebook::codes(s.store.conn()).unwrap();
    let c = all.iter().find(|c| c.name == "Vriendschap").unwrap();
    assert_eq!(c.path, "Vriendschap", "{}", s.status());
    s.keys("e<Enter><C-u>Vriendschappen die in de groep ontstaan<Enter>");
    let c = narrata::codebook::find(s.store.conn(), "Vriendschap").unwrap();
    assert_eq!(c.description, "Vriendschappen die in de groep ontstaan");
}

#[test]
fn waves_override_a_label_with_a_memo_and_show_excerpts() {
    let mut s = Session::demo(110, 30);
    s.keys("5");
    // With no transcript open the view starts with everyone: the cohort.
    assert!(s.app.waves.participant.is_none());
    assert!(s.screen().contains("kept gained lost"));
    s.keys("pP03<Enter>");
    assert_eq!(s.app.waves.participant.as_deref(), Some("P03"));
    insta::assert_snapshot!("waves", s.screen());
    let code = s.app.waves.selected_code().unwrap();
    s.keys("o");
    s.keys("constant<Enter>");
    s.keys("Komt steeds terug in andere woorden<Enter>");
    let t = change::table(
        s.store.conn(),
        &change::Options {
            participant: Some("P03".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let row = t.rows.iter().find(|r| r.code == code).unwrap();
    assert_eq!(row.confirmed.as_deref(), Some("constant"));
    assert_eq!(
        row.memo.as_deref(),
        Some("Komt steeds terug in andere woorden")
    );
    // The screen shows the override beside the suggestion.
    assert!(s.screen().contains("constant ✎"), "{}", s.screen());

    // A pen portrait for a wave, shown below the grid.
    s.keys("mT2<Enter>");
    s.keys("Vindt houvast in de groep; werk blijft zorg<Enter>");
    let memos = narrata::memo::list(s.store.conn(), None).unwrap();
    assert!(memos.iter().any(|m| m.target == "portrait:P03:T2"
        && m.text == "Vindt houvast in de groep; werk blijft zorg"));
    assert!(s.screen().contains("T2 (anna) Vindt houvast in de groep"));

    // Enter: the code's excerpts, a column per wave.
    s.keys("<Down><Enter>");
    let x = s.app.waves.excerpts.as_ref().unwrap();
    assert_eq!(x.waves.len(), 3);
    s.keys("<Esc>");
    assert!(s.app.waves.excerpts.is_none());

    // `/` filters the rows; Esc takes the filter away.
    let all = s.app.waves.len();
    s.keys("/relaties<Enter>");
    assert!(s.app.waves.len() < all && !s.app.waves.is_empty());
    assert!(s.app.waves.selected_code().unwrap().contains("Relaties"));
    s.keys("<Esc>");
    assert_eq!(s.app.waves.len(), all);
}

/// A second coder's codings once pooled with the first's in the Waves view, a shared quote
/// shown twice. `c` chooses whose codings count; by default every coder's, a quote coded by
/// two coders is one excerpt naming both.
#[test]
fn waves_follow_a_rule_and_its_excerpts_too() {
    let mut s = Session::demo(110, 30);
    // The demo's P03 and P08 are 50-59; P08's group interview with P05 and P06 matches
    // through P08, but only those for whom the rule holds have rows.
    s.keys("5rage_group = 50-59<Enter>");
    assert!(
        s.screen().contains("where age_group = 50-59"),
        "{}",
        s.screen()
    );
    let view = s.app.waves.view.as_ref().expect("the change table");
    let mut who: Vec<&str> = view
        .table
        .rows
        .iter()
        .map(|r| r.participant.as_str())
        .collect();
    who.dedup();
    assert_eq!(who, ["P03", "P08"]);
    // The excerpts of a code come from the documents the rule matched.
    s.keys("<Enter>");
    let excerpts = s.app.waves.excerpts.as_ref().expect("excerpts");
    assert!(
        excerpts
            .waves
            .iter()
            .flat_map(|(_, passages)| passages)
            .all(|p| p
                .coding
                .participants
                .iter()
                .any(|x| x == "P03" || x == "P08")),
        "{excerpts:?}"
    );
    // A rule that cannot be meant says so; an empty one is everyone again.
    s.keys("<Esc>r");
    s.keys("<C-u>nonsense = 1<Enter>");
    assert!(s.screen().contains("nonsense"), "{}", s.screen());
    s.keys("r<C-u><Enter>");
    assert!(!s.screen().contains("where age_group"), "{}", s.screen());
    let view = s.app.waves.view.as_ref().expect("the change table");
    assert!(view.table.rows.iter().any(|r| r.participant == "P01"));
}

#[test]
fn waves_count_one_coder_or_every_coder_once() {
    let mut s = Session::demo(110, 30);
    // bert codes, for P03, the very words the demo's coder coded with some code.
    let first = coding::list(
        s.store.conn(),
        &coding::Filter {
            participant: Some("P03".into()),
            ..Default::default()
        },
    )
    .unwrap()
    .into_iter()
    .next()
    .unwrap();
    coding::add(
        &mut s.store,
        "bert",
        &first.doc.to_string(),
        first.start,
        first.end,
        &first.code_path,
    )
    .unwrap();
    s.keys("5pP03<Enter>");
    assert!(
        s.screen()
            .contains("codings of bert, onderzoeker-a (overlaps once)"),
        "{}",
        s.screen()
    );
    // The code's excerpts: bert's and the demo coder's quote once, naming both.
    let row = s
        .app
        .waves
        .view
        .as_ref()
        .unwrap()
        .table
        .rows
        .iter()
        .position(|r| r.code == first.code_path)
        .unwrap();
    s.app.waves.list.selected = s
        .app
        .waves
        .visible()
        .iter()
        .position(|&i| i == row)
        .unwrap();
    s.keys("<Enter>");
    let x = s.app.waves.excerpts.as_ref().unwrap();
    let same: Vec<_> = x
        .waves
        .iter()
        .flat_map(|(_, p)| p.iter())
        .filter(|p| p.coding.start <= first.start && p.coding.end >= first.end)
        .collect();
    assert_eq!(same.len(), 1, "{same:?}");
    assert_eq!(same[0].coders, ["bert", "onderzoeker-a"]);
    s.keys("<Esc>");
    // Only bert: the title says so and the table counts bert's one coding.
    s.keys("c");
    s.keys("bert<Enter>");
    assert_eq!(s.app.waves.coders, ["bert"]);
    assert!(s.screen().contains("bert's codings"), "{}", s.screen());
    let t = &s.app.waves.view.as_ref().unwrap().table;
    let coded: usize = t
        .rows
        .iter()
        .flat_map(|r| r.cells.iter())
        .filter_map(|c| c.codings)
        .sum();
    assert_eq!(coded, 1);
}

#[test]
fn help_lists_the_bindings_of_the_view() {
    let mut s = Session::demo(120, 40);
    s.keys("<Enter>?");
    let screen = s.screen();
    for needle in [
        "code the selection (or the current turn)",
        "next uncoded turn",
        "Ctrl-r",
        "redo what you undid",
    ] {
        assert!(screen.contains(needle), "{needle} missing:\n{screen}");
    }
    s.keys("x");
    assert!(s.app.overlay.is_none(), "any key closes the help");
    assert!(
        s.my_codings().is_empty(),
        "the key that closed the help did nothing else"
    );
}

#[test]
fn tiny_and_odd_window_sizes_never_panic() {
    let mut s = Session::demo(100, 30);
    for view in ["1", "<Enter>", "3", "4hoop<Enter>", "5", "6", "?"] {
        s.keys(view);
        for (w, h) in [
            (1, 1),
            (2, 3),
            (10, 4),
            (20, 6),
            (33, 7),
            (200, 60),
            (100, 30),
        ] {
            s.term.backend_mut().resize(w, h);
            s.term
                .resize(ratatui::layout::Rect::new(0, 0, w, h))
                .unwrap();
            s.frame();
            // Keys still work at that size.
            s.keys("j");
        }
        s.keys("<Esc>");
    }
}

#[test]
fn nothing_raw_reaches_the_screen_from_a_hostile_transcript() {
    let (tmp, dir) = one_transcript(
        "I: Hallo \u{1b}[2J\u{1b}]0;title\u{7}\nP01: Ja \u{202e}gniod\u{9b}31m rood\n",
        "off",
    );
    let mut s = Session::open(tmp, &dir, 80, 12);
    s.keys("<Enter>");
    assert_eq!(s.app.view, View::Transcript);
    let buf = s.term.backend().buffer();
    for cell in buf.content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "raw control character on screen: {:?}",
            cell.symbol()
        );
    }
}

#[test]
fn review_list_accepts_and_rejects_and_stores() {
    let (tmp, dir) = one_transcript(
        "I: Hoe gaat het?\nP01: Goed. Mijn zus Marieke Jansen belt elke week, vanuit Katwijk.\n",
        "review",
    );
    let mut s = Session::open(tmp, &dir, 100, 20);
    s.keys("6");
    if std::env::var_os("NARRATA_PASSPHRASE").is_none() {
        // The key is locked: the view asks for its passphrase, shown as dots.
        s.keys("wrong");
        assert!(s.screen().contains("•••••"), "{}", s.screen());
        assert!(!s.screen().contains("wrong"));
        s.keys("<Enter>");
        assert!(s.app.status.error, "a wrong passphrase is an error");
        assert!(!s.app.review.unlocked());
        assert!(
            matches!(
                s.app.overlay,
                Some(narrata::tui::overlay::Overlay::Prompt(_))
            ),
            "and it asks again"
        );
        s.keys("proef-wachtwoord<Enter>");
    }
    assert!(s.app.review.unlocked(), "{}", s.status());
    let n = s.app.review.items.len();
    assert!(n >= 2, "{}", s.status());
    let found: Vec<String> = s.app.review.items.iter().map(|i| i.found.clone()).collect();
    // Reject the first, accept the second.
    s.keys("ra");
    assert_eq!(s.app.review.items[0].decision, "rejected");
    assert_eq!(s.app.review.items[1].decision, "accepted");
    // Decisions reach the key file when the list is left (saving takes seconds).
    s.keys("1");
    assert!(
        s.status().contains("2 review decision(s) written"),
        "{}",
        s.status()
    );
    s.keys("6");
    s.keys("An");
    assert_eq!(s.app.review.items.len(), n, "n keeps everything staged");
    s.keys("Ay");
    assert!(s.app.review.items.is_empty(), "{}", s.status());
    let docs = corpus::documents(s.store.conn()).unwrap();
    assert_eq!(docs.len(), 1);
    let text = corpus::text(s.store.conn(), docs[0].id).unwrap();
    assert!(text.contains(&found[0]), "a rejected suggestion stays");
    assert!(!text.contains(&found[1]), "an accepted one is replaced");
}

#[test]
fn no_color_means_no_colour_and_colour_means_code_colours() {
    use ratatui::style::Color;
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>");
    let coloured = |s: &Session| {
        s.term
            .backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(!coloured(&s), "a plain theme (NO_COLOR) draws no colour");
    // Pseudonyms are marked (italic) even without colour, and the words around them are not.
    let screen = s.screen();
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("[PLAATS-"))
        .expect("a pseudonym on screen");
    let col = line[..line.find("[PLAATS-").unwrap()].chars().count();
    let buffer = s.term.backend().buffer();
    let cell = |c: usize| buffer[(c as u16, row as u16)].modifier;
    assert!(cell(col + 1).contains(ratatui::style::Modifier::ITALIC));
    assert!(!cell(col - 2).contains(ratatui::style::Modifier::ITALIC));
    s.app.theme = Theme { color: true };
    s.frame();
    assert!(coloured(&s), "coded spans are coloured by code");
}

#[test]
fn the_documented_bindings_are_the_bindings() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/TUI.md")).unwrap();
    let begin = doc.find("<!-- keys:begin -->").expect("keys:begin marker") + 19;
    let end = doc.find("<!-- keys:end -->").expect("keys:end marker");
    let expected = Keymap::default().markdown();
    assert_eq!(
        doc[begin..end].trim(),
        expected.trim(),
        "docs/TUI.md differs from the keymap; the keymap says:\n{expected}"
    );
}

#[test]
fn agreement_view_compares_coders_and_opens_a_disagreement() {
    let mut s = Session::demo(110, 30);
    // A second coder codes two passages the demo's coder also coded, one of them shorter.
    let theirs = coding::list(s.store.conn(), &coding::Filter::default()).unwrap();
    let (a, b) = (&theirs[0], &theirs[1]);
    coding::add(
        &mut s.store,
        "bert",
        &a.doc.to_string(),
        a.start,
        a.end,
        &a.code_id.to_string(),
    )
    .unwrap();
    coding::add(
        &mut s.store,
        "bert",
        &b.doc.to_string(),
        b.start,
        b.end - 3,
        &b.code_id.to_string(),
    )
    .unwrap();
    s.keys("7");
    assert!(s.screen().contains("coders to compare"), "{}", s.screen());
    s.keys("<C-u>onderzoeker-a,bert<Enter>");
    assert_eq!(s.app.view, View::Agreement);
    let report = s.app.agreement.report.as_ref().expect("measures");
    assert_eq!(report.coders, ["onderzoeker-a", "bert"]);
    assert!(s.screen().contains("(all codes pooled)"), "{}", s.screen());
    // By default only the documents both coders have coded count.
    let both: std::collections::BTreeSet<i64> = [a.doc, b.doc].into();
    assert_eq!(report.documents, both.len());
    assert!(s.screen().contains("every coder coded"), "{}", s.screen());
    // s: every document; t: turns as units; and back.
    s.keys("s");
    let all = narrata::corpus::documents(s.store.conn()).unwrap().len();
    assert_eq!(s.app.agreement.report.as_ref().unwrap().documents, all);
    s.keys("t");
    assert_eq!(s.app.agreement.report.as_ref().unwrap().unit, "turns");
    s.keys("ts");
    assert_eq!(s.app.agreement.report.as_ref().unwrap().unit, "characters");
    assert!(!s.app.agreement.disagreements.is_empty());
    let first = s.app.agreement.disagreements[0].clone();
    s.keys("<Enter>");
    assert_eq!(s.app.view, View::Transcript);
    let (start, end) = s.app.transcript.selection().unwrap();
    assert_eq!((start as i64, end as i64), (first.start, first.end));
}

#[test]
fn enter_on_an_empty_grid_cell_says_why_nothing_opens() {
    let mut s = Session::demo(100, 30);
    // P07 has no third interview.
    s.keys("Gkll<Enter>");
    assert_eq!(s.app.view, View::Documents);
    assert!(
        s.status().contains("P07 was not interviewed in T3"),
        "{}",
        s.status()
    );
}

/// A participant seen only in a group interview of a wave looked "not interviewed" (—) in the
/// grid while the cohort counted them as interviewed. One rule: a participant of a group
/// interview of a wave was interviewed in that wave; the grid says "group" and opens it.
#[test]
fn a_participant_only_in_a_group_interview_was_interviewed_in_that_wave() {
    let mut s = Session::demo(100, 30);
    let dir = s.store.root().to_path_buf();
    let file = dir.parent().unwrap().join("G07_T3.md");
    std::fs::write(
        &file,
        "---\nparticipants: [P07, P08]\nwave: T3\nkind: group\nlanguage: en\n---\nM: Welcome back.\nP07: I still go every week.\nP08: I stopped going.\n",
    )
    .unwrap();
    cli_ok(
        &dir,
        &["import", file.to_str().unwrap(), "--anonymise", "off"],
    );
    s.frame();
    // The grid: P07 in T3 is "group", not "—".
    let row = s
        .screen()
        .lines()
        .find(|l| l.contains("P07 "))
        .unwrap()
        .to_owned();
    assert!(row.contains("group"), "{row}");
    // The cohort agrees: P07 and P08 are among those interviewed in T3.
    let cohort = change::cohort(s.store.conn(), &change::Options::default()).unwrap();
    let t3 = cohort.waves.iter().position(|w| w == "T3").unwrap();
    let interviewed_t3 = cohort.codes[0].cells[t3].of;
    let t1 = cohort.codes[0].cells[0].of;
    assert_eq!(
        interviewed_t3, t1,
        "all eight participants were interviewed in T3 too"
    );
    // Enter on the cell opens the group interview.
    s.keys("Gkll<Enter>");
    assert_eq!(s.app.view, View::Transcript, "{}", s.status());
    let doc = s.app.transcript.doc.as_ref().unwrap();
    assert_eq!(doc.summary.kind, "group");
    assert!(doc.summary.participants.contains(&"P07".to_owned()));
}

/// A text from another tool arrives without participant or wave; the document list assigns
/// it (`a`, then "P09 T2"), as `docs set` does, and undo takes it back.
#[test]
fn a_document_is_assigned_from_the_document_list() {
    let mut s = Session::demo(100, 30);
    let dir = s.store.root().to_path_buf();
    let file = dir.parent().unwrap().join("notes.md");
    std::fs::write(
        &file,
        "---\nkind: document\nlanguage: nl\n---\nIk ben weer aan het werk en dat gaat goed.\n",
    )
    .unwrap();
    cli_ok(
        &dir,
        &["import", file.to_str().unwrap(), "--anonymise", "off"],
    );
    s.frame();
    let id = s
        .app
        .documents
        .docs
        .iter()
        .find(|d| d.kind == "document")
        .unwrap()
        .id;
    // To the list, filtered to the new document, and assign it.
    s.keys("<Tab>");
    s.keys("/document<Enter>");
    assert_eq!(s.app.documents.selected_document().map(|d| d.id), Some(id));
    s.keys("a");
    assert!(
        matches!(&s.app.overlay, Some(Overlay::Prompt(_))),
        "{:?}",
        s.app.overlay
    );
    s.keys("<C-u>P09 T2<Enter>");
    assert!(
        s.status().contains("P09 · T2 · individual"),
        "{}",
        s.status()
    );
    let d = corpus::document(s.store.conn(), id).unwrap();
    assert_eq!(
        (d.participant.as_deref(), d.wave.as_deref(), d.kind.as_str()),
        (Some("P09"), Some("T2"), "individual")
    );
    // The text is wholly P09's (it has no speaker labels).
    let turns = corpus::turns(s.store.conn(), id).unwrap();
    assert!(
        turns
            .iter()
            .all(|t| t.participant.as_deref() == Some("P09"))
    );
    s.keys("u");
    let d = corpus::document(s.store.conn(), id).unwrap();
    assert_eq!(
        (d.participant, d.wave, d.kind.as_str()),
        (None, None, "document")
    );
}

/// narrata on the command line, in the project the window has open.
fn cli(dir: &Path, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_narrata"));
    c.current_dir(dir)
        .env_remove("NARRATA_PROJECT")
        .env("NARRATA_CODER", "cli")
        // The demo's key (any passphrase makes a new key elsewhere).
        .env("NARRATA_PASSPHRASE", demo::DEMO_PASSPHRASE)
        .env("NARRATA_KEY_WORK_FACTOR", "4")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    c
}

#[test]
fn the_window_codes_on_and_stays_current_while_the_command_line_writes() {
    let mut s = Session::demo(100, 30);
    let dir = s.store.root().to_path_buf();
    let folder = s._tmp.path().join("more");
    std::fs::create_dir(&folder).unwrap();
    let generated = narrata_synth::corpus(3, 12, 2, 150);
    for g in &generated {
        std::fs::write(folder.join(&g.name), &g.file).unwrap();
    }
    let before = s.app.documents.docs.len();
    // The command line imports and auto-codes while the window codes turn after turn.
    let folder_arg = folder.to_str().unwrap();
    let mut importer = cli(&dir, &["import", folder_arg, "--anonymise", "off"])
        .spawn()
        .unwrap();
    let auto = cli(
        &dir,
        &[
            "code",
            "auto",
            "groep",
            "Lotgenotencontact en zelfhulpgroepen",
        ],
    )
    .spawn()
    .unwrap();
    s.keys("<Enter>");
    let mut while_importing = 0;
    for _ in 0..10 {
        s.keys("n");
        let importing = importer.try_wait().unwrap().is_none();
        let mine = s.my_codings().len();
        s.keys("c");
        s.keys("hoop<Enter>");
        let status = s.status();
        if s.my_codings().len() == mine + 1 {
            assert!(status.starts_with("coded"), "{status}");
            if importing {
                while_importing += 1;
            }
        } else {
            // Waiting ran out: a clear word, and nothing half done.
            assert_eq!(s.my_codings().len(), mine);
            assert!(status.contains("busy"), "{status}");
        }
    }
    for (name, child) in [("import", importer), ("auto-coding", auto)] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        while_importing > 0,
        "the import ended before the window coded"
    );
    // The documents view shows what the command line did.
    s.keys("1");
    assert_eq!(s.app.view, View::Documents);
    assert_eq!(s.app.documents.docs.len(), before + generated.len());
    s.keys("2");
    assert_eq!(s.app.view, View::Transcript, "{}", s.status());
    // A redaction on the command line of the very turn the window shows: the window reads the
    // document again, and the next coding lands on the words it names.
    let (doc, start, _) = current_turn(&s);
    cli_ok(&dir, &["anonymise", "names", "add", "Zwanhilde"]);
    redact_outside(&dir, doc, start, start + 3);
    s.frame();
    let stored: Vec<char> = corpus::text(s.store.conn(), doc).unwrap().chars().collect();
    assert_eq!(s.app.transcript.doc.as_ref().unwrap().chars, stored);
    // ... and says why the words on screen changed.
    assert!(
        s.status().contains("changed by another narrata process"),
        "{}",
        s.status()
    );
    s.keys("]]c");
    s.keys("hoop<Enter>");
    assert!(s.status().starts_with("coded"), "{}", s.status());
    let newest = s.my_codings().into_iter().max_by_key(|c| c.id).unwrap();
    let (cs, ce) = (newest.start as usize, newest.end as usize);
    assert_eq!(newest.text, stored[cs..ce].iter().collect::<String>());
    let report = narrata::check::run(&s.store, narrata::check::Depth::Full).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// Runs narrata on the command line to completion; it must succeed.
fn cli_ok(dir: &Path, args: &[&str]) {
    let out = cli(dir, args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Replaces `[start, end)` of `doc` by a pseudonym on the command line, as a redaction does.
fn redact_outside(dir: &Path, doc: i64, start: i64, end: i64) {
    let (d, a, b) = (doc.to_string(), start.to_string(), end.to_string());
    cli_ok(dir, &["anonymise", "redact", &d, &a, &b, "person"]);
}

#[test]
fn a_code_picker_open_while_the_command_line_redacts_its_words_codes_nothing() {
    let mut s = Session::demo(100, 30);
    let dir = s.store.root().to_path_buf();
    s.keys("<Enter>");
    assert_eq!(s.app.view, View::Transcript, "{}", s.status());
    let codings_before = s.my_codings().len();
    // The demo has no pseudonym key; adding a researcher's name to watch for makes one.
    cli_ok(&dir, &["anonymise", "names", "add", "Zwanhilde"]);
    s.frame();
    let picker_open = |s: &Session| matches!(s.app.overlay, Some(Overlay::Picker(_)));

    // The window notices the redaction before the next key: the picker for the old words
    // closes and says why. (The participant's first turn: the interviewer's would ask first.)
    s.keys("]c");
    assert!(picker_open(&s));
    let (doc, start, _) = current_turn(&s);
    redact_outside(&dir, doc, start, start + 3);
    s.frame();
    assert!(!picker_open(&s));
    assert!(
        s.status()
            .contains("nothing was coded: select the words again"),
        "{}",
        s.status()
    );

    // The redaction lands after the window last looked and before the key that picks the
    // code (no frame between them): the coding is refused when it would commit.
    s.keys("c");
    s.keys("hoop");
    assert!(picker_open(&s));
    let (doc, _, end) = current_turn(&s);
    redact_outside(&dir, doc, end - 4, end - 1);
    let enter = parse_keys("<Enter>").remove(0);
    s.app.on_key(&mut s.store, enter);
    assert!(
        s.status().contains("changed after it was shown"),
        "{}",
        s.status()
    );
    assert_eq!(s.my_codings().len(), codings_before);
    // Once the window has read the text again, coding the same turn works.
    s.frame();
    s.keys("choop<Enter>");
    assert!(s.status().starts_with("coded"), "{}", s.status());
    assert_eq!(s.my_codings().len(), codings_before + 1);
}

/// Gives the key's passphrase if the window asks for it.
fn unlock_if_asked(s: &mut Session) {
    if matches!(s.app.overlay, Some(Overlay::Prompt(_))) {
        s.keys("proef-wachtwoord<Enter>");
    }
}

#[test]
fn pseudonyms_are_linked_split_relabelled_and_restored_and_words_redacted_from_the_window() {
    let (tmp, dir) = one_transcript(
        "I: Wie helpt je?\nP01: Mijn buurvrouw Marieke Jansen helpt me, en haar zus Ans de \
         Wit ook. Ze wonen in Katwijk. Op zondag wandel ik met de hond van bello, mijn \
         neef.\n",
        "auto",
    );
    let mut s = Session::open(tmp, &dir, 140, 24);
    let text = |s: &Session| {
        let id = corpus::documents(s.store.conn()).unwrap()[0].id;
        corpus::text(s.store.conn(), id).unwrap()
    };
    let before = text(&s);
    assert!(
        !before.contains("Marieke") && !before.contains("Ans de Wit"),
        "{before}"
    );

    // The review view lists the stored texts' pseudonyms with the words they stand for.
    s.keys("6");
    unlock_if_asked(&mut s);
    assert!(s.app.review.unlocked(), "{}", s.status());
    s.keys("p");
    assert!(s.app.review.pseudonyms_shown, "{}", s.status());
    let label_of = |s: &Session, word: &str| -> String {
        s.app
            .review
            .pseudonyms
            .iter()
            .find(|p| p.originals.iter().any(|o| o.contains(word)))
            .unwrap_or_else(|| panic!("no pseudonym for {word}: {:?}", s.app.review.pseudonyms))
            .label
            .clone()
    };
    let marieke = label_of(&s, "Marieke");
    let ans = label_of(&s, "Ans");
    assert_ne!(marieke, ans);
    assert!(s.screen().contains("Marieke"), "{}", s.screen());
    // Esc clears the last filter; / filters the list to one pseudonym.
    let select = |s: &mut Session, label: &str| {
        s.keys(&format!("<Esc>/{label}<Enter>"));
        assert_eq!(
            s.app.review.selected_pseudonym().map(|p| p.label.clone()),
            Some(label.to_owned()),
            "{}",
            s.screen()
        );
    };

    // Link: the researcher says the two are one person.
    select(&mut s, &ans);
    s.keys(&format!("l{marieke}<Enter>"));
    assert!(s.status().starts_with("linked"), "{}", s.status());
    let linked = text(&s);
    assert!(!linked.contains(&marieke), "{linked}");
    assert_eq!(linked.matches(&ans).count(), 2, "{linked}");
    // Split again, by participant: a new pseudonym for P01's mentions.
    select(&mut s, &ans);
    s.keys("sP01<Enter>");
    assert!(s.status().starts_with("split"), "{}", s.status());
    let split = text(&s);
    assert!(!split.contains(&ans), "{split}");

    // Relabel the place as an organisation.
    let place = label_of(&s, "Katwijk");
    select(&mut s, &place);
    s.keys("corganisatie<Enter>");
    assert!(s.status().starts_with("relabelled"), "{}", s.status());
    let relabelled = text(&s);
    assert!(!relabelled.contains(&place), "{relabelled}");
    assert!(relabelled.contains("[ORGANISATIE-"), "{relabelled}");

    // Restore everywhere: the word comes back; n keeps everything as it is.
    let org = label_of(&s, "Katwijk");
    select(&mut s, &org);
    s.keys("On");
    assert_eq!(text(&s), relabelled);
    s.keys("Oy");
    assert!(s.status().starts_with("restored"), "{}", s.status());
    assert!(text(&s).contains("Katwijk"));

    // In the transcript: a missed name is selected and redacted.
    s.keys("2");
    s.keys("/bello<Enter>");
    s.keys("ve");
    s.keys("X");
    // The category is chosen from a picker, each with the pseudonym it becomes.
    assert!(
        matches!(s.app.overlay, Some(Overlay::Picker(_))),
        "{}",
        s.screen()
    );
    assert!(
        s.screen().contains("becomes [ORGANISATIE-…]"),
        "{}",
        s.screen()
    );
    s.keys("org<Enter>");
    assert!(s.status().starts_with("redacted"), "{}", s.status());
    let redacted = text(&s);
    assert!(!redacted.contains("bello"), "{redacted}");
    assert!(redacted.contains("[ORGANISATIE-"), "{redacted}");
    assert!(
        !s.screen().contains("bello"),
        "the window shows the new text"
    );
    // And a pseudonym at the cursor is put back in this document.
    let marieke_now = label_of(&s, "Marieke");
    s.keys(&format!(
        "/{}<Enter>",
        &marieke_now[1..marieke_now.len() - 1]
    ));
    s.keys("O");
    // Linked, it stands for several forms: the window asks which word stood here.
    assert!(
        matches!(s.app.overlay, Some(Overlay::Picker(_))),
        "{}",
        s.screen()
    );
    s.keys("Marieke Jansen<Enter>y");
    assert!(s.status().starts_with("restored"), "{}", s.status());
    assert!(text(&s).contains("Marieke"), "{}", text(&s));
    // privacy-check does not count the word restored on purpose as a leak.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_narrata"))
        .args([
            "--project",
            dir.to_str().unwrap(),
            "privacy-check",
            "--json",
        ])
        .env("NARRATA_PASSPHRASE", passphrase())
        .output()
        .unwrap();
    let check: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check["ok"], true, "{check}");
}

#[test]
fn a_backup_from_the_ui_is_a_checked_project_with_the_key() {
    let mut s = Session::demo(120, 40);
    s.keys("B");
    assert!(s.screen().contains("write a backup"), "{}", s.screen());
    s.keys("<Enter>");
    assert!(
        s.status().starts_with("backup written to"),
        "{}",
        s.status()
    );
    let parent = s.store.root().parent().unwrap().to_path_buf();
    let backups: Vec<_> = std::fs::read_dir(&parent)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("demo-backup-"))
        .collect();
    assert_eq!(backups.len(), 1, "one backup folder beside the project");
    let copy = Store::open(&backups[0].path()).unwrap();
    let count = |st: &Store| -> i64 {
        st.conn()
            .query_row("SELECT count(*) FROM codings", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count(&copy), count(&s.store));
    assert!(
        backups[0].path().join("key.age").is_file(),
        "the key was left behind"
    );
    // A second backup to the same folder is refused: nothing is overwritten.
    s.keys("B");
    for _ in 0..200 {
        s.keys("<BS>");
    }
    s.keys(&backups[0].path().display().to_string());
    s.keys("<Enter>");
    assert!(s.status().contains("already exists"), "{}", s.status());
}

#[test]
fn the_transcript_moves_to_the_next_document_and_to_the_same_participants_next_wave() {
    let mut s = Session::demo(120, 40);
    let docs = narrata::corpus::documents(s.store.conn()).unwrap();
    // A participant interviewed in at least two waves, and that participant's first interview.
    let first = docs
        .iter()
        .find(|d| {
            d.participants.len() == 1
                && d.wave.is_some()
                && docs.iter().any(|e| {
                    e.participants == d.participants && e.wave.is_some() && e.wave != d.wave
                })
        })
        .expect("the demo follows someone across waves")
        .clone();
    let at = docs.iter().position(|d| d.id == first.id).unwrap();
    s.app.open_document(&s.store, first.id, None).unwrap();
    s.frame();
    let open = |s: &Session| s.app.transcript.doc.as_ref().map(|d| d.summary.id);
    s.keys("J");
    assert_eq!(open(&s), docs.get(at + 1).map(|d| d.id), "{}", s.status());
    assert!(
        s.status()
            .starts_with(&format!("document {} of {}", at + 2, docs.len())),
        "{}",
        s.status()
    );
    s.keys("K");
    assert_eq!(open(&s), Some(first.id));
    // The header says where the document stands.
    let header = s.screen().lines().nth(1).unwrap().to_owned();
    assert!(
        header.contains(&format!("document {} of {}", at + 1, docs.len())),
        "{header}"
    );
    s.keys(">");
    let now = s.app.transcript.doc.as_ref().unwrap().summary.clone();
    assert_eq!(now.participants, first.participants, "{}", s.status());
    assert_ne!(now.wave, first.wave, "{}", s.status());
    let header = s.screen().lines().nth(1).unwrap().to_owned();
    assert!(header.contains("wave 2 of"), "{header}");
    s.keys("<");
    assert_eq!(open(&s), Some(first.id), "{}", s.status());
    s.keys("<");
    assert!(s.status().contains("no earlier wave"), "{}", s.status());
    assert_eq!(open(&s), Some(first.id));
}

#[test]
fn a_name_that_is_no_code_becomes_one_from_the_picker_and_selected_words_name_an_in_vivo_code() {
    let mut s = Session::demo(120, 30);
    s.keys("<Enter>]]]");
    let (doc, start, _) = current_turn(&s);
    let codes_before = codebook::codes(s.store.conn()).unwrap().len();
    // A name that is no code: the picker offers it, and Enter makes it and codes with it.
    s.keys("veec");
    s.keys("kleine stapjes");
    assert!(
        s.screen().contains("+ new code “kleine stapjes”"),
        "{}",
        s.screen()
    );
    s.keys("<Enter>");
    let mine = s.my_codings();
    assert_eq!(mine.len(), 1, "{}", s.status());
    assert_eq!((mine[0].doc, mine[0].start), (doc, start));
    assert_eq!(mine[0].code, "kleine stapjes");
    assert!(
        s.status().contains("new code kleine stapjes"),
        "{}",
        s.status()
    );
    assert_eq!(
        codebook::codes(s.store.conn()).unwrap().len(),
        codes_before + 1
    );
    // One undo takes the coding and the code away together.
    s.keys("u");
    assert!(s.my_codings().is_empty(), "{}", s.status());
    assert_eq!(codebook::codes(s.store.conn()).unwrap().len(), codes_before);

    // Ctrl-a puts the new code under a code chosen in a second picker.
    s.keys("veec");
    s.keys("weer durven<C-a>");
    assert!(
        s.screen().contains("new code “weer durven” under"),
        "{}",
        s.screen()
    );
    s.keys("hoop<Enter>");
    let mine = s.my_codings();
    assert_eq!(mine.len(), 1, "{}", s.status());
    assert_eq!(mine[0].code_path, "Hoop en optimisme/weer durven");

    // In vivo: the selected words themselves name the code.
    s.keys("]]");
    let (_, start, _) = current_turn(&s);
    s.keys("veeC");
    let mine = s.my_codings();
    let newest = mine
        .iter()
        .find(|c| c.start == start)
        .expect("coded in vivo");
    assert!(
        newest.text.split_whitespace().count() >= 2,
        "{:?}",
        newest.text
    );
    assert_eq!(
        newest.code,
        codebook::in_vivo_name(&newest.text).unwrap(),
        "the code is named by the words"
    );
    assert!(
        codebook::codes(s.store.conn())
            .unwrap()
            .iter()
            .any(|c| c.path == newest.code_path && c.parent.is_none()),
        "a top-level code"
    );
    // Without a selection, C explains itself.
    s.keys("C");
    assert!(
        s.status().contains("select the words first"),
        "{}",
        s.status()
    );
}

#[test]
fn enter_on_a_code_lists_its_segments_which_narrow_by_filters_and_open_their_passage() {
    let mut s = Session::demo(130, 30);
    s.keys("3/hoop<Enter>");
    let code = s.app.codebook.selected().cloned().expect("a code");
    assert_eq!(code.path, "Hoop en optimisme");
    s.keys("<Enter>");
    assert_eq!(s.app.view, View::Segments);
    let every = coding::list(
        s.store.conn(),
        &coding::Filter {
            code: Some(code.path.clone()),
            with_subcodes: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(every.len() > 3, "the demo codes hope: {}", every.len());
    assert_eq!(s.app.segments.rows.len(), every.len());
    insta::assert_snapshot!("segments", settle_status(&s.screen()));
    // Without the sub-codes: only the code's own codings.
    s.keys("s");
    let own = every.iter().filter(|c| c.code_id == code.id).count();
    assert_eq!(s.app.segments.rows.len(), own);
    s.keys("s");
    // One wave only, chosen from a picker; x clears it.
    s.keys("wT2<Enter>");
    let t2 = every
        .iter()
        .filter(|c| c.wave.as_deref() == Some("T2"))
        .count();
    assert!(t2 > 0 && t2 < every.len());
    assert_eq!(s.app.segments.rows.len(), t2, "{}", s.status());
    assert!(s.screen().contains("wave T2"), "the filter is shown");
    s.keys("x");
    assert_eq!(s.app.segments.rows.len(), every.len());
    // / keeps the segments with the words; Esc takes the words away, a second Esc goes back.
    s.keys("/dinsdag<Enter>");
    let shown = s.app.segments.visible();
    assert!(!shown.is_empty() && shown.len() < every.len());
    assert!(
        shown
            .iter()
            .all(|&i| s.app.segments.rows[i].text.contains("dinsdag"))
    );
    s.keys("<Esc>");
    assert_eq!(s.app.segments.visible().len(), every.len());
    assert_eq!(s.app.view, View::Segments);
    // Enter opens the third segment's passage with the cursor on its first word; Esc returns.
    s.keys("jj<Enter>");
    let third = &s.app.segments.rows[2].clone();
    assert_eq!(s.app.view, View::Transcript);
    let doc = s.app.transcript.doc.as_ref().unwrap();
    assert_eq!(doc.summary.id, third.doc);
    assert_eq!(s.app.transcript.cursor as i64, third.start);
    s.keys("<Esc>");
    assert_eq!(s.app.view, View::Segments);
}

#[test]
fn the_codebook_edits_every_part_of_a_definition_and_deletes_or_rehomes_codes() {
    let mut s = Session::demo(110, 30);
    s.keys("3aTijdelijk<Enter>");
    let path = s.app.codebook.selected().unwrap().path.clone();
    assert!(path.ends_with("/Tijdelijk"), "{path}");
    let code = |s: &Session| narrata::codebook::find(s.store.conn(), &path);
    // e: a picker of the parts, then the part's text to edit.
    s.keys("eincl<Enter>");
    assert!(s.screen().contains("include when"), "{}", s.screen());
    s.keys("<C-u>Iemand noemt een concreet plan<Enter>");
    assert_eq!(code(&s).unwrap().include, "Iemand noemt een concreet plan");
    s.keys("ecolo<Enter><C-u>#aa3300<Enter>");
    assert_eq!(code(&s).unwrap().color.as_deref(), Some("#aa3300"));
    s.keys("edimen<Enter><C-u>tijd<Enter>");
    assert_eq!(code(&s).unwrap().dimension.as_deref(), Some("tijd"));
    // A polarity that is neither positive nor negative is refused with a sentence.
    s.keys("epola<Enter><C-u>soms<Enter>");
    assert!(s.app.status.error, "{}", s.status());
    assert_eq!(code(&s).unwrap().polarity, None);
    s.keys("epola<Enter><C-u>negative<Enter>");
    assert_eq!(code(&s).unwrap().polarity.as_deref(), Some("negative"));
    // An empty colour clears it.
    s.keys("ecolo<Enter><C-u><Enter>");
    assert_eq!(code(&s).unwrap().color, None);
    // d on a code without codings asks, then deletes; u brings it back.
    s.keys("dy");
    assert!(code(&s).is_err(), "{}", s.status());
    s.keys("u");
    assert!(code(&s).is_ok(), "{}", s.status());
    // d on a code with codings moves them into the code chosen.
    s.keys("<Esc>/motivatie<Enter>");
    let motivation = s.app.codebook.selected().unwrap().clone();
    assert!(motivation.codings > 0);
    let parent_before = narrata::codebook::find(s.store.conn(), "Hoop en optimisme")
        .unwrap()
        .codings;
    s.keys("d");
    assert!(s.screen().contains("move into"), "{}", s.screen());
    s.keys("<C-u>Hoop en optimisme<Enter>");
    assert!(
        narrata::codebook::find(s.store.conn(), &motivation.path).is_err(),
        "{}",
        s.status()
    );
    let parent_after = narrata::codebook::find(s.store.conn(), "Hoop en optimisme")
        .unwrap()
        .codings;
    assert_eq!(
        parent_after,
        parent_before + motivation.codings,
        "{}",
        s.status()
    );
}

#[test]
fn the_memo_manager_lists_filters_edits_deletes_and_opens_memos() {
    let mut s = Session::demo(120, 34);
    s.keys("<Enter>]]]choop<Enter>");
    let coding = s.my_codings()[0].clone();
    s.keys("mEerste keer dat ze vooruit kijkt<Enter>");
    // Another coder's memo on the document, written from the library.
    narrata::memo::add(
        &mut s.store,
        "bert",
        narrata::memo::Target::Document(coding.doc),
        "Lange stiltes in dit gesprek",
    )
    .unwrap();
    s.keys("8");
    assert_eq!(s.app.view, View::Memos);
    let screen = s.screen();
    assert!(screen.contains("Hoop en optimisme"), "{screen}");
    assert!(screen.contains(&format!("r. {}", coding.line)), "{screen}");
    assert!(screen.contains("Lange stiltes"), "{screen}");
    // Only memos on codings; then only bert's; x clears.
    s.keys("kcoding<Enter>");
    assert_eq!(s.app.memos.visible().len(), 1, "{}", s.screen());
    s.keys("x");
    s.keys("abert<Enter>");
    let shown: Vec<String> = s
        .app
        .memos
        .visible()
        .iter()
        .map(|&i| s.app.memos.memos[i].memo.coder.clone())
        .collect();
    assert_eq!(shown, ["bert"]);
    // Another coder's memo is theirs to change.
    s.keys("e");
    assert!(s.status().contains("only its author"), "{}", s.status());
    s.keys("x/vooruit<Enter>");
    assert_eq!(s.app.memos.visible().len(), 1);
    // Rewrite, then delete and undo.
    s.keys("e<C-u>Ze kijkt vooruit<Enter>");
    let texts = |s: &Session| -> Vec<String> {
        narrata::memo::list(s.store.conn(), None)
            .unwrap()
            .into_iter()
            .map(|m| m.text)
            .collect()
    };
    assert!(
        texts(&s).contains(&"Ze kijkt vooruit".to_owned()),
        "{}",
        s.status()
    );
    s.keys("x");
    let at = s
        .app
        .memos
        .visible()
        .iter()
        .position(|&i| s.app.memos.memos[i].memo.coder == CODER)
        .unwrap();
    s.keys(&"j".repeat(at));
    s.keys("dy");
    assert!(
        !texts(&s).contains(&"Ze kijkt vooruit".to_owned()),
        "{}",
        s.status()
    );
    s.keys("u");
    assert!(
        texts(&s).contains(&"Ze kijkt vooruit".to_owned()),
        "{}",
        s.status()
    );
    // o opens the passage the memo is about.
    let at = s
        .app
        .memos
        .visible()
        .iter()
        .position(|&i| s.app.memos.memos[i].memo.coder == CODER)
        .unwrap();
    s.app.memos.list.selected = at;
    s.keys("o");
    assert_eq!(s.app.view, View::Transcript);
    assert_eq!(s.app.transcript.cursor as i64, coding.start);
}

#[test]
fn blind_coding_hides_the_other_coders_codings_colours_and_counts() {
    let mut s = Session::demo(120, 30);
    s.keys("<Enter>");
    let others = |s: &Session| {
        s.app
            .transcript
            .doc
            .as_ref()
            .unwrap()
            .codings
            .iter()
            .filter(|c| c.coder != CODER)
            .count()
    };
    assert!(others(&s) > 0, "the demo has another coder's codings");
    // The margin marks codes with ▌ (the lower edge too: "▌Code (coder)").
    assert!(s.screen().contains('▌'), "{}", s.screen());
    s.keys("<C-b>");
    assert_eq!(others(&s), 0);
    assert!(!s.screen().contains('▌'), "{}", s.screen());
    assert!(s.screen().contains("only your codings"), "{}", s.screen());
    // Coding goes on as usual and shows; the codebook counts only this coder's codings.
    s.keys("]]]choop<Enter>");
    assert_eq!(s.app.transcript.doc.as_ref().unwrap().codings.len(), 1);
    assert!(s.screen().contains("▌Hoop en optimisme"), "{}", s.screen());
    s.keys("3/hoop<Enter>");
    let code = s.app.codebook.selected().unwrap().clone();
    assert_eq!((code.codings, code.codings_with_subcodes), (1, 1));
    // Its segments are this coder's only.
    s.keys("<Enter>");
    assert_eq!(s.app.segments.rows.len(), 1);
    // Ctrl-b again shows everyone's.
    s.keys("<C-b>");
    assert!(s.app.segments.rows.len() > 1);
    s.keys("2");
    assert!(others(&s) > 0);
}

#[test]
fn escape_then_a_key_typed_quickly_closes_the_field_and_does_what_the_key_does() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>/hoop");
    assert!(matches!(s.app.overlay, Some(Overlay::Prompt(_))));
    // The terminal delivers Esc followed at once by `3` as Alt+3.
    s.app.on_key(
        &mut s.store,
        KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT),
    );
    assert!(s.app.overlay.is_none(), "the prompt is closed");
    assert_eq!(s.app.view, View::Codebook, "and 3 went to the codebook");
    // The same in a picker: Esc+x is not typed into its filter.
    s.keys("2]]]c");
    assert!(
        matches!(s.app.overlay, Some(Overlay::Picker(_))),
        "{}",
        s.screen()
    );
    s.app.on_key(
        &mut s.store,
        KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT),
    );
    assert!(s.app.overlay.is_none());
    assert_eq!(s.app.view, View::Documents);
    assert!(s.my_codings().is_empty(), "nothing was coded");
}

#[test]
fn the_demo_tour_shows_once_and_any_key_closes_it_for_good() {
    let mut s = Session::demo(110, 34);
    let marker = s._tmp.path().join("config").join("tour-seen");
    s.app.start_tour(Some(marker.clone()));
    s.frame();
    assert!(s.screen().contains("shown once"), "{}", s.screen());
    assert!(s.screen().contains("blind coding"), "{}", s.screen());
    s.keys("j");
    assert!(s.app.overlay.is_none(), "any key closes it");
    assert!(marker.is_file(), "and its mark is left");
    assert_eq!(s.app.view, View::Documents, "the key did nothing else");
}

#[test]
fn long_speaker_labels_show_whole_on_a_wide_screen_and_cut_on_a_narrow_one() {
    let (tmp, dir) = one_transcript(
        "Interviewer: Hoe gaat het nu met je?\nP01: Beter, dank je. Echt beter.\n",
        "off",
    );
    let mut s = Session::open(tmp, &dir, 160, 12);
    s.keys("<Enter>");
    assert_eq!(s.app.view, View::Transcript);
    assert!(
        s.screen().contains("Interviewer Hoe gaat"),
        "{}",
        s.screen()
    );
    s.term.backend_mut().resize(80, 12);
    s.frame();
    assert!(s.screen().contains("Interview…"), "{}", s.screen());
}

#[test]
fn help_shows_every_binding_of_the_view_on_a_small_screen() {
    let mut s = Session::demo(100, 30);
    s.keys("<Enter>?");
    let screen = s.screen();
    let map = Keymap::default();
    for scope in View::Transcript.scopes() {
        for (_, what) in map.help(&[*scope]).into_iter().flat_map(|(_, rows)| rows) {
            let start: String = what.chars().take(12).collect();
            assert!(screen.contains(&start), "`{what}` missing:\n{screen}");
        }
    }
}

#[test]
fn the_analysis_view_shows_a_matrix_opens_a_cells_passages_and_runs_a_query() {
    let mut s = Session::demo(140, 40);
    s.keys("9");
    assert_eq!(s.app.view, View::Analysis);
    insta::assert_snapshot!("analysis_matrix", settle_status(&s.screen()));
    let m = s.app.analysis.matrix.clone().expect("a matrix");
    assert!(!m.rows.is_empty());
    assert_eq!(m.columns.len(), 8, "the demo's eight participants");
    let screen = s.screen();
    assert!(screen.contains("Analysis · matrix"), "{screen}");
    assert!(screen.contains("P01") && screen.contains("P08"), "{screen}");
    // Columns by wave: the same counts the command line gives.
    s.keys("a");
    let m = s.app.analysis.matrix.clone().unwrap();
    assert_eq!(
        m.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["T1", "T2", "T3"]
    );
    let cli_m = narrata::analysis::matrix::matrix(
        s.store.conn(),
        &Default::default(),
        &narrata::analysis::matrix::Across::Wave,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(m.rows, cli_m.rows);
    // Enter on a cell lists its passages; Esc comes back to the matrix.
    let (row, col) = m
        .rows
        .iter()
        .enumerate()
        .find_map(|(r, row)| row.cells.iter().position(|c| c.codings > 1).map(|c| (r, c)))
        .unwrap();
    for _ in 0..row {
        s.keys("<Down>");
    }
    for _ in 0..col {
        s.keys("l");
    }
    s.keys("<Enter>");
    assert_eq!(s.app.view, View::Segments);
    assert_eq!(s.app.segments.rows.len(), m.rows[row].cells[col].codings);
    assert!(
        s.screen().contains(&m.rows[row].head.path),
        "{}",
        s.screen()
    );
    s.keys("<Enter>");
    assert_eq!(s.app.view, View::Transcript, "Enter opens the passage");
    s.keys("9");
    // A rule narrows the matrix; x clears it.
    s.keys("r");
    s.keys("age_group = 50-59");
    s.keys("<Enter>");
    assert_eq!(s.app.analysis.rule.as_deref(), Some("age_group = 50-59"));
    let narrowed: usize = s
        .app
        .analysis
        .matrix
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.total)
        .sum();
    let all: usize = m.rows.iter().map(|r| r.total).sum();
    assert!(narrowed < all, "{narrowed} < {all}");
    s.keys("x");
    // A coding query lists its passages as segments.
    s.keys("/");
    s.keys("Isolement en eenzaamheid NOT Verbondenheid<Enter>");
    assert_eq!(s.app.view, View::Segments, "{}", s.status());
    let expected = narrata::analysis::query::run(
        &s.store,
        "Isolement en eenzaamheid NOT Verbondenheid",
        &Default::default(),
        &Default::default(),
        None,
    )
    .unwrap();
    assert_eq!(s.app.segments.rows.len(), expected.total);
    assert!(expected.total > 0);
    s.keys("<Esc>");
    assert_eq!(s.app.view, View::Analysis);
    // A query that cannot be read says why and changes nothing.
    s.keys("/");
    s.keys("Hopeloosheid AND<Enter>");
    assert_eq!(s.app.view, View::Analysis);
    assert!(
        s.status().contains("ends where a code was expected"),
        "{}",
        s.status()
    );
    // Co-occurrence, then one code across the waves as bars.
    s.keys("t");
    assert!(s.app.analysis.cooccurrence.is_some());
    insta::assert_snapshot!("analysis_cooccurrence", settle_status(&s.screen()));
    s.keys("t");
    let chart = s.app.analysis.chart.clone().expect("a chart");
    assert_eq!(chart.waves, ["T1", "T2", "T3"]);
    assert!(chart.cohort.iter().sum::<usize>() > 0);
    insta::assert_snapshot!("analysis_chart", settle_status(&s.screen()));
    s.keys("<Down>");
    assert_ne!(
        s.app.analysis.chart.as_ref().unwrap().code,
        chart.code,
        "↓ charts the next code"
    );
}

#[test]
fn the_picker_offers_the_codes_suggested_for_the_turn_first() {
    let mut s = Session::demo(120, 40);
    s.keys("<Enter>"); // P01 T1
    // The first picker asks the worker to learn from the project's codings.
    s.keys("nc<Esc>");
    assert!(s.app.suggester.model.is_some(), "{}", s.status());
    let model = narrata::suggest::learn(s.store.conn()).unwrap();
    let language = s
        .app
        .transcript
        .doc
        .as_ref()
        .unwrap()
        .summary
        .language
        .clone();
    let mut offered = 0;
    for _ in 0..40 {
        s.keys("n"); // the next uncoded turn
        let (doc, start, end) = current_turn(&s);
        let text = corpus::text(s.store.conn(), doc).unwrap();
        let said = narrata::offsets::slice_chars(&text, start as usize, end as usize);
        let expected: Vec<i64> = model
            .rank_text(said, &language)
            .into_iter()
            .filter(|(_, score, _)| *score >= narrata::suggest::THRESHOLD)
            .map(|(code, _, _)| code)
            .take(3)
            .collect();
        s.keys("c");
        let Some(Overlay::Picker(p)) = &s.app.overlay else {
            panic!("no picker: {}", s.status());
        };
        let firsts: Vec<i64> = p
            .choices
            .iter()
            .take(expected.len())
            .map(|c| c.value.parse().unwrap())
            .collect();
        assert_eq!(firsts, expected, "for {said:?}");
        if let Some(first) = p.choices.first()
            && !expected.is_empty()
        {
            assert!(first.note.starts_with("suggested ("), "{}", first.note);
            offered += 1;
        }
        s.keys("<Esc>");
    }
    assert!(
        offered > 0,
        "no uncoded turn of the first documents had a suggestion"
    );
}
