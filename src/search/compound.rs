//! The index's view of Dutch compounds: a token filter that replaces each word by the words it
//! is made of (`lexicon::compounds`), for the `parts` field, so that a search for "groep"
//! also finds the turns that say "zelfhulpgroep" or "groepsgesprek", ranked after the turns
//! that say the word itself (`query`).

use crate::lexicon::HashMap;
use std::cell::RefCell;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per indexing thread with their parts: speech repeats its words, and
/// cutting a word costs some dozens of dictionary look-ups. Emptied when it holds this many
/// (at 200,000, 13 MB at the end of a 900-participant import).
const REMEMBERED: usize = 50_000;

thread_local! {
    static CUTS: RefCell<HashMap<String, Vec<String>>> = RefCell::new(HashMap::default());
}

/// The parts of a lower-cased word, remembered.
fn parts_of(word: &str, out: &mut Vec<String>) {
    // Most words of speech are short: no compound, and no look-up to learn it.
    if word.len() < crate::lexicon::compounds::MIN_WORD {
        return;
    }
    CUTS.with(|cuts| {
        let mut cuts = cuts.borrow_mut();
        if let Some(found) = cuts.get(word) {
            out.extend(found.iter().cloned());
            return;
        }
        let found: Vec<String> = crate::lexicon::compounds::parts(word)
            .into_iter()
            .map(str::to_owned)
            .collect();
        out.extend(found.iter().cloned());
        if cuts.len() >= REMEMBERED {
            cuts.clear();
        }
        cuts.insert(word.to_owned(), found);
    });
}

/// Replaces each token by its compound parts (at the token's place); a word that is no
/// compound gives no token.
#[derive(Clone, Default)]
pub(super) struct CompoundParts;

impl TokenFilter for CompoundParts {
    type Tokenizer<T: Tokenizer> = PartsTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PartsTokenizer<T> {
        PartsTokenizer {
            inner: tokenizer,
            pending: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub(super) struct PartsTokenizer<T> {
    inner: T,
    pending: Vec<Token>,
}

impl<T: Tokenizer> Tokenizer for PartsTokenizer<T> {
    type TokenStream<'a> = PartsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.pending.clear();
        PartsStream {
            words: self.inner.token_stream(text),
            pending: &mut self.pending,
            texts: Vec::new(),
            none: Token::default(),
        }
    }
}

pub(super) struct PartsStream<'a, T> {
    words: T,
    /// The current word's parts still to give, last first.
    pending: &'a mut Vec<Token>,
    texts: Vec<String>,
    /// What `token` shows before the first `advance` (never read by tantivy).
    none: Token,
}

impl<T: TokenStream> TokenStream for PartsStream<'_, T> {
    fn advance(&mut self) -> bool {
        self.pending.pop();
        while self.pending.is_empty() {
            if !self.words.advance() {
                return false;
            }
            let word = self.words.token();
            self.texts.clear();
            parts_of(&word.text, &mut self.texts);
            for text in self.texts.drain(..).rev() {
                self.pending.push(Token {
                    text,
                    ..word.clone()
                });
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.pending.last().unwrap_or(&self.none)
    }

    fn token_mut(&mut self) -> &mut Token {
        self.pending.last_mut().unwrap_or(&mut self.none)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};

    use super::CompoundParts;

    #[test]
    fn each_compound_gives_its_parts_at_its_place_and_other_words_nothing() {
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CompoundParts)
            .build();
        let mut stream = a.token_stream("De Zelfhulpgroep had een groepsgesprek.");
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), t.position, t.offset_from));
        }
        let expected: Vec<(String, usize, usize)> = [
            ("zelfhulp", 1, 3),
            ("groep", 1, 3),
            ("groep", 4, 25),
            ("gesprek", 4, 25),
        ]
        .into_iter()
        .map(|(t, p, o)| (t.to_owned(), p, o))
        .collect();
        assert_eq!(got, expected);
    }
}
