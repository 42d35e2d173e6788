// The engineer's path: "Copy as PyTorch" writes the exact tensors, options and loss; every summary
// number copies its exact value; Big tensors exports its inputs as .npy files that read back.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { open, valueOf, textOf, assertNoProblems, assertClose, waitForText } from "./helpers.mjs";
import { decodeHash } from "../../www/js/state.js";
import { parseNpy, writeNpy } from "../../www/js/npy.js";

const SHOTS = "artifacts/screenshots";

/** Grants the page's origin the clipboard, so clicks copy in headless Chromium. @param {import("./helpers.mjs").Env} env */
const allowClipboard = (env) =>
  env.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(env.base).origin });

/** @param {import("playwright-core").Page} page */
const clipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

/** Clicks "Copy as PyTorch" and returns the cell shown, after checking the clipboard holds the same. @param {import("playwright-core").Page} page */
async function copyPytorch(page) {
  await page.click('[data-testid="copy-pytorch"]');
  await page.waitForSelector('[data-testid="pytorch-cell"]:not([hidden])');
  const cell = await page.inputValue('[data-testid="pytorch-cell"]');
  assert.equal(await clipboard(page), cell, "the clipboard holds the cell shown");
  return cell;
}

/**
 * The cell's logits rows and labels as numbers, read back as Python reads them (every number a
 * float64, then rounded to float32 by torch.tensor(..., dtype=torch.float32)).
 * @param {string} cell
 */
function tensorsOf(cell) {
  const py = (/** @type {string} */ x) =>
    x === 'float("nan")' ? NaN : x === 'float("inf")' ? Infinity : x === '-float("inf")' ? -Infinity : Number(x);
  const block = /logits = torch\.tensor\(\[\[\n([\s\S]*?)\n\]\], dtype=torch\.float32\)/.exec(cell);
  assert.ok(block, "the cell has a float32 logits tensor");
  const rows = block[1].split("\n").map((line) => {
    const m = /^ {4}\[(.*)\],$/.exec(line);
    assert.ok(m, `a logits row: ${line}`);
    return m[1].split(", ").map(py);
  });
  const labels = /labels = torch\.tensor\(\[\[(.*)\]\]\)/.exec(cell);
  assert.ok(labels, "the cell has a labels tensor");
  return { rows, labels: labels[1].split(", ").map(Number) };
}

/** The 17-digit expected value of the cell, and its text. @param {string} cell */
function expectedOf(cell) {
  const m = /^EXPECTED = (\S+) {2}# losslab's loss, 17 significant digits$/m.exec(cell);
  assert.ok(m, "the cell has EXPECTED with 17 significant digits");
  const digits = m[1].replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "");
  assert.equal(digits.length, 17, `EXPECTED ${m[1]} has 17 significant digits`);
  assert.match(cell, /^assert abs\(loss\.item\(\) - EXPECTED\) < tol, /m);
  return Number(m[1]);
}

/** The cell holds exactly the state's logits (as float32) and labels. @param {string} cell @param {string} hash */
function assertSameTensors(cell, hash) {
  const { state } = decodeHash(`#${hash}`);
  const { rows, labels } = tensorsOf(cell);
  const want = state.logits.map((row) => Array.from(Float32Array.from(row)));
  assert.deepEqual(
    rows.map((row) => Array.from(Float32Array.from(row))),
    want,
    "the cell's logits are the page's float32 logits",
  );
  assert.deepEqual(labels, state.labels, "the cell's labels are the page's");
}

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function engineerChecks(check, env) {
  check("engineer: Copy as PyTorch writes the tensors, options and 17-digit loss of 3 states", async () => {
    await allowClipboard(env);
    const states = [
      {
        hash: "",
        has: [
          "from transformers.trainer_pt_utils import LabelSmoother",
          "EPSILON = 0.1\n",
          "IGNORE_INDEX = -100\n",
          "smoother = LabelSmoother(epsilon=EPSILON, ignore_index=IGNORE_INDEX)",
          'loss = smoother({"logits": logits}, labels, shift_labels=False)',
        ],
        not: ["F.cross_entropy", "WEIGHT", "CAP", "Z_LOSS"],
      },
      {
        hash: "sem=torch&red=sum&cw=1,2,0.5,1,1,3,1,0.25&eps=0.2",
        has: [
          "import torch.nn.functional as F",
          "EPSILON = 0.2\n",
          "WEIGHT = torch.tensor([1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0, 0.25], dtype=torch.float32)",
          "rows, targets = logits.reshape(-1, 8), labels.reshape(-1)",
          'loss = F.cross_entropy(rows, targets, weight=WEIGHT, ignore_index=IGNORE_INDEX, reduction="sum", label_smoothing=EPSILON)',
        ],
        not: ["LabelSmoother", "shift_labels"],
      },
      {
        hash: "shift=1&ii=7&labels=-100,2,3,4,5,7&logits=0.1,1e-7,-3.25,2,0,0,0,0;1,2,3,4,5,6,7,8;0,0,0,0,0,0,0,0;1.5,-1.5,0,0,0,0,0,0;0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3;9,-9,0,0,0,0,0,0",
        has: [
          "IGNORE_INDEX = 7\n",
          "    [0.1, 1e-7, -3.25, 2.0, 0.0, 0.0, 0.0, 0.0],",
          'loss = smoother({"logits": logits}, labels, shift_labels=True)',
        ],
        not: ["F.cross_entropy", "WEIGHT"],
      },
    ];
    const seen = [];
    for (const [i, st] of states.entries()) {
      const page = await open(env, st.hash);
      const cell = await copyPytorch(page);
      for (const s of st.has) assert.ok(cell.includes(s), `state ${i}: the cell should contain ${JSON.stringify(s)}`);
      for (const s of st.not)
        assert.ok(!cell.includes(s), `state ${i}: the cell should not contain ${JSON.stringify(s)}`);
      assertSameTensors(cell, st.hash);
      const shown = await valueOf(page, "loss");
      const expected = expectedOf(cell);
      assert.ok(shown !== null && Number.isFinite(shown), `state ${i}: a finite loss is shown`);
      assert.equal(expected, shown, `state ${i}: the cell's 17 digits are the displayed loss's exact value`);
      if (i === 1) {
        await page.locator('[data-testid="pytorch-cell"]').scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SHOTS}/engineer-pytorch-cell.png`, fullPage: false });
      }
      assertNoProblems(page, `state ${i}`);
      seen.push(expected);
      await page.close();
    }
    return `losses ${seen.join(", ")}`;
  });

  check("engineer: the PyTorch cell follows the state, and is refused with the inputs", async () => {
    await allowClipboard(env);
    const page = await open(env, "sem=torch&z=0.01&cap=5&nib=4");
    let cell = await copyPytorch(page);
    for (const s of [
      "x = CAP * torch.tanh(logits / CAP)",
      "NUM_ITEMS_IN_BATCH = 4.0",
      'loss = F.cross_entropy(rows, targets, ignore_index=IGNORE_INDEX, reduction="sum", label_smoothing=EPSILON) / NUM_ITEMS_IN_BATCH',
      "loss = loss + Z_LOSS * (lse[active] ** 2).sum() / D",
    ])
      assert.ok(cell.includes(s), `the cell should contain ${JSON.stringify(s)}`);
    assert.equal(expectedOf(cell), await valueOf(page, "loss"));
    // Editing ε rewrites the cell shown.
    await page.fill('[data-testid="eps"]', "0.3");
    await page.waitForFunction(() =>
      /** @type {HTMLTextAreaElement} */ (document.querySelector('[data-testid="pytorch-cell"]')).value.includes(
        "EPSILON = 0.3\n",
      ),
    );
    cell = await page.inputValue('[data-testid="pytorch-cell"]');
    assert.equal(expectedOf(cell), await valueOf(page, "loss"));
    // Class weights in hf semantics: the module refuses them, so there is no cell to copy.
    await page.click('[data-testid="sem-hf"]');
    await page.fill('[data-testid="class-weights"]', "1, 2, 1, 1, 1, 1, 1, 1");
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.equal(await page.isDisabled('[data-testid="copy-pytorch"]'), true, "no cell for refused inputs");
    assert.equal(await page.isHidden('[data-testid="pytorch-cell"]'), true);
    assert.equal(await page.isDisabled('[data-testid="copy-loss"]'), true, "no value to copy");
    // A trailing comma is an error in the field, not a zero weight.
    await page.click('[data-testid="sem-torch"]');
    await page.fill('[data-testid="class-weights"]', "1, 2,");
    assert.equal(await page.getAttribute('[data-testid="class-weights"]', "aria-invalid"), "true");
    await page.close();
  });

  check("engineer: every summary number copies its exact value, with Copied feedback (en, 中文, phone)", async () => {
    await allowClipboard(env);
    const ids = ["loss", "nll", "smooth", "z-loss", "num-active"];
    for (const [lang, width] of /** @type {const} */ ([
      ["en", 1280],
      ["zh", 390],
    ])) {
      const page = await open(env, `z=0.01&lang=${lang}`, { width, height: 900 });
      for (const id of ids) {
        const exact = await page.getAttribute(`[data-testid="${id}"]`, "data-value");
        assert.ok(exact && Number.isFinite(Number(exact)), `${id} has an exact value`);
        const button = page.locator(`[data-testid="copy-${id}"]`);
        assert.ok(await button.evaluate((b) => b.classList.contains("copy-num")), `copy-${id} has class copy-num`);
        const before = (await button.textContent()) ?? "";
        await button.click();
        assert.equal(await clipboard(page), exact, `copy-${id} copies ${exact}`);
        const after = (await button.textContent()) ?? "";
        assert.equal(after, lang === "en" ? "Copied" : "已复制", `copy-${id} says it copied`);
        assert.notEqual(after, before);
        if (id === "loss") {
          // More digits than shown: the copy is the full float64.
          const shown = await textOf(page, "loss");
          assert.ok(exact.length > shown.length, `copied ${exact} is longer than shown ${shown}`);
          await page.locator(".summary-card").screenshot({ path: `${SHOTS}/engineer-copy-${lang}-${width}.png` });
        }
      }
      // The feedback goes away again.
      await page.waitForFunction(() => !document.querySelector(".copy-num.copied"), null, { timeout: 5000 });
      const note = (await page.textContent(".precision-note")) ?? "";
      assert.match(note, lang === "en" ? /float64 sums over float32 inputs/ : /float64 求和/);
      assertNoProblems(page, lang);
      await page.close();
    }
  });

  bigExportChecks(check, env);
}

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
function bigExportChecks(check, env) {
  check("engineer: the .npy writer round-trips float32, int32 and int64 arrays and refuses a wrong shape", async () => {
    const f = Float32Array.from([0.1, -0, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, -2.5]);
    const back = parseNpy(writeNpy(f, [2, 4]));
    assert.equal(back.dtype, "<f4");
    assert.deepEqual(back.shape, [2, 4]);
    assert.deepEqual(new Uint8Array(back.data.buffer), new Uint8Array(f.buffer), "float32 bits survive");
    const i = Int32Array.from([-100, 0, 2147483647, -2147483648]);
    const bi = parseNpy(writeNpy(i, [4]));
    assert.deepEqual([bi.dtype, bi.shape, Array.from(bi.data)], ["<i4", [4], Array.from(i)]);
    const l = BigInt64Array.from([-100n, 0n, 31999n, 7n, 2147483647n, -1n]);
    const bl = parseNpy(writeNpy(l, [2, 3]));
    assert.deepEqual([bl.dtype, bl.shape, Array.from(bl.data)], ["<i8", [2, 3], [-100, 0, 31999, 7, 2147483647, -1]]);
    // The header is padded so the data starts on a 16-byte boundary, as numpy writes it.
    const bytes = writeNpy(f, [2, 4]);
    assert.equal((10 + new DataView(bytes.buffer).getUint16(8, true)) % 16, 0);
    assert.throws(() => writeNpy(f, [3, 3]), /needs 9 values, got 8/);
  });

  check("engineer: Big tensors exports its generated logits (float32) and labels (int64) as .npy", async () => {
    const hash = "view=big&bb=2&bt=8&bv=1000&bseed=5&bscale=4";
    const page = await open(env, hash);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="big-loss-cpu"]')?.getAttribute("data-value"),
    );
    const cpuLoss = Number(await page.getAttribute('[data-testid="big-loss-cpu"]', "data-value"));
    /** @param {"logits" | "labels"} which */
    const download = async (which) => {
      const [file] = await Promise.all([
        page.waitForEvent("download"),
        page.click(`[data-testid="big-export-${which}"]`),
      ]);
      assert.equal(file.suggestedFilename(), `losslab-${which}-2x8x1000-seed5.npy`);
      const path = await file.path();
      const npy = parseNpy(readFileSync(path));
      await file.delete();
      return npy;
    };
    const logits = await download("logits");
    assert.equal(logits.dtype, "<f4");
    assert.deepEqual(logits.shape, [2, 8, 1000]);
    await waitForText(page, "big-export-status", /Saved losslab-logits-2x8x1000-seed5\.npy \(62\.6 KiB\)/);
    const labels = await download("labels");
    assert.equal(labels.dtype, "<i8");
    assert.deepEqual(labels.shape, [2, 8]);
    const title = (await page.getAttribute('[data-testid="big-export-labels"]', "title")) ?? "";
    assert.match(title, /int64/);
    // The same numbers as the module's generator, and the loss the page computed on them.
    const { losslab } = await import("../node/load.mjs");
    assert.deepEqual(Array.from(logits.data), Array.from(losslab.hashLogits(16000, 5, 4)));
    assert.deepEqual(Array.from(labels.data), Array.from(losslab.hashLabels(16, 1000, 6, -100)));
    const r = losslab.crossEntropy(
      { logits: /** @type {Float32Array} */ (logits.data), dims: [2, 8, 1000], labels: Int32Array.from(labels.data) },
      { epsilon: 0.1 },
    );
    // 1e-9, not equality: the page may run the relaxed-SIMD build (fused multiply-add), Node the plain one.
    assertClose(r.loss, cpuLoss, 1e-9, "the exported inputs give the page's loss");
    await page.locator('[data-testid="big-export-logits"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/engineer-big-export.png` });
    assertNoProblems(page, "big export");
    await page.close();
    return `loss ${cpuLoss} from the downloaded files`;
  });
}
