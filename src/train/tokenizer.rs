//! A BPE tokenizer trained on the corpus itself: characters first, then the most frequent
//! adjacent pair merged into a new token, again and again, up to the vocabulary size.
//!
//! Text is first cut into chunks that merges never cross, as GPT-2 does: a word with the one
//! space before it (" cat"), or any other single character (punctuation, newline). A run of
//! letters with no spaces (Chinese) is one chunk. With no merges this is a character tokenizer.
//! Every choice (ties included) is ordered, so the same text gives the same vocabulary everywhere.

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, Result};

pub const PAD: i32 = 0;
pub const EOS: i32 = 1;
pub const UNK: i32 = 2;
const SPECIALS: [&str; 3] = ["<pad>", "<eos>", "<unk>"];

/// Token pieces and the merges that build them.
#[derive(Clone, Debug, PartialEq)]
pub struct Tokenizer {
    pieces: Vec<String>,
    chars: BTreeMap<char, i32>,
    /// `(left, right) → (rank, merged)`: lower ranks were learned first and apply first.
    merges: HashMap<(i32, i32), (usize, i32)>,
}

/// Cuts text into the chunks merges stay within.
fn chunks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let mut it = rest.char_indices().peekable();
        let (_, first) = it.next()?;
        let mut end = first.len_utf8();
        let word_start =
            first.is_alphanumeric() || (first == ' ' && it.peek().is_some_and(|&(_, c)| c.is_alphanumeric()));
        if word_start {
            for (i, c) in it {
                if !c.is_alphanumeric() {
                    break;
                }
                end = i + c.len_utf8();
            }
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

impl Tokenizer {
    /// Learns a vocabulary of at most `vocab_size` tokens (specials and every character of
    /// `texts` included) from `texts`. Refused when the characters alone need more than
    /// `max_vocab` tokens.
    pub fn train<'a>(
        texts: impl Iterator<Item = &'a str> + Clone,
        vocab_size: usize,
        max_vocab: usize,
    ) -> Result<Self> {
        let alphabet: std::collections::BTreeSet<char> = texts.clone().flat_map(str::chars).collect();
        let base = alphabet.len() + SPECIALS.len();
        if base > max_vocab {
            return Err(Error::Parse(format!(
                "the text has {} distinct characters; with <pad>, <eos> and <unk> that is {base} tokens, \
                 more than the vocabulary cap of {max_vocab}",
                alphabet.len()
            )));
        }
        let mut pieces: Vec<String> = SPECIALS.iter().map(|s| s.to_string()).collect();
        let mut chars = BTreeMap::new();
        for c in alphabet {
            chars.insert(c, pieces.len() as i32);
            pieces.push(c.to_string());
        }
        // Each distinct chunk once, with how often it occurs.
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for text in texts {
            for chunk in chunks(text) {
                *counts.entry(chunk).or_default() += 1;
            }
        }
        let mut words: Vec<(Vec<i32>, usize)> =
            counts.into_iter().map(|(w, n)| (w.chars().map(|c| chars[&c]).collect(), n)).collect();
        let mut merges = HashMap::new();
        while pieces.len() < vocab_size.min(max_vocab) {
            let mut pairs: BTreeMap<(i32, i32), usize> = BTreeMap::new();
            for (ids, n) in &words {
                for w in ids.windows(2) {
                    *pairs.entry((w[0], w[1])).or_default() += n;
                }
            }
            // The most frequent pair; among equals, the first in (left, right) order.
            let Some((&best, &count)) = pairs.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else {
                break;
            };
            if count < 2 {
                break;
            }
            let id = pieces.len() as i32;
            pieces.push(format!("{}{}", pieces[best.0 as usize], pieces[best.1 as usize]));
            merges.insert(best, (merges.len(), id));
            for (ids, _) in &mut words {
                merge(ids, best, id);
            }
        }
        Ok(Self { pieces, chars, merges })
    }

    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    pub fn pieces(&self) -> &[String] {
        &self.pieces
    }

    /// How many merges were learned (0: a character tokenizer).
    pub fn merges(&self) -> usize {
        self.merges.len()
    }

    /// Token ids of `text`; characters never seen in training become `<unk>`.
    pub fn encode(&self, text: &str) -> Vec<i32> {
        let mut out = Vec::with_capacity(text.len());
        for chunk in chunks(text) {
            let mut ids: Vec<i32> = chunk.chars().map(|c| *self.chars.get(&c).unwrap_or(&UNK)).collect();
            // Apply the earliest-learned merge present, until none is.
            while let Some((pair, id)) = ids
                .windows(2)
                .filter_map(|w| self.merges.get(&(w[0], w[1])).map(|&(rank, id)| (rank, (w[0], w[1]), id)))
                .min()
                .map(|(_, pair, id)| (pair, id))
            {
                merge(&mut ids, pair, id);
            }
            out.extend(ids);
        }
        out
    }

    /// The text of `ids`, with special tokens spelled out (`<eos>`).
    pub fn decode(&self, ids: &[i32]) -> String {
        ids.iter().map(|&id| self.pieces.get(id as usize).map_or("<?>", String::as_str)).collect()
    }
}

/// Replaces every non-overlapping occurrence of `pair` in `ids`, left to right, with `id`.
fn merge(ids: &mut Vec<i32>, pair: (i32, i32), id: i32) {
    let mut out = 0;
    let mut i = 0;
    while i < ids.len() {
        if i + 1 < ids.len() && (ids[i], ids[i + 1]) == pair {
            ids[out] = id;
            i += 2;
        } else {
            ids[out] = ids[i];
            i += 1;
        }
        out += 1;
    }
    ids.truncate(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn chunks_keep_a_word_with_its_leading_space() {
        let got: Vec<&str> = chunks("The cat, the  mat.\n青山村很美。").collect();
        assert_eq!(got, ["The", " cat", ",", " the", " ", " mat", ".", "\n", "青山村很美", "。"]);
    }

    #[test]
    fn merges_learn_frequent_words_and_round_trip() {
        let text = "the cat sat on the mat. the cat ate. ".repeat(5);
        let t = Tokenizer::train([text.as_str()].into_iter(), 40, 512).unwrap();
        assert!(t.merges() > 0 && t.len() <= 40);
        let ids = t.encode("the cat sat.");
        assert!(ids.len() < "the cat sat.".chars().count(), "{ids:?}");
        assert_eq!(t.decode(&ids), "the cat sat.");
        assert!(t.pieces().iter().any(|p| p == " cat"));
        assert_eq!(t.encode("the dog"), t.encode("the dog"));
        assert!(t.encode("zq").iter().all(|&id| id == UNK));
        // Without merges it is a character tokenizer.
        let chars = Tokenizer::train([text.as_str()].into_iter(), 0, 512).unwrap();
        assert_eq!(chars.encode("cat").len(), 3);
    }
}
