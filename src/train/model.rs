//! The tiny GPT-2-shaped model: configuration and its caps, parameters in one flat buffer,
//! seeded initialisation, and the forward and backward passes.
//!
//! Token + learned position embeddings, pre-LayerNorm blocks (causal multi-head attention, GELU
//! MLP), a final LayerNorm and an untied LM head. Linear weights are stored `[in, out]` (the
//! transpose of `nn.Linear.weight`) so the forward is `x · W`; `export` gives PyTorch's layout.
//! The loss is not here: the trainer feeds the logits to losslab's cross-entropy and hands its
//! gradient back to [`Model::backward`].

use super::gemm::{gemm, transpose, Mat};
use super::layers::{gelu, gelu_backward, layer_norm, layer_norm_backward, Attention};
use crate::error::{Error, Result};
use crate::objectives::SplitMix64;

/// Sizes of the model. `Default` is the lesson's model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelConfig {
    pub vocab: usize,
    /// The longest sequence the position embeddings cover.
    pub context: usize,
    pub layers: usize,
    pub d_model: usize,
    pub heads: usize,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self { vocab: 128, context: 64, layers: 2, d_model: 64, heads: 4 }
    }
}

/// The largest model the trainer builds: big enough to explore, small enough for one thread.
pub const MAX_VOCAB: usize = 512;
pub const MAX_CONTEXT: usize = 256;
pub const MAX_LAYERS: usize = 8;
pub const MAX_D_MODEL: usize = 256;
pub const MAX_HEADS: usize = 16;

fn cap(name: &'static str, requirement: &'static str, got: usize, ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Option { name, requirement, got: got.to_string() })
    }
}

impl ModelConfig {
    pub fn validate(&self) -> Result<()> {
        cap("vocab", "an integer in [3, 512]", self.vocab, (3..=MAX_VOCAB).contains(&self.vocab))?;
        cap("context", "an integer in [2, 256]", self.context, (2..=MAX_CONTEXT).contains(&self.context))?;
        cap("layers", "an integer in [1, 8]", self.layers, (1..=MAX_LAYERS).contains(&self.layers))?;
        cap("dModel", "an integer in [4, 256]", self.d_model, (4..=MAX_D_MODEL).contains(&self.d_model))?;
        cap("heads", "an integer in [1, 16]", self.heads, (1..=MAX_HEADS).contains(&self.heads))?;
        cap("heads", "a divisor of dModel", self.heads, self.d_model.is_multiple_of(self.heads))
    }

    pub fn head_dim(&self) -> usize {
        self.d_model / self.heads
    }

    pub fn d_ff(&self) -> usize {
        4 * self.d_model
    }
}

/// How a tensor is initialised and whether AdamW decays it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// `N(0, std²)`; matrices, decayed.
    Normal(f32),
    Ones,
    Zeros,
}

/// One named tensor inside the flat parameter buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// PyTorch's name for it (`h.0.attn.c_attn.weight`).
    pub name: String,
    pub offset: usize,
    /// The stored shape; linear weights are `[in, out]`.
    pub shape: Vec<usize>,
    /// Whether the stored form is the transpose of PyTorch's.
    pub transposed: bool,
    pub init: Init,
}

impl Tensor {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }

    /// AdamW's weight decay applies to matrices only, not to biases and LayerNorm gains.
    pub fn decays(&self) -> bool {
        self.shape.len() == 2
    }

    /// PyTorch's shape of the tensor.
    pub fn torch_shape(&self) -> Vec<usize> {
        if self.transposed {
            self.shape.iter().rev().copied().collect()
        } else {
            self.shape.clone()
        }
    }
}

/// Offsets of one block's tensors.
#[derive(Clone, Copy, Debug)]
struct BlockLayout {
    ln1_g: usize,
    ln1_b: usize,
    attn_w: usize,
    attn_b: usize,
    proj_w: usize,
    proj_b: usize,
    ln2_g: usize,
    ln2_b: usize,
    fc_w: usize,
    fc_b: usize,
    out_w: usize,
    out_b: usize,
}

/// Where every tensor lives in the flat buffer.
#[derive(Clone, Debug)]
pub struct Layout {
    pub tensors: Vec<Tensor>,
    pub total: usize,
    wte: usize,
    wpe: usize,
    blocks: Vec<BlockLayout>,
    lnf_g: usize,
    lnf_b: usize,
    head: usize,
}

impl Layout {
    fn new(c: &ModelConfig) -> Self {
        let (d, f, v) = (c.d_model, c.d_ff(), c.vocab);
        let mut tensors = Vec::new();
        let mut total = 0;
        let mut add = |name: String, shape: Vec<usize>, transposed: bool, init: Init| {
            let offset = total;
            total += shape.iter().product::<usize>();
            tensors.push(Tensor { name, offset, shape, transposed, init });
            offset
        };
        // GPT-2's initialisation: N(0, 0.02²), residual projections scaled by 1/√(2·layers).
        let std = 0.02;
        let resid = std / ((2 * c.layers) as f32).sqrt();
        let wte = add("wte.weight".into(), vec![v, d], false, Init::Normal(std));
        let wpe = add("wpe.weight".into(), vec![c.context, d], false, Init::Normal(std));
        let blocks = (0..c.layers)
            .map(|i| {
                let mut t = |suffix: &str, shape: Vec<usize>, init: Init| {
                    let transposed = shape.len() == 2;
                    add(format!("h.{i}.{suffix}"), shape, transposed, init)
                };
                BlockLayout {
                    ln1_g: t("ln_1.weight", vec![d], Init::Ones),
                    ln1_b: t("ln_1.bias", vec![d], Init::Zeros),
                    attn_w: t("attn.c_attn.weight", vec![d, 3 * d], Init::Normal(std)),
                    attn_b: t("attn.c_attn.bias", vec![3 * d], Init::Zeros),
                    proj_w: t("attn.c_proj.weight", vec![d, d], Init::Normal(resid)),
                    proj_b: t("attn.c_proj.bias", vec![d], Init::Zeros),
                    ln2_g: t("ln_2.weight", vec![d], Init::Ones),
                    ln2_b: t("ln_2.bias", vec![d], Init::Zeros),
                    fc_w: t("mlp.c_fc.weight", vec![d, f], Init::Normal(std)),
                    fc_b: t("mlp.c_fc.bias", vec![f], Init::Zeros),
                    out_w: t("mlp.c_proj.weight", vec![f, d], Init::Normal(resid)),
                    out_b: t("mlp.c_proj.bias", vec![d], Init::Zeros),
                }
            })
            .collect();
        let lnf_g = add("ln_f.weight".into(), vec![d], false, Init::Ones);
        let lnf_b = add("ln_f.bias".into(), vec![d], false, Init::Zeros);
        let head = add("lm_head.weight".into(), vec![d, v], true, Init::Normal(std));
        Self { tensors, total, wte, wpe, blocks, lnf_g, lnf_b, head }
    }
}

/// A standard normal from two uniforms (Box–Muller), with `libm` so every platform agrees.
fn normal(rng: &mut SplitMix64) -> f32 {
    let u1 = 1.0 - rng.next_f64(); // in (0, 1]
    let u2 = rng.next_f64();
    (libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)) as f32
}

/// What the forward pass keeps for the backward, per block.
#[derive(Default)]
struct BlockCache {
    x: Vec<f32>,
    ln1: Vec<f32>,
    ln1_mean: Vec<f32>,
    ln1_rstd: Vec<f32>,
    qkv: Vec<f32>,
    probs: Vec<f32>,
    att: Vec<f32>,
    mid: Vec<f32>,
    ln2: Vec<f32>,
    ln2_mean: Vec<f32>,
    ln2_rstd: Vec<f32>,
    fc: Vec<f32>,
    act: Vec<f32>,
    /// GELU's gate σ(2u), kept for its backward.
    gate: Vec<f32>,
}

/// Activations of the last forward pass, and scratch reused across steps.
#[derive(Default)]
pub struct Cache {
    batch: usize,
    seq: usize,
    ids: Vec<i32>,
    blocks: Vec<BlockCache>,
    x_final: Vec<f32>,
    lnf: Vec<f32>,
    lnf_mean: Vec<f32>,
    lnf_rstd: Vec<f32>,
    /// `[batch · seq, vocab]`.
    pub logits: Vec<f32>,
}

/// Sizes a buffer every element of which the caller then writes: no clearing needed.
fn resize(v: &mut Vec<f32>, n: usize) {
    v.resize(n, 0.0);
}

/// The backward pass's working buffers, kept across steps.
#[derive(Default)]
pub struct GradScratch {
    wt: Vec<f32>,
    dln: Vec<f32>,
    dx: Vec<f32>,
    dact: Vec<f32>,
    dfc: Vec<f32>,
    datt: Vec<f32>,
    dqkv: Vec<f32>,
    attention: Vec<f32>,
}

/// The model: configuration, layout and parameters.
#[derive(Clone, Debug)]
pub struct Model {
    pub config: ModelConfig,
    pub layout: Layout,
    pub params: Vec<f32>,
}

/// `y[r, :] = x[r, :] · W + b` for row-major `x` `[rows, n_in]`, `W` `[n_in, n_out]`.
fn linear(x: &[f32], rows: usize, n_in: usize, w: &[f32], b: &[f32], y: &mut [f32]) {
    let n_out = b.len();
    gemm(rows, n_out, n_in, Mat::rows(x, n_in), w, n_out, y, n_out);
    for yr in y.chunks_exact_mut(n_out) {
        for (o, &bias) in yr.iter_mut().zip(b) {
            *o += bias;
        }
    }
}

/// Backward of [`linear`]: `dW = xᵀ · dy` and `db = Σ_rows dy` (written), `dx = dy · Wᵀ`
/// (written when asked for). `wt` is scratch of `n_in · n_out`.
#[allow(clippy::too_many_arguments)]
fn linear_backward(
    x: &[f32],
    rows: usize,
    n_in: usize,
    w: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: Option<&mut [f32]>,
    dx: Option<&mut [f32]>,
    wt: &mut Vec<f32>,
) {
    let n_out = w.len() / n_in;
    gemm(n_in, n_out, rows, Mat::transposed(x, n_in), dy, n_out, dw, n_out);
    if let Some(db) = db {
        db.fill(0.0);
        for dyr in dy.chunks_exact(n_out) {
            for (g, &v) in db.iter_mut().zip(dyr) {
                *g += v;
            }
        }
    }
    if let Some(dx) = dx {
        resize(wt, w.len());
        transpose(w, n_in, n_out, wt);
        gemm(rows, n_in, n_out, Mat::rows(dy, n_out), wt, n_in, dx, n_in);
    }
}

impl Model {
    /// A freshly initialised model; the same config and seed give the same weights everywhere.
    pub fn new(config: ModelConfig, seed: u64) -> Result<Self> {
        config.validate()?;
        let layout = Layout::new(&config);
        let mut params = vec![0.0f32; layout.total];
        let mut rng = SplitMix64::new(seed);
        for t in &layout.tensors {
            let slot = &mut params[t.range()];
            match t.init {
                Init::Normal(std) => slot.iter_mut().for_each(|p| *p = normal(&mut rng) * std),
                Init::Ones => slot.fill(1.0),
                Init::Zeros => slot.fill(0.0),
            }
        }
        Ok(Self { config, layout, params })
    }

    /// Every tensor in PyTorch's name, shape and layout.
    pub fn export(&self) -> Vec<(String, Vec<usize>, Vec<f32>)> {
        self.layout
            .tensors
            .iter()
            .map(|t| (t.name.clone(), t.torch_shape(), self.torch_data(t, &self.params)))
            .collect()
    }

    /// One tensor of `buf` (parameters or gradients) in PyTorch's layout.
    pub fn torch_data(&self, t: &Tensor, buf: &[f32]) -> Vec<f32> {
        let data = &buf[t.range()];
        if t.transposed {
            let mut out = vec![0.0; data.len()];
            transpose(data, t.shape[0], t.shape[1], &mut out);
            out
        } else {
            data.to_vec()
        }
    }

    /// Runs `ids` (`[batch, seq]`, each id `< vocab`, `seq ≤ context`) through the model, leaving
    /// the logits in `cache.logits`.
    pub fn forward(&self, ids: &[i32], batch: usize, seq: usize, cache: &mut Cache) -> Result<()> {
        let c = &self.config;
        if seq == 0 || seq > c.context || ids.len() != batch * seq {
            return Err(Error::Parse(format!(
                "a batch of {batch} × {seq} tokens ({} ids) does not fit a context of {}",
                ids.len(),
                c.context
            )));
        }
        if let Some(&bad) = ids.iter().find(|&&id| id < 0 || id as usize >= c.vocab) {
            return Err(Error::Parse(format!("token id {bad} is outside the vocabulary [0, {})", c.vocab)));
        }
        let (d, f, v, n) = (c.d_model, c.d_ff(), c.vocab, batch * seq);
        let p = &self.params;
        let l = &self.layout;
        cache.batch = batch;
        cache.seq = seq;
        cache.ids = ids.to_vec();
        cache.blocks.resize_with(c.layers, BlockCache::default);

        let mut x = std::mem::take(&mut cache.x_final);
        resize(&mut x, n * d);
        for (r, &id) in ids.iter().enumerate() {
            let (tok, pos) = (&p[l.wte + id as usize * d..][..d], &p[l.wpe + (r % seq) * d..][..d]);
            for ((o, &a), &b) in x[r * d..(r + 1) * d].iter_mut().zip(tok).zip(pos) {
                *o = a + b;
            }
        }
        let attention = Attention { batch, seq, heads: c.heads, head_dim: c.head_dim() };
        let mut kt = vec![0.0f32; c.head_dim() * seq];
        for (bl, bc) in l.blocks.iter().zip(cache.blocks.iter_mut()) {
            bc.x.clone_from(&x);
            for (buf, len) in
                [(&mut bc.ln1, n * d), (&mut bc.ln2, n * d), (&mut bc.att, n * d), (&mut bc.mid, n * d)]
            {
                resize(buf, len);
            }
            for buf in [&mut bc.ln1_mean, &mut bc.ln1_rstd, &mut bc.ln2_mean, &mut bc.ln2_rstd] {
                resize(buf, n);
            }
            resize(&mut bc.qkv, n * 3 * d);
            resize(&mut bc.probs, batch * c.heads * seq * seq);
            resize(&mut bc.fc, n * f);
            resize(&mut bc.act, n * f);
            resize(&mut bc.gate, n * f);

            layer_norm(
                &x,
                d,
                &p[bl.ln1_g..][..d],
                &p[bl.ln1_b..][..d],
                &mut bc.ln1,
                &mut bc.ln1_mean,
                &mut bc.ln1_rstd,
            );
            linear(&bc.ln1, n, d, &p[bl.attn_w..][..d * 3 * d], &p[bl.attn_b..][..3 * d], &mut bc.qkv);
            attention.forward(&bc.qkv, &mut bc.probs, &mut bc.att, &mut kt);
            linear(&bc.att, n, d, &p[bl.proj_w..][..d * d], &p[bl.proj_b..][..d], &mut bc.mid);
            for (m, &xi) in bc.mid.iter_mut().zip(&x) {
                *m += xi;
            }
            layer_norm(
                &bc.mid,
                d,
                &p[bl.ln2_g..][..d],
                &p[bl.ln2_b..][..d],
                &mut bc.ln2,
                &mut bc.ln2_mean,
                &mut bc.ln2_rstd,
            );
            linear(&bc.ln2, n, d, &p[bl.fc_w..][..d * f], &p[bl.fc_b..][..f], &mut bc.fc);
            gelu(&bc.fc, &mut bc.act, &mut bc.gate);
            linear(&bc.act, n, f, &p[bl.out_w..][..f * d], &p[bl.out_b..][..d], &mut x);
            for (o, &m) in x.iter_mut().zip(&bc.mid) {
                *o += m;
            }
        }
        for (buf, len) in [(&mut cache.lnf, n * d), (&mut cache.lnf_mean, n), (&mut cache.lnf_rstd, n)] {
            resize(buf, len);
        }
        layer_norm(
            &x,
            d,
            &p[l.lnf_g..][..d],
            &p[l.lnf_b..][..d],
            &mut cache.lnf,
            &mut cache.lnf_mean,
            &mut cache.lnf_rstd,
        );
        cache.x_final = x;
        resize(&mut cache.logits, n * v);
        gemm(n, v, d, Mat::rows(&cache.lnf, d), &p[l.head..][..d * v], v, &mut cache.logits, v);
        Ok(())
    }

    /// Backpropagates `dlogits` (`[batch · seq, vocab]`, the loss's gradient with respect to the
    /// logits of the last forward pass) and writes every parameter's gradient into `grads`.
    pub fn backward(&self, cache: &Cache, dlogits: &[f32], grads: &mut [f32], scratch: &mut GradScratch) {
        let c = &self.config;
        let (d, f, v) = (c.d_model, c.d_ff(), c.vocab);
        let (batch, seq) = (cache.batch, cache.seq);
        let n = batch * seq;
        let p = &self.params;
        let l = &self.layout;
        grads.fill(0.0);
        let GradScratch { wt, dln, dx, dact, dfc, datt, dqkv, attention: attn_scratch } = scratch;
        for (buf, len) in [
            (&mut *dln, n * d),
            (&mut *dact, n * f),
            (&mut *dfc, n * f),
            (&mut *datt, n * d),
            (&mut *dqkv, n * 3 * d),
        ] {
            resize(buf, len);
        }
        resize(attn_scratch, seq * seq + c.head_dim() * seq);
        // The residual stream's gradient is accumulated into: it starts at zero.
        dx.clear();
        dx.resize(n * d, 0.0);

        // LM head, then the final LayerNorm.
        linear_backward(
            &cache.lnf,
            n,
            d,
            &p[l.head..][..d * v],
            dlogits,
            &mut grads[l.head..][..d * v],
            None,
            Some(dln.as_mut_slice()),
            wt,
        );
        {
            let (dg, db) = grads[l.lnf_g..l.lnf_b + d].split_at_mut(d);
            layer_norm_backward(
                &cache.x_final,
                d,
                &p[l.lnf_g..][..d],
                &cache.lnf_mean,
                &cache.lnf_rstd,
                dln,
                dx,
                dg,
                db,
            );
        }

        let attention = Attention { batch, seq, heads: c.heads, head_dim: c.head_dim() };
        for (bl, bc) in l.blocks.iter().zip(&cache.blocks).rev() {
            // MLP: x_out = mid + W_out · gelu(W_fc · ln2(mid)); dx is d x_out.
            {
                let (dw, db) = split_pair(grads, bl.out_w, f * d, bl.out_b, d);
                linear_backward(
                    &bc.act,
                    n,
                    f,
                    &p[bl.out_w..][..f * d],
                    dx,
                    dw,
                    Some(db),
                    Some(dact.as_mut_slice()),
                    wt,
                );
            }
            gelu_backward(&bc.fc, &bc.gate, dact, dfc);
            {
                let (dw, db) = split_pair(grads, bl.fc_w, d * f, bl.fc_b, f);
                linear_backward(
                    &bc.ln2,
                    n,
                    d,
                    &p[bl.fc_w..][..d * f],
                    dfc,
                    dw,
                    Some(db),
                    Some(dln.as_mut_slice()),
                    wt,
                );
            }
            // dx now becomes d mid: the residual path plus the LayerNorm's share.
            {
                let (dg, db) = grads[bl.ln2_g..bl.ln2_b + d].split_at_mut(d);
                layer_norm_backward(
                    &bc.mid,
                    d,
                    &p[bl.ln2_g..][..d],
                    &bc.ln2_mean,
                    &bc.ln2_rstd,
                    dln,
                    dx,
                    dg,
                    db,
                );
            }
            // Attention: mid = x + W_proj · attn(W_attn · ln1(x)).
            {
                let (dw, db) = split_pair(grads, bl.proj_w, d * d, bl.proj_b, d);
                linear_backward(
                    &bc.att,
                    n,
                    d,
                    &p[bl.proj_w..][..d * d],
                    dx,
                    dw,
                    Some(db),
                    Some(datt.as_mut_slice()),
                    wt,
                );
            }
            attention.backward(&bc.qkv, &bc.probs, datt, dqkv, attn_scratch);
            {
                let (dw, db) = split_pair(grads, bl.attn_w, d * 3 * d, bl.attn_b, 3 * d);
                linear_backward(
                    &bc.ln1,
                    n,
                    d,
                    &p[bl.attn_w..][..d * 3 * d],
                    dqkv,
                    dw,
                    Some(db),
                    Some(dln.as_mut_slice()),
                    wt,
                );
            }
            {
                let (dg, db) = grads[bl.ln1_g..bl.ln1_b + d].split_at_mut(d);
                layer_norm_backward(
                    &bc.x,
                    d,
                    &p[bl.ln1_g..][..d],
                    &bc.ln1_mean,
                    &bc.ln1_rstd,
                    dln,
                    dx,
                    dg,
                    db,
                );
            }
        }
        // Embeddings: scatter-add by token id and by position.
        for (r, &id) in cache.ids.iter().enumerate() {
            let row = &dx[r * d..(r + 1) * d];
            for (g, &x) in grads[l.wte + id as usize * d..][..d].iter_mut().zip(row) {
                *g += x;
            }
            for (g, &x) in grads[l.wpe + (r % seq) * d..][..d].iter_mut().zip(row) {
                *g += x;
            }
        }
    }
}

/// Two disjoint tensors of one buffer: a weight at `a` (`a_len`) and its bias at `b` (`b_len`),
/// where `a + a_len ≤ b` as the layout places them.
fn split_pair(buf: &mut [f32], a: usize, a_len: usize, b: usize, b_len: usize) -> (&mut [f32], &mut [f32]) {
    let (head, tail) = buf.split_at_mut(b);
    (&mut head[a..a + a_len], &mut tail[..b_len])
}
