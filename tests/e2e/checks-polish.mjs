// The learner's path: values the UI changes are said at the control, float32 results at their
// shortest exact form, 中文 without ASCII punctuation between Chinese characters, refusals in the UI
// language, the grid's label and loss columns in view at phone width, and the playground's smaller
// aids (heatmap colour scale, ε warnings, the curve's z-loss caption, the skip link).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./browser.mjs";
import { open, valueOf, textOf, assertNoProblems } from "./helpers.mjs";
import { shortestF32 } from "../../www/js/format.js";

const SHOTS = join(ROOT, "artifacts", "screenshots");
/** @param {import("playwright-core").Page} page @param {string} name @param {string} [selector] */
async function shot(page, name, selector) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `polish-${name}.png`);
  if (selector) await page.locator(selector).first().screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
}

/** The visible note beside a control (the clamp-note in the same field). @param {import("playwright-core").Page} page @param {string} testid */
const noteBeside = (page, testid) =>
  page.locator(`[data-testid="${testid}"]`).evaluate((input) => {
    const id = (input.getAttribute("aria-describedby") ?? "").split(" ").find((x) => x.startsWith("note-"));
    const note = id ? document.getElementById(id) : null;
    return note && !note.hidden ? note.textContent : null;
  });

// Chinese characters next to an ASCII , : ; ( ) ! ? on either side.
const ASCII_NEXT_TO_CJK = /[\u3400-\u9fff][,:;()!?]|[,:;()!?][\u3400-\u9fff]/g;

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function polishChecks(check, env) {
  check("polish: an entry beyond a control's range is clamped, kept as typed, and explained beside it", async () => {
    const page = await open(env, "view=objectives");
    // 16-token sequence: prompt length 20 is used as 16, and the box still says 20.
    await page.fill('[data-testid="obj-prompt-len"]', "20");
    assert.equal(await noteBeside(page, "obj-prompt-len"), "20 is above the maximum 16; using 16.");
    assert.equal(await page.inputValue('[data-testid="obj-prompt-len"]'), "20");
    assert.equal(await page.getAttribute('[data-testid="obj-prompt-len"]', "aria-invalid"), "true");
    // All 16 positions are prompt: SFT scores no token.
    assert.match((await page.textContent(".stat:nth-child(2) .stat-sub")) ?? "", /^0 /);
    await shot(page, "objectives-clamp", '[data-testid="obj-prompt-len"] >> xpath=../..');
    // A value in range removes the note.
    await page.fill('[data-testid="obj-prompt-len"]', "12");
    assert.equal(await noteBeside(page, "obj-prompt-len"), null);
    await page.fill('[data-testid="obj-mlm-seed"]', "2.5");
    assert.equal(await noteBeside(page, "obj-mlm-seed"), "2.5 is not a whole number; using 3.");
    assertNoProblems(page, "objectives");
    await page.close();

    const pg = await open(env, "");
    await pg.fill('[data-testid="z-loss-scale"]', "20");
    assert.equal(await noteBeside(pg, "z-loss-scale"), "20 is above the maximum 10; using 10.");
    const withTen = await valueOf(pg, "loss");
    const ref = await open(env, "z=10");
    assert.equal(withTen, await valueOf(ref, "loss"), "the loss uses z = 10");
    await ref.close();
    // Another change elsewhere keeps the typed text and its note.
    await pg.fill('[data-testid="eps"]', "0.2");
    assert.equal(await pg.inputValue('[data-testid="z-loss-scale"]'), "20");
    assert.equal(await noteBeside(pg, "z-loss-scale"), "20 is above the maximum 10; using 10.");
    // A logit beyond ±1e5 is clamped, the cell keeps its text, and the grid says so.
    await pg.fill('[data-testid="logit-0-1"]', "200000");
    const gridNote = pg.locator('[data-widget="grid"] [data-testid="clamp-note"]');
    assert.equal(
      await gridNote.textContent(),
      "Logit at position 0, class 1: 200000 is beyond ±100000; clamped to 100000.",
    );
    assert.equal(await pg.inputValue('[data-testid="logit-0-1"]'), "200000");
    await shot(pg, "grid-clamp-desktop", '[data-widget="grid"]');
    await pg.fill('[data-testid="logit-0-1"]', "1.5");
    assert.equal(await gridNote.isHidden(), true, "the note goes once the cell is in range");
    assertNoProblems(pg, "playground");
    await pg.close();
  });

  check("polish: float32 results are shown at their shortest exact decimal", async () => {
    const page = await open(env, "");
    const T = await page.locator('[data-testid^="token-loss-"]').count();
    for (let r = 0; r < T; r++) {
      const text = await textOf(page, `token-loss-${r}`);
      const exact = await valueOf(page, `token-loss-${r}`);
      assert.ok(exact !== null && text !== null);
      assert.equal(text, shortestF32(exact), `token loss ${r}`);
      assert.equal(Math.fround(Number(text)), exact, `token loss ${r} reads back as its float32`);
    }
    // The heatmap's exact values (titles) are the gradient's own float32 digits.
    const titles = await page
      .locator('[data-testid="grad-heatmap"] td')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute("title") ?? ""));
    assert.ok(titles.length > 0);
    for (const t of titles) assert.equal(shortestF32(Math.fround(Number(t))), t, `gradient title ${t}`);
    await page.close();
  });

  check(
    "polish: 中文 pages have no ASCII punctuation between Chinese characters, and a refusal is in Chinese",
    async () => {
      const hashes = [
        "lang=zh",
        "lang=zh&z=0.1&eps=-0.5",
        "lang=zh&view=objectives",
        ...[0, 1, 2, 3, 4, 5].map((i) => `lang=zh&view=padding&pstep=${i}`),
        "lang=zh&view=big",
        "lang=zh&view=train",
      ];
      const bad = [];
      for (const hash of hashes) {
        const page = await open(env, hash);
        // The source article's table is quoted verbatim, its own punctuation included: left out here.
        const text = await page.evaluate(() => {
          const quoted = [...document.querySelectorAll(".seed-table")].map((el) => /** @type {HTMLElement} */ (el));
          for (const el of quoted) el.style.display = "none";
          const all = document.body.innerText;
          for (const el of quoted) el.style.display = "";
          return all;
        });
        for (const m of text.matchAll(ASCII_NEXT_TO_CJK))
          bad.push(`${hash}: …${text.slice(Math.max(0, m.index - 12), m.index + 12)}…`);
        if (hash === "lang=zh&view=padding&pstep=2") await shot(page, "padding-zh");
        if (hash === "lang=zh&view=big") await shot(page, "big-zh");
        await page.close();
      }
      assert.deepEqual(bad, [], "ASCII punctuation next to Chinese characters");

      // torch semantics refuse ε < 0: the sentence for the code in Chinese, the module's own words in the title.
      const page = await open(env, "lang=zh&sem=torch&eps=-0.5");
      const error = page.locator(".summary .error, [data-widget=summary] .error").first();
      assert.match((await error.textContent()) ?? "", /ε 超出范围：torch 语义要求 0 ≤ ε ≤ 1/);
      assert.match((await error.getAttribute("title")) ?? "", /epsilon -0\.5 is out of range/);
      await shot(page, "refusal-zh", "[data-widget=summary]");
      await page.close();
      const en = await open(env, "sem=torch&eps=-0.5");
      assert.match((await en.locator("[data-widget=summary] .error").first().textContent()) ?? "", /epsilon -0\.5/);
      await en.close();
      return `${hashes.length} pages in 中文`;
    },
  );

  check(
    "polish: Big tensors in 中文 says why the engine ran where it did in Chinese, the module's words in the title",
    async () => {
      const page = await open(env, "lang=zh&view=big");
      await page.waitForFunction(
        () => (document.querySelector('[data-testid="engine-reason"]')?.textContent ?? "") !== "",
        null,
        { timeout: 60000 },
      );
      const reason = page.locator('[data-testid="engine-reason"]');
      const text = (await reason.textContent()) ?? "";
      assert.match(text, /^引擎在 (webgpu|cpu-simd) 上运行：/);
      // Names from code (backend: "webgpu", requestAdapter(), SwiftShader) may stay; English prose may not.
      assert.doesNotMatch(text, /\b(the|is|are|and|than|so|for|calls?)\b/, `English prose in: ${text}`);
      assert.ok((await reason.getAttribute("title")) !== "", "the module's own sentence is kept in the title");
      const info = (await page.textContent('[data-testid="webgpu-probe"]')) ?? "";
      assert.doesNotMatch(info, /\b(fallback adapter|no adapter|timed out)\b/, `English in: ${info}`);
      // A refused import: the sentence for its code in Chinese, the reader's own words in the title.
      await page.fill('[data-testid="json-input"]', '{"logits": [[1, 2], [3]], "labels": [0, 1]}');
      await page.click('[data-testid="json-use"]');
      const refused = page.locator('[data-testid="import-message"]');
      assert.match((await refused.textContent()) ?? "", /JSON 中的数组形状不对/);
      assert.match((await refused.getAttribute("title")) ?? "", /ragged/);
      await page.close();
      return text.slice(0, 100);
    },
  );

  check("polish: at 390 px the label and loss of row 0 stay in view, in the page and in an embed", async () => {
    for (const [file, hash] of [
      ["index.html", ""],
      ["index.html", "lang=zh"],
      ["embed.html", "only=grid"],
    ]) {
      const page = await open(env, hash, { file, width: 390, height: 844 });
      await page.waitForSelector('[data-testid="token-loss-0"]');
      await page.locator('[data-testid="token-loss-0"]').scrollIntoViewIfNeeded();
      for (const testid of ["label-0", "token-loss-0"]) {
        const box = await page.locator(`[data-testid="${testid}"]`).boundingBox();
        assert.ok(box, `${file}#${hash}: ${testid} has a box`);
        assert.ok(
          box.x >= 0 && box.x + box.width <= 390,
          `${file}#${hash}: ${testid} at x ${box.x}..${box.x + box.width}`,
        );
      }
      // What sits under the sticky columns is hidden by them, not drawn over them.
      const onTop = await page.evaluate(() => {
        const loss = /** @type {HTMLElement} */ (document.querySelector('[data-testid="token-loss-0"]'));
        const r = loss.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit === loss || loss.contains(hit) || (hit?.contains(loss) ?? false);
      });
      assert.ok(onTop, `${file}#${hash}: the loss cell is not covered`);
      await shot(page, `grid-390-${file.replace(".html", "")}${hash.includes("zh") ? "-zh" : ""}`, ".grid-widget");
      await page.close();
    }
  });

  check("polish: heatmap colour scale, p and q apart, ε warnings, z-loss caption, skip link", async () => {
    for (const width of [1280, 390]) {
      const page = await open(env, "z=0.1&eps=-0.5&pos=1", { width, height: 900 });
      // Colour scale: ±max|g| at the ends.
      const titles = await page
        .locator('[data-testid="grad-heatmap"] td')
        .evaluateAll((tds) => tds.map((td) => Math.abs(Number(td.getAttribute("title")))));
      const max = Math.max(...titles.filter(Number.isFinite));
      const maxText = (await textOf(page, "heatmap-scale-max")) ?? "";
      assert.ok(maxText.startsWith("+") && Math.abs(Number(maxText.slice(1)) - max) <= 0.05 * max, maxText);
      assert.equal(await textOf(page, "heatmap-scale-min"), `−${maxText.slice(1)}`);
      // Distribution numbers: the p column ends before the q column starts, row by row.
      const overlaps = await page.locator(".dist-row").evaluateAll(
        (rows) =>
          rows.filter((row) => {
            const [p, q] = [...row.querySelectorAll(".num")].map((c) => {
              const range = document.createRange();
              range.selectNodeContents(c);
              return range.getBoundingClientRect();
            });
            return p && q && p.right > q.left;
          }).length,
      );
      assert.equal(overlaps, 0, `${width}px: p and q numbers overlap`);
      // ε < 0 warned at the control; the curve says it includes z-loss.
      assert.match((await textOf(page, "eps-negative")) ?? "", /ε < 0 gives the smoothing term a negative weight/);
      assert.match((await page.textContent('[data-testid="eps-curve"] .hint')) ?? "", /includes the z-loss term/);
      await shot(page, `panels-${width}`, ".cards");
      await page.close();
    }
    const page = await open(env, "");
    assert.equal(await page.locator('[data-testid="eps-negative"]').isHidden(), true, "no warning at ε = 0.1");
    assert.doesNotMatch((await page.textContent('[data-testid="eps-curve"] .hint')) ?? "", /z-loss/);
    // The skip link: first focus inside the grid card, past its inputs to the next panel.
    await page.focus('[data-testid="skip-grid"]');
    assert.equal(await page.locator('[data-testid="skip-grid"]').isVisible(), true, "visible when focused");
    const hashBefore = await page.evaluate(() => location.hash);
    await page.keyboard.press("Enter");
    const focused = await page.evaluate(() =>
      document.activeElement?.closest("[data-widget]")?.getAttribute("data-widget"),
    );
    assert.equal(focused, "controls");
    assert.equal(await page.evaluate(() => location.hash), hashBefore, "the link leaves the state alone");
    assertNoProblems(page, "playground");
    await page.close();
  });
}
