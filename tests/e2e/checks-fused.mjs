// The Big tensors view's fused mode: linearCrossEntropy run in its worker, its loss against the
// same call in Node on the same generated inputs and against a float64 reference, the memory it
// used against what the logits would take, the link round-trip, 中文, and screenshots.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./browser.mjs";
import { open, valueOf, textOf, assertClose, assertNoProblems, waitForText } from "./helpers.mjs";
import { fusedInputs } from "../../www/js/fused-inputs.js";

const SHOTS = join(ROOT, "artifacts", "screenshots");

/** hf label-smoothed cross-entropy (mean over active tokens) of the float64 logits of the f32 inputs. @param {ReturnType<typeof fusedInputs>} x @param {number} epsilon */
function referenceLoss(x, epsilon) {
  const [n, d, v] = x.dims;
  let nll = 0;
  let smooth = 0;
  let active = 0;
  const z = new Float64Array(v);
  for (let i = 0; i < n; i++) {
    const y = x.labels[i];
    if (y === -100) continue;
    active++;
    let max = -Infinity;
    for (let c = 0; c < v; c++) {
      let s = x.bias[c];
      for (let k = 0; k < d; k++) s += x.hidden[i * d + k] * x.weight[c * d + k];
      z[c] = s;
      max = Math.max(max, s);
    }
    let sum = 0;
    let sumZ = 0;
    for (let c = 0; c < v; c++) {
      sum += Math.exp(z[c] - max);
      sumZ += z[c];
    }
    const lse = max + Math.log(sum);
    nll += lse - z[y];
    smooth += lse - sumZ / v;
  }
  return ((1 - epsilon) * nll + epsilon * smooth) / active;
}

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function fusedChecks(check, env) {
  check(
    "big tensors, fused: linearCrossEntropy in a worker matches Node and float64, uses less than the logits",
    async () => {
      const { losslab } = await import("../node/load.mjs");
      const [n, d, v, seed, epsilon] = [1024, 32, 30000, 5, 0.1]; // none of them the default: all in the link
      const page = await open(env, `view=big&bseed=${seed}`, { width: 1280, height: 900 });
      assert.equal(
        await page.locator('[data-testid="big-mode"]').inputValue(),
        "logits",
        "old links open the logits mode",
      );
      await page.selectOption('[data-testid="big-mode"]', "fused");
      await page.fill('[data-testid="big-fused-n"]', String(n));
      await page.fill('[data-testid="big-fused-d"]', String(d));
      await page.fill('[data-testid="big-fused-v"]', String(v));
      await page.locator('[data-testid="big-fused-v"]').press("Tab");
      await page.click('[data-testid="big-fused-run"]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="big-fused-loss"]')?.getAttribute("data-value"),
        null,
        { timeout: 120000 },
      );
      const loss = await valueOf(page, "big-fused-loss");
      const used = await valueOf(page, "big-fused-used-bytes");
      const logitsBytes = await valueOf(page, "big-fused-logits-bytes");
      const timeMs = await valueOf(page, "big-fused-time");
      // The Node oracle: the same generator, the same function (simd128 build; the page may load
      // the relaxed-SIMD one, whose fused multiply-adds round differently).
      const x = fusedInputs(losslab, { tokens: n, hidden: d, vocab: v, seed });
      const node = losslab.linearCrossEntropy(x, { epsilon, grad: true });
      assertClose(loss, node.loss ?? NaN, 1e-5, "loss vs linearCrossEntropy in Node");
      const f64 = referenceLoss(x, epsilon);
      assertClose(loss, f64, 1e-5, "loss vs float64");
      assert.equal(logitsBytes, n * v * 4, "logits bytes are N·V·4");
      assert.ok(used !== null && logitsBytes !== null && used < logitsBytes, `used ${used} < logits ${logitsBytes}`);
      assert.equal(await page.locator('[data-testid="big-fused-reason"]').getAttribute("data-value"), "linear-cpu");
      assert.match(await textOf(page, "big-fused-reason"), /linearCrossEntropy runs on the CPU/);

      // The link holds the mode and sizes; opened fresh, it shows them.
      const hash = new URL(page.url()).hash.slice(1);
      for (const part of ["bigmode=fused", `bfn=${n}`, `bfd=${d}`, `bfv=${v}`])
        assert.ok(hash.includes(part), `${part} in ${hash}`);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "big-fused-1280.png"), fullPage: true });
      assertNoProblems(page, "fused");
      await page.close();
      const again = await open(env, hash, { width: 390, height: 844 });
      assert.equal(await again.locator('[data-testid="big-mode"]').inputValue(), "fused");
      assert.equal(await again.locator('[data-testid="big-fused-v"]').inputValue(), String(v));
      assert.ok(await again.locator('[data-testid="big-fused-run"]').isVisible(), "fused controls shown");
      assert.ok(!(await again.locator('[data-testid="big-run"]').isVisible()), "logits controls hidden");
      await again.screenshot({ path: join(SHOTS, "big-fused-390.png"), fullPage: true });
      await again.close();
      return `loss ${loss} (Node ${node.loss}, float64 ${f64}), used ${used} of ${logitsBytes} bytes, ${timeMs?.toFixed(0)} ms`;
    },
  );

  check("big tensors, fused, 中文: the sentence on fusing and the reason in Chinese", async () => {
    const page = await open(env, "lang=zh&view=big&bigmode=fused&bfn=64&bfd=16&bfv=500");
    assert.match(await page.locator(".view-big").innerText(), /32 768 个 token × 128 K 词表时，仅 logits 就有 16 GiB/);
    await page.click('[data-testid="big-fused-run"]');
    await waitForText(page, "big-fused-status", /完成/);
    assert.match(await textOf(page, "big-fused-reason"), /linearCrossEntropy 在 CPU 上运行/);
    assert.ok((await valueOf(page, "big-fused-loss")) !== null);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "big-fused-zh.png"), fullPage: true });
    assertNoProblems(page, "fused zh");
    await page.close();
  });
}
