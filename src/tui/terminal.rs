//! The terminal while the UI runs: raw mode, the alternate screen and mouse capture, and
//! putting all of it back on every way out — quitting, an error (the guard's `Drop`), a panic
//! on the UI thread (a hook installed before the terminal changes, chaining the previous one) and SIGTERM,
//! SIGHUP or SIGINT (a flag the loop checks, so it leaves through the same door).
//!
//! It also notices when the terminal goes away (a closed window, a dropped SSH connection, a
//! killed tmux server). crossterm's reader spins for ever on a hung-up terminal (its read
//! returns nothing, or EIO, and it tries again), so the loop never hands it a terminal without
//! first asking poll(2) whether input is waiting or the terminal hung up ([`Session::wait`]).
//! Behind that, a watchdog thread guarantees the way out: once a signal or a hang-up is seen,
//! the UI has [`GRACE`] to leave through its own door; after that the watchdog ends the process.
//! That loses nothing half: every action is one SQLite transaction, which is either committed
//! or rolled back when the process ends, and the search index resyncs when next opened.

use std::io::{Stdout, Write, stdout};
use std::sync::Arc;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

/// [`restore`] from another thread than the UI's, which may hold the lock on standard output
/// for as long as it runs: the sequences go to a duplicate of its descriptor instead.
fn restore_from_aside() {
    let mut sequences = Vec::new();
    let _ = execute!(
        sequences,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = stdout().as_fd().try_clone_to_owned() {
            let _ = std::fs::File::from(fd).write_all(&sequences);
        }
    }
    let _ = disable_raw_mode();
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

/// How long the UI has to close by itself after a termination signal or a lost terminal,
/// before the watchdog ends the process.
pub const GRACE: Duration = Duration::from_secs(1);

/// What waiting on the terminal found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Input is waiting (or may be: the terminal cannot be watched here); crossterm may read.
    Ready,
    /// Nothing arrived in the time given.
    Quiet,
    /// The terminal hung up: its window closed or its connection dropped.
    Gone,
}

/// The UI's hold on the terminal; dropping it restores the terminal.
pub struct Session {
    terminal: Terminal<CrosstermBackend<Stdout>>,
    signal: Arc<AtomicBool>,
    tty: tty::Tty,
    /// Set when the UI has left its loop and restored the terminal: the watchdog stands down.
    closed: Arc<AtomicBool>,
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
        let closed = Arc::new(AtomicBool::new(false));
        watchdog(Arc::clone(&signal), Arc::clone(&closed), tty::Tty::open());
        Ok(Session {
            terminal,
            signal,
            tty: tty::Tty::open(),
            closed,
            restored: false,
        })
    }

    /// Whether a termination signal arrived.
    pub fn signalled(&self) -> bool {
        self.signal.load(Ordering::Relaxed)
    }

    /// Waits up to `timeout` for input on the terminal, returning early when it arrives or
    /// when the terminal hangs up. A signal cuts the wait short too (as [`Input::Quiet`]).
    pub fn wait(&self, timeout: Duration) -> Input {
        self.tty.wait(timeout)
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
        self.closed.store(true, Ordering::Relaxed);
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.restored {
            restore();
        }
        self.closed.store(true, Ordering::Relaxed);
    }
}

/// Starts the thread that ends the process [`GRACE`] after a termination signal or a hang-up
/// of the terminal, unless the UI has closed by then. It looks every 100 ms; it never touches
/// the project, so whatever the UI thread was doing is either committed or rolled back whole.
fn watchdog(signal: Arc<AtomicBool>, closed: Arc<AtomicBool>, tty: tty::Tty) {
    let spawned = std::thread::Builder::new()
        .name("narrata-watchdog".into())
        .spawn(move || {
            let mut since: Option<Instant> = None;
            while !closed.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if since.is_none() && (signal.load(Ordering::Relaxed) || tty.hung_up()) {
                    since = Some(Instant::now());
                }
                if since.is_some_and(|t| t.elapsed() >= GRACE) && !closed.load(Ordering::Relaxed)
                {
                    restore_from_aside();
                    eprintln!(
                        "narrata: the terminal UI did not close within {} s of being told to (a signal, or its terminal went away), so it was stopped; every action it showed as saved is in the project",
                        GRACE.as_secs()
                    );
                    std::process::exit(1);
                }
            }
        });
    // Without the thread the UI still closes through its own loop in every ordinary case.
    drop(spawned);
}

/// Waiting through crossterm alone, where the terminal cannot be watched.
fn crossterm_wait(timeout: Duration) -> Input {
    match ratatui::crossterm::event::poll(timeout) {
        Ok(true) => Input::Ready,
        Ok(false) => Input::Quiet,
        Err(_) => Input::Gone,
    }
}

/// Watching the terminal's file descriptor with poll(2), where that works.
#[cfg(unix)]
mod tty {
    use std::fs::File;
    use std::os::fd::{AsFd, BorrowedFd};
    use std::time::Duration;

    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use rustix::io::Errno;

    use super::Input;

    /// The descriptor crossterm reads keys from: standard input when it is a terminal, else
    /// `/dev/tty`; `None` when neither can be watched (then crossterm alone waits, as before).
    pub struct Tty(Option<Source>);

    enum Source {
        Stdin(std::io::Stdin),
        Device(File),
    }

    impl Tty {
        pub fn open() -> Tty {
            let source = if rustix::termios::isatty(std::io::stdin()) {
                Some(Source::Stdin(std::io::stdin()))
            } else {
                File::options()
                    .read(true)
                    .write(true)
                    .open("/dev/tty")
                    .ok()
                    .map(Source::Device)
            };
            let tty = Tty(source);
            // Some systems (macOS for /dev/tty) cannot poll a terminal: they answer with an
            // error or an invalid-descriptor flag at once. Such a terminal is not watched.
            match tty.poll(PollFlags::IN, Duration::ZERO) {
                Some(Ok(flags)) if !flags.contains(PollFlags::NVAL) => tty,
                _ => Tty(None),
            }
        }

        fn fd(&self) -> Option<BorrowedFd<'_>> {
            match &self.0 {
                Some(Source::Stdin(stdin)) => Some(stdin.as_fd()),
                Some(Source::Device(f)) => Some(f.as_fd()),
                None => None,
            }
        }

        fn poll(
            &self,
            events: PollFlags,
            timeout: Duration,
        ) -> Option<rustix::io::Result<PollFlags>> {
            let fd = self.fd()?;
            let mut fds = [PollFd::from_borrowed_fd(fd, events)];
            let timeout = Timespec {
                tv_sec: timeout.as_secs() as _,
                tv_nsec: timeout.subsec_nanos() as _,
            };
            Some(poll(&mut fds, Some(&timeout)).map(|_| fds[0].revents()))
        }

        pub fn wait(&self, timeout: Duration) -> Input {
            match self.poll(PollFlags::IN, timeout) {
                None => super::crossterm_wait(timeout),
                Some(Err(Errno::INTR)) => Input::Quiet,
                Some(Err(_)) => Input::Gone,
                Some(Ok(flags)) if gone(flags) => Input::Gone,
                Some(Ok(flags)) if flags.contains(PollFlags::IN) => Input::Ready,
                Some(Ok(_)) => Input::Quiet,
            }
        }

        /// Whether the terminal has hung up, without waiting.
        pub fn hung_up(&self) -> bool {
            matches!(self.poll(PollFlags::empty(), Duration::ZERO), Some(Ok(flags)) if gone(flags))
        }
    }

    fn gone(flags: PollFlags) -> bool {
        flags.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL)
    }
}

/// Elsewhere the terminal is not watched: crossterm alone reads it, the signals still count.
#[cfg(not(unix))]
mod tty {
    use std::time::Duration;

    use super::Input;

    pub struct Tty;

    impl Tty {
        pub fn open() -> Tty {
            Tty
        }

        pub fn wait(&self, timeout: Duration) -> Input {
            super::crossterm_wait(timeout)
        }

        pub fn hung_up(&self) -> bool {
            false
        }
    }
}
