//! The index's layout: one entry per speaker turn, with its ids and filters as exact fields,
//! and its words analysed three ways (Dutch stemmed, English stemmed, exact), each after
//! lower-casing and accent folding, and a fourth for Dutch turns: the parts of compounds,
//! stemmed (`parts`).

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};

/// Bumped whenever the index layout changes: an older index is rebuilt.
pub(super) const LAYOUT: u32 = 3;
pub(super) const META_FILE: &str = "narrata-index.json";

#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) turn: Field,
    pub(super) doc: Field,
    pub(super) participant: Field,
    pub(super) wave: Field,
    pub(super) speaker: Field,
    pub(super) kind: Field,
    pub(super) codes: Field,
    pub(super) text_nl: Field,
    pub(super) text_en: Field,
    /// The words folded, unstemmed: only its word list is read (to expand wildcards), so it
    /// keeps which turns have a word, not how often or where.
    pub(super) exact: Field,
    /// The parts of a Dutch turn's compounds, stemmed; no positions (no phrase reaches it).
    pub(super) parts: Field,
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        turn: b.add_u64_field("turn", INDEXED | STORED | FAST),
        doc: b.add_u64_field("doc", INDEXED | STORED | FAST),
        participant: b.add_text_field("participant", STRING | STORED),
        wave: b.add_text_field("wave", STRING | STORED),
        speaker: b.add_text_field("speaker", STRING | STORED),
        kind: b.add_text_field("kind", STRING),
        codes: b.add_u64_field("codes", INDEXED),
        text_nl: b.add_text_field("text_nl", text("narrata_nl")),
        text_en: b.add_text_field("text_en", text("narrata_en")),
        exact: b.add_text_field(
            "exact",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("narrata_exact")
                    .set_fieldnorms(false)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        parts: b.add_text_field(
            "parts",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("narrata_parts")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
    };
    (b.build(), fields)
}

pub(super) fn analyzer(language: Option<Language>) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match language {
        Some(l) => match super::stem::Stemming::of(l) {
            Some(s) => base.filter(super::stem::CachedStemmer(s)).build(),
            None => base.filter(Stemmer::new(l)).build(),
        },
        None => base.build(),
    }
}

/// The tokens `analyzer` makes of `text`, joined: a query word as the index keeps it (folded,
/// or stemmed), or nothing when the analyser drops it.
pub(super) fn analysed(analyzer: &TextAnalyzer, text: &str) -> String {
    let mut a = analyzer.clone();
    let mut stream = a.token_stream(text);
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}

/// The analysers for writing the index. The `parts` field cuts each word into its parts.
pub(super) fn register(index: &Index) {
    let t = index.tokenizers();
    t.register("narrata_nl", analyzer(Some(Language::Dutch)));
    t.register("narrata_en", analyzer(Some(Language::English)));
    t.register("narrata_exact", analyzer(None));
    t.register(
        "narrata_parts",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(super::compound::CompoundParts)
            .filter(super::stem::CachedStemmer(super::stem::Stemming::Dutch))
            .build(),
    );
}

/// The analysers for reading the index with the query parser: a query word for the `parts`
/// field is one part, stemmed as the parts were (it is not cut again).
pub(super) fn register_for_queries(index: &Index) {
    register(index);
    index
        .tokenizers()
        .register("narrata_parts", analyzer(Some(Language::Dutch)));
}
