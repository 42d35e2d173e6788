// Per-token analytics in the playground: the temperature control, the predicted token, rank,
// entropy and perplexity per position, accuracy and perplexity overall — each read back from the
// page and compared with the module run in Node on the same state; the link round-trip, 中文, and
// a phone-width screenshot of the panel.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { open, valueOf, assertClose, assertNoProblems } from "./helpers.mjs";
import { losslab } from "../node/load.mjs";
import { lossOptions } from "../../www/js/compute.js";
import { defaultState } from "../../www/js/state.js";
import { SHOTS } from "./checks-a11y.mjs";

/** The playground's main call, in Node (the plain simd128 build; the page runs the relaxed one). @param {import("../../www/js/state.js").State} s */
function expected(s) {
  const T = s.logits.length;
  const V = s.vocab.length;
  const input = { logits: Float32Array.from(s.logits.flat()), dims: [1, T, V], labels: Int32Array.from(s.labels) };
  return losslab.crossEntropy(input, lossOptions(s, { stats: ["entropy", "rank", "predicted"] }));
}

/**
 * What the page shows: accuracy, perplexity and, per position, the values behind the row text.
 * @param {import("playwright-core").Page} page
 */
async function shown(page) {
  const rows = await page.locator('[data-testid="token-stats"] li').evaluateAll((lis) =>
    lis.map((li) => ({
      position: Number(/** @type {HTMLElement} */ (li).dataset.position),
      entropy: Number(/** @type {HTMLElement} */ (li).dataset.entropy),
      rank: Number(/** @type {HTMLElement} */ (li).dataset.rank),
      predicted: Number(/** @type {HTMLElement} */ (li).dataset.predicted),
      perplexity: Number(/** @type {HTMLElement} */ (li).dataset.perplexity),
      text: li.textContent ?? "",
    })),
  );
  return { accuracy: await valueOf(page, "accuracy"), perplexity: await valueOf(page, "perplexity"), rows };
}

/** The page's numbers against the module's for state `s`. @param {Awaited<ReturnType<typeof shown>>} got @param {import("../../www/js/state.js").State} s @param {string} what */
function compare(got, s, what) {
  const r = expected(s);
  // Relaxed SIMD (page) and plain simd128 (Node) may differ in the last bits: 1e-6 relative.
  assertClose(got.accuracy, r.accuracy, 0, `${what}: accuracy`);
  assertClose(got.perplexity, r.perplexity, 1e-6, `${what}: perplexity`);
  const n = r.perTokenNll.length;
  assert.equal(got.rows.length, n, `${what}: one row per scored position`);
  for (let p = 0; p < n; p++) {
    const row = got.rows[p];
    assert.equal(row.position, p);
    assert.equal(row.rank, r.perTokenRank?.[p], `${what}: rank at ${p}`);
    assert.equal(row.predicted, r.predicted?.[p], `${what}: predicted at ${p}`);
    assertClose(row.entropy, r.perTokenEntropy?.[p] ?? null, 1e-6, `${what}: entropy at ${p}`);
    assertClose(row.perplexity, Math.exp(r.perTokenNll[p]), 1e-6, `${what}: perplexity at ${p}`);
    assert.ok(row.text.includes(s.vocab[r.predicted?.[p] ?? -1]), `${what}: row ${p} names the predicted token`);
  }
  return r;
}

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function analyticsChecks(check, env) {
  check("analytics: temperature set through the UI; accuracy, perplexity, entropy, rank = the module", async () => {
    const page = await open(env);
    const s = defaultState();
    assert.equal(await valueOf(page, "temperature-value"), 1);
    compare(await shown(page), s, "T = 1");
    await page.fill('[data-testid="temperature-number"]', "2.5");
    await page.waitForSelector('[data-testid="temperature-value"][data-value="2.5"]');
    const hot = await shown(page);
    const r = compare(hot, { ...s, temperature: 2.5 }, "T = 2.5");
    // The slider moves with the box, and keyboard steps on it are 0.05.
    assert.equal(await page.inputValue('[data-testid="temperature"]'), "2.5");
    await page.focus('[data-testid="temperature"]');
    for (let k = 0; k < 4; k++) await page.keyboard.press("ArrowLeft");
    await page.waitForSelector('[data-testid="temperature-value"][data-value="2.3"]');
    compare(await shown(page), { ...s, temperature: 2.3 }, "T = 2.3");
    // Sharpening and flattening: entropy rises with T at every position and stays below ln V.
    await page.fill('[data-testid="temperature-number"]', "0.5");
    await page.waitForSelector('[data-testid="temperature-value"][data-value="0.5"]');
    const cold = await shown(page);
    await page.fill('[data-testid="temperature-number"]', "5");
    await page.waitForSelector('[data-testid="temperature-value"][data-value="5"]');
    const flat = await shown(page);
    const lnV = Math.log(s.vocab.length);
    for (let p = 0; p < cold.rows.length; p++) {
      assert.ok(
        cold.rows[p].entropy < hot.rows[p].entropy && hot.rows[p].entropy < flat.rows[p].entropy,
        `entropy at ${p}`,
      );
      assert.ok(flat.rows[p].entropy < lnV, `entropy at ${p} below ln V`);
      assert.equal(cold.rows[p].predicted, flat.rows[p].predicted, "dividing keeps the argmax");
    }
    assertNoProblems(page, "analytics controls");
    await page.close();
    return `accuracy ${hot.accuracy}, perplexity ${hot.perplexity?.toFixed(4)} at T = 2.5 (ranks ${Array.from(r.perTokenRank ?? []).join(",")})`;
  });

  check("analytics: the temperature survives a shared link, and 中文 says it in Chinese", async () => {
    const page = await open(env);
    await page.fill('[data-testid="temperature-number"]', "0.35");
    await page.waitForSelector('[data-testid="temperature-value"][data-value="0.35"]');
    const before = await shown(page);
    const hash = (await page.evaluate(() => location.hash)).slice(1);
    assert.match(hash, /(^|&)temp=0\.35(&|$)/);
    await page.close();
    const again = await open(env, hash);
    assert.equal(await valueOf(again, "temperature-value"), 0.35);
    assert.deepEqual(await shown(again), before, "the same numbers from the link");
    await again.close();
    const zh = await open(env, `${hash}&lang=zh`);
    const after = await shown(zh);
    assert.deepEqual(
      after.rows.map(({ text: _text, ...rest }) => rest),
      before.rows.map(({ text: _text, ...rest }) => rest),
    );
    assert.match(after.rows[0].text, /预测：.*（标签 .*，排名 \d+）· 熵 .* 奈特/);
    const panel = (await zh.locator('[data-widget="tokenStats"]').textContent()) ?? "";
    assert.match(panel, /准确率/);
    assert.match(panel, /困惑度/);
    assert.match(panel, /温度 T = 0\.35/);
    assertNoProblems(zh, "analytics in 中文");
    await zh.close();
    return hash;
  });

  check("analytics: the panel at 390 px wide (artifacts/screenshots/analytics-390.png)", async () => {
    mkdirSync(SHOTS, { recursive: true });
    const page = await open(env, "temp=2.5", { width: 390, height: 844 });
    const card = page.locator('[data-widget="tokenStats"]');
    await card.scrollIntoViewIfNeeded();
    const box = await card.boundingBox();
    assert.ok(box && box.width <= 390, `the panel is ${box?.width} px wide`);
    const overflow = await card.evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 1, `the panel scrolls sideways by ${overflow} px`);
    const path = join(SHOTS, "analytics-390.png");
    await card.screenshot({ path });
    // The temperature control beside the other options, at the same width.
    const controls = page.locator('[data-widget="controls"]');
    await controls.scrollIntoViewIfNeeded();
    const controlsOverflow = await controls.evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(controlsOverflow <= 1, `the options scroll sideways by ${controlsOverflow} px`);
    await controls.screenshot({ path: join(SHOTS, "analytics-controls-390.png") });
    assertNoProblems(page, "analytics at 390 px");
    await page.close();
    return path;
  });
}
