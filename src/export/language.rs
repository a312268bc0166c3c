//! The words of narrata's Word reports in English and Dutch: titles, headings, labels, the
//! citation's "l."/"r.", the methods note. A report is written in the project's language
//! unless `--language` says otherwise; the transcripts' own words are never translated.
//!
//! Text that must not break at the end of a line is written with non-breaking characters
//! here too: a citation's "r. 12–14" with a no-break space, a pseudonym's hyphen
//! ("[PLACE‑3]") as a non-breaking hyphen.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// A report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    En,
    Nl,
}

impl Language {
    /// `en`, `nl` (also `english`, `dutch`, `nederlands`).
    pub fn parse(s: &str) -> Result<Language> {
        match s.trim().to_lowercase().as_str() {
            "en" | "english" | "engels" => Ok(Language::En),
            "nl" | "dutch" | "nederlands" => Ok(Language::Nl),
            other => Err(Error::Invalid(format!(
                "reports are written in en or nl, not `{other}`"
            ))),
        }
    }

    /// The project's language (set at `init`), English when unknown.
    pub fn of_project(conn: &Connection) -> Result<Language> {
        let lang: String = conn
            .query_row("SELECT language FROM project", [], |r| r.get(0))
            .unwrap_or_else(|_| "en".into());
        Ok(Language::parse(&lang).unwrap_or_default())
    }

    /// `requested` when given, else the project's.
    pub fn choose(conn: &Connection, requested: Option<&str>) -> Result<Language> {
        match requested {
            Some(l) => Language::parse(l),
            None => Language::of_project(conn),
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::Nl => &NL,
        }
    }
}

/// Every fixed text of the reports. `{name}` marks are filled in by [`fill`].
pub struct Words {
    /// The abbreviation before line numbers in a citation ("l." or "r."), and the word.
    pub line: &'static str,
    pub lines_word: &'static str,
    pub made: &'static str,
    pub made_value: &'static str,
    pub contents: &'static str,
    pub toc_note: &'static str,
    // Excerpt report.
    pub excerpts_title: &'static str,
    pub selection: &'static str,
    pub all_codings: &'static str,
    /// The selection line's parts: "code {code}", " (+ sub-codes)", "group {group}",
    /// "where {rule}".
    pub selection_parts: [&'static str; 4],
    /// The decimal separator of percentages ("." or ",").
    pub decimal: char,
    pub ordered_by: &'static str,
    pub order_code: &'static str,
    pub order_participant: &'static str,
    pub order_wave: &'static str,
    pub order_group: &'static str,
    pub report_contents: &'static str,
    pub report_contents_value: &'static str,
    pub citations: &'static str,
    pub citations_value: &'static str,
    pub no_codings: &'static str,
    pub no_wave: &'static str,
    pub no_group: &'static str,
    pub memo: &'static str,
    pub document_memos: &'static str,
    pub participant_memos: &'static str,
    pub portraits: &'static str,
    pub overview_caption: &'static str,
    pub appendix: &'static str,
    pub codebook: &'static str,
    pub codebook_counts: &'static str,
    pub codebook_counts_all: &'static str,
    pub definition: &'static str,
    pub include: &'static str,
    pub exclude: &'static str,
    pub example: &'static str,
    pub code: &'static str,
    pub all: &'static str,
    pub methods: &'static str,
    pub methods_intro: &'static str,
    pub software: &'static str,
    pub software_value: &'static str,
    pub data: &'static str,
    pub data_value: &'static str,
    pub repeat_interviews: &'static str,
    pub repeat_value: &'static str,
    pub wave_value: &'static str,
    pub no_waves: &'static str,
    pub coders: &'static str,
    /// "coding" and "codings", for counts beside a coder's name.
    pub a_coding: [&'static str; 2],
    pub coding_tree: &'static str,
    pub coding_tree_value: &'static str,
    pub coding: &'static str,
    pub coding_value: &'static str,
    pub pseudonymisation: &'static str,
    pub pseudonymised: &'static str,
    pub not_pseudonymised: &'static str,
    pub audit: &'static str,
    pub audit_intro: &'static str,
    pub audit_header: [&'static str; 5],
    // Coding query report.
    pub query_title: &'static str,
    pub query: &'static str,
    pub read_as: &'static str,
    pub passages_value: &'static str,
    pub no_passages: &'static str,
    pub codes: &'static str,
    // Matrix report.
    pub matrix_title: &'static str,
    pub codes_across: &'static str,
    pub counted: &'static str,
    pub scope: &'static str,
    /// Coded passages, coded words, coverage: what a cell counts, and its short name.
    pub measures: [(&'static str, &'static str); 3],
    /// Participants, documents, waves, document groups, "the values of {key}".
    pub across: [&'static str; 5],
    pub heat_caption: &'static str,
    pub figures: &'static str,
    pub total: &'static str,
    pub total_note: &'static str,
    // Change report.
    pub change_title: &'static str,
    pub change_note: &'static str,
    pub not_interviewed: &'static str,
    pub change: &'static str,
    pub confirmed: &'static str,
    pub pen_portraits: &'static str,
    pub cohort: &'static str,
    pub cohort_header: [&'static str; 4],
    pub cohort_note: &'static str,
    pub participant_caption: &'static str,
    pub cohort_caption: &'static str,
    pub seen_once: &'static str,
    pub seen_once_value: &'static str,
    pub counted_none: &'static str,
    pub counted_one: &'static str,
    pub counted_many: &'static str,
    pub coders_differ: &'static str,
    /// The change labels, in the order of `change::LABELS`.
    pub labels: &'static [&'static str],
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

impl Words {
    /// A change label in this language ("emerged" → "opgekomen").
    pub fn label(&self, label: &str) -> &'static str {
        crate::change::LABELS
            .iter()
            .position(|l| *l == label)
            .map(|i| self.labels[i])
            .unwrap_or("")
    }

    /// "Codings counted: …" for the coders a table counted.
    pub fn counted(&self, coders: &[String]) -> String {
        match coders {
            [] => self.counted_none.to_owned(),
            [one] => fill(self.counted_one, &[("coder", one)]),
            many => fill(self.counted_many, &[("coders", &many.join(", "))]),
        }
    }

    /// A citation: "(P03, T2, l. 112–118)", with a no-break space after the abbreviation and
    /// non-breaking hyphens in pseudonyms, so it never breaks across lines inside a part.
    pub fn citation(&self, who: &str, wave: Option<&str>, line: i64, end_line: i64) -> String {
        let lines = if line == end_line {
            format!("{}\u{a0}{line}", self.line)
        } else {
            // Word joiners keep the range whole: a line may not end at its dash.
            format!("{}\u{a0}{line}\u{2060}–\u{2060}{end_line}", self.line)
        };
        let who = keep_together(who);
        match wave {
            Some(w) => format!("({who}, {}, {lines})", keep_together(w)),
            None => format!("({who}, {lines})"),
        }
    }
}

impl Words {
    /// `share` (0–1) as a percentage with one decimal in this language ("7.6%", "7,6%").
    pub fn percent(&self, share: f64) -> String {
        format!("{:.1}%", share * 100.0).replace('.', &self.decimal.to_string())
    }
}

/// Pseudonyms such as "[PLACE-3]" with a non-breaking hyphen, so a line never ends inside one.
pub fn keep_together(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_bracket = false;
    for c in s.chars() {
        match c {
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            _ => {}
        }
        out.push(if c == '-' && in_bracket {
            '\u{2011}'
        } else {
            c
        });
    }
    out
}

pub static EN: Words = Words {
    line: "l.",
    lines_word: "line",
    made: "Made",
    made_value: "{date} with narrata {version}",
    contents: "Contents",
    toc_note: "Page numbers appear when the table of contents is updated (Word: F9; LibreOffice: Tools ▸ Update ▸ Update All).",
    excerpts_title: "Coded excerpts",
    selection: "Selection",
    all_codings: "all codings of all coders",
    selection_parts: [
        "code {code}",
        " (+ sub-codes)",
        "group {group}",
        "where {rule}",
    ],
    decimal: '.',
    ordered_by: "Ordered by",
    order_code: "code, then participant and wave",
    order_participant: "participant, then wave and code",
    order_wave: "wave, then code and participant",
    order_group: "document group, then code and participant",
    report_contents: "Contents",
    report_contents_value: "{excerpts} excerpt(s) from {documents} document(s), {codes} code(s)",
    citations: "Citations",
    citations_value: "(participant, wave, l. first–last line of the stored transcript, as `narrata show` numbers them)",
    no_codings: "No codings match this selection.",
    no_wave: "no wave",
    no_group: "in no group",
    memo: "Memo",
    document_memos: "Memos on the documents",
    participant_memos: "Memos on the participants",
    portraits: "Pen portraits",
    overview_caption: "Excerpts per code and wave in this report (each bar one wave, light to full colour from the first wave to the last).",
    appendix: "Appendix",
    codebook: "Codebook",
    codebook_counts: "Codings per code and wave in this report's selection, for the codes it uses (each code counted on its own, without its sub-codes).",
    codebook_counts_all: "Codings per code and wave in this report's selection, for every code of the codebook (each code counted on its own, without its sub-codes).",
    definition: "Definition",
    include: "Include",
    exclude: "Exclude",
    example: "Example",
    code: "code",
    all: "all",
    methods: "Methods note",
    methods_intro: "What the project records, for reporting against the COREQ checklist (items on data analysis and on repeat interviews). Interpretation, reflexivity and how codes were agreed are for the researchers to add.",
    software: "Software",
    software_value: "narrata {version} (coding by character spans of the stored transcripts; full-text search with tantivy; SQLite)",
    data: "Data",
    data_value: "{documents} transcript(s) of {participants} participant(s), {words} words",
    repeat_interviews: "Repeat interviews",
    repeat_value: "{waves}; {repeated} participant(s) interviewed in more than one wave",
    wave_value: "{wave}: {documents} document(s), {participants} participant(s)",
    no_waves: "no waves recorded",
    coders: "Coders",
    a_coding: ["coding", "codings"],
    coding_tree: "Coding tree",
    coding_tree_value: "{codes} codes in {levels} level(s); top level: {top}",
    coding: "Coding",
    coding_value: "{codings} codings in this report's selection ({all} in the project), {memos} memo(s), {overrides} change label(s) confirmed or overridden by a researcher",
    pseudonymisation: "Pseudonymisation",
    pseudonymised: "identifiers were replaced by consistent pseudonyms on import; the linking key is kept apart, encrypted (key.age), and is not part of this report",
    not_pseudonymised: "this project has no pseudonym key: transcripts were stored as imported (without narrata's pseudonymisation)",
    audit: "Audit trail",
    audit_intro: "Every change to the project is recorded (who, when, what) in an append-only log; undone changes stay in it. Counts per kind of action and person:",
    audit_header: ["action", "by", "times", "first", "last"],
    query_title: "Coding query",
    query: "Query",
    read_as: "Read as",
    passages_value: "{n} passage(s)",
    no_passages: "The query found no passages in this selection.",
    codes: "Codes",
    matrix_title: "Code matrix",
    codes_across: "Codes across",
    counted: "Counted",
    scope: "Scope",
    measures: [
        (
            "coded passages (a code's overlapping or touching codings count once)",
            "coded passages",
        ),
        ("coded words (each word once per code)", "coded words"),
        (
            "coverage: coded words ÷ all words of the column",
            "coverage",
        ),
    ],
    across: [
        "participants",
        "documents",
        "waves",
        "document groups",
        "the values of {key}",
    ],
    heat_caption: "Codes × {across}: the darker a cell in its code's colour, the larger its figure ({measure}); one scale for the whole matrix.",
    figures: "The figures",
    total: "total",
    total_note: "total: the code's passages over every column, a passage in two columns counted once. The counting rules are in narrata's docs/ANALYSIS.md.",
    change_title: "Change across waves",
    change_note: "Counts show how often something is spoken about, not what it means.",
    not_interviewed: "not interviewed",
    change: "change",
    confirmed: "confirmed",
    pen_portraits: "Pen portraits",
    cohort: "Cohort",
    cohort_header: ["kept", "gained", "lost", "never"],
    cohort_note: "n/N: participants with the code / participants interviewed in the wave (the bars: n ÷ N); kept, gained, lost, never: between {first} and {last}.",
    participant_caption: "{p}: coverage per wave, each code's bars from its first wave (light) to its last (full colour); the longest bar is {p}'s largest coverage in the table.",
    cohort_caption: "The cohort: the share of the participants interviewed in each wave who have the code (n/N), each code's bars from its first wave (light) to its last (full colour).",
    seen_once: "Interviewed once",
    seen_once_value: "{participants}: interviewed in one wave only, so there is no change to show; they are counted in the cohort.",
    counted_none: "No codings were counted.",
    counted_one: "Codings counted: {coder}'s.",
    counted_many: "Codings counted: those of {coders} together; where their codings overlap, the passage counts once.",
    coders_differ: "† this participant's waves were not all coded by the same coders (or some not yet at all): the label compares different coders' work; choose one coder to compare like with like.",
    labels: crate::change::LABELS,
};

pub static NL: Words = Words {
    line: "r.",
    lines_word: "regel",
    made: "Gemaakt",
    made_value: "{date} met narrata {version}",
    contents: "Inhoud",
    toc_note: "Paginanummers verschijnen wanneer de inhoudsopgave wordt bijgewerkt (Word: F9; LibreOffice: Extra ▸ Bijwerken ▸ Alles bijwerken).",
    excerpts_title: "Gecodeerde fragmenten",
    selection: "Selectie",
    all_codings: "alle coderingen van alle codeurs",
    selection_parts: [
        "code {code}",
        " (+ subcodes)",
        "groep {group}",
        "waar {rule}",
    ],
    decimal: ',',
    ordered_by: "Volgorde",
    order_code: "code, dan deelnemer en ronde",
    order_participant: "deelnemer, dan ronde en code",
    order_wave: "ronde, dan code en deelnemer",
    order_group: "documentgroep, dan code en deelnemer",
    report_contents: "Inhoud",
    report_contents_value: "{excerpts} fragment(en) uit {documents} document(en), {codes} code(s)",
    citations: "Bronvermelding",
    citations_value: "(deelnemer, ronde, r. eerste–laatste regel van het opgeslagen transcript, zoals `narrata show` ze nummert)",
    no_codings: "Geen coderingen in deze selectie.",
    no_wave: "geen ronde",
    no_group: "in geen groep",
    memo: "Memo",
    document_memos: "Memo's bij de documenten",
    participant_memos: "Memo's bij de deelnemers",
    portraits: "Portretten",
    overview_caption: "Fragmenten per code en ronde in dit rapport (per ronde een balk, van licht bij de eerste ronde tot de volle kleur bij de laatste).",
    appendix: "Bijlage",
    codebook: "Codeboek",
    codebook_counts: "Coderingen per code en ronde in de selectie van dit rapport, voor de codes die het gebruikt (elke code apart geteld, zonder subcodes).",
    codebook_counts_all: "Coderingen per code en ronde in de selectie van dit rapport, voor alle codes van het codeboek (elke code apart geteld, zonder subcodes).",
    definition: "Definitie",
    include: "Wel",
    exclude: "Niet",
    example: "Voorbeeld",
    code: "code",
    all: "alle",
    methods: "Methodenotitie",
    methods_intro: "Wat het project vastlegt, voor verslag volgens de COREQ-checklist (de punten over analyse en herhaalde interviews). Interpretatie, reflexiviteit en hoe codes zijn afgesproken vullen de onderzoekers zelf aan.",
    software: "Software",
    software_value: "narrata {version} (coderen op tekenposities in de opgeslagen transcripten; zoeken in de volledige tekst met tantivy; SQLite)",
    data: "Gegevens",
    data_value: "{documents} transcript(en) van {participants} deelnemer(s), {words} woorden",
    repeat_interviews: "Herhaalde interviews",
    repeat_value: "{waves}; {repeated} deelnemer(s) in meer dan één ronde geïnterviewd",
    wave_value: "{wave}: {documents} document(en), {participants} deelnemer(s)",
    no_waves: "geen rondes vastgelegd",
    coders: "Codeurs",
    a_coding: ["codering", "coderingen"],
    coding_tree: "Codeboom",
    coding_tree_value: "{codes} codes in {levels} niveau(s); bovenste niveau: {top}",
    coding: "Coderen",
    coding_value: "{codings} coderingen in de selectie van dit rapport ({all} in het project), {memos} memo('s), {overrides} veranderingslabel(s) door een onderzoeker bevestigd of aangepast",
    pseudonymisation: "Pseudonimisering",
    pseudonymised: "identificerende gegevens zijn bij het importeren vervangen door vaste pseudoniemen; de sleutel wordt apart en versleuteld bewaard (key.age) en maakt geen deel uit van dit rapport",
    not_pseudonymised: "dit project heeft geen pseudoniemsleutel: de transcripten zijn opgeslagen zoals ze zijn ingelezen (zonder pseudonimisering door narrata)",
    audit: "Audittrail",
    audit_intro: "Elke wijziging in het project wordt vastgelegd (wie, wanneer, wat) in een logboek waaraan alleen wordt toegevoegd; ongedaan gemaakte wijzigingen blijven erin staan. Aantallen per soort handeling en persoon:",
    audit_header: ["handeling", "door", "keer", "eerste", "laatste"],
    query_title: "Codeerquery",
    query: "Query",
    read_as: "Gelezen als",
    passages_value: "{n} passage(s)",
    no_passages: "De query vond geen passages in deze selectie.",
    codes: "Codes",
    matrix_title: "Codematrix",
    codes_across: "Codes per",
    counted: "Geteld",
    scope: "Selectie",
    measures: [
        (
            "gecodeerde passages (overlappende of aansluitende coderingen van een code tellen één keer)",
            "gecodeerde passages",
        ),
        (
            "gecodeerde woorden (elk woord één keer per code)",
            "gecodeerde woorden",
        ),
        (
            "dekking: gecodeerde woorden ÷ alle woorden van de kolom",
            "dekking",
        ),
    ],
    across: [
        "deelnemer",
        "document",
        "ronde",
        "documentgroep",
        "waarde van {key}",
    ],
    heat_caption: "Codes × {across}: hoe donkerder een cel in de kleur van haar code, hoe groter het getal ({measure}); één schaal voor de hele matrix.",
    figures: "De cijfers",
    total: "totaal",
    total_note: "totaal: de passages van de code over alle kolommen, een passage in twee kolommen één keer geteld. De telregels staan in docs/ANALYSIS.md van narrata.",
    change_title: "Verandering over de rondes",
    change_note: "Tellingen laten zien hoe vaak iets ter sprake komt, niet wat het betekent.",
    not_interviewed: "niet geïnterviewd",
    change: "verandering",
    confirmed: "bevestigd",
    pen_portraits: "Portretten",
    cohort: "Cohort",
    cohort_header: ["behouden", "erbij", "kwijt", "nooit"],
    cohort_note: "n/N: deelnemers met de code / deelnemers geïnterviewd in de ronde (de balken: n ÷ N); behouden, erbij, kwijt, nooit: tussen {first} en {last}.",
    participant_caption: "{p}: dekking per ronde, per code de balken van de eerste ronde (licht) tot de laatste (volle kleur); de langste balk is de grootste dekking van {p} in de tabel.",
    cohort_caption: "Het cohort: het deel van de in elke ronde geïnterviewde deelnemers dat de code heeft (n/N), per code de balken van de eerste ronde (licht) tot de laatste (volle kleur).",
    seen_once: "Eén keer geïnterviewd",
    seen_once_value: "{participants}: in maar één ronde geïnterviewd, dus er is geen verandering te tonen; ze tellen mee in het cohort.",
    counted_none: "Er zijn geen coderingen geteld.",
    counted_one: "Geteld: de coderingen van {coder}.",
    counted_many: "Geteld: de coderingen van {coders} samen; waar ze overlappen telt de passage één keer.",
    coders_differ: "† de rondes van deze deelnemer zijn niet allemaal door dezelfde codeurs gecodeerd (of sommige nog niet): het label vergelijkt het werk van verschillende codeurs; kies één codeur om gelijk met gelijk te vergelijken.",
    labels: &[
        "onvoldoende",
        "wisselend",
        "opgekomen",
        "verdwenen",
        "toegenomen",
        "afgenomen",
        "gelijk",
        "afwezig",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_do_not_break_and_labels_follow_the_language() {
        let c = NL.citation("P03", Some("T2"), 12, 14);
        assert_eq!(c, "(P03, T2, r.\u{a0}12\u{2060}–\u{2060}14)");
        assert_eq!(
            EN.citation("[PERSON-3]", None, 5, 5),
            "([PERSON\u{2011}3], l.\u{a0}5)"
        );
        assert_eq!(
            keep_together("well-known [PLACE-10]"),
            "well-known [PLACE\u{2011}10]"
        );
        assert_eq!(NL.label("emerged"), "opgekomen");
        assert_eq!(EN.label("constant"), "constant");
        assert_eq!(crate::change::LABELS.len(), NL.labels.len());
        assert_eq!(fill("{a} and {b}", &[("a", "1"), ("b", "2")]), "1 and 2");
        assert_eq!(NL.percent(0.076), "7,6%");
        assert_eq!(EN.percent(0.076), "7.6%");
    }
}
