//! The terminal UI: a keyboard-first coding workbench over the library.
//!
//! | part | owns |
//! |---|---|
//! | [`keymap`] | keys → actions, as data; help texts; `keys.yaml` overrides |
//! | [`app`] | which view is shown, the views' states, pop-ups, status; actions → library calls |
//! | [`views`] | each view's state and snapshot of data, loaded in the loop |
//! | [`overlay`] | picker, prompt, question: their input only |
//! | [`render`] | drawing from the state; no I/O |
//! | [`jobs`] | searches, change tables and index updates off the UI thread |
//! | [`terminal`] | raw mode, restoring the terminal on every exit path, signals |
//! | [`text`] | safe text, wrapping, fuzzy matching |
//!
//! The loop: draw a first frame, read the data, then wait for a key, a mouse event, a worker's
//! answer or a signal; act; draw. Rendering reads the state only.

pub mod app;
pub mod jobs;
pub mod keymap;
pub mod overlay;
pub mod render;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod views;

use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::error::{Error, Result};
use crate::store::Store;

/// Opens the terminal UI on a project until the user quits.
pub fn run(mut store: Store, coder: String) -> Result<()> {
    let keymap = keymap::Keymap::load()?;
    let project = store.project()?.name;
    let mut app = app::App::new(project, coder, keymap, theme::Theme::from_env());
    let mut term = terminal::Session::start()?;
    let worker = jobs::Worker::start(store.root());

    // The first frame comes before any query.
    draw(&mut term, &mut app)?;
    if let Err(e) = app.load(&store) {
        app.status = app::Status {
            message: e.to_string(),
            error: true,
        };
    }
    draw(&mut term, &mut app)?;

    // Commits by other processes (a cheap pragma): looked for at least every 50 ms, and
    // again just before keys are handled, so that a key acts on what the project holds now.
    let mut seen = store.data_version()?;
    while !app.quit && !term.signalled() {
        for job in app.take_jobs() {
            worker.submit(job);
        }
        let mut redraw = notice_outside_change(&store, &mut app, &mut seen);
        for done in worker.poll() {
            app.on_done(done);
            redraw = true;
        }
        if event::poll(Duration::from_millis(50)).map_err(|e| Error::io("terminal", e))? {
            notice_outside_change(&store, &mut app, &mut seen);
            // Take every event that is waiting before drawing once.
            loop {
                match event::read().map_err(|e| Error::io("terminal", e))? {
                    Event::Key(k) if k.kind != KeyEventKind::Release => app.on_key(&mut store, k),
                    Event::Mouse(m) => app.on_mouse(m),
                    _ => {}
                }
                redraw = true;
                if app.quit || !event::poll(Duration::ZERO).map_err(|e| Error::io("terminal", e))? {
                    break;
                }
            }
        }
        if redraw {
            draw(&mut term, &mut app)?;
        }
    }
    drop(worker);
    let flushed = app.flush(&store);
    term.finish()?;
    flushed.map(|_| ())
}

/// Reads again what the app shows if another process committed since `seen`; returns whether
/// it did (a frame is then due).
fn notice_outside_change(store: &Store, app: &mut app::App, seen: &mut i64) -> bool {
    match store.data_version() {
        Ok(now) if now != *seen => {
            *seen = now;
            if let Err(e) = app.outside_change(store) {
                app.status = app::Status {
                    message: e.to_string(),
                    error: true,
                };
            }
            true
        }
        _ => false,
    }
}

fn draw(term: &mut terminal::Session, app: &mut app::App) -> Result<()> {
    let size = term.size()?;
    app.prepare(ratatui::layout::Rect::new(0, 0, size.width, size.height));
    term.draw(|f| render::draw(f, app))
}
