// The other views: pre-training vs alignment, padding step-through and collate, big tensors with the
// engine, .npy and JSON import.
import assert from "node:assert/strict";
import { open, valueOf, assertClose, assertNoProblems, waitForText } from "./helpers.mjs";
import { goldenCases } from "./oracle.mjs";
import { writeNpy } from "../../www/js/npy.js";

const cellsOf = (page, tensorIndex) => page.locator(".step-body .tensor").nth(tensorIndex).locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));

export function viewChecks(check, env) {
  check("pre-training vs alignment: which tokens count, CLM > SFT, MSE", async () => {
    const page = await open(env, "view=objectives");
    const clm = await valueOf(page, "obj-clm");
    const sft = await valueOf(page, "obj-sft");
    const mlm = await valueOf(page, "obj-mlm");
    assert.ok(clm > sft, `CLM ${clm} should exceed SFT ${sft}`);
    assert.ok(Number.isFinite(mlm));
    // Default sequence: 16 tokens, 1 trailing pad, prompt of 9 → CLM counts 14 next tokens, SFT 6.
    assert.match(await page.textContent(".stat:nth-child(1) .stat-sub"), /^14 /);
    assert.match(await page.textContent(".stat:nth-child(2) .stat-sub"), /^6 /);
    // mean((0.8−1)², (2.9−3)², (−0.4−0)²) = 0.07 (f32 inputs).
    assertClose(await valueOf(page, "obj-mse"), 0.07, 1e-6, "MSE");
    // Masking more of the prompt lowers the SFT token count.
    await page.fill('[data-testid="obj-prompt-len"]', "12");
    assert.match(await page.textContent(".stat:nth-child(2) .stat-sub"), /^3 /);
    assertNoProblems(page, "objectives");
    await page.close();
  });

  check("padding: left-padded prompts, labels padded with the pad id, prompt removed, collate", async () => {
    const page = await open(env, "view=padding");
    await page.click('[data-testid="pad-next"]');
    assert.deepEqual(await cellsOf(page, 0), [["0", "11", "12", "13"], ["0", "0", "21", "22"], ["31", "32", "33", "34"]]);
    await page.click('[data-testid="pad-next"]');
    // prompt_len 4 > label_len 2: _pad_tensors_to_target_len left-pads with pad_token_id (0), not -100.
    assert.deepEqual(await cellsOf(page, 0), [["51", "52"], ["-100", "61"], ["71", "72"]]);
    assert.deepEqual(await cellsOf(page, 1), [["0", "0", "51", "52"], ["0", "0", "-100", "61"], ["0", "0", "71", "72"]]);
    await page.click('[data-testid="pad-next"]');
    await page.click('[data-testid="pad-next"]');
    assert.deepEqual(await cellsOf(page, 0), [["0", "0", "0", "0", "81", "82", "2"], ["0", "0", "0", "0", "91", "2", "0"], ["0", "0", "0", "0", "95", "96", "97"]]);
    // Longer labels are truncated to the prompt length instead.
    await page.fill('[data-testid="pl-0"]', "51, 52, 53, 54, 55, 56");
    await page.click(".step-button >> nth=2");
    // labels[:, :4] of the left-padded labels: shorter rows lose their real labels (the page says so).
    assert.deepEqual(await cellsOf(page, 1), [["51", "52", "53", "54"], ["-100", "-100", "-100", "-100"], ["-100", "-100", "-100", "-100"]]);
    assert.match(await page.textContent(".step-body .branch"), /truncated/);
    // Collate: right padding with -100 labels, rounded up to a multiple of 8.
    await page.fill('[data-testid="collate-multiple"]', "8");
    const collate = await page.textContent('[data-testid="collate"]');
    assert.match(collate, /input_ids: \[3, 8\]/);
    assert.match(collate, /labels: \[3, 8\]/);
    assertNoProblems(page, "padding");
    await page.close();
  });

  check("big tensors: engine and CPU agree; backend shown", async () => {
    const page = await open(env, "view=big");
    await page.waitForFunction(() => /Done/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""), null, { timeout: 60000 });
    const backend = (await page.textContent('[data-testid="backend"]')).trim();
    assert.match(backend, /^(webgpu|cpu-simd)$/);
    const a = await valueOf(page, "big-loss-engine");
    const b = await valueOf(page, "big-loss-cpu");
    assertClose(a, b, 1e-5, "engine vs CPU at 1×64×32000");
    assert.match(await page.textContent('[data-testid="big-diff"]'), /relative/);
    assert.match(await page.textContent('[data-testid="big-time-cpu"]'), /ms$/);
    assertNoProblems(page, "big");
    await page.close();
    return `backend ${backend}`;
  });

  check("big tensors: .npy and JSON import reproduce a golden case; malformed files are refused", async () => {
    const c = goldenCases().find((x) => x.name === "hf_basic");
    const page = await open(env, "view=big&bt=8&bv=1000");
    await page.waitForFunction(() => /Done/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""));
    await page.setInputFiles('[data-testid="npy-logits"]', { name: "garbage.npy", mimeType: "application/octet-stream", buffer: Buffer.from("<script>alert(1)</script>") });
    // Files are read asynchronously: wait for the message rather than read it at once.
    await waitForText(page, "import-message", /garbage\.npy.*not an \.npy file/);
    const logits = Buffer.from(writeNpy(Float32Array.from(c.logits), [1, 4, 5]));
    const truncated = logits.subarray(0, logits.length - 3);
    await page.setInputFiles('[data-testid="npy-logits"]', { name: "short.npy", mimeType: "application/octet-stream", buffer: truncated });
    await waitForText(page, "import-message", /short\.npy.*needs 80/);
    await page.setInputFiles('[data-testid="npy-logits"]', { name: "logits.npy", mimeType: "application/octet-stream", buffer: logits });
    await page.setInputFiles('[data-testid="npy-labels"]', { name: "labels.npy", mimeType: "application/octet-stream", buffer: Buffer.from(writeNpy(Int32Array.from(c.labels), [1, 4])) });
    await page.waitForFunction(() => /Done: 20 /.test(document.querySelector('[data-testid="big-status"]').textContent));
    assertClose(await valueOf(page, "big-loss-cpu"), c.expected.loss, 1e-6, "npy CPU");
    assertClose(await valueOf(page, "big-loss-engine"), c.expected.loss, 1e-5, "npy engine");
    assert.match(await page.textContent('[data-testid="big-source"]'), /logits\.npy \+ labels\.npy/);
    await page.fill('[data-testid="json-input"]', '{"logits": [1, 2], "labels": [0]} trailing');
    await page.click('[data-testid="json-use"]');
    assert.match(await page.textContent('[data-testid="import-message"]'), /not valid JSON/);
    await page.fill('[data-testid="json-input"]', JSON.stringify({ logits: c.logits, dims: c.dims, labels: c.labels }));
    await page.click('[data-testid="json-use"]');
    await page.waitForFunction(() => /Done: 20 /.test(document.querySelector('[data-testid="big-status"]').textContent));
    assertClose(await valueOf(page, "big-loss-cpu"), c.expected.loss, 1e-6, "JSON CPU");
    assertNoProblems(page, "import");
    await page.close();
  });
}
