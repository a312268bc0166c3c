//! The command line's arguments, as clap reads them: the commands, their flags and the
//! filters several commands share. Dispatch is in `mod.rs`, the work in the library, the
//! printing in `output.rs`. Scripts depend on the names here: command, flag and field names are
//! changed only with care.
//!
//! Longer than most modules (about 800 lines): it is every command's flags with the help text
//! `--help` shows, kept in one place so that the whole command line reads as one list.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::codebook::Fields;
use crate::corpus;
use crate::error::Result;
use crate::store::Store;

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
    Init(InitArgs),
    /// Build the demo project from the fictional samples, print a summary and open it in the
    /// terminal UI.
    Demo(DemoArgs),
    /// Import transcripts (.txt .md .docx .vtt .srt), files or folders, or REFI-QDA projects
    /// (.qdpx, on their own).
    Import(ImportArgs),
    /// List documents; `docs set` assigns one to its participants, wave and kind.
    Docs(DocsArgs),
    /// List participants; `participants set` gives one an attribute, `participants import`
    /// reads attributes from a spreadsheet saved as CSV.
    Participants(ParticipantsArgs),
    /// List waves.
    Waves(WavesArgs),
    /// Print a transcript with line numbers.
    Show(ShowArgs),
    /// Import, export, show and reorganise the codebook.
    #[command(subcommand)]
    Codebook(CodebookCommand),
    /// Code a span of a transcript, or remove a coding.
    #[command(subcommand)]
    Code(CodeCommand),
    /// List codings with their text.
    Codings(CodingsArgs),
    /// Add a memo.
    #[command(subcommand)]
    Memo(MemoCommand),
    /// List memos.
    Memos(MemosArgs),
    /// Undo your last change (coding, memo, codebook change).
    Undo(UndoArgs),
    /// Redo your last undone change.
    Redo(RedoArgs),
    /// Find, replace and review identifiers.
    #[command(subcommand)]
    Anonymise(AnonymiseCommand),
    /// Prove that no original identifier from the key is in the database or the index.
    PrivacyCheck(PrivacyCheckArgs),
    /// Full-text search, ranked, keyword in context.
    Search(SearchArgs),
    /// Rebuild the search index (and each document's stored word positions) from the database.
    Reindex,
    /// Reports and exchange files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Change across waves: per participant and code, coverage per wave and a change label.
    #[command(args_conflicts_with_subcommands = true)]
    Changes(ChangesArgs),
    /// Agreement between coders per code and overall: percent agreement, Cohen's kappa (two
    /// coders), Krippendorff's alpha (nominal), over characters or turns.
    Agreement(AgreementArgs),
    /// Merge another copy of this study (a coder's copy of the project folder) into this one:
    /// by GUIDs, nothing duplicated, nothing lost, deletions kept; one action.
    Merge(MergeArgs),
    /// Check the project's integrity: the database and the search index beside it.
    Check(CheckArgs),
    /// Write a consistent snapshot of the project to a new folder.
    Backup(BackupArgs),
    /// List the document groups; `groups add NAME DOC…` makes one or adds documents to it,
    /// `groups define NAME RULE` makes one of the documents a rule matches.
    Groups(GroupsArgs),
    /// Coding query: the passages where codes meet, e.g. 'Hope AND "Peer support"', with AND,
    /// OR, NOT, NEAR and FOLLOWED BY.
    Query(QueryArgs),
    /// A matrix of codes × participants, documents, waves, groups or an attribute's values,
    /// counting coded passages, coded words or coverage.
    Matrix(MatrixArgs),
    /// Where codes meet: code × code co-occurrence, counts and Jaccard ratios.
    Cooccurrence(CooccurrenceArgs),
    /// Codes likely to apply to uncoded participant turns, learned only from this project's
    /// codings, each with the coded passages that made it likely; `--evaluate` measures how
    /// well that predicts, leaving one document out at a time.
    Suggest(SuggestArgs),
    /// Open the terminal UI (also what narrata does with no command, on a terminal).
    Tui,
}

/// The arguments of `narrata init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    pub dir: PathBuf,
    /// The project's name (default: the folder's name).
    #[arg(long)]
    pub name: Option<String>,
    /// The study's main language.
    #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
    pub language: String,
}

/// The arguments of `narrata demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Where to build it.
    #[arg(default_value = "narrata-demo")]
    pub dir: PathBuf,
    /// Print a summary instead of opening the terminal UI.
    #[arg(long)]
    pub no_tui: bool,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Participant code(s); several (P01,P02) for a group interview.
    #[arg(long, value_delimiter = ',')]
    pub participant: Vec<String>,
    /// Wave (interview round), e.g. T2.
    #[arg(long)]
    pub wave: Option<String>,
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// Identifier handling: auto (default), review, or off.
    #[arg(long, value_enum, default_value_t = AnonymiseArg::Auto)]
    pub anonymise: AnonymiseArg,
    /// The transcripts' language, where they do not say.
    #[arg(long, value_parser = ["nl", "en"])]
    pub language: Option<String>,
    /// Who each speaker label is, for files that cannot say (WebVTT, SRT, Word):
    /// LABEL=P01,LABEL=interviewer, labels as they appear in the files. Without
    /// --participant, the participants mapped here are the document's.
    #[arg(long, value_name = "LABEL=WHO,…")]
    pub speakers: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata docs`.
#[derive(Debug, clap::Args)]
pub struct DocsArgs {
    #[command(subcommand)]
    pub set: Option<DocsCommand>,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata participants`.
#[derive(Debug, clap::Args)]
pub struct ParticipantsArgs {
    #[command(subcommand)]
    pub set: Option<ParticipantsCommand>,
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ParticipantsCommand {
    /// Give a participant an attribute (`age_group 50-59`); no value removes it. Undoable.
    Set {
        participant: String,
        key: String,
        value: Option<String>,
    },
    /// Read participant attributes from a spreadsheet saved as CSV: a column `participant`
    /// (or the first) names them, every other column is an attribute. One undoable action.
    Import { file: PathBuf },
}

/// Which codings an analysis counts (`query`, `matrix`, `cooccurrence`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScopeArgs {
    /// Only these participants (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub participant: Vec<String>,
    /// Only these waves.
    #[arg(long, value_delimiter = ',')]
    pub wave: Vec<String>,
    /// Only these coders' codings.
    #[arg(long, value_delimiter = ',')]
    pub coder: Vec<String>,
    /// Only the documents of these groups (hand-made or defined by a rule).
    #[arg(long)]
    pub group: Vec<String>,
    /// Only the documents a rule matches, e.g. "age_group = 50-59 AND wave = T2".
    #[arg(long = "where", value_name = "RULE")]
    pub rule: Option<String>,
    /// Only these documents (ids, GUIDs or titles).
    #[arg(long)]
    pub doc: Vec<String>,
}

/// What a distance for NEAR and FOLLOWED BY counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DistanceArg {
    Words,
    Turns,
}

/// The arguments of `narrata query`.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The query, e.g. 'Hope AND "Peer support"' or 'Loss FOLLOWED BY Hope'.
    pub query: String,
    /// AND and NOT: codes meet when they are in the same turn (default: when their passages
    /// overlap).
    #[arg(long)]
    pub same_turn: bool,
    /// NEAR and FOLLOWED BY: how far apart the codes may be.
    #[arg(long, default_value_t = 1)]
    pub distance: usize,
    /// What the distance counts.
    #[arg(long, value_enum, default_value_t = DistanceArg::Turns)]
    pub unit: DistanceArg,
    /// A code stands for itself only (default: with its sub-codes).
    #[arg(long)]
    pub no_subcodes: bool,
    /// Only passages holding a match of this search query.
    #[arg(long, value_name = "SEARCH")]
    pub text: Option<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Code every passage found with this code (a path; made if new). One undoable action.
    #[arg(long, value_name = "CODE")]
    pub code_as: Option<String>,
    /// Also write the passages as a Word report of excerpts.
    #[arg(long, value_name = "OUT.docx")]
    pub docx: Option<PathBuf>,
    /// Also write the passages as CSV.
    #[arg(long, value_name = "OUT.csv")]
    pub csv: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

/// What a matrix cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureArg {
    Codings,
    Words,
    Coverage,
}

/// The arguments of `narrata matrix`.
#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// The columns: participant, document, wave, group, or the name of an attribute.
    #[arg(long, default_value = "participant", value_name = "WHAT")]
    pub across: String,
    #[arg(long, value_enum, default_value_t = MeasureArg::Codings)]
    pub measure: MeasureArg,
    /// Only these codes (comma-separated names, paths or ids); default: every code used.
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// A row counts its code's sub-codes too.
    #[arg(long)]
    pub with_subcodes: bool,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Also write the matrix as CSV.
    #[arg(long, value_name = "OUT.csv")]
    pub csv: Option<PathBuf>,
    /// Also write the matrix as a Word report: a heat map in the codes' colours and the table.
    #[arg(long, value_name = "OUT.docx")]
    pub docx: Option<PathBuf>,
    /// The Word report's language, en or nl (default: the project's).
    #[arg(long, value_name = "LANG", requires = "docx")]
    pub language: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata suggest`.
#[derive(Debug, clap::Args)]
pub struct SuggestArgs {
    /// Only this document (id, GUID or title); default: every document.
    pub doc: Option<String>,
    /// At most this many codes per turn.
    #[arg(long, default_value_t = 3)]
    pub limit: usize,
    /// Also suggestions below the threshold the evaluation justified.
    #[arg(long)]
    pub all: bool,
    /// Measure instead: precision at 1 and 3, leaving one document out, beside the baseline of
    /// the most frequent codes, and the share of turns shown per threshold.
    #[arg(long, conflicts_with_all = ["doc", "all"])]
    pub evaluate: bool,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata cooccurrence`.
#[derive(Debug, clap::Args)]
pub struct CooccurrenceArgs {
    /// When two codes meet: overlap (their passages share words), turn (in the same turn), or
    /// a number N (at most N words apart).
    #[arg(long, default_value = "overlap", value_name = "HOW")]
    pub near: String,
    /// Only these codes (comma-separated names, paths or ids); default: every code used.
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// A code counts its sub-codes too.
    #[arg(long)]
    pub with_subcodes: bool,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Also write the matrix as CSV.
    #[arg(long, value_name = "OUT.csv")]
    pub csv: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata waves`.
#[derive(Debug, clap::Args)]
pub struct WavesArgs {
    #[command(subcommand)]
    pub command: Option<WavesCommand>,
    #[arg(long)]
    pub json: bool,
}

/// What `narrata waves` can change.
#[derive(Debug, clap::Subcommand)]
pub enum WavesCommand {
    /// Set the waves' order: every wave named in order (`waves order baseline W1 W2`), or by
    /// each wave's first interview date (`--by-date`).
    Order {
        #[arg(required_unless_present = "by_date")]
        waves: Vec<String>,
        #[arg(long, conflicts_with = "waves")]
        by_date: bool,
        #[arg(long)]
        json: bool,
    },
}

/// The arguments of `narrata show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Document id, GUID or title.
    pub doc: String,
    #[arg(long, value_name = "N")]
    pub from_line: Option<usize>,
    #[arg(long, value_name = "M")]
    pub to_line: Option<usize>,
    /// Print the stored text exactly, the text all offsets refer to.
    #[arg(long)]
    pub raw: bool,
    /// The document, its text and its turns as JSON.
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,
}

/// The arguments of `narrata memos`.
#[derive(Debug, clap::Args)]
pub struct MemosArgs {
    /// Only memos about this target (project, participant:P03, wave:T2, portrait:P03:T2, document:3, code:NAME, coding:12).
    #[arg(long)]
    pub target: Option<String>,
    /// Only memos on this document or on codings in it (id, title or part of a title).
    #[arg(long)]
    pub doc: Option<String>,
    /// Only memos on this code or on its codings, sub-codes included (name, path or part of one).
    #[arg(long)]
    pub code: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata undo`.
#[derive(Debug, clap::Args)]
pub struct UndoArgs {
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata redo`.
#[derive(Debug, clap::Args)]
pub struct RedoArgs {
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata privacy-check`.
#[derive(Debug, clap::Args)]
pub struct PrivacyCheckArgs {
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    pub query: String,
    #[command(flatten)]
    pub filters: SearchFilters,
    /// How many hits to show, best first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata changes`.
#[derive(Debug, clap::Args)]
pub struct ChangesArgs {
    #[command(subcommand)]
    pub set: Option<ChangesCommand>,
    #[arg(long)]
    pub participant: Option<String>,
    #[arg(long)]
    pub code: Option<String>,
    #[arg(long, value_name = "WAVE")]
    pub from: Option<String>,
    #[arg(long, value_name = "WAVE")]
    pub to: Option<String>,
    /// The words whose rate changed most, and pronoun rates (needs --participant, --from, --to).
    #[arg(long)]
    pub lexical: bool,
    /// With --lexical: leave function words (articles, prepositions, auxiliaries, fillers) out
    /// of the list shown; they are still counted.
    #[arg(long, requires = "lexical")]
    pub without_function_words: bool,
    /// Count each code's sub-codes as the code (top-level codes only).
    #[arg(long)]
    pub roll_up: bool,
    /// Coverage ratio between last and first wave that counts as an increase.
    #[arg(long, default_value_t = 1.5)]
    pub ratio: f64,
    /// Codings needed in a wave for the code to count as present.
    #[arg(long, default_value_t = 1)]
    pub min_codings: usize,
    /// Also list the rows whose label is `absent`.
    #[arg(long)]
    pub all: bool,
    /// Count only these coders' codings (comma-separated); by default every coder's,
    /// with overlapping codings counted once.
    #[arg(long, value_delimiter = ',')]
    pub coders: Vec<String>,
    /// Only the documents of this document group (hand-made or defined by a rule).
    #[arg(long)]
    pub group: Option<String>,
    /// Only the documents a rule matches, e.g. "site = north".
    #[arg(long = "where", value_name = "RULE")]
    pub rule: Option<String>,
    /// The cohort view: per code and wave how many participants speak of it (n/N), and who
    /// kept, gained, lost or never had it between the first and last wave.
    #[arg(long, conflicts_with_all = ["lexical", "participant"])]
    pub cohort: bool,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata agreement`.
#[derive(Debug, clap::Args)]
pub struct AgreementArgs {
    /// Two or more coders, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub coders: Vec<String>,
    /// Only this code (id, name or path).
    #[arg(long)]
    pub code: Option<String>,
    #[arg(long, value_enum, default_value_t = UnitArg::Characters)]
    pub unit: UnitArg,
    #[arg(long)]
    pub participant: Option<String>,
    #[arg(long)]
    pub wave: Option<String>,
    /// Which documents count: `all` in scope (the default), or only those every one of the
    /// coders has coded (`coded`).
    #[arg(long, value_enum, default_value_t = ScopeArg::All)]
    pub scope: ScopeArg,
    /// Only the documents of this document group (hand-made or defined by a rule).
    #[arg(long)]
    pub group: Option<String>,
    /// Only the documents a rule matches, e.g. "wave = T1".
    #[arg(long = "where", value_name = "RULE")]
    pub rule: Option<String>,
    /// List the stretches of text where the coders differ, per code, to discuss.
    #[arg(long)]
    pub disagreements: bool,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    pub other: PathBuf,
    /// Report what would change without changing anything.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `narrata check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[arg(long)]
    pub json: bool,
    /// Read everything: SQLite's integrity check of every page, every row's references and
    /// offsets, every turn of the index. Without it, the quick check: the file's header, the
    /// schema, the newest rows and the index's generation and size.
    #[arg(long)]
    pub full: bool,
    /// Repair what can be repaired safely: rebuild the search index from the database
    /// (dropping entries for turns that no longer exist). The database is never changed.
    #[arg(long)]
    pub repair: bool,
}

/// The arguments of `narrata backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    pub out: PathBuf,
}

/// The arguments of `narrata groups`.
#[derive(Debug, clap::Args)]
pub struct GroupsArgs {
    #[command(subcommand)]
    pub add: Option<GroupsCommand>,
    #[arg(long)]
    pub json: bool,
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
    /// Only the documents a rule matches, e.g. "age_group = 50-59 AND wave = T2".
    #[arg(long = "where", value_name = "RULE")]
    pub rule: Option<String>,
}

impl ExportFilter {
    pub(super) fn filter(&self, store: &Store) -> Result<crate::coding::Filter> {
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
            rule: self.rule.clone(),
        })
    }
}

/// Which documents agreement counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    All,
    Coded,
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
    Wave,
    Group,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Coded excerpts as a Word report: quotes with citations under their codes (or per
    /// participant and wave), memos, the codebook, a methods note and the audit trail.
    Excerpts {
        out: PathBuf,
        #[command(flatten)]
        filter: ExportFilter,
        /// Headings by code, participant (then wave and code), wave or document group.
        #[arg(long, value_enum, default_value_t = GroupByArg::Code)]
        group_by: GroupByArg,
        /// Appendices, comma-separated: codebook (the codes used), all-codes (the whole
        /// codebook), methods, audit, or none.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "codebook,methods",
            value_name = "LIST"
        )]
        appendix: Vec<String>,
        /// Memos, comma-separated: coding, document, participant, portrait, all or none.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "all",
            value_name = "LIST"
        )]
        memos: Vec<String>,
        /// The report's language, en or nl (default: the project's).
        #[arg(long, value_name = "LANG")]
        language: Option<String>,
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
    /// The numbers as a spreadsheet (.xlsx): codings, the code × participant matrix, the change
    /// table and agreement as worksheets, each with a filter and a frozen header row.
    Xlsx {
        out: PathBuf,
        #[command(flatten)]
        filter: ExportFilter,
        #[arg(long)]
        json: bool,
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
        /// The report's language, en or nl (default: the project's).
        #[arg(long, value_name = "LANG")]
        language: Option<String>,
        /// Only the documents of this document group (hand-made or defined by a rule): the
        /// grids count them and the excerpts come from them.
        #[arg(long)]
        group: Option<String>,
        /// Only the documents a rule matches, e.g. "site = north".
        #[arg(long = "where", value_name = "RULE")]
        rule: Option<String>,
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
    /// Define a group by a rule over attributes, participants, waves and kinds, e.g.
    /// "age_group = 50-59 AND wave = T2"; its documents are those the rule matches. Undoable.
    Define { name: String, rule: String },
}

#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// Give a document an attribute (`site north`); no value removes it. Undoable.
    Attribute {
        /// Document id, GUID or title.
        doc: String,
        key: String,
        value: Option<String>,
    },
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

// The subcommands of `codebook`, `code`, `codings`, `memo` and `anonymise`.

#[derive(Debug, Subcommand)]
pub enum CodebookCommand {
    /// Import a codebook (.yaml, .yml, .json, .qdc), merging by code path.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Export the codebook (.yaml, .yml, .json, .qdc by extension).
    Export { file: PathBuf },
    /// Show the code tree with coding counts (definitions and criteria with --full).
    Show {
        #[arg(long)]
        json: bool,
        /// Also print each code's definitions.
        #[arg(long)]
        full: bool,
    },
    /// Add a code; PATH is `Parent/Child` (missing parents are created).
    Add {
        path: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Change a code's definitions, colour, dimension or polarity.
    Set {
        code: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Rename a code.
    Rename { code: String, name: String },
    /// Move a code under another parent (`/` for the top level).
    Move { code: String, parent: String },
    /// Merge a code into another: codings, memos and sub-codes move, duplicates collapse.
    Merge { code: String, into: String },
    /// Remove a code; one with codings or memos needs --into CODE to say where they go.
    Rm {
        code: String,
        #[arg(long)]
        into: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct FieldArgs {
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub include: Option<String>,
    #[arg(long)]
    pub exclude: Option<String>,
    #[arg(long)]
    pub example: Option<String>,
    #[arg(long)]
    pub color: Option<String>,
    #[arg(long)]
    pub dimension: Option<String>,
    #[arg(long)]
    pub polarity: Option<String>,
}

impl FieldArgs {
    pub(super) fn fields(self) -> Fields {
        Fields {
            description: self.description,
            include: self.include,
            exclude: self.exclude,
            example: self.example,
            color: self.color,
            dimension: self.dimension,
            polarity: self.polarity,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CodeCommand {
    /// Code the characters [START, END) of a document with CODE.
    Add {
        doc: String,
        start: i64,
        end: i64,
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a coding (and the memos on it).
    Rm { coding: i64 },
    /// Code every search hit with CODE: the whole turn, or only the matched words.
    Auto {
        query: String,
        /// The code to apply.
        #[arg(value_name = "CODE")]
        apply: String,
        #[arg(long, value_enum, default_value_t = Unit::Turn)]
        unit: Unit,
        #[command(flatten)]
        filters: super::args::SearchFilters,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Unit {
    Turn,
    Match,
}

#[derive(Debug, Args)]
pub struct CodingsArgs {
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
    /// Only this document.
    #[arg(long)]
    pub doc: Option<String>,
    /// Only the documents of this document group.
    #[arg(long)]
    pub group: Option<String>,
    /// Only the documents a rule matches, e.g. "age_group = 50-59 AND wave = T2".
    #[arg(long = "where", value_name = "RULE")]
    pub rule: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum MemoCommand {
    /// Rewrite one of your memos (undoable).
    Edit {
        id: i64,
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Add a memo to TARGET: project, participant:P03, wave:T2, portrait:P03:T2 (pen portrait), document:3, code:NAME or coding:12.
    Add {
        target: String,
        text: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AnonymiseCommand {
    /// List suggestions: those of transcripts staged for review (with their words: this is the
    /// re-identifying step), and what may still identify someone in stored transcripts, found
    /// by a second, more suspicious pass and ranked (most suspicious first).
    Scan {
        doc: Option<String>,
        /// How many of the stored text's suspects to print (all with --json).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Redact a missed identifier: replace [START, END) of DOC by a pseudonym of CATEGORY; or,
    /// with --text, every occurrence of the words as a whole word (in --doc, or everywhere).
    Redact {
        #[arg(required_unless_present = "text")]
        doc: Option<String>,
        #[arg(required_unless_present = "text")]
        start: Option<usize>,
        #[arg(required_unless_present = "text")]
        end: Option<usize>,
        #[arg(required_unless_present = "text")]
        category: Option<String>,
        /// The words to redact wherever they stand (any case, whole words).
        #[arg(long, conflicts_with_all = ["start", "end"])]
        text: Option<String>,
        /// With --text: the category of the identifier (default PERSON).
        #[arg(long = "category", requires = "text")]
        text_category: Option<String>,
        /// With --text: only in this document.
        #[arg(long = "doc", requires = "text")]
        text_doc: Option<String>,
    },
    /// Every pseudonym in the stored texts (of DOC, or all) with its category, the rule that
    /// put it there and its context; --originals also prints the words each stands for.
    List {
        doc: Option<String>,
        #[arg(long)]
        originals: bool,
        #[arg(long)]
        json: bool,
    },
    /// The key's log: every replacement, review decision and correction, with the rule or
    /// list that found each identifier (never the identifiers themselves).
    Log {
        doc: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Two pseudonyms are one person (place, organisation): MERGED becomes KEPT everywhere.
    Link { kept: String, merged: String },
    /// One pseudonym is two people: in the given documents, or in one participant's, it
    /// becomes a new pseudonym.
    Split {
        pseudonym: String,
        #[arg(long = "doc", required_unless_present = "participant")]
        docs: Vec<String>,
        #[arg(long, conflicts_with = "docs")]
        participant: Option<String>,
    },
    /// Give a pseudonym another category (a street taken for a person becomes an ADDRESS).
    Relabel { pseudonym: String, category: String },
    /// A false positive: put the original word back for PSEUDONYM, everywhere (the word is
    /// then kept in later imports too) or in one document; codings stay on their words.
    Restore {
        pseudonym: String,
        #[arg(long)]
        doc: Option<String>,
        /// Which word to put back when the pseudonym stands for several forms of a name.
        #[arg(long)]
        original: Option<String>,
    },
    /// Store the transcripts staged for review, replacing every suggestion not rejected.
    Apply,
    /// Accept staged suggestions (ids from `anonymise scan`, or `all`).
    Accept {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Reject staged suggestions: those words are not identifiers and stay as they are.
    Reject {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Your own list of names to find (relatives, towns, carers), kept in the encrypted key.
    #[command(subcommand)]
    Names(NamesCommand),
}

#[derive(Debug, Subcommand)]
pub enum NamesCommand {
    /// Add a name with its spelling variants, for the whole project or one participant.
    Add {
        text: String,
        #[arg(long, default_value = "PERSON")]
        category: String,
        #[arg(long = "variant")]
        variants: Vec<String>,
        #[arg(long)]
        participant: Option<String>,
    },
    /// How many names the list holds (per category); `--reveal` prints them.
    List {
        #[arg(long)]
        reveal: bool,
    },
}
