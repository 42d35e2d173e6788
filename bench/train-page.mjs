// The training benchmark's page. bench/train.mjs opens a fresh page per engine, so each trains in
// a fresh renderer with fresh wasm memory: `prepare` builds the model and optimiser, `warmup`
// takes untimed steps, `timed` takes N steps against the clock, `finish` reports the losses.
// Both engines train the same model at the same shapes with the same optimiser settings; one
// step is forward, loss, backward, gradient clipping and the optimiser update, plus whatever it
// takes to get the step's loss into JavaScript (it is read every step, as a training loop does).

/** @typedef {import("@tensorflow/tfjs-core").Tensor} Tensor */
/** @typedef {import("@tensorflow/tfjs-core").GradSaveFunc} GradSaveFunc */
/**
 * The model and training settings both engines share.
 * @typedef {{ engine: string, vocab: number, context: number, layers: number, dModel: number, heads: number, batch: number, seed: number,
 *   optim: { lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, clip: number } }} Config
 */
/**
 * An engine ready to train: what it is, a step function (returns the last step's loss), its losses so far.
 * @typedef {{ info: { config: { vocab: number, context: number, layers: number, dModel: number, heads: number }, parameters: number, optimizer: string, data: string } & Record<string, unknown>, step: (n: number) => number,
 *   losses: () => number[], memoryBytes: () => number | null, extra: () => { tensors?: number } }} Engine
 */

/** The page's engine, once `prepare` has built it. @type {{ engine?: Engine, tensorsAfterPrepare?: number }} */
const S = {};

const now = () => performance.now();
/** @param {unknown} e */
const message = (e) => String((e instanceof Error ? e.message : undefined) ?? e).slice(0, 500);
/** The engine `prepare` built (every other call comes after it). */
const engine = () => {
  if (!S.engine) throw new Error("no engine: prepare first");
  return S.engine;
};

// URLs of the page's own server, not paths the type checker resolves.
const TRAIN_ENTRY = "/pkg/train/index.js";
const TFJS_GRADIENTS = "@tensorflow/tfjs-core/dist/register_all_gradients";

// ---------------------------------------------------------------------------------------------
// losslab: the trainer's own wasm build, its corpus, its batches

/** @param {Config} c @returns {Promise<Engine>} */
async function losslabEngine(c) {
  /** @type {typeof import("../pkg/train/index.js")} */
  const mod = await import(TRAIN_ENTRY);
  const exports = await mod.default();
  const trainer = mod.Trainer.create({
    corpus: "en",
    vocabSize: c.vocab,
    context: c.context,
    layers: c.layers,
    dModel: c.dModel,
    heads: c.heads,
    seed: c.seed,
  });
  const snap = trainer.snapshot();
  // The longest run there is, so it never ends (and evaluates, samples, keeps a checkpoint)
  // inside a timed stretch; the cosine schedule only changes the rate, not the work.
  const o = c.optim;
  trainer.beginRun({
    steps: 100000,
    batchSize: c.batch,
    lr: o.lr,
    beta1: o.beta1,
    beta2: o.beta2,
    adamEps: o.eps,
    weightDecay: o.weightDecay,
    clip: o.clip,
    evalEvery: 0,
    loss: { epsilon: 0 },
  });
  return {
    info: {
      config: snap.config,
      parameters: snap.parameters,
      optimizer: `AdamW (decoupled weight decay ${o.weightDecay} on matrices), global-norm clip ${o.clip}, warm-up + cosine rate`,
      data: "the bundled English corpus, the trainer's own batches",
    },
    step: (n) => trainer.step(n).loss,
    losses: () => Array.from(trainer.snapshot().runs.at(-1)?.trainLoss ?? []),
    memoryBytes: () => exports.memory.buffer.byteLength,
    extra: () => ({}),
  };
}

// ---------------------------------------------------------------------------------------------
// tfjs: the same GPT written with tfjs-core ops, wasm SIMD backend, one thread

async function loadTfjs() {
  const tf = await import("@tensorflow/tfjs-core");
  // What the @tensorflow/tfjs union package does: tfjs-core alone registers no gradients.
  await import(TFJS_GRADIENTS);
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths("/node_modules/@tensorflow/tfjs-backend-wasm/dist/");
  wasm.setThreadsCount(1);
  // bench/server.mjs makes the pages cross-origin isolated (for onnxruntime-web's threads), where
  // the wasm backend would pick its threaded binary: keep the single-threaded SIMD one measured.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
  await tf.ready();
  const info = {
    version: tf.version_core,
    backend: tf.getBackend(),
    simd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
    multithread: tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"),
    threads: wasm.getThreadsCount(),
  };
  return { tf, info };
}

/** mulberry32: the page's seeded uniforms (tfjs's own random ops need seedrandom, shimmed out). @param {number} seed */
function uniforms(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** @param {number} n @param {number} std @param {() => number} rand */
function normals(n, std, rand) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = std * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }
  return out;
}

/** The wasm backend's heap, when the backend is tfjs-backend-wasm. @typedef {{ wasm?: { HEAPU8?: Uint8Array } }} WasmBackend */

/** @param {Config} c @param {{ explicitTranspose: boolean }} options @returns {Promise<Engine>} */
async function tfjsEngine(c, { explicitTranspose }) {
  const { tf, info } = await loadTfjs();
  const { vocab: V, context: T, layers: L, dModel: D, heads: H, batch: B } = c;
  const hd = D / H;
  const N = B * T;
  const rand = uniforms(c.seed + 1);

  // GPT-2's initialisation, as losslab's model: N(0, 0.02²), residual projections scaled by
  // 1/√(2·layers); linear weights stored [in, out] so the forward is x · W.
  /** @type {Record<string, import("@tensorflow/tfjs-core").Variable>} */
  const vars = {};
  /** @type {import("@tensorflow/tfjs-core").Variable[]} */
  const decayed = [];
  /** @param {string} name @param {number[]} shape @param {number | "ones" | "zeros"} init */
  const param = (name, shape, init) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data =
      init === "ones"
        ? new Float32Array(size).fill(1)
        : init === "zeros"
          ? new Float32Array(size)
          : normals(size, init, rand);
    const v = tf.variable(tf.tensor(data, shape), true, name);
    vars[name] = v;
    if (shape.length === 2) decayed.push(v); // AdamW decays matrices only, as losslab and PyTorch
    return v;
  };
  const std = 0.02;
  const resid = std / Math.sqrt(2 * L);
  const wte = param("wte", [V, D], std);
  const wpe = param("wpe", [T, D], std);
  /** @type {Record<string, import("@tensorflow/tfjs-core").Variable>[]} */
  const blocks = [];
  for (let i = 0; i < L; i++) {
    blocks.push({
      ln1g: param(`h${i}.ln1.g`, [D], "ones"),
      ln1b: param(`h${i}.ln1.b`, [D], "zeros"),
      attnW: param(`h${i}.attn.w`, [D, 3 * D], std),
      attnB: param(`h${i}.attn.b`, [3 * D], "zeros"),
      projW: param(`h${i}.proj.w`, [D, D], resid),
      projB: param(`h${i}.proj.b`, [D], "zeros"),
      ln2g: param(`h${i}.ln2.g`, [D], "ones"),
      ln2b: param(`h${i}.ln2.b`, [D], "zeros"),
      fcW: param(`h${i}.fc.w`, [D, 4 * D], std),
      fcB: param(`h${i}.fc.b`, [4 * D], "zeros"),
      outW: param(`h${i}.out.w`, [4 * D, D], resid),
      outB: param(`h${i}.out.b`, [D], "zeros"),
    });
  }
  const lnfg = param("lnf.g", [D], "ones");
  const lnfb = param("lnf.b", [D], "zeros");
  const head = param("lm_head", [D, V], std); // untied, no bias
  const varList = Object.values(vars);
  const parameters = varList.reduce((a, v) => a + v.size, 0);

  // A large negative rather than -inf: exp underflows to the same 0, and 0·(-inf) cannot make
  // a NaN anywhere in the backward pass.
  const maskData = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskData[i * T + j] = -1e9;
  const mask = tf.tensor2d(maskData, [T, T]);

  // tf.gather's gradient needs UnsortedSegmentSum, which the wasm backend lacks; scatterND sums
  // duplicate rows, so it is the same gradient at the cost of the gather (a one-hot matmul would
  // add an LM-head-sized product to each pass).
  const embed = tf.customGrad((...args) => {
    const [table, ids] = /** @type {[Tensor, Tensor]} */ (args);
    return {
      value: tf.gather(table, ids),
      gradFunc: (dy) => [tf.scatterND(tf.reshape(ids, [-1, 1]), dy, table.shape), tf.zerosLike(ids)],
    };
  });
  // Linear layers. tfjs's own matMul gradient multiplies by transposed operands (transposeA for
  // dW, transposeB for dx), which the wasm backend's BatchMatMul runs about 10× slower than the
  // untransposed product at these shapes; `explicitTranspose` gives the layers a gradient that
  // transposes first (tf.transpose, cheap) and multiplies untransposed: the same numbers, fast.
  /** @type {(x: Tensor, w: Tensor, b: Tensor) => Tensor} */
  const plainLinear = (x, w, b) => tf.fused.matMul({ a: x, b: w, bias: b });
  const transposedLinear = tf.customGrad((...args) => {
    const [x, w, b, save] = /** @type {[Tensor, Tensor, Tensor, GradSaveFunc]} */ (args);
    save([x, w]);
    return {
      value: tf.fused.matMul({ a: x, b: w, bias: b }),
      gradFunc: (dy, [xs, ws]) => [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy), tf.sum(dy, 0)],
    };
  });
  const transposedHead = tf.customGrad((...args) => {
    const [x, w, save] = /** @type {[Tensor, Tensor, GradSaveFunc]} */ (args);
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy, [xs, ws]) => [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)],
    };
  });
  const linear = explicitTranspose ? transposedLinear : plainLinear;
  /** @type {(x: Tensor, w: Tensor) => Tensor} */
  const lmHead = explicitTranspose ? transposedHead : (x, w) => tf.matMul(x, w);
  /** @type {(x: Tensor, g: Tensor, b: Tensor) => Tensor} */
  const layerNorm = (x, g, b) => {
    const xc = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.square(xc), -1, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };
  const c0 = Math.sqrt(2 / Math.PI);
  const gelu = (/** @type {Tensor} */ x) =>
    tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(x, tf.square(x)), 0.044715)), c0))));
  const splitHeads = (/** @type {Tensor} */ t) => tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]);
  /** @param {Tensor} x @param {Record<string, Tensor>} p */
  const attention = (x, p) => {
    const [q, k, v] = tf.split(linear(x, p.attnW, p.attnB), 3, 1).map(splitHeads);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), mask);
    const y = tf.matMul(tf.softmax(scores), v); // [B, H, T, hd]
    return linear(tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [N, D]), p.projW, p.projB);
  };
  /** @param {Tensor} ids @param {Tensor} targets */
  const lossOf = (ids, targets) => {
    let x = tf.reshape(tf.add(tf.reshape(embed(wte, ids), [B, T, D]), wpe), [N, D]);
    for (const p of blocks) {
      x = tf.add(x, attention(layerNorm(x, p.ln1g, p.ln1b), p));
      x = tf.add(x, linear(gelu(linear(layerNorm(x, p.ln2g, p.ln2b), p.fcW, p.fcB)), p.outW, p.outB));
    }
    const logits = tf.reshape(lmHead(layerNorm(x, lnfg, lnfb), head), [B, T, V]);
    // Shifted labels: position t is scored against token t+1; the last position has no label.
    const scored = tf.reshape(tf.slice(logits, [0, 0, 0], [B, T - 1, V]), [B * (T - 1), V]);
    return tf.losses.softmaxCrossEntropy(targets, scored); // mean over the B·(T−1) targets
  };

  // Speed does not depend on the tokens, but "the loss falls" needs something learnable:
  // each sequence steps through the vocabulary from a random start by a random stride.
  const strides = [1, 2, 3, 5, 7];
  const batch = () => {
    const ids = new Int32Array(N);
    const labels = new Int32Array(B * (T - 1));
    for (let b = 0; b < B; b++) {
      const start = Math.floor(rand() * V);
      const stride = strides[Math.floor(rand() * strides.length)];
      for (let t = 0; t < T; t++) ids[b * T + t] = (start + stride * t) % V;
      for (let t = 0; t < T - 1; t++) labels[b * (T - 1) + t] = ids[b * T + t + 1];
    }
    // Cast from int32: the wasm OneHot kernel writes zeros when asked for float32 directly.
    return /** @type {[Tensor, Tensor]} */ (
      tf.tidy(() => [tf.tensor1d(ids, "int32"), tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), V), "float32")])
    );
  };

  // tfjs has Adam but no AdamW: the decoupled decay p ← p·(1 − lr·wd) is applied to the matrices
  // just before Adam's update, which is the order torch.optim.AdamW uses. Constant rate: the
  // schedule is a scalar per step and does not change the work.
  const o = c.optim;
  const optimizer = tf.train.adam(o.lr, o.beta1, o.beta2, o.eps);
  const decay = 1 - o.lr * o.weightDecay;
  /** @type {number[]} */
  const losses = [];
  const oneStep = () => {
    const [ids, targets] = batch();
    const { value, grads } = tf.variableGrads(
      () => /** @type {import("@tensorflow/tfjs-core").Scalar} */ (lossOf(ids, targets)),
      varList,
    );
    tf.tidy(() => {
      // Global-norm clipping as torch.nn.utils.clip_grad_norm_: scale by clip / (norm + 1e-6)
      // when that is below 1, in tensors (no read-back).
      const g = Object.values(grads);
      const norm = tf.sqrt(tf.addN(g.map((x) => tf.sum(tf.square(x)))));
      const scale = tf.minimum(1, tf.div(o.clip, tf.add(norm, 1e-6)));
      for (const v of decayed) v.assign(tf.mul(v, decay));
      optimizer.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, x]) => [k, tf.mul(x, scale)])));
    });
    const loss = value.dataSync()[0];
    tf.dispose([value, ids, targets, ...Object.values(grads)]);
    losses.push(loss);
    return loss;
  };

  return {
    info: {
      ...info,
      config: { vocab: V, context: T, layers: L, dModel: D, heads: H },
      parameters,
      optimizer: `tf.train.adam + decoupled weight decay ${o.weightDecay} on matrices (AdamW), global-norm clip ${o.clip}, constant rate`,
      data: "synthetic token streams (random start, random stride), learnable",
    },
    step: (n) => {
      let loss = NaN;
      for (let i = 0; i < n; i++) loss = oneStep();
      return loss;
    },
    losses: () => losses.slice(),
    memoryBytes: () =>
      /** @type {WasmBackend} */ (/** @type {unknown} */ (tf.backend())).wasm?.HEAPU8?.buffer?.byteLength ?? null,
    // A tensor count that grows step by step would mean a leak, and a slower step over time.
    extra: () => ({ tensors: tf.memory().numTensors }),
  };
}

// ---------------------------------------------------------------------------------------------

/** @type {Record<string, (c: Config) => Promise<Engine>>} */
const ENGINES = {
  losslab: losslabEngine,
  tfjs: (c) => tfjsEngine(c, { explicitTranspose: false }),
  "tfjs-transposed": (c) => tfjsEngine(c, { explicitTranspose: true }),
};

/** @param {Config} cfg @returns {Promise<{ status: "ok", info: Engine["info"], prepareMs: number } | { status: "failed", message: string }>} */
async function prepare(cfg) {
  try {
    const t0 = now();
    const e = await ENGINES[cfg.engine](cfg);
    S.engine = e;
    S.tensorsAfterPrepare = e.extra().tensors;
    return { status: "ok", info: e.info, prepareMs: now() - t0 };
  } catch (e) {
    return { status: "failed", message: message(e) };
  }
}

/** Untimed steps, one at a time: at least `steps`, and at least `minMs` of them. The first is
 *  cold (heap growth, V8 tiering up the wasm); the rest estimate the step time.
 * @param {{ steps: number, minMs: number }} request */
function warmup({ steps, minMs }) {
  /** @type {number[]} */
  const ms = [];
  const t0 = now();
  while (ms.length < steps || now() - t0 < minMs) {
    const t = now();
    engine().step(1);
    ms.push(now() - t);
  }
  return { steps: ms.length, stepMs: ms };
}

/** @param {{ steps: number }} request */
function timed({ steps }) {
  const t0 = now();
  const loss = engine().step(steps);
  return { ms: now() - t0, loss };
}

function finish() {
  const losses = engine().losses();
  return {
    losses,
    memoryBytes: engine().memoryBytes(),
    tensorsAfterPrepare: S.tensorsAfterPrepare,
    ...engine().extra(),
  };
}

/** What bench/train.mjs calls in the page. */
export const trainBench = { prepare, warmup, timed, finish };
window.trainBench = trainBench;
