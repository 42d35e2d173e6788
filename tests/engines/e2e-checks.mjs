// The front end's core end-to-end checks, re-expressed over WebDriver so they run in Firefox and
// WebKit as tests/e2e/ runs them in Chromium: golden links, a control edit, a shared link, the
// embeds, hostile links. Expected values are PyTorch's golden numbers and the float64 LabelSmoother
// of tests/e2e/oracle.mjs (proven against those numbers by tests/e2e/run.mjs and by this runner).
import assert from "node:assert/strict";
import { By } from "selenium-webdriver";
import { assertClose, assertSixDigits, goldenLink, num } from "../e2e/helpers.mjs";
import { goldenCases, labelSmootherF64 } from "../e2e/oracle.mjs";
import { defaultState } from "../../www/js/state.js";
import { assertNoProblems, choose, click, inputValue, load, textOf, type, valueOf, waitFor } from "./e2e-page.mjs";
import { HOSTILE as ALL_HOSTILE } from "../e2e/hostile.mjs";

/** @typedef {import("selenium-webdriver").WebDriver} WebDriver */
/** A check: its name and a function of the engine's driver that throws on failure. @typedef {{ name: string, fn: (driver: WebDriver) => Promise<string | void> }} EngineCheck */

/** The playground's default state through the oracle, at `epsilon`. @param {number} epsilon */
function defaultLoss(epsilon) {
  const s = defaultState();
  return labelSmootherF64({ logits: s.logits.flat(), dims: [1, 6, 8], labels: s.labels }, { epsilon }).loss;
}

/** @param {string} base the served www/ root, ending in "/" @returns {EngineCheck[]} */
export function engineChecks(base) {
  return [
    {
      name: `golden cases as links (${GOLDEN.length}): displayed loss = PyTorch to 1e-6 relative, refusals in words`,
      fn: async (driver) => {
        let losses = 0;
        let refusals = 0;
        for (const name of GOLDEN) {
          const c = goldenCases().find((x) => x.name === name);
          const link = c && goldenLink(c);
          assert.ok(c && link, `golden case ${name} is gone or no longer fits the playground`);
          await load(driver, `${base}index.html#${link}`);
          if (c.error) {
            const error = await driver.findElement(By.css('[data-testid="error"]'));
            assert.ok(await error.isDisplayed(), `${c.name}: no refusal shown`);
            assert.match(await error.getText(), /refused this input: .*(out of range|must|negative|label)/i, c.name);
            assert.equal(await textOf(driver, "loss"), "—", `${c.name}: a loss beside the refusal`);
            refusals++;
            continue;
          }
          const want = c.expected;
          if (want.loss === null) {
            // reduction none: per-token losses instead of a scalar.
            const perToken = want.perTokenLoss ?? [];
            for (let r = 0; r < perToken.length; r++)
              assertClose(
                Number(await textOf(driver, `token-loss-${r}`)),
                num(perToken[r]),
                5e-4,
                `${c.name} token ${r}`,
              );
          } else {
            assertClose(await valueOf(driver, "loss"), num(want.loss), 1e-6, `${c.name} loss`);
            assertSixDigits(await textOf(driver, "loss"), num(want.loss), `${c.name} displayed loss`);
            assert.equal(await valueOf(driver, "num-active"), want.numActive, `${c.name} numActive`);
          }
          assert.match(await textOf(driver, "backend"), /^cpu-(simd|scalar)$/, `${c.name} backend`);
          await assertNoProblems(driver, c.name);
          losses++;
        }
        assert.equal(losses + refusals, GOLDEN.length, "every chosen case was checked");
        return `${losses} golden losses, ${refusals} refusals`;
      },
    },
    {
      name: "typing into a logit, a label and ε: loss = float64 LabelSmoother, the link follows",
      fn: async (driver) => {
        await load(driver, `${base}index.html`);
        await type(driver, "logit-0-1", "2.5");
        await choose(driver, "label-2", "-100");
        await type(driver, "eps", "0.25");
        const s = defaultState();
        const logits = s.logits.map((r) => r.slice());
        logits[0][1] = 2.5;
        const labels = s.labels.slice();
        labels[2] = -100;
        const want = labelSmootherF64({ logits: logits.flat(), dims: [1, 6, 8], labels }, { epsilon: 0.25 });
        assertClose(await valueOf(driver, "loss"), want.loss, 1e-6, "loss after edits");
        assertSixDigits(await textOf(driver, "loss"), want.loss, "displayed loss after edits");
        assertClose(await valueOf(driver, "nll"), want.nll, 1e-6, "nll");
        assertClose(await valueOf(driver, "smooth"), want.smooth, 1e-6, "smooth");
        assertClose(await valueOf(driver, "trace-result"), want.loss, 1e-6, "trace result");
        assert.equal(await textOf(driver, "num-active"), "5");
        const hash = String(await driver.executeScript("return location.hash"));
        assert.match(hash, /eps=0\.25/);
        assert.match(hash, /labels=1,2,-100,4,5,7/);
        await assertNoProblems(driver, "controls");
        return `loss ${want.loss.toPrecision(7)}`;
      },
    },
    {
      name: "the Share panel's link, opened fresh, restores the same numbers and controls",
      fn: async (driver) => {
        await load(driver, `${base}index.html`);
        await click(driver, "sem-torch");
        await choose(driver, "reduction", "sum");
        await click(driver, "shift");
        await type(driver, "logit-2-5", "-1.75");
        await type(driver, "z-loss-scale", "0.01");
        await click(driver, "lang-toggle");
        const url = await inputValue(driver, "share-url");
        const loss = await valueOf(driver, "loss");
        const hash = String(await driver.executeScript("return location.hash"));
        assert.equal(url.split("#")[1], hash.slice(1), "the share link is not the page's link");
        assert.ok(loss !== null && Number.isFinite(loss), `loss ${loss}`);

        await load(driver, url);
        assert.equal(await valueOf(driver, "loss"), loss, "loss after the fresh load");
        assert.equal(await driver.findElement(By.css('[data-testid="sem-torch"]')).isSelected(), true);
        assert.equal(await inputValue(driver, "reduction"), "sum");
        assert.equal(await driver.findElement(By.css('[data-testid="shift"]')).isSelected(), true);
        assert.equal(await inputValue(driver, "logit-2-5"), "-1.75");
        assert.equal(await inputValue(driver, "z-loss-scale"), "0.01");
        assert.equal(await driver.executeScript("return document.documentElement.lang"), "zh-CN");
        assert.equal(await driver.executeScript("return location.hash"), hash);
        assert.equal(await driver.findElement(By.css('[data-testid="state-message"]')).isDisplayed(), false);
        await assertNoProblems(driver, "restored link");
        return `loss ${loss}`;
      },
    },
    {
      name: "embeds: the iframe posts its height, <losslab-widget> renders and computes, KaTeX typesets",
      fn: async (driver) => {
        await load(driver, `${base}docs.html`, { app: false });
        // The embed posts again as it grows (WebKit first lays it out at about 130 px): wait for the
        // height that matches its content.
        await waitFor(
          driver,
          `(() => { const f = document.getElementById("docs-iframe"); const posted = Number(f?.dataset.postedHeight);
             const app = f?.contentDocument?.getElementById("app");
             return posted > 300 && app && posted === Math.ceil(app.getBoundingClientRect().height); })()`,
        );
        const [posted, frameHeight] = /** @type {[number, number]} */ (
          await driver.executeScript(`const f = document.getElementById("docs-iframe");
            return [Number(f.dataset.postedHeight), f.getBoundingClientRect().height]`)
        );
        assert.ok(Math.abs(frameHeight - posted) < 1, `iframe height ${frameHeight} vs posted ${posted}`);
        await waitFor(driver, `document.querySelector("losslab-widget")?.dataset.ready === "true"`);
        const widget = /** @type {{ loss: string, height: number, content: number }} */ (
          await driver.executeScript(`const e = document.querySelector('losslab-widget[data-testid="docs-element"]');
            const root = e.shadowRoot;
            return { loss: root.querySelector('[data-testid="loss"]').getAttribute("data-value"),
                     height: e.getBoundingClientRect().height,
                     content: root.querySelector(".ll-widget").getBoundingClientRect().height }`)
        );
        assertClose(Number(widget.loss), defaultLoss(0.2), 1e-6, "element loss");
        assert.ok(
          widget.height > 300 && Math.abs(widget.height - widget.content) < 2,
          `element ${widget.height} vs content ${widget.content}`,
        );
        await assertNoProblems(driver, "docs");

        // One panel alone: the formula, typeset by KaTeX with its fonts.
        await load(driver, `${base}embed.html#only=formula&eps=0.2`);
        await waitFor(driver, `document.querySelector(".katex .katex-html")`);
        const fonts = await driver.executeAsyncScript(
          `const done = arguments[arguments.length - 1];
           document.fonts.ready.then(() => done([...document.fonts].filter((f) => f.status === "loaded").map((f) => f.family)));`,
        );
        assert.ok(
          /** @type {string[]} */ (fonts).some((f) => /KaTeX/.test(f)),
          `no KaTeX font loaded: ${JSON.stringify(fonts)}`,
        );
        assert.equal(await driver.findElements(By.css("header, nav, footer")).then((l) => l.length), 0);
        await assertNoProblems(driver, "embed only=formula");
        return `posted ${posted} px, element loss ${widget.loss}`;
      },
    },
    {
      name: `hostile link hashes render inert with a message (${HOSTILE.length} payloads)`,
      fn: async (driver) => {
        for (const [name, hash, message] of HOSTILE) {
          await load(driver, `${base}index.html#${hash}`);
          const box = await driver.findElement(By.css('[data-testid="state-message"]'));
          assert.ok(await box.isDisplayed(), `${name}: no message shown`);
          assert.match(await box.getText(), message, `${name}: message`);
          const inert = /** @type {{ pwned: unknown, polluted: unknown, markup: number }} */ (
            await driver.executeScript(`return {
              pwned: window.__pwned ?? null,
              polluted: Object.prototype.polluted ?? ({}).polluted ?? null,
              markup: document.querySelectorAll("img, script:not([src])").length +
                [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).length,
            }`)
          );
          assert.equal(inert.pwned, null, `${name}: script ran`);
          assert.equal(inert.polluted, null, `${name}: prototype polluted`);
          assert.equal(inert.markup, 0, `${name}: markup from the link reached the DOM`);
          // The page keeps working: ε still drives the loss.
          await type(driver, "eps", "0.3");
          const v = await valueOf(driver, "loss");
          if (hash.includes("logits")) assert.ok(v !== null && Number.isFinite(v), `${name}: loss ${v} after an edit`);
          else assertClose(v, defaultLoss(0.3), 1e-6, `${name}: loss after an edit`);
          await assertNoProblems(driver, name);
        }
        return `${HOSTILE.length} payloads`;
      },
    },
  ];
}

/** Golden cases that each exercise a different path: plain hf, shifted labels, +inf and NaN
 * explained, torch semantics, reduction none (per-token values), and a refusal. */
const GOLDEN = [
  "hf_basic",
  "hf_2d_input_as_one_sequence",
  "hf_neg_inf_eps0.1",
  "hf_nan_logit",
  "torch_neg_inf_eps0_finite",
  "torch_neg_inf_eps0_none",
  "hf_label_eq_V_error",
];

/** A sample of the Chromium suite's hostile hashes: markup, script, huge values, pollution. */
const SAMPLE = ["script in a value", "HTML in token names", "huge numbers", "prototype pollution"];
const HOSTILE = ALL_HOSTILE.filter(([name]) => SAMPLE.includes(name));
if (HOSTILE.length !== SAMPLE.length)
  throw new Error(`hostile sample: ${SAMPLE.length - HOSTILE.length} names not found`);
