//! The terminal UI end to end in a real terminal: the release-less test binary run under tmux,
//! keys sent as a user types them, the screen read back with `capture-pane`. Checks that a
//! coding typed in the UI lands in the project, that a `keys.yaml` rebinding works, and that
//! the terminal is put back (cooked mode, echo) after quitting and after SIGTERM, that the
//! open window shows what the command line imports meanwhile, and that the UI ends at once when
//! its terminal goes away (the tmux server killed, as a dropped SSH connection would).
//!
//! Needs tmux (`.ci/run` installs it); without it the test fails and says so.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server of this test's own. Without tmux the test cannot run: under CI (which
    /// installs it) that is a failure; elsewhere the test says so on stderr and does nothing,
    /// so that the README's test command passes on a machine with only Rust and Python.
    fn new(tag: &str) -> Option<Tmux> {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is needed for this test: install it (apt-get install tmux); .ci/run does"
            );
            eprintln!("NOT RUN: tmux is not installed, so the terminal test `{tag}` did nothing");
            return None;
        }
        Some(Tmux {
            socket: format!("narrata-test-{tag}-{}", std::process::id()),
        })
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .env("TERM", "xterm-256color")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn start(&self, command: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "100",
            "-y",
            "30",
            "sh",
            "-c",
            command,
        ]);
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "t", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "`{text}` never appeared; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn wait_for_file(path: &Path) -> String {
    let start = Instant::now();
    while !path.is_file() || std::fs::read_to_string(path).unwrap_or_default().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(200));
    std::fs::read_to_string(path).unwrap()
}

/// A demo project and a config folder whose keys.yaml binds `K` to `code` in the transcript.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_narrata"))
        .arg("demo")
        .arg(&dir)
        .arg("--no-tui")
        .output()
        .unwrap();
    assert!(out.status.success());
    let config = tmp.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("keys.yaml"), "transcript:\n  K: code\n").unwrap();
    // The demo's first-run tour was seen (closing it writes this mark; a test of its own
    // covers that).
    std::fs::write(config.join("tour-seen"), "closed\n").unwrap();
    (tmp, dir, config)
}

/// The shell command that runs the UI, then records its exit code and the terminal modes.
fn ui_command(dir: &Path, config: &Path, done: &Path) -> String {
    wrapped_ui_command("", dir, config, done)
}

/// [`ui_command`] with `wrapper` (such as `setsid `) put before the UI's program.
fn wrapped_ui_command(wrapper: &str, dir: &Path, config: &Path, done: &Path) -> String {
    format!(
        "NARRATA_CODER=e2e NARRATA_CONFIG_DIR='{}' {wrapper}'{}' --project '{}' tui; echo \"exit=$?\" > '{}.tmp'; stty -a >> '{}.tmp'; mv '{}.tmp' '{}'; sleep 30",
        config.display(),
        env!("CARGO_BIN_EXE_narrata"),
        dir.display(),
        done.display(),
        done.display(),
        done.display(),
        done.display()
    )
}

fn assert_cooked(report: &str) {
    assert!(report.starts_with("exit=0"), "{report}");
    let words: Vec<&str> = report.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "the terminal was left in raw mode:\n{report}"
    );
}

#[test]
fn a_coding_session_in_a_real_terminal_then_quit_restores_it() {
    let (tmp, dir, config) = setup();
    let done = tmp.path().join("done");
    let Some(tmux) = Tmux::new("session") else {
        return;
    };
    tmux.start(&ui_command(&dir, &config, &done));
    tmux.wait_for("Participants × waves");
    tmux.keys(&["Enter"]);
    tmux.wait_for("2 Transcript");
    tmux.keys(&["]", "]", "]", "K"]);
    tmux.wait_for("code the turn");
    tmux.keys(&["hoop", "Enter"]);
    let screen = tmux.wait_for("coded r.");
    assert!(screen.contains("▌Hoop en optimisme"), "{screen}");
    tmux.keys(&["q"]);
    assert_cooked(&wait_for_file(&done));

    let out = Command::new(env!("CARGO_BIN_EXE_narrata"))
        .args([
            "--project",
            dir.to_str().unwrap(),
            "codings",
            "--coder",
            "e2e",
            "--json",
        ])
        .output()
        .unwrap();
    let codings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codings = codings.as_array().unwrap();
    assert_eq!(codings.len(), 1, "{codings:?}");
    assert_eq!(codings[0]["code"], "Hoop en optimisme");
}

#[test]
fn a_new_code_is_made_from_the_picker_in_a_real_terminal() {
    let (tmp, dir, config) = setup();
    let done = tmp.path().join("done");
    let Some(tmux) = Tmux::new("newcode") else {
        return;
    };
    tmux.start(&ui_command(&dir, &config, &done));
    tmux.wait_for("Participants × waves");
    tmux.keys(&["Enter"]);
    tmux.wait_for("2 Transcript");
    // A selection of three words, the picker, a name that is no code: Enter makes it.
    tmux.keys(&["]", "]", "]", "v", "e", "e", "e", "c"]);
    tmux.wait_for("code the selection");
    tmux.keys(&["kleine stapjes"]);
    tmux.wait_for("+ new code “kleine stapjes”");
    tmux.keys(&["Enter"]);
    tmux.wait_for("new code kleine stapjes");
    // Ctrl-a puts the next one under a code chosen in a second picker.
    tmux.keys(&["]", "]", "c", "weer durven", "C-a"]);
    tmux.wait_for("under…");
    tmux.keys(&["hoop", "Enter"]);
    tmux.wait_for("new code Hoop en optimisme/weer durven");
    tmux.keys(&["q"]);
    assert_cooked(&wait_for_file(&done));

    let out = Command::new(env!("CARGO_BIN_EXE_narrata"))
        .args([
            "--project",
            dir.to_str().unwrap(),
            "codings",
            "--coder",
            "e2e",
            "--json",
        ])
        .output()
        .unwrap();
    let codings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut paths: Vec<String> = codings
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code_path"].as_str().unwrap_or_default().to_owned())
        .collect();
    paths.sort();
    assert_eq!(paths, ["Hoop en optimisme/weer durven", "kleine stapjes"]);
}

#[test]
fn the_demo_opens_with_its_tour_once() {
    let (tmp, dir, config) = setup();
    std::fs::remove_file(config.join("tour-seen")).unwrap();
    let Some(tmux) = Tmux::new("tour") else {
        return;
    };
    let done = tmp.path().join("done");
    tmux.start(&ui_command(&dir, &config, &done));
    tmux.wait_for("shown once");
    tmux.keys(&["x"]);
    let start = Instant::now();
    while tmux.screen().contains("shown once") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the tour stayed open"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
    assert_cooked(&wait_for_file(&done));
    assert!(config.join("tour-seen").is_file());
    // The next start goes straight to the documents.
    let again = Tmux::new("tour-again").unwrap();
    let done = tmp.path().join("done-again");
    again.start(&ui_command(&dir, &config, &done));
    let screen = again.wait_for("Participants × waves");
    assert!(!screen.contains("shown once"), "{screen}");
    again.keys(&["q"]);
    assert_cooked(&wait_for_file(&done));
}

/// The process id of the UI, the shell's child in the pane.
fn ui_pid(tmux: &Tmux) -> String {
    let shell = tmux.run(&["display-message", "-p", "-t", "t", "#{pane_pid}"]);
    let children = Command::new("pgrep")
        .args(["-P", shell.trim()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&children.stdout)
        .split_whitespace()
        .next()
        .expect("the UI's process")
        .to_owned()
}

/// How long the process `pid` took to end, failing if it is still there after `limit`.
fn time_to_end(pid: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    let proc = PathBuf::from(format!("/proc/{pid}"));
    loop {
        // A zombie has ended too (its parent, the pane's shell, may be gone and not reap it).
        let state = std::fs::read_to_string(proc.join("stat")).unwrap_or_default();
        let zombie = state
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'));
        if !proc.exists() || zombie {
            return start.elapsed();
        }
        if start.elapsed() > limit {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
            panic!("the UI was still running {limit:?} after its terminal went away: {state}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_project_checks_out(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_narrata"))
        .args(["--project", dir.to_str().unwrap(), "check", "--full"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the project did not check out: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sigterm_leaves_the_terminal_as_it_was() {
    let (tmp, dir, config) = setup();
    let done = tmp.path().join("done");
    let Some(tmux) = Tmux::new("sigterm") else {
        return;
    };
    tmux.start(&ui_command(&dir, &config, &done));
    tmux.wait_for("Participants × waves");
    let pid = ui_pid(&tmux);
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    time_to_end(&pid, Duration::from_secs(1));
    assert_cooked(&wait_for_file(&done));
}

/// The terminal UI on a transcript, with a selection under way, when the whole tmux server
/// is killed: the UI must end within 2 s (it used to spin at full CPU for ever, deaf to
/// SIGTERM) and leave a project that checks out. `wrapper` goes before the UI's program.
fn lose_the_terminal(tag: &str, wrapper: &str) {
    let (tmp, dir, config) = setup();
    let done = tmp.path().join("done");
    let Some(tmux) = Tmux::new(tag) else {
        return;
    };
    tmux.start(&wrapped_ui_command(wrapper, &dir, &config, &done));
    tmux.wait_for("Participants × waves");
    tmux.keys(&["Enter"]);
    tmux.wait_for("2 Transcript");
    tmux.keys(&["]", "v", "w", "w"]);
    let pid = ui_pid(&tmux);
    tmux.run(&["kill-server"]);
    let took = time_to_end(&pid, Duration::from_secs(2));
    eprintln!("{tag}: the UI ended {took:?} after its terminal went away");
    assert_project_checks_out(&dir);
}

#[test]
fn losing_the_terminal_ends_the_ui_within_two_seconds() {
    lose_the_terminal("hangup", "");
}

/// The same in a session of its own (`setsid`), where no SIGHUP arrives: the UI must notice
/// from the terminal itself (end of input, a hung-up descriptor, a failing write).
#[test]
fn losing_the_terminal_without_a_hangup_signal_ends_the_ui_too() {
    lose_the_terminal("eof", "setsid ");
}

#[test]
fn the_ui_shows_what_the_command_line_imports_while_it_is_open() {
    let (tmp, dir, config) = setup();
    let done = tmp.path().join("done");
    let Some(tmux) = Tmux::new("outside") else {
        return;
    };
    tmux.start(&ui_command(&dir, &config, &done));
    let before = tmux.wait_for("Participants × waves");
    assert!(!before.contains("P77"), "{before}");
    // The command line imports a transcript of a new participant while the UI is open.
    let file = tmp.path().join("P77_T1.txt");
    std::fs::write(&file, "I: Hoe gaat het nu?\nP77: Beter dan vorig jaar.\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_narrata"))
        .args(["--project", dir.to_str().unwrap(), "import"])
        .arg(&file)
        .args(["--anonymise", "off"])
        .env("NARRATA_CODER", "cli")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without a key pressed, the open window shows it.
    let after = tmux.wait_for("P77");
    assert!(after.contains("Participants × waves"), "{after}");
    tmux.keys(&["q"]);
    assert_cooked(&wait_for_file(&done));
}
