// Playground checks: golden cases through shared links, edits through the real controls, language
// toggle and keyboard use.
import assert from "node:assert/strict";
import { open, valueOf, textOf, assertClose, assertSixDigits, assertNoProblems, goldenLink, num } from "./helpers.mjs";
import { labelSmootherF64, goldenCases } from "./oracle.mjs";
import { defaultState } from "../../www/js/state.js";

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function playgroundChecks(check, env) {
  // Every golden case that fits the playground (B = 1, T, V ≤ 16, no class weights), opened as a link:
  // the displayed loss must equal PyTorch's expected.loss to 6 significant digits.
  check("golden cases as shared links: displayed loss = PyTorch to 6 significant digits", async () => {
    let n = 0;
    let errors = 0;
    const page = await open(env);
    for (const c of goldenCases()) {
      const link = goldenLink(c);
      if (!link) continue;
      await page.goto(`${env.base}index.html#${link}`);
      await page.reload();
      await page.waitForSelector("#app[data-ready=true]");
      const want = c.expected;
      if (c.error) {
        // PyTorch raises here; the page shows the module's refusal in words and no loss.
        assert.ok(await page.locator('[data-testid="error"]').isVisible(), `${c.name}: no refusal shown`);
        assert.match(
          await textOf(page, "error"),
          /refused this input: .*(out of range|must|negative|label)/i,
          `${c.name}: refusal text`,
        );
        assert.equal(await textOf(page, "loss"), "—");
        errors++;
        continue;
      }
      if (want.loss === null) {
        // reduction none: the per-token losses are shown instead of a scalar.
        const perToken = want.perTokenLoss;
        assert.ok(perToken, `${c.name}: no per-token losses in the golden case`);
        // One cell per position; the positions past the scored rows (shifted away) show none.
        const T = c.dims[1];
        assert.equal(await page.locator('[data-testid^="token-loss-"]').count(), T, `${c.name}: per-token cells`);
        for (let r = 0; r < T; r++) {
          const text = await textOf(page, `token-loss-${r}`);
          if (r < perToken.length) assertClose(Number(text), num(perToken[r]), 5e-4, `${c.name} per-token loss ${r}`);
          else assert.equal(text, "—", `${c.name}: position ${r} has no scored row`);
        }
      } else {
        assertClose(await valueOf(page, "loss"), num(want.loss), 1e-6, `${c.name} loss`);
        assertSixDigits(await textOf(page, "loss"), num(want.loss), `${c.name} displayed loss`);
        assert.equal(await valueOf(page, "num-active"), want.numActive, `${c.name} numActive`);
        if (c.options.semantics === "hf" && !c.options.zLossScale) {
          assertClose(await valueOf(page, "nll"), num(want.nll), 1e-6, `${c.name} nll`);
          assertClose(await valueOf(page, "smooth"), num(want.smooth), 1e-6, `${c.name} smooth`);
        }
        if (!Number.isFinite(num(want.loss))) {
          const notes = await page.locator('[data-testid="notes"] li').allTextContents();
          assert.ok(
            notes.length > 0 && notes.some((t) => /NaN|inf/.test(t)),
            `${c.name}: a non-finite loss must be explained in words`,
          );
        }
      }
      assert.match(await textOf(page, "backend"), /^cpu-(simd|scalar)$/);
      n++;
    }
    assertNoProblems(page, "golden links");
    await page.close();
    assert.ok(n >= 14 && errors >= 3, `only ${n} golden cases (${errors} refusals) fit the playground`);
    return `${n} golden losses, ${errors} golden refusals`;
  });

  // The control-driven check. Expected value: the float64 LabelSmoother of oracle.mjs, which the suite
  // first proves against the PyTorch golden vectors (checkOracle in run.mjs).
  check("edit a logit, a label and ε through the controls: loss = float64 LabelSmoother", async () => {
    const page = await open(env);
    const s = defaultState();
    await page.fill('[data-testid="logit-0-1"]', "2.5");
    await page.selectOption('[data-testid="label-2"]', "-100");
    await page.focus('[data-testid="eps-range"]');
    for (let k = 0; k < 15; k++) await page.keyboard.press("ArrowRight"); // 0.10 → 0.25 in steps of 0.01
    assert.equal(await page.inputValue('[data-testid="eps"]'), "0.25");
    const logits = s.logits.map((r) => r.slice());
    logits[0][1] = 2.5;
    const labels = s.labels.slice();
    labels[2] = -100;
    const want = labelSmootherF64({ logits: logits.flat(), dims: [1, 6, 8], labels }, { epsilon: 0.25 });
    assertClose(await valueOf(page, "loss"), want.loss, 1e-6, "loss after edits");
    assertSixDigits(await textOf(page, "loss"), want.loss, "displayed loss after edits");
    assert.equal(await textOf(page, "num-active"), "5");
    assertClose(await valueOf(page, "nll"), want.nll, 1e-6, "nll");
    assertClose(await valueOf(page, "smooth"), want.smooth, 1e-6, "smooth");
    // The trace of LabelSmoother ends in the same number.
    assertClose(await valueOf(page, "trace-result"), want.loss, 1e-6, "trace result");
    // The link followed the edits.
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /eps=0\.25/);
    assert.match(hash, /labels=1,2,-100,4,5,7/);
    assertNoProblems(page, "controls");
    await page.close();
    return `loss ${want.loss.toPrecision(7)}`;
  });

  check("restore a golden case through the controls (hf_basic, from a perturbed link)", async () => {
    const c = goldenCases().find((x) => x.name === "hf_basic");
    assert.ok(c && c.logits && c.expected.loss !== null, "no hf_basic case with logits and a loss");
    const wantLoss = num(c.expected.loss);
    const link = (goldenLink(c) ?? "").replace("eps=0.1", "eps=0.3").replace("labels=1,2,0,0", "labels=1,-100,0,0");
    const perturbed = link.replace(/logits=([^;]*);([^,]*),/, "logits=$1;9,");
    const page = await open(env, perturbed);
    assert.notEqual((await valueOf(page, "loss"))?.toPrecision(6), wantLoss.toPrecision(6));
    await page.fill('[data-testid="logit-1-0"]', String(c.logits[5]));
    await page.selectOption('[data-testid="label-1"]', "2");
    await page.fill('[data-testid="eps"]', "0.1");
    assertClose(await valueOf(page, "loss"), wantLoss, 1e-6, "hf_basic restored");
    assertSixDigits(await textOf(page, "loss"), wantLoss, "hf_basic displayed");
    assertNoProblems(page, "restore");
    await page.close();
  });

  check("NaN and ±inf are explained in words", async () => {
    const page = await open(env, "labels=-100,-100,-100,-100,-100,-100");
    assert.equal(await textOf(page, "loss"), "NaN");
    const notes = await page.locator('[data-testid="notes"] li').allTextContents();
    assert.ok(
      notes.some((t) => /every label is ignored.*0 by 0/.test(t)),
      `notes: ${notes}`,
    );
    await page.fill('[data-testid="logit-0-0"]', "-inf");
    await page.selectOption('[data-testid="label-0"]', "1");
    assert.equal(await textOf(page, "loss"), "+∞");
    assert.ok((await page.locator('[data-testid="notes"] li').allTextContents()).some((t) => /-inf logit/.test(t)));
    // 中文: the same explanation, translated.
    await page.click('[data-testid="lang-toggle"]');
    const zh = await page.locator('[data-testid="notes"] li').allTextContents();
    assert.ok(
      zh.some((t) => /-inf logit：该类概率为 0/.test(t)),
      `zh notes: ${zh}`,
    );
    assertNoProblems(page, "non-finite");
    await page.close();
  });

  check("language toggle: 中文 UI, kept in the link", async () => {
    const page = await open(env);
    await page.click('[data-testid="lang-toggle"]');
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    assert.equal(await page.textContent('[data-testid="nav-objectives"]'), "预训练 vs 对齐");
    assert.match(await page.evaluate(() => location.hash), /lang=zh/);
    await page.click('[data-testid="lang-toggle"]');
    assert.equal(await page.textContent('[data-testid="nav-objectives"]'), "Pre-training vs alignment");
    assertNoProblems(page, "lang");
    await page.close();
  });

  check("keyboard: skip link, visible focus, arrow keys on a logit", async () => {
    const page = await open(env);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.className), "skip");
    const outline = await page.evaluate(
      () => getComputedStyle(/** @type {Element} */ (document.activeElement)).outlineStyle,
    );
    assert.notEqual(outline, "none", "focused control shows no outline");
    const cell = page.locator('[data-testid="logit-3-4"]');
    await cell.focus();
    const before = await valueOf(page, "loss");
    await page.keyboard.press("ArrowDown");
    assert.equal(await cell.inputValue(), "3.1");
    assert.notEqual(await valueOf(page, "loss"), before);
    await page.keyboard.press("Shift+ArrowUp");
    assert.equal(await cell.inputValue(), "4.1");
    assertNoProblems(page, "keyboard");
    await page.close();
  });
}
