// The other views: pre-training vs alignment, padding step-through and collate, big tensors with the
// engine, .npy and JSON import.
import assert from "node:assert/strict";
import { open, valueOf, assertClose, assertNoProblems, waitForText, num } from "./helpers.mjs";
import { goldenCases } from "./oracle.mjs";
import { writeNpy } from "../../www/js/npy.js";

/** The cells of a step's tensor, row by row. @param {import("playwright-core").Page} page @param {number} tensorIndex */
const cellsOf = (page, tensorIndex) =>
  page
    .locator(".step-body .tensor")
    .nth(tensorIndex)
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function viewChecks(check, env) {
  check("pre-training vs alignment: which tokens count, CLM > SFT, MSE", async () => {
    const page = await open(env, "view=objectives");
    const clm = await valueOf(page, "obj-clm");
    const sft = await valueOf(page, "obj-sft");
    const mlm = await valueOf(page, "obj-mlm");
    assert.ok(clm !== null && sft !== null && clm > sft, `CLM ${clm} should exceed SFT ${sft}`);
    assert.ok(mlm !== null && Number.isFinite(mlm));
    // Default sequence: 16 tokens, 1 trailing pad, prompt of 9 → CLM counts 14 next tokens, SFT 6.
    assert.match((await page.textContent(".stat:nth-child(1) .stat-sub")) ?? "", /^14 /);
    assert.match((await page.textContent(".stat:nth-child(2) .stat-sub")) ?? "", /^6 /);
    // mean((0.8−1)², (2.9−3)², (−0.4−0)²) = 0.07 (f32 inputs).
    assertClose(await valueOf(page, "obj-mse"), 0.07, 1e-6, "MSE");
    // Masking more of the prompt lowers the SFT token count.
    await page.fill('[data-testid="obj-prompt-len"]', "12");
    assert.match((await page.textContent(".stat:nth-child(2) .stat-sub")) ?? "", /^3 /);
    assertNoProblems(page, "objectives");
    await page.close();
  });

  check("padding: left-padded prompts, labels padded with the pad id, prompt removed, collate", async () => {
    const page = await open(env, "view=padding");
    await page.click('[data-testid="pad-next"]');
    assert.deepEqual(await cellsOf(page, 0), [
      ["0", "11", "12", "13"],
      ["0", "0", "21", "22"],
      ["31", "32", "33", "34"],
    ]);
    await page.click('[data-testid="pad-next"]');
    // prompt_len 4 > label_len 2: _pad_tensors_to_target_len left-pads with pad_token_id (0), not -100.
    assert.deepEqual(await cellsOf(page, 0), [
      ["51", "52"],
      ["-100", "61"],
      ["71", "72"],
    ]);
    assert.deepEqual(await cellsOf(page, 1), [
      ["0", "0", "51", "52"],
      ["0", "0", "-100", "61"],
      ["0", "0", "71", "72"],
    ]);
    await page.click('[data-testid="pad-next"]');
    await page.click('[data-testid="pad-next"]');
    assert.deepEqual(await cellsOf(page, 0), [
      ["0", "0", "0", "0", "81", "82", "2"],
      ["0", "0", "0", "0", "91", "2", "0"],
      ["0", "0", "0", "0", "95", "96", "97"],
    ]);
    // Longer labels are truncated to the prompt length instead.
    await page.fill('[data-testid="pl-0"]', "51, 52, 53, 54, 55, 56");
    await page.click(".step-button >> nth=2");
    // labels[:, :4] of the left-padded labels: shorter rows lose their real labels (the page says so).
    assert.deepEqual(await cellsOf(page, 1), [
      ["51", "52", "53", "54"],
      ["-100", "-100", "-100", "-100"],
      ["-100", "-100", "-100", "-100"],
    ]);
    assert.match((await page.textContent(".step-body .branch")) ?? "", /truncated/);
    // Collate: right padding with -100 labels, rounded up to a multiple of 8.
    await page.fill('[data-testid="collate-multiple"]', "8");
    const collate = (await page.textContent('[data-testid="collate"]')) ?? "";
    assert.match(collate, /input_ids: \[3, 8\]/);
    assert.match(collate, /labels: \[3, 8\]/);
    assertNoProblems(page, "padding");
    await page.close();
  });

  check("big tensors: engine and CPU agree; backend shown", async () => {
    const page = await open(env, "view=big");
    await page.waitForFunction(
      () => /Done/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""),
      null,
      { timeout: 60000 },
    );
    const backend = ((await page.textContent('[data-testid="backend"]')) ?? "").trim();
    assert.match(backend, /^(webgpu|cpu-simd)$/);
    const a = await valueOf(page, "big-loss-engine");
    const b = await valueOf(page, "big-loss-cpu");
    assertClose(a, b, 1e-5, "engine vs CPU at 1×64×32000");
    assert.match((await page.textContent('[data-testid="big-diff"]')) ?? "", /relative/);
    assert.match((await page.textContent('[data-testid="big-time-cpu"]')) ?? "", /ms$/);
    // The engine says why it ran where it ran: on this machine's software adapter "auto" skips it.
    const why = (await page.textContent('[data-testid="engine-reason"]')) ?? "";
    assert.match(why, /The engine ran on (webgpu|cpu-simd): \S/);
    if (backend === "cpu-simd") assert.match(why, /software renderer|navigator\.gpu|no suitable/);
    assert.match((await page.textContent('[data-testid="big-grad-diff"]')) ?? "", /largest \|g\|/);
    assertNoProblems(page, "big");
    await page.close();
    return `backend ${backend}: ${why.slice(0, 120)}`;
  });

  check("big tensors: 1×2048×32000 forward+gradient runs in the worker, no main-thread task over 50 ms", async () => {
    const page = await open(env, "view=big&bt=2048&bgrad=1");
    await page.waitForFunction(() =>
      /Run/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""),
    );
    await page.evaluate(() => {
      const w = /** @type {typeof window & { __longTasks: number[] }} */ (window);
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(Math.round(e.duration));
      }).observe({ type: "longtask" });
    });
    await page.click('[data-testid="big-run"]');
    // While the worker computes, the page answers: a control edit shows up at once.
    await page.waitForFunction(() =>
      /Running/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""),
    );
    const t0 = Date.now();
    await page.fill('[data-testid="big-seed"]', "2");
    assert.ok(Date.now() - t0 < 1000, "the page did not answer while the worker ran");
    await page.waitForFunction(
      () => /Done/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""),
      null,
      { timeout: 180000 },
    );
    const tasks = await page.evaluate(
      () => /** @type {typeof window & { __longTasks: number[] }} */ (window).__longTasks,
    );
    const longest = Math.max(0, ...tasks);
    // Work on the main thread would block it for the whole call (hundreds of ms); a rare 50-100 ms
    // task (a GC, the compositor with both of a 2-core machine's cores busy) is not that.
    assert.ok(longest < 200, `main-thread tasks during the run: ${tasks.join(", ")} ms`);
    const a = await valueOf(page, "big-loss-engine");
    const b = await valueOf(page, "big-loss-cpu");
    assertClose(a, b, 1e-5, "engine vs CPU at 1×2048×32000");
    const gap = Number(await page.getAttribute('[data-testid="big-grad-diff"]', "data-value"));
    assert.ok(gap <= 1e-5, `gradient gap ${gap} of max |g|`);
    const times = `${await page.textContent('[data-testid="big-time-engine"]')} / ${await page.textContent('[data-testid="big-time-cpu"]')}`;
    await page.close();
    return `longest main-thread task ${longest} ms (${tasks.length} over 50 ms); engine / CPU ${times}`;
  });

  check("big tensors: .npy and JSON import reproduce a golden case; malformed files are refused", async () => {
    const c = goldenCases().find((x) => x.name === "hf_basic");
    assert.ok(c && c.logits && c.labels && c.expected.loss !== null, "no hf_basic case with logits and a loss");
    const wantLoss = num(c.expected.loss);
    const page = await open(env, "view=big&bt=8&bv=1000");
    await page.waitForFunction(() =>
      /Done/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""),
    );
    await page.setInputFiles('[data-testid="npy-logits"]', {
      name: "garbage.npy",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("<script>alert(1)</script>"),
    });
    // Files are read asynchronously: wait for the message rather than read it at once.
    await waitForText(page, "import-message", /garbage\.npy.*not an \.npy file/);
    const logits = Buffer.from(writeNpy(Float32Array.from(c.logits.map(num)), [1, 4, 5]));
    const truncated = logits.subarray(0, logits.length - 3);
    await page.setInputFiles('[data-testid="npy-logits"]', {
      name: "short.npy",
      mimeType: "application/octet-stream",
      buffer: truncated,
    });
    await waitForText(page, "import-message", /short\.npy.*needs 80/);
    await page.setInputFiles('[data-testid="npy-logits"]', {
      name: "logits.npy",
      mimeType: "application/octet-stream",
      buffer: logits,
    });
    await page.setInputFiles('[data-testid="npy-labels"]', {
      name: "labels.npy",
      mimeType: "application/octet-stream",
      buffer: Buffer.from(writeNpy(Int32Array.from(c.labels), [1, 4])),
    });
    await page.waitForFunction(() =>
      /Done: 20 /.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""),
    );
    assertClose(await valueOf(page, "big-loss-cpu"), wantLoss, 1e-6, "npy CPU");
    assertClose(await valueOf(page, "big-loss-engine"), wantLoss, 1e-5, "npy engine");
    assert.match((await page.textContent('[data-testid="big-source"]')) ?? "", /logits\.npy \+ labels\.npy/);
    await page.fill('[data-testid="json-input"]', '{"logits": [1, 2], "labels": [0]} trailing');
    await page.click('[data-testid="json-use"]');
    assert.match((await page.textContent('[data-testid="import-message"]')) ?? "", /not valid JSON/);
    await page.fill('[data-testid="json-input"]', JSON.stringify({ logits: c.logits, dims: c.dims, labels: c.labels }));
    await page.click('[data-testid="json-use"]');
    await page.waitForFunction(() =>
      /Done: 20 /.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""),
    );
    assertClose(await valueOf(page, "big-loss-cpu"), wantLoss, 1e-6, "JSON CPU");
    assertNoProblems(page, "import");
    await page.close();
  });
}
