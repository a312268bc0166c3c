//! Stemming with a memory: a token filter that gives each word the stem tantivy's own
//! `Stemmer` would (the same Snowball algorithms, from the same crate), remembering the stems
//! it made per thread. Speech repeats its words: in the benchmark corpus stemming every token
//! afresh was about a seventh of an import's CPU time, most of it the same few thousand words.

use crate::lexicon::HashMap;
use std::cell::RefCell;

use frostem::Algorithm;
use tantivy::tokenizer::{Language, Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per thread and language. Emptied when it holds this many: the few thousand
/// words most of speech is made of are soon back. At 100,000 the two indexing threads' caches
/// held 26 MB at the end of a 900-participant import (docs/PERFORMANCE.md).
const REMEMBERED: usize = 25_000;

thread_local! {
    static DUTCH: RefCell<HashMap<String, String>> = RefCell::new(HashMap::default());
    static ENGLISH: RefCell<HashMap<String, String>> = RefCell::new(HashMap::default());
}

/// The languages the index stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stemming {
    Dutch,
    English,
}

impl Stemming {
    pub(super) fn of(language: Language) -> Option<Stemming> {
        match language {
            Language::Dutch => Some(Stemming::Dutch),
            Language::English => Some(Stemming::English),
            _ => None,
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Stemming::Dutch => Algorithm::Dutch,
            Stemming::English => Algorithm::English,
        }
    }

    /// Replaces `word` by its stem, remembered.
    fn stem_in_place(self, word: &mut String) {
        let cache = match self {
            Stemming::Dutch => &DUTCH,
            Stemming::English => &ENGLISH,
        };
        cache.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(stem) = cache.get(word.as_str()) {
                word.clear();
                word.push_str(stem);
                return;
            }
            let stem = frostem::Stemmer::new(self.algorithm())
                .stem(word)
                .into_owned();
            if cache.len() >= REMEMBERED {
                cache.clear();
            }
            cache.insert(std::mem::replace(word, stem.clone()), stem);
        });
    }
}

/// A token filter that stems each token (see the module's documentation).
#[derive(Clone, Copy)]
pub(super) struct CachedStemmer(pub(super) Stemming);

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = StemTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemTokenizer<T> {
        StemTokenizer {
            inner: tokenizer,
            stemming: self.0,
        }
    }
}

#[derive(Clone)]
pub(super) struct StemTokenizer<T> {
    inner: T,
    stemming: Stemming,
}

impl<T: Tokenizer> Tokenizer for StemTokenizer<T> {
    type TokenStream<'a> = StemStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemStream {
            words: self.inner.token_stream(text),
            stemming: self.stemming,
        }
    }
}

pub(super) struct StemStream<T> {
    words: T,
    stemming: Stemming,
}

impl<T: TokenStream> TokenStream for StemStream<T> {
    fn advance(&mut self) -> bool {
        if !self.words.advance() {
            return false;
        }
        self.stemming
            .stem_in_place(&mut self.words.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.words.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.words.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    use super::{CachedStemmer, Stemming};

    fn tokens(mut a: TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.offset_from));
        }
        out
    }

    /// The remembered stems are the ones tantivy's own stemmer gives, the second time a word
    /// comes as the first, in both languages.
    #[test]
    fn stems_as_tantivy_does_also_when_remembered() {
        let texts = [
            (
                Language::Dutch,
                "De groepsgesprekken hielpen; de gesprekken hielpen mij. Lopen, liep, gelopen.",
            ),
            (
                Language::English,
                "Running meetings helped; the meetings helped me. Recovery, recovering, recovered.",
            ),
        ];
        for (language, text) in texts {
            let stemming = Stemming::of(language).expect("a stemmed language");
            let base = || TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser);
            let expected = tokens(base().filter(Stemmer::new(language)).build(), text);
            for _ in 0..2 {
                let got = tokens(base().filter(CachedStemmer(stemming)).build(), text);
                assert_eq!(got, expected, "{language:?}");
            }
        }
    }
}
