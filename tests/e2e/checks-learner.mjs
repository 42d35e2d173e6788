// The learner's path: the objectives view's identity and edge cases, MLM independent of the prompt
// controls, the playground's prompt mask and labels = input_ids preset, and the padding view's
// returned labels and pad_token_id = eos; with screenshots of each.
import assert from "node:assert/strict";
import { join } from "node:path";
import { open, valueOf, textOf, assertClose, assertNoProblems } from "./helpers.mjs";
import { SHOTS } from "./checks-a11y.mjs";

/** The labels the playground's grid shows, one per row. @param {import("playwright-core").Page} page */
const gridLabels = (page) =>
  page
    .locator('[data-testid^="label-"]')
    .evaluateAll((els) => els.map((e) => Number(/** @type {HTMLSelectElement} */ (e).value)));

/** The cells of the n-th tensor inside a container, row by row. @param {import("playwright-core").Page} page @param {string} selector @param {number} n */
const cells = (page, selector, n) =>
  page
    .locator(`${selector} .tensor`)
    .nth(n)
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));

/** The main loss of the playground (the summary's exact value). @param {import("playwright-core").Page} page */
const loss = (page) => valueOf(page, "loss");

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function learnerChecks(check, env) {
  check("learner: CLM = (n_p·mean_p + n_r·mean_r)/(n_p + n_r) with the page's numbers, to 1e-12", async () => {
    const page = await open(env, "view=objectives");
    /** @type {string[]} */
    const seen = [];
    for (const [plen, eps] of [
      ["9", "0"],
      ["5", "0.1"],
      ["12", "0.3"],
    ]) {
      await page.fill('[data-testid="obj-prompt-len"]', plen);
      await page.fill('[data-testid="obj-eps"]', eps);
      const clm = await valueOf(page, "obj-clm");
      const rhs = await valueOf(page, "obj-identity");
      assertClose(rhs, clm, 1e-12, `identity at prompt ${plen}, ε ${eps}`);
      // The displayed parts add up: n_p + n_r is CLM's token count.
      const legend = await page.locator(".obj-identity-block .hint").first().textContent();
      const [np, nr] = [...(legend ?? "").matchAll(/= (\d+) /g)].map((m) => Number(m[1]));
      const clmCount = Number(((await page.textContent(".stat:nth-child(1) .stat-sub")) ?? "").split(" ")[0]);
      assert.equal(np + nr, clmCount, `n_p ${np} + n_r ${nr} vs CLM count ${clmCount}`);
      // mean_r is the SFT loss, and SFT lies below CLM exactly when mean_r < mean_p (the page says which).
      const edge = await page.getAttribute('[data-testid="obj-edge"]', "data-edge");
      assert.equal(edge, "both");
      seen.push(`${plen}/${eps}: ${clm}`);
    }
    // The circular advice is gone.
    assert.doesNotMatch((await page.textContent(".view-objectives")) ?? "", /raise the response confidence/i);
    assertNoProblems(page, "objectives identity");
    await page.close();
    return seen.join(", ");
  });

  check("learner: no response → SFT has nothing to score (NaN explained); no prompt → SFT = CLM", async () => {
    const page = await open(env, "view=objectives&oplen=16");
    const sft = await valueOf(page, "obj-sft");
    assert.ok(sft !== null && Number.isNaN(sft), `SFT ${sft} with no response`);
    assert.equal(await page.getAttribute('[data-testid="obj-edge"]', "data-edge"), "no-response");
    assert.match(await textOf(page, "obj-edge"), /SFT has nothing to score.*0\/0 = NaN/);
    assert.match(
      (await page.textContent(".stat:nth-child(2) .stat-sub")) ?? "",
      /^0 tokens counted: the mean is 0\/0 = NaN/,
    );
    // CLM = mean_p then, and the identity still holds.
    assertClose(await valueOf(page, "obj-identity"), await valueOf(page, "obj-clm"), 1e-12, "identity, no response");
    for (const plen of ["0", "1"]) {
      await page.fill('[data-testid="obj-prompt-len"]', plen);
      assert.equal(await page.getAttribute('[data-testid="obj-edge"]', "data-edge"), "no-prompt");
      assert.match(await textOf(page, "obj-edge"), /SFT = CLM/);
      assert.equal(await valueOf(page, "obj-sft"), await valueOf(page, "obj-clm"), `prompt ${plen}: SFT = CLM`);
    }
    // The Train view is one click away.
    await page.click('[data-testid="obj-train-link"]');
    await page.waitForSelector(".view-train");
    assert.match(await page.evaluate(() => location.hash), /view=train/);
    assertNoProblems(page, "objectives edges");
    await page.close();
  });

  check(
    "learner: MLM is unmoved by the prompt controls; intro quotes the masking probability; 80/10/10 marked",
    async () => {
      const page = await open(env, "view=objectives");
      const mlm = await valueOf(page, "obj-mlm");
      const intro = (await page.textContent(".view-objectives .intro")) ?? "";
      assert.match(intro, /random 30 % of the tokens/, "the intro quotes the default probability (0.3)");
      for (const [testid, value] of [
        ["obj-prompt-len", "4"],
        ["obj-prompt-conf", "7"],
        ["obj-response-conf", "0.5"],
      ]) {
        await page.fill(`[data-testid="${testid}"]`, value);
        assert.equal(await valueOf(page, "obj-mlm"), mlm, `MLM moved with ${testid}`);
      }
      // Its own confidence does move it, and the probability changes the intro.
      await page.fill('[data-testid="obj-mlm-conf"]', "6");
      assert.notEqual(await valueOf(page, "obj-mlm"), mlm, "MLM ignores its own confidence");
      await page.fill('[data-testid="obj-mlm-prob"]', "0.15");
      assert.match((await page.textContent(".view-objectives .intro")) ?? "", /random 15 % of the tokens/);
      // Default seed: position 5 reads a random token, positions 3 and 13 the mask token, each labelled.
      await page.fill('[data-testid="obj-mlm-prob"]', "0.3");
      const how = await page
        .locator(".obj-table .mlm-how")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-mlm")));
      assert.ok(how.includes("random") && how.includes("mask"), `80/10/10 tags: ${how}`);
      assert.match(await textOf(page, "obj-mlm-legend"), /80 %.*\[MASK\].*10 %.*random.*10 %.*unchanged/);
      assert.match((await page.textContent(".view-objectives")) ?? "", /Bradley–Terry/);
      assertNoProblems(page, "objectives MLM");
      await page.close();
      return `tags ${how.join(", ")}`;
    },
  );

  check("learner: mask the prompt sets exactly the prompt's labels to ignore and restores them", async () => {
    const page = await open(env, "");
    const before = await gridLabels(page);
    assert.deepEqual(before, [1, 2, 3, 4, 5, 7]);
    // A label the user changed first must survive the round trip.
    await page.selectOption('[data-testid="label-5"]', "6");
    const typed = await gridLabels(page);
    await page.check('[data-testid="mask-prompt"]');
    // Prompt "Q: sky color ? A:" (5 tokens): rows 0–3 predict a prompt token; row 4 (A: → blue) is the response.
    assert.deepEqual(await gridLabels(page), [-100, -100, -100, -100, 5, 6]);
    // The link carries the mask and what it hides: reloading keeps both.
    const hash = await page.evaluate(() => location.hash.slice(1));
    assert.match(hash, /mpl=/);
    const again = await open(env, hash);
    assert.deepEqual(await gridLabels(again), [-100, -100, -100, -100, 5, 6]);
    assert.equal(await again.isChecked('[data-testid="mask-prompt"]'), true);
    await again.uncheck('[data-testid="mask-prompt"]');
    assert.deepEqual(await gridLabels(again), typed, "unmasking restores the labels exactly");
    assert.doesNotMatch(await again.evaluate(() => location.hash), /mpl=/);
    // A shorter prompt masks fewer labels; the shown prompt follows.
    await again.fill('[data-testid="prompt-len"]', "3");
    assert.match(await textOf(again, "prompt-text"), /Q: sky color/);
    await again.check('[data-testid="mask-prompt"]');
    assert.deepEqual(await gridLabels(again), [-100, -100, 3, 4, 5, 6]);
    assertNoProblems(again, "mask prompt");
    await again.close();
    await page.close();
  });

  check(
    "learner: labels = input_ids + shift_labels = default labels with the last row ignored; shift hint",
    async () => {
      const page = await open(env, "");
      const unshifted = await loss(page);
      assert.equal(await page.isVisible('[data-testid="shift-hint"]'), false, "hint without shift");
      await page.check('[data-testid="shift"]');
      // The default labels are already next tokens: shifting them again gets a hint.
      assert.equal(await page.isVisible('[data-testid="shift-hint"]'), true, "hint on double shift");
      await page.click('[data-testid="labels-input-ids"]');
      assert.deepEqual(await gridLabels(page), [0, 1, 2, 3, 4, 5]);
      assert.equal(await page.isChecked('[data-testid="shift"]'), true);
      assert.equal(await page.isVisible('[data-testid="shift-hint"]'), false, "no hint once labels = input_ids");
      const shifted = await loss(page);
      // Rows 0–4 are scored against the same tokens as before; row 5's target (</s>) is not an input,
      // so the shifted loss equals the default labels with the last one ignored, not the full default.
      const lastIgnored = await open(env, "labels=1,2,3,4,5,-100");
      assertClose(shifted, await loss(lastIgnored), 1e-12, "labels = input_ids + shift");
      assert.ok(
        shifted !== null && unshifted !== null && Math.abs(shifted - unshifted) > 1e-3,
        "differs from all six rows",
      );
      // The preset round-trips through the link.
      const hash = await page.evaluate(() => location.hash.slice(1));
      const again = await open(env, hash);
      assertClose(await loss(again), shifted, 1e-12, "preset from the link");
      for (const p of [page, lastIgnored, again]) {
        assertNoProblems(p, "labels = input_ids");
        await p.close();
      }
      return `shifted ${shifted}, default ${unshifted}`;
    },
  );

  check("learner: prediction_step returns the backed-up labels beside the loss's labels", async () => {
    const page = await open(env, "view=padding&pstep=5");
    assert.deepEqual(await cells(page, '[data-testid="pad-return"]', 0), [
      ["51", "52"],
      ["-100", "61"],
      ["71", "72"],
    ]);
    assert.deepEqual(await cells(page, '[data-testid="pad-return"]', 1), [
      ["0", "0", "51", "52"],
      ["0", "0", "-100", "61"],
      ["0", "0", "71", "72"],
    ]);
    // Truncation: the copy keeps every label, the loss's labels lose them.
    await page.fill('[data-testid="pl-0"]', "51, 52, 53, 54, 55, 56");
    const returned = await cells(page, '[data-testid="pad-return"]', 0);
    assert.deepEqual(returned[0], ["51", "52", "53", "54", "55", "56"]);
    assert.deepEqual((await cells(page, '[data-testid="pad-return"]', 1))[1], ["-100", "-100", "-100", "-100"]);
    assertNoProblems(page, "padding return");
    await page.close();
  });

  check("learner: pad_token_id = eos changes the padded tensors and shows the eos targets", async () => {
    const page = await open(env, "view=padding&pstep=1");
    const plain = await cells(page, ".step-body", 0);
    assert.equal(await page.isVisible('[data-testid="pad-eos-effects"]'), false);
    await page.check('[data-testid="pad-eos"]');
    assert.deepEqual(await cells(page, ".step-body", 0), [
      ["2", "11", "12", "13"],
      ["2", "2", "21", "22"],
      ["31", "32", "33", "34"],
    ]);
    assert.notDeepEqual(plain, await cells(page, ".step-body", 0));
    assert.equal(await page.isVisible('[data-testid="pad-eos-effects"]'), true);
    // Labels padded to the prompt length with eos: two columns × three rows read "predict eos".
    assert.match(await textOf(page, "pad-eos-labels"), /6 label positions now say “predict eos \(2\)”/);
    const effects = '[data-testid="pad-eos-effects"]';
    assert.deepEqual((await cells(page, effects, 2))[0], ["2", "2", "51", "52"]);
    assert.deepEqual((await cells(page, effects, 3))[0], ["-100", "-100", "51", "52"]);
    // Generated row 1 ends "91, 2, 2": the first 2 is the real eos (outlined), the second padding.
    const row1 = await page
      .locator(`${effects} .tensor`)
      .nth(4)
      .locator("tbody tr")
      .nth(1)
      .locator("td")
      .evaluateAll((tds) => tds.map((td) => td.className));
    assert.match(row1[5], /eos-real/);
    assert.match(row1[6], /eos-pad/);
    assert.match(await page.evaluate(() => location.hash), /peos=1/);
    assertNoProblems(page, "pad = eos");
    await page.close();
  });

  check("learner: screenshots of objectives, the playground's label tools and padding (en, 中文, phone)", async () => {
    /** @type {string[]} */
    const shots = [];
    for (const [lang, width] of /** @type {const} */ ([
      ["en", 1280],
      ["zh", 390],
      ["zh", 1280],
      ["en", 390],
    ])) {
      const size = width < 600 ? "phone" : "desktop";
      const shoot = async (/** @type {string} */ hash, /** @type {string} */ selector, /** @type {string} */ name) => {
        const page = await open(env, `${hash}&lang=${lang}`, { width, height: 900 });
        await page
          .locator(selector)
          .first()
          .screenshot({ path: join(SHOTS, `learner-${name}-${size}-${lang}.png`) });
        assertNoProblems(page, name);
        await page.close();
        shots.push(`learner-${name}-${size}-${lang}`);
      };
      await shoot("view=objectives", ".view-objectives .card", "objectives");
      await shoot(
        "view=playground&shift=1&mpl=1,2,3,4,5,7&labels=-100,-100,-100,-100,5,7",
        '[data-widget="grid"]',
        "label-tools",
      );
      await shoot("view=padding&pstep=5&peos=1", ".view-padding .card >> nth=1", "padding-return");
    }
    return shots.join(", ");
  });
}
