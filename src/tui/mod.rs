//! The terminal UI: a keyboard-first coding workbench over the library.
//!
//! | part | owns |
//! |---|---|
//! | [`keymap`] | keys → actions, as data; help texts; `keys.yaml` overrides |
//! | [`app`] | coordinates: the view shown, pop-ups, status, the worker, outside changes |
//! | [`views`] | one folder per view: its state and data snapshot, its actions, its drawing |
//! | `answers` | what an answer to a pop-up does (a choice, a text, a confirmation) |
//! | [`overlay`] | picker, prompt, question: their input only, and each one's `Purpose` |
//! | [`render`] | the frame around the views, pop-ups, shared drawing; no I/O |
//! | [`jobs`] | searches, change tables, agreement and index following off the UI thread |
//! | [`theme`] | colours, or none (`NO_COLOR`) |
//! | [`terminal`] | raw mode, restoring the terminal on every exit path, signals |
//! | [`text`] | safe text, wrapping, fuzzy matching |
//!
//! The loop: draw a first frame, read the data, then wait for a key, a mouse event, a worker's
//! answer or a signal; act; draw. Rendering reads the state only. A terminal that goes away
//! (hang-up, a frame that cannot be written) ends the loop like a signal does, and the UI
//! returns [`Error::TerminalLost`].

mod answers;
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
    let mut drawn = draw(&mut term, &mut app)?;
    if let Err(e) = app.load(&store) {
        app.status = app::Status {
            message: e.to_string(),
            error: true,
        };
    }
    // The demo opens with a short tour, once: closing it leaves a mark in the config folder.
    if app.project == crate::demo::DEMO_NAME
        && let Some(marker) = keymap::config_dir().map(|d| d.join("tour-seen"))
        && !marker.exists()
    {
        app.start_tour(Some(marker));
    }
    draw(&mut term, &mut app)?;

    // Commits by other processes (a cheap pragma): looked for at least every 50 ms, and
    // again just before keys are handled, so that a key acts on what the project holds now.
    let mut seen = store.data_version()?;
    let mut lost = false;
    while !app.quit && !term.signalled() {
        for job in app.take_jobs() {
            worker.submit(job);
        }
        let mut redraw = notice_outside_change(&mut store, &mut app, &mut seen);
        for done in worker.poll() {
            app.on_done(done);
            redraw = true;
        }
        match term.wait(Duration::from_millis(50)) {
            terminal::Input::Gone => {
                lost = true;
                break;
            }
            terminal::Input::Quiet => {}
            terminal::Input::Ready => {
                redraw |= read_events(&mut store, &mut app, &mut seen)?;
            }
        }
        // A resize is noticed by asking the size (crossterm would report it with the next key).
        redraw |= term.size().ok() != Some(drawn);
        // A frame that cannot be written means the terminal is gone.
        if redraw {
            match draw(&mut term, &mut app) {
                Ok(size) => drawn = size,
                Err(_) => {
                    lost = true;
                    break;
                }
            }
        }
    }
    drop(worker);
    let flushed = app.flush(&store);
    term.finish()?;
    if lost {
        return Err(Error::TerminalLost);
    }
    flushed.map(|_| ())
}

/// Handles every event crossterm has waiting; returns whether any arrived (a frame is due).
fn read_events(store: &mut Store, app: &mut app::App, seen: &mut i64) -> Result<bool> {
    if !event::poll(Duration::ZERO).map_err(|e| Error::io("terminal", e))? {
        return Ok(false);
    }
    notice_outside_change(store, app, seen);
    // Take every event that is waiting before drawing once.
    loop {
        match event::read().map_err(|e| Error::io("terminal", e))? {
            Event::Key(k) if k.kind != KeyEventKind::Release => app.on_key(store, k),
            Event::Mouse(m) => app.on_mouse(m),
            _ => {}
        }
        if app.quit || !event::poll(Duration::ZERO).map_err(|e| Error::io("terminal", e))? {
            return Ok(true);
        }
    }
}

/// Reads again what the app shows if another process committed since `seen`; returns whether
/// it did (a frame is then due).
fn notice_outside_change(store: &mut Store, app: &mut app::App, seen: &mut i64) -> bool {
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

/// Draws a frame; returns the size it was drawn for.
fn draw(term: &mut terminal::Session, app: &mut app::App) -> Result<ratatui::layout::Size> {
    let size = term.size()?;
    app.prepare(ratatui::layout::Rect::new(0, 0, size.width, size.height));
    term.draw(|f| render::draw(f, app))?;
    Ok(size)
}
