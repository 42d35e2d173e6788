//! Text to training batches: the chat template, the user's own text and
//! JSONL pairs (checked line by line), the train / held-out split, and seeded batch sampling.
//!
//! SFT labels come from `objectives::sft_labels` (prompt → ignore_index) and batches from
//! `padding::collate`: the trainer uses the same label and padding code the other views teach.

use ndarray::ArrayView2;

use super::corpus::{Corpus, Language, SftPair};
use super::model::MAX_VOCAB;
use crate::error::{Error, Result};
use crate::objectives::{clm_labels, sft_labels, LabelOptions, SplitMix64};
use crate::padding::{collate, Collate, Example};

pub use super::tokenizer::{Tokenizer, EOS, PAD, UNK};
pub const IGNORE: i32 = -100;

/// Caps on what a user may bring: enough for a real experiment, small enough for a tab.
pub const MAX_TEXT_CHARS: usize = 1_000_000;
pub const MAX_PAIRS: usize = 20_000;

/// How a question and its answer are laid out for the model: `{user}{prompt}{assistant}` is the
/// prompt (masked in SFT), the response follows, then `<eos>`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Template {
    pub user: &'static str,
    pub assistant: &'static str,
}

impl Template {
    pub fn for_language(language: Language) -> Self {
        match language {
            Language::En => Self { user: "Q: ", assistant: "\nA: " },
            Language::Zh => Self { user: "问：", assistant: "\n答：" },
        }
    }

    pub fn prompt(&self, question: &str) -> String {
        format!("{}{question}{}", self.user, self.assistant)
    }
}

/// Reads a user's text argument: a string, or bytes that must be UTF-8.
pub fn utf8(name: &str, bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Error::Parse(format!(
            "{name} is not valid UTF-8: the bytes at offset {} do not decode",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Parses JSONL pairs: one object per non-empty line with string fields `"prompt"` and
/// `"response"`. The first bad line is refused with its number and what is wrong.
pub fn parse_pairs(jsonl: &str) -> Result<Vec<SftPair>> {
    let mut pairs = Vec::new();
    for (i, line) in jsonl.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = |what: String| Error::Parse(format!("pairs, line {}: {what}", i + 1));
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| at(format!("not valid JSON ({e})")))?;
        let obj = value
            .as_object()
            .ok_or_else(|| at("expected an object like {\"prompt\": \"…\", \"response\": \"…\"}".into()))?;
        let field = |name: &str| -> Result<String> {
            match obj.get(name) {
                Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(serde_json::Value::String(_)) => Err(at(format!("\"{name}\" is empty"))),
                Some(_) => Err(at(format!("\"{name}\" must be a string"))),
                None => Err(at(format!("missing \"{name}\""))),
            }
        };
        pairs.push(SftPair { prompt: field("prompt")?, response: field("response")? });
        if pairs.len() > MAX_PAIRS {
            return Err(at(format!("more than {MAX_PAIRS} pairs")));
        }
    }
    Ok(pairs)
}

/// One SFT pair as ids: the templated prompt's tokens, then the response's, then `<eos>`.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedPair {
    pub ids: Vec<i32>,
    pub prompt_len: usize,
}

/// What a batch is scored on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// Pre-training: next-token prediction on every token of the prose.
    Clm,
    /// Alignment: pairs with the prompt masked (-100); only the response counts.
    Sft,
    /// Pairs with every token scored, prompt included: what masking prevents.
    SftUnmasked,
}

impl Objective {
    pub fn name(self) -> &'static str {
        match self {
            Objective::Clm => "clm",
            Objective::Sft => "sft",
            Objective::SftUnmasked => "sft-unmasked",
        }
    }
}

/// `[batch, seq]` input ids and labels (aligned with the inputs: the loss shifts them).
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub ids: Vec<i32>,
    pub labels: Vec<i32>,
    pub batch: usize,
    pub seq: usize,
}

impl Batch {
    /// Positions the loss scores (labels after the shift that are not ignored).
    pub fn num_targets(&self) -> usize {
        self.labels.chunks_exact(self.seq).map(|row| row[1..].iter().filter(|&&l| l != IGNORE).count()).sum()
    }
}

/// The tokenized corpus, split into training and held-out parts.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub tokenizer: Tokenizer,
    pub template: Template,
    pub context: usize,
    pub train_stream: Vec<i32>,
    pub heldout_stream: Vec<i32>,
    pub train_pairs: Vec<EncodedPair>,
    pub heldout_pairs: Vec<EncodedPair>,
    /// The held-out pairs as text, for samples and per-token views.
    pub heldout_text: Vec<SftPair>,
}

/// Every tenth block of `4 · context` tokens of prose, and every fifth pair, are held out.
const HELDOUT_EVERY_BLOCK: usize = 10;
const HELDOUT_EVERY_PAIR: usize = 5;
/// Held-out evaluation is capped so it stays a fraction of a second.
const MAX_EVAL_WINDOWS: usize = 32;
const MAX_EVAL_PAIRS: usize = 64;

impl Dataset {
    /// Trains the tokenizer (`vocab_size` tokens at most) on all of the corpus, then encodes it.
    pub fn new(corpus: &Corpus, template: Template, context: usize, vocab_size: usize) -> Result<Self> {
        let text_chars: usize = corpus.documents.iter().map(|d| d.chars().count()).sum();
        if text_chars > MAX_TEXT_CHARS {
            return Err(Error::Parse(format!(
                "the text has {text_chars} characters; at most {MAX_TEXT_CHARS} are accepted"
            )));
        }
        let prompts: Vec<String> = corpus.pairs.iter().map(|p| template.prompt(&p.prompt)).collect();
        let texts = corpus.documents.iter().map(String::as_str).chain(prompts.iter().map(String::as_str));
        let texts = texts.chain(corpus.pairs.iter().map(|p| p.response.as_str()));
        let tokenizer = Tokenizer::train(texts, vocab_size, MAX_VOCAB)?;

        let mut stream = Vec::new();
        for doc in &corpus.documents {
            stream.extend(tokenizer.encode(doc));
            stream.push(EOS);
        }
        let block = 4 * context;
        let need = 2 * block;
        if stream.len() < need {
            return Err(Error::Parse(format!(
                "the pre-training text has {} tokens; a context of {context} needs at least {need} \
                 (one block to train on and one held out)",
                stream.len()
            )));
        }
        let blocks: Vec<&[i32]> = stream.chunks(block).collect();
        let heldout_block = |i: usize| {
            if blocks.len() >= HELDOUT_EVERY_BLOCK {
                i % HELDOUT_EVERY_BLOCK == HELDOUT_EVERY_BLOCK - 1
            } else {
                i == blocks.len() - 1
            }
        };
        let (mut train_stream, mut heldout_stream) = (Vec::new(), Vec::new());
        for (i, b) in blocks.iter().enumerate() {
            if heldout_block(i) { &mut heldout_stream } else { &mut train_stream }.extend_from_slice(b);
        }

        if corpus.pairs.len() < 2 {
            return Err(Error::Parse(format!(
                "SFT needs at least 2 prompt/response pairs (one to train on, one held out); got {}",
                corpus.pairs.len()
            )));
        }
        let (mut train_pairs, mut heldout_pairs, mut heldout_text) = (Vec::new(), Vec::new(), Vec::new());
        let heldout_pair = |i: usize| {
            if corpus.pairs.len() >= HELDOUT_EVERY_PAIR {
                i % HELDOUT_EVERY_PAIR == HELDOUT_EVERY_PAIR - 1
            } else {
                i == corpus.pairs.len() - 1
            }
        };
        for (i, (pair, prompt)) in corpus.pairs.iter().zip(&prompts).enumerate() {
            let mut ids = tokenizer.encode(prompt);
            let prompt_len = ids.len();
            ids.extend(tokenizer.encode(&pair.response));
            ids.push(EOS);
            if ids.len() > context {
                // Named by position and its opening words: blank JSONL lines make line numbers
                // differ from pair numbers, and bundled pairs have no lines at all.
                let opening: String = pair.prompt.chars().take(24).collect();
                return Err(Error::Parse(format!(
                    "pair {} ({opening:?}…) is {} tokens with the chat template, longer than the context of {context}",
                    i + 1,
                    ids.len()
                )));
            }
            let encoded = EncodedPair { ids, prompt_len };
            if heldout_pair(i) {
                heldout_pairs.push(encoded);
                heldout_text.push(pair.clone());
            } else {
                train_pairs.push(encoded);
            }
        }
        Ok(Self {
            tokenizer,
            template,
            context,
            train_stream,
            heldout_stream,
            train_pairs,
            heldout_pairs,
            heldout_text,
        })
    }

    /// A training batch of `size` sequences for `objective`, drawn with `rng`.
    pub fn sample(&self, objective: Objective, size: usize, rng: &mut SplitMix64) -> Result<Batch> {
        match objective {
            Objective::Clm => {
                let span = self.train_stream.len() - self.context + 1;
                let windows: Vec<&[i32]> = (0..size)
                    .map(|_| {
                        let start = (rng.next_u64() % span as u64) as usize;
                        &self.train_stream[start..start + self.context]
                    })
                    .collect();
                Ok(windows_batch(&windows))
            }
            Objective::Sft | Objective::SftUnmasked => {
                let pairs: Vec<&EncodedPair> = (0..size)
                    .map(|_| &self.train_pairs[(rng.next_u64() % self.train_pairs.len() as u64) as usize])
                    .collect();
                pairs_batch(&pairs, objective == Objective::Sft)
            }
        }
    }

    /// The held-out set of `objective`, in batches of at most `size` sequences.
    pub fn heldout(&self, objective: Objective, size: usize) -> Result<Vec<Batch>> {
        match objective {
            Objective::Clm => {
                let windows: Vec<&[i32]> =
                    self.heldout_stream.chunks_exact(self.context).take(MAX_EVAL_WINDOWS).collect();
                // A held-out part shorter than one context still gets scored, as one short window.
                let windows = if windows.is_empty() { vec![&self.heldout_stream[..]] } else { windows };
                Ok(windows.chunks(size).map(windows_batch).collect())
            }
            Objective::Sft | Objective::SftUnmasked => {
                let pairs: Vec<&EncodedPair> = self.heldout_pairs.iter().take(MAX_EVAL_PAIRS).collect();
                pairs.chunks(size).map(|c| pairs_batch(c, objective == Objective::Sft)).collect()
            }
        }
    }

    /// A prompt and response as the trainer feeds them: the templated prompt, the response and
    /// `<eos>` as ids, and their labels under SFT (prompt masked with -100) or CLM.
    pub fn encode_pair(
        &self,
        prompt: &str,
        response: &str,
        objective: Objective,
    ) -> Result<(EncodedPair, Batch)> {
        let mut ids = self.tokenizer.encode(&self.template.prompt(prompt));
        let prompt_len = ids.len();
        ids.extend(self.tokenizer.encode(response));
        ids.push(EOS);
        let pair = EncodedPair { ids, prompt_len };
        let batch = pairs_batch(&[&pair], objective == Objective::Sft)?;
        Ok((pair, batch))
    }

    /// One held-out pair as a single-sequence batch under `objective`'s labels.
    pub fn heldout_example(&self, index: usize, objective: Objective) -> Result<Batch> {
        let pair =
            self.heldout_pairs.get(index).ok_or_else(|| Error::Parse(format!("no held-out pair {index}")))?;
        pairs_batch(&[pair], objective == Objective::Sft)
    }
}

fn windows_batch(windows: &[&[i32]]) -> Batch {
    let seq = windows[0].len();
    let ids: Vec<i32> = windows.concat();
    let labels = clm_labels(
        ArrayView2::from_shape((windows.len(), seq), &ids).expect("equal windows"),
        &LabelOptions::default(),
    );
    Batch { labels: labels.into_raw_vec_and_offset().0, ids, batch: windows.len(), seq }
}

/// Collates pairs (right padding with `<pad>`, labels with -100) after labelling each one: the
/// prompt masked for SFT, every real token scored otherwise.
fn pairs_batch(pairs: &[&EncodedPair], mask_prompt: bool) -> Result<Batch> {
    let examples = pairs
        .iter()
        .map(|p| {
            let row = ArrayView2::from_shape((1, p.ids.len()), &p.ids).expect("one row");
            let labels = if mask_prompt {
                sft_labels(row, &[p.prompt_len], &LabelOptions::default())?
            } else {
                clm_labels(row, &LabelOptions::default())
            };
            Ok(Example { input_ids: p.ids.clone(), labels: Some(labels.into_raw_vec_and_offset().0) })
        })
        .collect::<Result<Vec<_>>>()?;
    let collated = collate(&examples, &Collate { pad_id: PAD, label_pad_id: IGNORE, ..Collate::default() })?;
    let (batch, seq) = collated.input_ids.dim();
    let labels = collated.labels.expect("every example has labels");
    Ok(Batch {
        ids: collated.input_ids.into_raw_vec_and_offset().0,
        labels: labels.into_raw_vec_and_offset().0,
        batch,
        seq,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn jsonl_errors_name_the_line_and_field() {
        let ok = parse_pairs(
            "{\"prompt\": \"a?\", \"response\": \"b.\"}\n\n{\"prompt\": \"c\", \"response\": \"d\"}",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        let err = parse_pairs("{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"x\"}")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "pairs, line 2: missing \"response\"");
        let err = parse_pairs("{\"prompt\": 3, \"response\": \"b\"}").unwrap_err().to_string();
        assert_eq!(err, "pairs, line 1: \"prompt\" must be a string");
        assert!(parse_pairs("not json")
            .unwrap_err()
            .to_string()
            .starts_with("pairs, line 1: not valid JSON"));
        assert!(utf8("text", &[0x61, 0xff]).unwrap_err().to_string().contains("offset 1"));
    }

    #[test]
    fn sft_batches_mask_the_prompt_and_pad_with_ignore() {
        let corpus = Corpus {
            documents: vec!["the cat sat on the mat. ".repeat(20)],
            pairs: vec![SftPair { prompt: "cat?".into(), response: "mat.".into() }; 2],
        };
        let data = Dataset::new(&corpus, Template::for_language(Language::En), 32, 0).unwrap();
        let p = &data.train_pairs[0];
        assert_eq!(data.tokenizer.decode(&p.ids), "Q: cat?\nA: mat.<eos>");
        let b = pairs_batch(&[p], true).unwrap();
        assert!(b.labels[..p.prompt_len].iter().all(|&l| l == IGNORE));
        assert_eq!(&b.labels[p.prompt_len..], &p.ids[p.prompt_len..]);
        assert_eq!(b.num_targets(), 5); // "mat." and <eos>
        let unmasked = pairs_batch(&[p], false).unwrap();
        assert_eq!(unmasked.labels, p.ids);
    }
}
