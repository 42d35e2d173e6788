// The train view: the default lesson trained in a Web Worker (curves, the article's table with the
// measured numbers, no main-thread long task), shared links that reproduce the same final losses
// bit for bit, clamped link values and the trainer's refusals shown as text, the embeddable panels,
// axe-core, and screenshots (desktop and phone, English and 中文, during and after training).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { open, valueOf, textOf, assertNoProblems, tall } from "./helpers.mjs";

/** @typedef {import("playwright-core").Page} Page */
import { newPage } from "./browser.mjs";
import { SHOTS, axe } from "./checks-a11y.mjs";

const STATUS = '[data-testid="train-status"]';
const PHONE = { width: 390, height: 844 };
// A small configuration for the reproduction checks: the default lesson takes most of a minute.
const SMALL = "view=train&tsteps=160&tsteps2=60&tseed=7&teps=0.1";

const stateOf = (/** @type {Page} */ page) => page.getAttribute(STATUS, "data-state");

/** Waits until the model is built, nothing runs and the page shows it ("idle" is written last). @param {Page} page */
async function waitReady(page) {
  await page.waitForFunction(
    (sel) => /** @type {HTMLElement | null} */ (document.querySelector(sel))?.dataset.state === "idle",
    STATUS,
    { timeout: 60000 },
  );
}

/** Waits for the end of the work in progress; it must end in "done". @param {Page} page */
async function waitDone(page, timeout = 240000) {
  await page.waitForFunction(
    (sel) =>
      ["done", "error"].includes(/** @type {HTMLElement | null} */ (document.querySelector(sel))?.dataset.state ?? ""),
    STATUS,
    { timeout },
  );
  assert.equal(await stateOf(page), "done", `training stopped: ${await textOf(page, "train-error")}`);
}

/** Waits until run `run` has reached step `step`. @param {Page} page @param {string} run @param {number} step */
async function waitStep(page, run, step) {
  await page.waitForFunction(
    (/** @type {[string, number]} */ [r, n]) => {
      const bar = /** @type {HTMLProgressElement | null} */ (document.querySelector('[data-testid="train-progress"]'));
      return bar?.dataset.run === r && Number(bar.value) >= n;
    },
    /** @type {[string, number]} */ ([run, step]),
    { timeout: 60000 },
  );
}

/** @param {Page} page @param {string} name */
async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  await tall(page, () => page.screenshot({ path: join(SHOTS, `${name}.png`) }));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name}: page scrolls sideways by ${overflow}px`);
}

/** @param {Page} page */
async function finalLosses(page) {
  const clm = await valueOf(page, "train-clm-loss");
  const sft = await valueOf(page, "train-sft-loss");
  assert.ok(clm !== null && sft !== null, "no final losses shown");
  // The contract: the displayed text is the number (to 4 decimals), the exact value in data-value.
  assert.equal(Number(await textOf(page, "train-clm-loss")), Number(clm.toFixed(4)));
  assert.equal(Number(await textOf(page, "train-sft-loss")), Number(sft.toFixed(4)));
  return { clm, sft };
}

/** @param {Page} page @param {string} what */
async function scan(page, what) {
  const bad = (await tall(page, () => axe(page))).filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `${what}: axe violations`);
}

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function trainChecks(check, env) {
  check(
    "train: the default lesson trains in a worker to done; both curves; SFT loss < pre-training loss; the main thread stays free",
    async () => {
      const page = await open(env, "view=train");
      await waitReady(page);
      assert.equal(await page.getAttribute('[data-testid="nav-train"]', "aria-current"), "page");
      // Every main-thread task over 50 ms from the click to the end of the lesson.
      await page.evaluate(() => {
        const w = /** @type {typeof window & { __longTasks: { start: number, ms: number }[] }} */ (window);
        w.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries())
            w.__longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
        }).observe({ type: "longtask" });
      });
      const t0 = Date.now();
      const clickAt = await page.evaluate(() => performance.now());
      await page.click('[data-testid="train-run"]');
      assert.equal(await stateOf(page), "running");
      assert.equal(await page.isDisabled('[data-testid="train-run"]'), true);
      // The page answers while the worker trains: the settings fold and unfold at once.
      await waitStep(page, "pretrain", 50);
      const t1 = Date.now();
      await page.click(".settings > summary");
      await page.click(".settings > summary");
      assert.ok(Date.now() - t1 < 2000, "the page did not respond while training");
      await waitDone(page);
      const seconds = (Date.now() - t0) / 1000;
      const long = await page.evaluate(
        () => /** @type {typeof window & { __longTasks: { start: number, ms: number }[] }} */ (window).__longTasks,
      );
      const doneAt = await page.evaluate(() => performance.now());
      // Training on the main thread would block it for whole chunks of steps (hundreds of ms each,
      // most of the run). What a 2-core machine shows with the trainer in its worker is a rare
      // task of 50-100 ms (a GC, the compositor while both cores are busy): allowed, as long as
      // none reaches 200 ms and together they stay under 2 % of the lesson.
      const blocked = long.reduce((sum, l) => sum + l.ms, 0);
      const worst = Math.max(0, ...long.map((l) => l.ms));
      const where = `${JSON.stringify(long)} (click at ${Math.round(clickAt)} ms, done by ${Math.round(doneAt)} ms)`;
      assert.ok(worst < 200, `a main-thread task took ${worst} ms while training: ${where}`);
      assert.ok(blocked < 0.02 * (doneAt - clickAt), `main-thread long tasks took ${blocked} ms in all: ${where}`);

      const { clm, sft } = await finalLosses(page);
      assert.ok(sft < clm, `held-out SFT loss ${sft} should be below the held-out pre-training loss ${clm}`);
      assert.ok(clm < Math.log(512), `pre-training loss ${clm} did not fall below ln V`);
      assert.match(await textOf(page, "train-verdict"), /agrees with the article/);
      const rate = await valueOf(page, "train-steps-per-s");
      assert.ok(rate !== null && rate > 0, `steps/s ${rate}`);
      // Both runs drawn: training loss per step and held-out loss at each evaluation.
      for (const [run, steps] of /** @type {const} */ ([
        ["pretrain", 400],
        ["sft", 300],
      ])) {
        const train =
          (await page.getAttribute(`[data-testid="train-curves"] path[data-run="${run}"][data-kind="train"]`, "d")) ??
          "";
        const held =
          (await page.getAttribute(
            `[data-testid="train-curves"] path[data-run="${run}"][data-kind="held-out"]`,
            "d",
          )) ?? "";
        assert.equal(train.split("L").length, steps, `${run}: one training point per step`);
        assert.equal(held.split("L").length, steps / 50, `${run}: one held-out point per evaluation`);
      }
      assert.equal(await page.locator(".curve-legend li").count(), 6, "legend: 2 runs × 2 curves + ln V + floor");
      // Per-token losses: SFT masks the prompt (-100), CLM counts it.
      const masked = await page.locator('[data-testid="train-tokens-sft"] li.masked').count();
      const clmCounted = await page.locator('[data-testid="train-tokens-clm"] li.counted').count();
      const sftCounted = await page.locator('[data-testid="train-tokens-sft"] li.counted').count();
      assert.ok(
        masked > 0 && sftCounted > 0 && clmCounted === masked + sftCounted,
        `token strips: ${clmCounted} CLM, ${sftCounted} SFT, ${masked} masked`,
      );
      // The learner's prompt, before training, after pre-training and after SFT.
      assert.equal(await page.locator(".samples-table").first().locator("tbody tr").count(), 3);
      // The readout follows the keyboard on the step slider.
      await page.focus('[data-testid="train-cursor"]');
      await page.keyboard.press("Home");
      await page.keyboard.press("ArrowRight");
      assert.match(await textOf(page, "train-readout"), /^Step 1 — pre-training: train \d/);
      await page.keyboard.press("End");
      assert.match(
        await textOf(page, "train-readout"),
        /^Step 400 — pre-training: train [\d.]+, held-out [\d.]+ \(step 400\)/,
      );
      assert.match(await page.inputValue('[data-testid="share-url"]'), /#view=train$/);
      await scan(page, "train, English, after the lesson");
      await shot(page, "train-desktop-en-done");
      await page.setViewportSize(PHONE);
      await shot(page, "train-phone-en-done");
      // The language switch rebuilds the view, not the model: the numbers stay.
      await page.click('[data-testid="lang-toggle"]');
      await page.selectOption('[data-testid="theme"]', "dark");
      assert.equal(await valueOf(page, "train-clm-loss"), clm);
      assert.equal(await valueOf(page, "train-sft-loss"), sft);
      assert.match(await textOf(page, "train-verdict"), /与原文一致/);
      await shot(page, "train-phone-zh-dark-done");
      await scan(page, "train, 中文, dark, phone, after the lesson");
      await page.setViewportSize({ width: 1280, height: 800 });
      await shot(page, "train-desktop-zh-dark-done");
      assertNoProblems(page, "train lesson");
      await page.close();
      return `pre-training ${clm.toFixed(4)}, SFT ${sft.toFixed(4)}; lesson ${seconds.toFixed(0)} s at ${rate.toFixed(1)} steps/s; main-thread long tasks ${blocked} ms in all, the longest ${worst} ms`;
    },
  );

  check("train: a shared link reproduces the same final losses (pause and resume, another language)", async () => {
    // A: the link's author, desktop English, then phone width while it trains; pauses and resumes.
    const a = await open(env, SMALL);
    await waitReady(a);
    await a.click('[data-testid="train-run"]');
    await waitStep(a, "pretrain", 25);
    await shot(a, "train-desktop-en-during");
    await a.setViewportSize(PHONE);
    await shot(a, "train-phone-en-during");
    assert.equal(await stateOf(a), "running", "the screenshots were not taken while training");
    await a.click('[data-testid="train-pause"]');
    await a.waitForFunction(
      (sel) => /** @type {HTMLElement} */ (document.querySelector(sel)).dataset.state === "paused",
      STATUS,
    );
    await a.waitForTimeout(700); // the chunk of steps in progress finishes
    const paused = Number(await a.getAttribute('[data-testid="train-progress"]', "value"));
    await a.waitForTimeout(500);
    assert.equal(
      Number(await a.getAttribute('[data-testid="train-progress"]', "value")),
      paused,
      "training went on while paused",
    );
    await a.click('[data-testid="train-pause"]');
    await waitDone(a);
    const want = await finalLosses(a);
    assert.ok(want.sft < want.clm, `small run: SFT ${want.sft} vs pre-training ${want.clm}`);
    const url = await a.inputValue('[data-testid="share-url"]');
    assert.match(url, /#view=train&tseed=7&teps=0\.1&tsteps=160&tsteps2=60$/);
    assertNoProblems(a, "link author");
    await a.close();

    // B: the shared link in a fresh page, switched to 中文 and dark before training (neither is a
    // model setting), on a phone and then at desktop width while it trains.
    const b = await newPage(env, PHONE);
    await b.goto(url);
    await b.waitForSelector("#app[data-ready=true]");
    await b.click('[data-testid="lang-toggle"]');
    await b.selectOption('[data-testid="theme"]', "dark");
    await waitReady(b);
    await b.click('[data-testid="train-run"]');
    await waitStep(b, "pretrain", 25);
    await shot(b, "train-phone-zh-during");
    await b.setViewportSize({ width: 1280, height: 800 });
    await shot(b, "train-desktop-zh-during");
    assert.equal(await stateOf(b), "running", "the screenshots were not taken while training");
    await waitDone(b);
    assert.deepEqual(await finalLosses(b), want, "the shared link, in 中文");
    assertNoProblems(b, "shared link");
    await b.close();
    return `2 runs of the link: pre-training ${want.clm}, SFT ${want.sft}, bit for bit`;
  });

  check(
    "train: clamped link values are shown; the trainer's refusals are shown as text, the input kept; embedded panels",
    async () => {
      const page = await open(env, "view=train&tsteps=99999&tdmodel=48&theads=5");
      const box = page.locator('[data-testid="state-message"]');
      assert.match((await box.textContent()) ?? "", /“tsteps”: out of range; clamped to 2000/);
      assert.match((await box.textContent()) ?? "", /heads must divide the width; changed 5 → 4/);
      assert.equal(await page.inputValue('[data-testid="train-tsteps"]'), "2000");
      assert.equal(await page.inputValue('[data-testid="train-theads"]'), "4");
      await waitReady(page);
      // The width drives the choice of heads: the divisors of 40 up to 8.
      await page.fill('[data-testid="train-tdmodel"]', "40");
      assert.deepEqual(await page.locator('[data-testid="train-theads"] option').allTextContents(), [
        "1",
        "2",
        "4",
        "5",
        "8",
      ]);
      // Below the range: the smallest allowed value is used, the entry stays, and a note says so.
      await page.fill('[data-testid="train-tsteps"]', "0");
      assert.equal(await page.getAttribute('[data-testid="train-tsteps"]', "aria-invalid"), "true");
      assert.equal(await page.inputValue('[data-testid="train-tsteps"]'), "0");
      const stepsNote = page.locator('[data-testid="train-tsteps"] ~ [data-testid="clamp-note"]');
      assert.match((await stepsNote.textContent()) ?? "", /0 is below the minimum 1; using 1/);
      assert.match(await page.evaluate(() => location.hash), /tsteps=1(&|$)/);
      // Own JSONL with a bad second line: refused, the message names the line, the text stays.
      const bad = '{"prompt": "Pip is red. What colour is Pip?", "response": "Red."}\n{"prompt": "no response here"}';
      await page.click(".own-data > summary");
      await page.fill('[data-testid="train-own-pairs"]', bad);
      await page.click('[data-testid="train-use-own"]');
      await page.waitForFunction(
        (sel) => /** @type {HTMLElement} */ (document.querySelector(sel)).dataset.state === "error",
        STATUS,
      );
      assert.match(await textOf(page, "train-error"), /line 2.*response/);
      assert.match(await textOf(page, "train-own-message"), /line 2/);
      assert.equal(await page.inputValue('[data-testid="train-own-pairs"]'), bad);
      await page.click("text=Use the bundled corpus");
      await waitReady(page);
      // A context too short for the corpus' pairs: refused with the reason.
      await page.fill('[data-testid="train-tctx"]', "16");
      await page.waitForFunction(
        (sel) => /** @type {HTMLElement} */ (document.querySelector(sel)).dataset.state === "error",
        STATUS,
      );
      assert.match(await textOf(page, "train-error"), /longer than the context of 16/);
      await page.fill('[data-testid="train-tctx"]', "64");
      await waitReady(page);
      // Reset in the middle of a stage: the run is abandoned, a fresh model is built, no curves remain.
      await page.fill('[data-testid="train-tsteps"]', "300");
      await page.click('[data-testid="train-stage-clm"]');
      await waitStep(page, "pretrain", 5);
      await page.click('[data-testid="train-reset"]');
      await waitReady(page);
      assert.equal(await page.locator('[data-testid="train-curves"] path').count(), 0, "curves left after reset");
      assert.equal(await textOf(page, "train-clm-loss"), "—");
      assertNoProblems(page, "train refusals");
      await page.close();

      // Embedded panels: each comes with the lesson card (button, status, settings), no page chrome.
      const panels = ["train-curves", "train-table", "train-tokens", "train-samples", "train-data"];
      for (const only of panels) {
        const e = await open(env, `view=train&only=${only}`, { file: "embed.html" });
        assert.equal(await e.locator(".card:visible").count(), 2, `only=${only}`);
        assert.equal(await e.locator("header, nav, footer, .intro").count(), 0, `only=${only}: page chrome`);
        assert.equal(await e.locator('[data-testid="train-run"]').count(), 1);
        assertNoProblems(e, `embed only=${only}`);
        await e.close();
      }
      return `${panels.length} embedded panels`;
    },
  );
}
