//! The command-line interface: `args` holds what clap parses, this file dispatches each command
//! to its group's file (`project`, `corpus`, `coding`, `analysis`, `export`, `privacy`), which
//! calls the library and prints the result, as a table for people (`output`) or as JSON with
//! `--json`. No logic of its own beyond presentation.

mod analysis;
pub mod args;
mod coding;
mod corpus;
mod export;
pub(crate) mod output;
mod privacy;
mod project;
mod queries;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Parser;

use crate::error::{Error, Result};
use crate::store::Store;

pub use args::{Cli, Command};

/// What every command has: who acts, whether it runs on a terminal, and which project.
pub(crate) struct Ctx {
    pub coder: String,
    pub on_terminal: bool,
    pub project: Option<PathBuf>,
}

impl Ctx {
    /// Opens the project; the index follows the command's actions when it is dropped.
    pub fn open(&self) -> Result<Opened> {
        open_project(self.project.as_deref()).map(Opened)
    }
}

/// Parses the arguments and runs the command; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(cli, &mut out) {
        Ok(code) => code,
        Err(e) => {
            if let Error::Io { source, .. } = &e
                && source.kind() == std::io::ErrorKind::BrokenPipe
            {
                return 0;
            }
            let _ = out.flush();
            eprintln!("narrata: {e}");
            1
        }
    }
}

/// Runs one parsed command, printing to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<i32> {
    let coder = crate::project::coder(cli.coder.as_deref());
    let on_terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let Some(command) = cli.command else {
        if on_terminal {
            crate::tui::run(open_project(cli.project.as_deref())?, coder)?;
            return Ok(0);
        }
        let mut help = <Cli as clap::CommandFactory>::command();
        eprintln!("{}", help.render_help());
        eprintln!("(not on a terminal: the terminal UI opens when narrata runs in one)");
        return Ok(2);
    };
    let ctx = Ctx {
        coder,
        on_terminal,
        project: cli.project,
    };
    match command {
        Command::Init(args) => project::init(&ctx, args, out),
        Command::Demo(args) => project::demo(&ctx, args, out),
        Command::Import(args) => corpus::import(&ctx, args, out),
        Command::Docs(args) => corpus::docs(&ctx, args, out),
        Command::Groups(args) => corpus::groups(&ctx, args, out),
        Command::Query(args) => queries::query(&ctx, args, out),
        Command::Matrix(args) => queries::matrix(&ctx, args, out),
        Command::Cooccurrence(args) => queries::cooccurrence(&ctx, args, out),
        Command::Suggest(args) => queries::suggest(&ctx, args, out),
        Command::Participants(args) => corpus::participants(&ctx, args, out),
        Command::Waves(args) => corpus::waves(&ctx, args, out),
        Command::Show(args) => corpus::show(&ctx, args, out),
        Command::Undo(args) => coding::history(true, args.json, &mut *ctx.open()?, &ctx.coder, out),
        Command::Redo(args) => {
            coding::history(false, args.json, &mut *ctx.open()?, &ctx.coder, out)
        }
        Command::PrivacyCheck(args) => privacy::privacy_check(&*ctx.open()?, args.json, out),
        Command::Search(args) => analysis::search(&ctx, args, out),
        Command::Changes(args) => analysis::changes(&ctx, args, out),
        Command::Export(command) => export::export(&ctx, command, out),
        Command::Agreement(args) => analysis::agreement(&ctx, args, out),
        Command::Merge(args) => project::merge(&ctx, args, out),
        Command::Reindex => project::reindex(&ctx, out),
        Command::Check(args) => project::check(&ctx, args, out),
        Command::Backup(args) => project::backup(&ctx, args, out),
        Command::Tui => project::tui(&ctx, out),
        Command::Codebook(c) => coding::codebook(c, &mut *ctx.open()?, &ctx.coder, out),
        Command::Code(c) => coding::code(c, &mut *ctx.open()?, &ctx.coder, out),
        Command::Codings(c) => coding::codings(c, &*ctx.open()?, out),
        Command::Memo(c) => coding::memo(c, &mut *ctx.open()?, &ctx.coder, out),
        Command::Memos(args) => coding::memos(args, &*ctx.open()?, out),
        Command::Anonymise(c) => privacy::anonymise(c, &mut *ctx.open()?, &ctx.coder, out),
    }
}

/// The project a command works on. When the command is done, or fails halfway, the search
/// index follows every action it committed: the one place where the command line keeps the
/// index in step (the library does the work, see `search::follow`).
pub(crate) struct Opened(pub Store);

impl std::ops::Deref for Opened {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.0
    }
}

impl std::ops::DerefMut for Opened {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.0
    }
}

impl Drop for Opened {
    fn drop(&mut self) {
        follow_index(&mut self.0);
    }
}

/// Brings the search index in step with the actions this command committed. A failure here is
/// not the actions': the database is the truth and the index is rebuilt on the next search,
/// so it is reported as a warning.
fn follow_index(store: &mut Store) {
    if let Err(e) = crate::search::follow(store) {
        eprintln!(
            "narrata: warning: the search index was not updated ({e}); it will be rebuilt at the next search"
        );
    }
}

/// The project of `--project`, else `NARRATA_PROJECT`, else the nearest one upward.
pub(super) fn open_project(explicit: Option<&Path>) -> Result<Store> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let env = std::env::var_os("NARRATA_PROJECT").map(PathBuf::from);
    let dir = crate::project::locate(explicit, env.as_deref(), &cwd)?;
    Store::open(&dir)
}

pub(crate) fn say(out: &mut dyn Write, line: &str) -> Result<()> {
    writeln!(out, "{line}").map_err(|e| Error::io("stdout", e))
}

/// A heading, its items one per line, and what to do about them.
pub(super) fn say_list(
    out: &mut dyn Write,
    heading: &str,
    items: &[String],
    advice: &str,
) -> Result<()> {
    say(out, heading)?;
    for item in items {
        say(out, &format!("  - {item}"))?;
    }
    say(out, advice)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        // clap checks names, ids and conflicts of every subcommand here rather than at run time.
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
