//! The terminal while the UI runs: raw mode, the alternate screen and mouse capture, and
//! putting all of it back on every way out — quitting, an error (the guard's `Drop`), a panic
//! on the UI thread (a hook installed before the terminal changes, chaining the previous one) and SIGTERM,
//! SIGHUP or SIGINT (a flag the loop checks, so it leaves through the same door).

use std::io::{Stdout, Write, stdout};
use std::sync::Arc;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::Size;

use crate::error::{Error, Result};

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let mut out = stdout();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

static HOOK: Once = Once::new();

fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(super::jobs::WORKER) {
                // Caught on the worker and reported in the status line, where the UI goes on;
                // printing it now would scribble over the screen.
                super::jobs::record_panic(info.to_string());
                return;
            }
            restore();
            previous(info);
        }));
    });
}

/// The UI's hold on the terminal; dropping it restores the terminal.
pub struct Session {
    terminal: Terminal<CrosstermBackend<Stdout>>,
    signal: Arc<AtomicBool>,
    restored: bool,
}

impl Session {
    pub fn start() -> Result<Session> {
        install_panic_hook();
        let signal = Arc::new(AtomicBool::new(false));
        for sig in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
        ] {
            signal_hook::flag::register(sig, Arc::clone(&signal))
                .map_err(|e| Error::io("signal handler", e))?;
        }
        let io = |e| Error::io("terminal", e);
        enable_raw_mode().map_err(io)?;
        let mut out = stdout();
        if let Err(e) = execute!(out, EnterAlternateScreen, EnableMouseCapture) {
            restore();
            return Err(io(e));
        }
        let terminal = match Terminal::new(CrosstermBackend::new(stdout())) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(io(e));
            }
        };
        Ok(Session {
            terminal,
            signal,
            restored: false,
        })
    }

    /// Whether a termination signal arrived.
    pub fn signalled(&self) -> bool {
        self.signal.load(Ordering::Relaxed)
    }

    pub fn size(&self) -> Result<Size> {
        self.terminal.size().map_err(|e| Error::io("terminal", e))
    }

    pub fn draw(&mut self, f: impl FnOnce(&mut ratatui::Frame)) -> Result<()> {
        self.terminal
            .draw(f)
            .map(|_| ())
            .map_err(|e| Error::io("terminal", e))
    }

    /// Restores the terminal and reports a failure to do so.
    pub fn finish(mut self) -> Result<()> {
        self.restored = true;
        restore();
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.restored {
            restore();
        }
    }
}
