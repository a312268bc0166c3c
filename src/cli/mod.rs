//! The command-line interface: argument parsing (clap) and one small function per command
//! that calls the library and prints its result, as a table for people or as JSON with
//! `--json`. No logic of its own beyond presentation.

mod coding;
pub(crate) mod output;
mod privacy;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::import::{self, Anonymise, Flags, Options};
use crate::store::Store;
use crate::{check, corpus, demo, project};

use output::{Table, json, thousands};

/// narrata: a terminal workbench for qualitative research on narrative interviews.
#[derive(Debug, Parser)]
#[command(name = "narrata", version, about, long_about = None)]
pub struct Cli {
    /// The project folder (default: NARRATA_PROJECT, else the nearest folder upward holding narrata.db).
    #[arg(long, global = true, value_name = "DIR")]
    pub project: Option<PathBuf>,

    /// Who is acting, recorded in the audit log (default: NARRATA_CODER, else the login name).
    #[arg(long, global = true, value_name = "NAME")]
    pub coder: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a project.
    Init {
        dir: PathBuf,
        /// The project's name (default: the folder's name).
        #[arg(long)]
        name: Option<String>,
        /// The study's main language.
        #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
        language: String,
    },
    /// Build the demo project from the fictional samples, print a summary and open it in the
    /// terminal UI.
    Demo {
        /// Where to build it.
        #[arg(default_value = "narrata-demo")]
        dir: PathBuf,
        /// Print a summary instead of opening the terminal UI.
        #[arg(long)]
        no_tui: bool,
        #[arg(long)]
        json: bool,
    },
    /// Import transcripts (.txt .md .docx .vtt .srt), files or folders, or REFI-QDA projects
    /// (.qdpx, on their own).
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Participant code(s); several (P01,P02) for a group interview.
        #[arg(long, value_delimiter = ',')]
        participant: Vec<String>,
        /// Wave (interview round), e.g. T2.
        #[arg(long)]
        wave: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<Kind>,
        /// Identifier handling: auto (default), review, or off.
        #[arg(long, value_enum, default_value_t = AnonymiseArg::Auto)]
        anonymise: AnonymiseArg,
        /// The transcripts' language, where they do not say.
        #[arg(long, value_parser = ["nl", "en"])]
        language: Option<String>,
        /// Who each speaker label is, for files that cannot say (WebVTT, SRT, Word):
        /// LABEL=P01,LABEL=interviewer, labels as they appear in the files. Without
        /// --participant, the participants mapped here are the document's.
        #[arg(long, value_name = "LABEL=WHO,…")]
        speakers: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List documents; `docs set` assigns one to its participants, wave and kind.
    Docs {
        #[command(subcommand)]
        set: Option<DocsCommand>,
        #[arg(long)]
        json: bool,
    },
    /// List participants.
    Participants {
        #[arg(long)]
        json: bool,
    },
    /// List waves.
    Waves {
        #[arg(long)]
        json: bool,
    },
    /// Print a transcript with line numbers.
    Show {
        /// Document id, GUID or title.
        doc: String,
        #[arg(long, value_name = "N")]
        from_line: Option<usize>,
        #[arg(long, value_name = "M")]
        to_line: Option<usize>,
        /// Print the stored text exactly, the text all offsets refer to.
        #[arg(long)]
        raw: bool,
        /// The document, its text and its turns as JSON.
        #[arg(long, conflicts_with = "raw")]
        json: bool,
    },
    /// Import, export, show and reorganise the codebook.
    #[command(subcommand)]
    Codebook(coding::CodebookCommand),
    /// Code a span of a transcript, or remove a coding.
    #[command(subcommand)]
    Code(coding::CodeCommand),
    /// List codings with their text.
    Codings(coding::CodingsArgs),
    /// Add a memo.
    #[command(subcommand)]
    Memo(coding::MemoCommand),
    /// List memos.
    Memos {
        /// Only memos about this target (project, participant:P03, wave:T2, portrait:P03:T2, document:3, code:NAME, coding:12).
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Undo your last change (coding, memo, codebook change).
    Undo {
        #[arg(long)]
        json: bool,
    },
    /// Redo your last undone change.
    Redo {
        #[arg(long)]
        json: bool,
    },
    /// Find, replace and review identifiers.
    #[command(subcommand)]
    Anonymise(privacy::AnonymiseCommand),
    /// Prove that no original identifier from the key is in the database or the index.
    PrivacyCheck {
        #[arg(long)]
        json: bool,
    },
    /// Full-text search, ranked, keyword in context.
    Search {
        query: String,
        #[command(flatten)]
        filters: SearchFilters,
        /// How many hits to show, best first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Reports and exchange files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Change across waves: per participant and code, coverage per wave and a change label.
    #[command(args_conflicts_with_subcommands = true)]
    Changes {
        #[command(subcommand)]
        set: Option<ChangesCommand>,
        #[arg(long)]
        participant: Option<String>,
        #[arg(long)]
        code: Option<String>,
        #[arg(long, value_name = "WAVE")]
        from: Option<String>,
        #[arg(long, value_name = "WAVE")]
        to: Option<String>,
        /// The words whose rate changed most, and pronoun rates (needs --participant, --from, --to).
        #[arg(long)]
        lexical: bool,
        /// Count each code's sub-codes as the code (top-level codes only).
        #[arg(long)]
        roll_up: bool,
        /// Coverage ratio between last and first wave that counts as an increase.
        #[arg(long, default_value_t = 1.5)]
        ratio: f64,
        /// Codings needed in a wave for the code to count as present.
        #[arg(long, default_value_t = 1)]
        min_codings: usize,
        /// Also list the rows whose label is `absent`.
        #[arg(long)]
        all: bool,
        /// Count only these coders' codings (comma-separated); by default every coder's,
        /// with overlapping codings counted once.
        #[arg(long, value_delimiter = ',')]
        coders: Vec<String>,
        /// The cohort view: per code and wave how many participants speak of it (n/N), and who
        /// kept, gained, lost or never had it between the first and last wave.
        #[arg(long, conflicts_with_all = ["lexical", "participant"])]
        cohort: bool,
        #[arg(long)]
        json: bool,
    },
    /// Agreement between coders per code and overall: percent agreement, Cohen's kappa (two
    /// coders), Krippendorff's alpha (nominal), over characters or turns.
    Agreement {
        /// Two or more coders, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        coders: Vec<String>,
        /// Only this code (id, name or path).
        #[arg(long)]
        code: Option<String>,
        #[arg(long, value_enum, default_value_t = UnitArg::Characters)]
        unit: UnitArg,
        #[arg(long)]
        participant: Option<String>,
        #[arg(long)]
        wave: Option<String>,
        /// List the stretches of text where the coders differ, per code, to discuss.
        #[arg(long)]
        disagreements: bool,
        #[arg(long)]
        json: bool,
    },
    /// Merge another copy of this study (a coder's copy of the project folder) into this one:
    /// by GUIDs, nothing duplicated, nothing lost, deletions kept; one action.
    Merge {
        other: PathBuf,
        /// Report what would change without changing anything.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Check the project's integrity: the database and the search index beside it.
    Check {
        #[arg(long)]
        json: bool,
        /// Repair what can be repaired safely: rebuild the search index from the database
        /// (dropping entries for turns that no longer exist). The database is never changed.
        #[arg(long)]
        repair: bool,
    },
    /// Write a consistent snapshot of the project to a new folder.
    Backup { out: PathBuf },
    /// List the document groups; `groups add NAME DOC…` makes one or adds documents to it.
    Groups {
        #[command(subcommand)]
        add: Option<GroupsCommand>,
        #[arg(long)]
        json: bool,
    },
    /// Open the terminal UI (also what narrata does with no command, on a terminal).
    Tui,
}

/// Which codings an export holds.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportFilter {
    /// A code (id, name or path); its sub-codes are included unless --no-subcodes.
    #[arg(long)]
    pub code: Option<String>,
    #[arg(long)]
    pub no_subcodes: bool,
    #[arg(long)]
    pub participant: Option<String>,
    #[arg(long)]
    pub wave: Option<String>,
    /// Only this coder's codings, or these coders' (comma-separated).
    #[arg(long)]
    pub coder: Option<String>,
    /// Only the documents of this document group.
    #[arg(long)]
    pub group: Option<String>,
}

impl ExportFilter {
    fn filter(&self, store: &Store) -> Result<crate::coding::Filter> {
        let coders = crate::coding::coder_list(self.coder.as_slice());
        crate::coding::check_coders(store.conn(), &coders)?;
        Ok(crate::coding::Filter {
            code: self.code.clone(),
            with_subcodes: !self.no_subcodes,
            participant: self.participant.clone(),
            wave: self.wave.clone(),
            coders,
            doc: None,
            group: self.group.clone(),
        })
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UnitArg {
    Characters,
    Turns,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GroupByArg {
    Code,
    Participant,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Coded excerpts as a Word report: quotes with citations under their codes (or per
    /// participant and wave), memos, the codebook, a methods note and the audit trail.
    Excerpts {
        out: PathBuf,
        #[command(flatten)]
        filter: ExportFilter,
        #[arg(long, value_enum, default_value_t = GroupByArg::Code)]
        group_by: GroupByArg,
        #[arg(long)]
        json: bool,
    },
    /// One transcript as a Word document: numbered lines, every coding a comment on its words.
    Transcript {
        /// Document id, GUID or title.
        doc: String,
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Codings as CSV: one row per coding (document, participants, wave, speakers, code path,
    /// offsets, lines, text, coder, time, memos).
    Csv {
        out: PathBuf,
        #[command(flatten)]
        filter: ExportFilter,
    },
    /// Codings as JSON, the same rows as `export csv`.
    Json {
        out: PathBuf,
        #[command(flatten)]
        filter: ExportFilter,
    },
    /// The whole project as REFI-QDA (.qdpx) for ATLAS.ti, NVivo, MAXQDA, QualCoder: sources,
    /// codebook, codings, memos as notes, participants as cases, waves as variables.
    Qdpx {
        out: PathBuf,
        /// How positions count: code points, as the standard says (the default), or UTF-16
        /// units, for a reader that counts as NVivo does (an emoji is 2).
        #[arg(long, value_enum, default_value_t = PositionsArg::CodePoints)]
        positions: PositionsArg,
        #[arg(long)]
        json: bool,
    },
    /// The change report: .docx (grids, excerpts side by side, pen portraits, cohort) or .csv
    /// (long format: one line per participant, code and wave).
    Changes {
        out: PathBuf,
        #[arg(long)]
        roll_up: bool,
        #[arg(long, default_value_t = 1.5)]
        ratio: f64,
        #[arg(long, default_value_t = 1)]
        min_codings: usize,
        /// Count only these coders' codings (comma-separated); by default every coder's,
        /// with overlapping codings counted once.
        #[arg(long, value_delimiter = ',')]
        coders: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// Add documents (ids, GUIDs or titles) to a group, made if it is new; undoable.
    Add {
        name: String,
        #[arg(required = true)]
        docs: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// Assign a document to its participant(s), wave and kind (a text from another tool
    /// arrives without them); audited and undoable. What is not given stays as it is.
    Set {
        /// Document id, GUID or title.
        doc: String,
        /// Participant code(s); several (P01,P02) for a group interview.
        #[arg(long, value_delimiter = ',')]
        participant: Vec<String>,
        #[arg(long)]
        wave: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<Kind>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChangesCommand {
    /// Confirm or override the change label of a participant and code.
    Set {
        participant: String,
        code: String,
        label: String,
        #[arg(long)]
        memo: Option<String>,
    },
}

/// Filters shared by `search` and `code auto`.
#[derive(Debug, Clone, clap::Args)]
pub struct SearchFilters {
    #[arg(long)]
    pub participant: Option<String>,
    #[arg(long)]
    pub wave: Option<String>,
    #[arg(long)]
    pub speaker: Option<String>,
    /// Turns overlapping a coding with this code or one of its sub-codes.
    #[arg(long)]
    pub code: Option<String>,
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// Only this document (id, GUID or title).
    #[arg(long)]
    pub doc: Option<String>,
    /// Only the documents of this document group.
    #[arg(long)]
    pub group: Option<String>,
}

impl SearchFilters {
    /// The library's filters; `limit` caps the hits returned (`code auto` codes every hit).
    pub fn resolve(&self, store: &Store, limit: usize) -> Result<crate::search::Filters> {
        Ok(crate::search::Filters {
            participant: self.participant.clone(),
            wave: self.wave.clone(),
            speaker: self.speaker.clone(),
            code: self.code.clone(),
            kind: self.kind.map(|k| format!("{k:?}").to_lowercase()),
            doc: match &self.doc {
                Some(d) => Some(corpus::find_document(store.conn(), d)?),
                None => None,
            },
            group: self.group.clone(),
            limit,
        })
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Individual,
    Group,
    Fieldnote,
    /// A text from elsewhere, not yet tied to participants and a wave.
    Document,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PositionsArg {
    CodePoints,
    Utf16,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AnonymiseArg {
    Auto,
    Review,
    Off,
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
    let coder = project::coder(cli.coder.as_deref());
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
    let open = || open_project(cli.project.as_deref()).map(Opened);
    match command {
        Command::Init {
            dir,
            name,
            language,
        } => {
            let store = project::init(&dir, name.as_deref(), &language)?;
            let p = store.project()?;
            say(
                out,
                &format!(
                    "created project \"{}\" ({}) in {}",
                    p.name,
                    p.language,
                    dir.display()
                ),
            )?;
        }
        Command::Demo {
            dir,
            no_tui,
            json: as_json,
        } => {
            let summary = demo::build(&dir, &coder)?;
            if as_json {
                json(out, &summary)?;
            } else {
                output::demo_summary(out, &summary)?;
                if !no_tui {
                    if on_terminal {
                        crate::tui::run(Store::open(&dir)?, coder)?;
                    } else {
                        say(
                            out,
                            "(not on a terminal, so the terminal UI did not open; run `narrata tui` in the demo folder to open it)",
                        )?;
                    }
                }
            }
        }
        Command::Import {
            paths,
            participant,
            wave,
            kind,
            anonymise,
            language,
            speakers,
            json: as_json,
        } => {
            let mut store = open()?;
            let options = Options {
                flags: Flags {
                    participants: participant,
                    wave,
                    kind: kind.map(|k| format!("{k:?}").to_lowercase()),
                    language,
                    speakers: import::resolve::parse_speakers(&speakers).map_err(Error::Invalid)?,
                },
                anonymise: match anonymise {
                    AnonymiseArg::Auto => Anonymise::Auto,
                    AnonymiseArg::Review => Anonymise::Review,
                    AnonymiseArg::Off => Anonymise::Off,
                },
            };
            let is_qdpx = |p: &PathBuf| {
                p.extension()
                    .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("qdpx"))
            };
            if let Some(qde) = paths.iter().find(|p| {
                p.extension()
                    .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("qde"))
            }) {
                return Err(Error::input(qde.display().to_string(), import::QDE_ALONE));
            }
            if paths.iter().any(is_qdpx) {
                if !paths.iter().all(is_qdpx) {
                    return Err(Error::Invalid(
                        "import REFI-QDA projects (.qdpx) on their own, not together with transcripts".into(),
                    ));
                }
                let options = crate::refi::load::Options {
                    anonymise: options.anonymise,
                    flags: options.flags,
                };
                return import_qdpx(&mut store, &coder, &paths, &options, as_json, out);
            }
            let (files, ignored) = import::collect(&paths)?;
            if files.is_empty() {
                return Err(Error::Invalid(format!(
                    "no transcripts found in {}; narrata reads .txt, .md, .docx, .vtt and .srt files",
                    paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let (sources, unreadable) = import::read_sources(&files);
            let mut bar = Progress::new(std::io::stderr().is_terminal() && !as_json);
            let mut key_and_pass = match options.anonymise {
                import::Anonymise::Auto | import::Anonymise::Review => {
                    Some(privacy::open_key(&store)?)
                }
                _ => None,
            };
            let root = store.root().to_path_buf();
            let mut report = match key_and_pass.as_mut() {
                Some((key, pass)) => {
                    let pass = pass.clone();
                    let mut save = |k: &crate::keyfile::Key| crate::keyfile::save(&root, k, &pass);
                    let p = import::Privacy {
                        key,
                        save: &mut save,
                    };
                    import::import(
                        &mut store,
                        &coder,
                        sources,
                        &options,
                        Some(p),
                        &mut |d, t| bar.show(d, t),
                    )?
                }
                None => {
                    import::import(&mut store, &coder, sources, &options, None, &mut |d, t| {
                        bar.show(d, t)
                    })?
                }
            };
            bar.clear();
            report.ignored = ignored;
            report.refused += unreadable.len();
            report.files.extend(unreadable);
            if as_json {
                json(out, &report)?;
            } else {
                output::import_report(out, &report)?;
            }
            // Every refused file is named on stderr with its reason; the status says that not
            // everything was imported (the rest was: each file is all or nothing).
            for f in report.files.iter().filter(|f| f.status == "refused") {
                eprintln!(
                    "narrata: {}: {}",
                    f.file,
                    f.reason.as_deref().unwrap_or("not imported")
                );
            }
            if report.refused > 0 {
                return Ok(1);
            }
        }
        Command::Docs {
            set:
                Some(DocsCommand::Set {
                    doc,
                    participant,
                    wave,
                    kind,
                    json: as_json,
                }),
            ..
        } => {
            let mut store = open()?;
            let what = crate::corpus::Assignment {
                participants: (!participant.is_empty()).then_some(participant),
                wave,
                kind: kind.map(|k| format!("{k:?}").to_lowercase()),
            };
            let done = crate::corpus::assign(&mut store, &coder, &doc, &what)?;
            if as_json {
                json(out, &done)?;
            } else {
                say(
                    out,
                    &format!(
                        "document {}: {} · {} · {}; {} turn(s) are a participant's{} · u undoes",
                        done.doc,
                        if done.participants.is_empty() {
                            "no participant".to_owned()
                        } else {
                            done.participants.join(", ")
                        },
                        done.wave.as_deref().unwrap_or("no wave"),
                        done.kind,
                        done.participant_turns,
                        if done.unmapped.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "; speaker label(s) {} are no one's yet (import the text again with --speakers to map them)",
                                done.unmapped.join(", ")
                            )
                        }
                    ),
                )?;
            }
        }
        Command::Groups {
            add: Some(GroupsCommand::Add { name, docs }),
            ..
        } => {
            let mut store = open()?;
            let (g, added) = crate::groups::add(&mut store, &coder, &name, &docs)?;
            say(
                out,
                &format!(
                    "group `{}`: {added} document(s) added, {} in all · u undoes",
                    g.name,
                    g.documents.len()
                ),
            )?;
        }
        Command::Groups {
            add: None,
            json: as_json,
        } => {
            let store = open()?;
            let groups = crate::groups::list(store.conn())?;
            if as_json {
                return json(out, &groups).map(|_| 0);
            }
            let mut t = Table::new(&["group", "documents", "description"]);
            for g in &groups {
                t.row(vec![
                    g.name.clone(),
                    g.documents
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    g.description.clone(),
                ]);
            }
            t.print(
                out,
                "no document groups yet: `narrata groups add NAME DOC…` makes one",
            )?;
        }
        Command::Docs {
            set: None,
            json: as_json,
        } => {
            let store = open()?;
            let docs = corpus::documents(store.conn())?;
            if as_json {
                return json(out, &docs).map(|_| 0);
            }
            let mut t = Table::new(&[
                "id",
                "participant(s)",
                "wave",
                "kind",
                "lang",
                "words",
                "turns",
                "codings",
                "title",
            ]);
            for d in &docs {
                t.row(vec![
                    d.id.to_string(),
                    if d.kind == "document" && d.participants.is_empty() {
                        "(not assigned)".to_owned()
                    } else {
                        d.participants.join(",")
                    },
                    d.wave.clone().unwrap_or_default(),
                    d.kind.clone(),
                    d.language.clone(),
                    thousands(d.words),
                    d.turns.to_string(),
                    d.codings.to_string(),
                    d.title.clone(),
                ]);
            }
            t.print(
                out,
                "no documents yet: add transcripts with `narrata import PATH`",
            )?;
            let unassigned = docs.iter().filter(|d| d.kind == "document").count();
            if unassigned > 0 {
                say(
                    out,
                    &format!(
                        "{unassigned} document(s) not assigned to participants and a wave yet: `narrata docs set DOC --participant P --wave W`"
                    ),
                )?;
            }
        }
        Command::Participants { json: as_json } => {
            let store = open()?;
            let ps = corpus::participants(store.conn())?;
            if as_json {
                return json(out, &ps).map(|_| 0);
            }
            let mut t = Table::new(&[
                "participant",
                "documents",
                "waves",
                "words spoken",
                "attributes",
            ]);
            for p in &ps {
                t.row(vec![
                    p.code.clone(),
                    p.documents.to_string(),
                    p.waves.join(" "),
                    thousands(p.words),
                    output::attributes(&p.attributes),
                ]);
            }
            t.print(out, "no participants yet")?;
        }
        Command::Waves { json: as_json } => {
            let store = open()?;
            let ws = corpus::waves(store.conn())?;
            if as_json {
                return json(out, &ws).map(|_| 0);
            }
            let mut t = Table::new(&["wave", "ordinal", "documents", "participants", "dates"]);
            for w in &ws {
                let dates = match (&w.first_date, &w.last_date) {
                    (Some(a), Some(b)) if a == b => a.clone(),
                    (Some(a), Some(b)) => format!("{a} – {b}"),
                    _ => String::new(),
                };
                t.row(vec![
                    w.name.clone(),
                    w.ordinal.to_string(),
                    w.documents.to_string(),
                    w.participants.to_string(),
                    dates,
                ]);
            }
            t.print(out, "no waves yet")?;
        }
        Command::Show {
            doc,
            from_line,
            to_line,
            raw,
            json: as_json,
        } => {
            let store = open()?;
            let id = corpus::find_document(store.conn(), &doc)?;
            let text = corpus::text(store.conn(), id)?;
            if as_json {
                let value = serde_json::json!({
                    "document": corpus::document(store.conn(), id)?,
                    "text": text,
                    "turns": corpus::turns(store.conn(), id)?,
                });
                return json(out, &value).map(|_| 0);
            }
            let codings = crate::coding::list(
                store.conn(),
                &crate::coding::Filter {
                    doc: Some(id),
                    ..Default::default()
                },
            )?;
            output::show(out, &text, from_line, to_line, raw, &codings)?;
        }
        Command::Codebook(c) => return coding::codebook(c, &mut *open()?, &coder, out),
        Command::Code(c) => return coding::code(c, &mut *open()?, &coder, out),
        Command::Codings(c) => return coding::codings(c, &*open()?, out),
        Command::Memo(c) => return coding::memo(c, &mut *open()?, &coder, out),
        Command::Memos {
            target,
            json: as_json,
        } => return coding::memos(target, as_json, &*open()?, out),
        Command::Undo { json: as_json } => {
            return coding::history(true, as_json, &mut *open()?, &coder, out);
        }
        Command::Redo { json: as_json } => {
            return coding::history(false, as_json, &mut *open()?, &coder, out);
        }
        Command::Anonymise(c) => return privacy::anonymise(c, &mut *open()?, &coder, out),
        Command::PrivacyCheck { json: as_json } => {
            return privacy::privacy_check(&*open()?, as_json, out);
        }
        Command::Search {
            query,
            filters,
            limit,
            json: as_json,
        } => {
            let store = open()?;
            let f = filters.resolve(&store, limit)?;
            let results = crate::search::search(&store, &query, &f)?;
            if as_json {
                json(out, &results)?;
            } else {
                output::search_results(out, &store, &results)?;
            }
        }
        Command::Changes {
            set:
                Some(ChangesCommand::Set {
                    participant,
                    code,
                    label,
                    memo,
                }),
            ..
        } => {
            let mut store = open()?;
            crate::change::set_label(
                &mut store,
                &coder,
                &participant,
                &code,
                &label,
                memo.as_deref(),
            )?;
            say(
                out,
                &format!(
                    "{} · {code}: label set to {label}",
                    participant.to_uppercase()
                ),
            )?;
        }
        Command::Changes {
            set: None,
            participant,
            code,
            from,
            to,
            lexical,
            roll_up,
            ratio,
            min_codings,
            all,
            coders,
            cohort,
            json: as_json,
        } => {
            let store = open()?;
            let options = crate::change::Options {
                participant,
                code,
                from,
                to,
                ratio,
                min_codings,
                roll_up,
                coders: crate::coding::coder_list(&coders),
            };
            if cohort {
                // The cohort is everyone: a --participant would narrow it to one person.
                let everyone = crate::change::Options {
                    participant: None,
                    ..options
                };
                let c = crate::change::cohort(store.conn(), &everyone)?;
                if as_json {
                    json(out, &c)?;
                } else {
                    output::cohort(out, &c)?;
                }
                return Ok(0);
            }
            if lexical {
                let (Some(p), Some(f), Some(t)) =
                    (&options.participant, &options.from, &options.to)
                else {
                    return Err(Error::Invalid(
                        "--lexical needs --participant, --from and --to".into(),
                    ));
                };
                let l = crate::change::lexical(store.conn(), p, f, t, 20)?;
                if as_json {
                    json(out, &l)?;
                } else {
                    output::lexical(out, &l)?;
                }
                return Ok(0);
            }
            let table = crate::change::table(store.conn(), &options)?;
            if as_json {
                json(out, &table)?;
            } else {
                output::changes(out, &table, all)?;
            }
        }
        Command::Export(ExportCommand::Excerpts {
            out: target,
            filter,
            group_by,
            json: as_json,
        }) => {
            let store = open()?;
            check_extension(&target, &["docx"], "coded excerpts")?;
            let options = crate::export::excerpts::Options {
                filter: filter.filter(&store)?,
                group_by: match group_by {
                    GroupByArg::Code => crate::export::excerpts::GroupBy::Code,
                    GroupByArg::Participant => crate::export::excerpts::GroupBy::Participant,
                },
            };
            let summary = crate::export::excerpts_docx(
                store.conn(),
                store.root(),
                &store.project()?.name,
                &options,
                &target,
            )?;
            if as_json {
                json(out, &summary)?;
            } else {
                say(
                    out,
                    &format!(
                        "wrote {} excerpt(s) under {} code(s), from {} document(s), to {}",
                        summary.excerpts,
                        summary.codes,
                        summary.documents,
                        target.display()
                    ),
                )?;
            }
        }
        Command::Export(ExportCommand::Transcript {
            doc,
            out: target,
            json: as_json,
        }) => {
            let store = open()?;
            check_extension(&target, &["docx"], "a transcript")?;
            let id = corpus::find_document(store.conn(), &doc)?;
            let summary = crate::export::transcript_docx(store.conn(), id, &target)?;
            if as_json {
                json(out, &summary)?;
            } else {
                say(
                    out,
                    &format!(
                        "wrote document {id} ({} lines, {} coding(s) as comments) to {}",
                        summary.lines,
                        summary.comments,
                        target.display()
                    ),
                )?;
            }
        }
        Command::Export(ExportCommand::Csv {
            out: target,
            filter,
        }) => export_rows(&*open()?, &target, &filter, false, out)?,
        Command::Export(ExportCommand::Json {
            out: target,
            filter,
        }) => export_rows(&*open()?, &target, &filter, true, out)?,
        Command::Export(ExportCommand::Qdpx {
            out: target,
            positions,
            json: as_json,
        }) => {
            let store = open()?;
            check_extension(&target, &["qdpx"], "a REFI-QDA project")?;
            let positions = match positions {
                PositionsArg::CodePoints => crate::refi::write::Positions::CodePoints,
                PositionsArg::Utf16 => crate::refi::write::Positions::Utf16,
            };
            let summary = crate::refi::write::export_with(&store, &target, positions)?;
            if as_json {
                json(out, &summary)?;
            } else {
                say(
                    out,
                    &format!(
                        "wrote {} source(s), {} code(s), {} coding(s), {} note(s), {} case(s) to {}",
                        summary.sources,
                        summary.codes,
                        summary.codings,
                        summary.notes,
                        summary.cases,
                        target.display()
                    ),
                )?;
            }
        }
        Command::Export(ExportCommand::Changes {
            out: target,
            roll_up,
            ratio,
            min_codings,
            coders,
        }) => {
            let store = open()?;
            let ext = target
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            let options = crate::change::Options {
                roll_up,
                ratio,
                min_codings,
                coders: crate::coding::coder_list(&coders),
                ..Default::default()
            };
            if ext == "docx" {
                crate::export::changes_docx(
                    store.conn(),
                    &store.project()?.name,
                    &options,
                    &target,
                )?;
                say(
                    out,
                    &format!("wrote the change report to {}", target.display()),
                )?;
                return Ok(0);
            }
            if ext != "csv" {
                return Err(Error::Invalid(format!(
                    "narrata writes the change report as .docx or .csv, not .{ext}"
                )));
            }
            let table = crate::change::table(store.conn(), &options)?;
            crate::files::write_atomically(&target, |w| {
                crate::change::write_csv(&table, w).map_err(|e| Error::io(&target, e))
            })?;
            say(
                out,
                &format!(
                    "wrote {} rows to {}",
                    table.rows.len() * table.waves.len(),
                    target.display()
                ),
            )?;
        }
        Command::Agreement {
            coders,
            code,
            unit,
            participant,
            wave,
            disagreements,
            json: as_json,
        } => {
            let store = open()?;
            let options = crate::agreement::Options {
                coders: coders.iter().map(|c| c.trim().to_owned()).collect(),
                code,
                unit: match unit {
                    UnitArg::Characters => crate::agreement::Unit::Characters,
                    UnitArg::Turns => crate::agreement::Unit::Turns,
                },
                participant,
                wave,
            };
            if disagreements {
                let list = crate::agreement::disagreements(store.conn(), &options)?;
                if as_json {
                    json(out, &list)?;
                } else {
                    output::disagreements(out, &list, &options.coders)?;
                }
                return Ok(0);
            }
            let report = crate::agreement::compute(store.conn(), &options)?;
            if as_json {
                json(out, &report)?;
            } else {
                output::agreement(out, &report)?;
            }
        }
        Command::Merge {
            other,
            dry_run,
            json: as_json,
        } => {
            let mut store = open()?;
            let report = crate::merge::merge(&mut store, &coder, &other, dry_run)?;
            if as_json {
                json(out, &report)?;
            } else {
                output::merge(out, &report, &other)?;
            }
        }
        Command::Reindex => {
            let store = open()?;
            let started = Instant::now();
            let n = crate::search::rebuild(&store)?;
            say(
                out,
                &format!(
                    "indexed {n} turns in {:.2} s",
                    started.elapsed().as_secs_f64()
                ),
            )?;
        }
        Command::Check {
            json: as_json,
            repair,
        } => {
            let store = open()?;
            let mut report = check::run(&store)?;
            let mut repaired = None;
            if repair && report.index_needs_repair() {
                repaired = Some(check::repair_index(&store)?);
                report = check::run(&store)?;
            }
            if as_json {
                let mut value =
                    serde_json::to_value(&report).map_err(|e| Error::Invalid(e.to_string()))?;
                value["index_rebuilt_turns"] = serde_json::json!(repaired);
                json(out, &value)?;
            } else {
                if let Some(n) = repaired {
                    say(
                        out,
                        &format!(
                            "repaired: the search index was rebuilt from the database ({n} turns)"
                        ),
                    )?;
                }
                if report.problems.is_empty() {
                    say(
                        out,
                        &format!(
                            "ok: schema {}, {} documents, {} turns; SQLite integrity, foreign keys and turn offsets all check out",
                            report.schema, report.documents, report.turns
                        ),
                    )?;
                } else {
                    let heading = format!("{} problem(s) in the database:", report.problems.len());
                    say_list(
                        out,
                        &heading,
                        &report.problems,
                        "these are not repaired automatically: restore the project from a backup (`narrata backup` writes one)",
                    )?;
                }
                let index = &report.index;
                if !index.problems.is_empty() {
                    say_list(
                        out,
                        "search index:",
                        &index.problems,
                        "`narrata check --repair` rebuilds it from the database",
                    )?;
                } else if !index.present {
                    say(out, "search index: none yet; the first search builds it")?;
                } else if !index.current {
                    say(
                        out,
                        "search index: behind the database; the next search brings it up to date",
                    )?;
                } else {
                    say(
                        out,
                        &format!(
                            "search index: in step with the database ({} turns)",
                            index.turns
                        ),
                    )?;
                }
            }
            return Ok(if report.ok { 0 } else { 1 });
        }
        Command::Backup { out: target } => {
            let store = open()?;
            crate::project::backup(&store, &target)?;
            say(
                out,
                &format!(
                    "backed up {} to {}",
                    store.root().display(),
                    target.display()
                ),
            )?;
        }
        Command::Tui => {
            if !on_terminal {
                return Err(Error::Invalid(
                    "the terminal UI needs a terminal: run `narrata tui` in one (standard input and output are not a terminal here)".into(),
                ));
            }
            crate::tui::run(open_project(cli.project.as_deref())?, coder)?;
        }
    }
    Ok(0)
}

/// `import FILE.qdpx…`: each REFI-QDA project read, checked and brought in as one action.
fn import_qdpx(
    store: &mut Store,
    coder: &str,
    paths: &[PathBuf],
    options: &crate::refi::load::Options,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<i32> {
    let reports =
        crate::refi::load::import_archives(store, coder, paths, options, &mut |path, report| {
            if as_json {
                Ok(())
            } else {
                output::qdpx_report(out, &path.display().to_string(), report)
            }
        })?;
    if as_json {
        json(out, &reports)?;
    }
    Ok(0)
}

/// `export csv` and `export json`: the codings as rows.
fn export_rows(
    store: &Store,
    target: &Path,
    filter: &ExportFilter,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    if as_json {
        check_extension(target, &["json"], "codings as JSON")?;
    } else {
        check_extension(target, &["csv"], "codings as CSV")?;
    }
    let n = crate::export::rows::export(store.conn(), &filter.filter(store)?, target, as_json)?;
    say(out, &format!("wrote {n} coding(s) to {}", target.display()))
}

/// Refuses an output file whose extension is not one of `allowed`.
fn check_extension(target: &Path, allowed: &[&str], what: &str) -> Result<()> {
    let ext = target
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if allowed.contains(&ext.as_str()) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "narrata writes {what} as .{}; {} does not end in it",
            allowed.join(" or ."),
            target.display()
        )))
    }
}

/// The project of `--project`, else `NARRATA_PROJECT`, else the nearest one upward.
fn open_project(explicit: Option<&Path>) -> Result<Store> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let env = std::env::var_os("NARRATA_PROJECT").map(PathBuf::from);
    let dir = project::locate(explicit, env.as_deref(), &cwd)?;
    Store::open(&dir)
}

pub(crate) fn say(out: &mut dyn Write, line: &str) -> Result<()> {
    writeln!(out, "{line}").map_err(|e| Error::io("stdout", e))
}

/// A heading, its items one per line, and what to do about them.
fn say_list(out: &mut dyn Write, heading: &str, items: &[String], advice: &str) -> Result<()> {
    say(out, heading)?;
    for item in items {
        say(out, &format!("  - {item}"))?;
    }
    say(out, advice)
}

/// A progress line on stderr for imports that take a while; silent when not a terminal.
struct Progress {
    enabled: bool,
    started: Instant,
    shown: bool,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        Progress {
            enabled,
            started: Instant::now(),
            shown: false,
        }
    }

    fn show(&mut self, done: usize, total: usize) {
        if !self.enabled || total == 0 || self.started.elapsed().as_millis() < 400 {
            return;
        }
        let width = 30;
        let filled = done * width / total;
        eprint!(
            "\rreading transcripts [{}{}] {done}/{total}",
            "#".repeat(filled),
            ".".repeat(width - filled)
        );
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(60));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        // clap checks names, ids and conflicts of every subcommand here rather than at run time.
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
