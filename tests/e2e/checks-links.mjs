// Links and embeds: a shared link restores the view exactly; the iframe embed posts its height and
// ignores incoming messages; the custom element sizes itself and follows the host's colour scheme;
// hostile link hashes render inert with a clear message.
import assert from "node:assert/strict";
import { open, valueOf, textOf, assertClose, assertNoProblems } from "./helpers.mjs";
import { HOSTILE } from "./hostile.mjs";
import { labelSmootherF64 } from "./oracle.mjs";
import { defaultState, encodeJsonForm } from "../../www/js/state.js";
import { newPage } from "./browser.mjs";

const luminance = (/** @type {string} */ rgb) => {
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
};

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function linkChecks(check, env) {
  check("a shared link restores the playground exactly", async () => {
    const page = await open(env);
    await page.click('[data-testid="sem-torch"]');
    await page.selectOption('[data-testid="reduction"]', "sum");
    await page.check('[data-testid="shift"]');
    await page.fill('[data-testid="z-loss-scale"]', "0.01");
    await page.fill('[data-testid="logit-2-5"]', "-1.75");
    await page.fill('[data-testid="num-items"]', "4");
    await page.selectOption('[data-testid="theme"]', "dark");
    await page.click('[data-testid="lang-toggle"]');
    const url = await page.inputValue('[data-testid="share-url"]');
    const loss = await valueOf(page, "loss");
    const hash = await page.evaluate(() => location.hash);
    assert.equal(url.split("#")[1], hash.slice(1));
    const embed = await page.inputValue('[data-testid="share-embed"]');
    assert.match(embed, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html#/);
    await page.close();

    const again = await newPage(env);
    await again.goto(url);
    await again.waitForSelector("#app[data-ready=true]");
    assert.equal(await valueOf(again, "loss"), loss);
    assert.equal(await again.isChecked('[data-testid="sem-torch"]'), true);
    assert.equal(await again.inputValue('[data-testid="reduction"]'), "sum");
    assert.equal(await again.isChecked('[data-testid="shift"]'), true);
    assert.equal(await again.inputValue('[data-testid="z-loss-scale"]'), "0.01");
    assert.equal(await again.inputValue('[data-testid="logit-2-5"]'), "-1.75");
    assert.equal(await again.inputValue('[data-testid="num-items"]'), "4");
    assert.equal(await again.getAttribute("html", "data-theme"), "dark");
    assert.equal(await again.getAttribute("html", "lang"), "zh-CN");
    assert.equal(await again.evaluate(() => location.hash), hash);
    assert.equal(await again.locator('[data-testid="state-message"]').isVisible(), false);
    assertNoProblems(again, "restored link");
    await again.close();
  });

  check("shared links restore the other views", async () => {
    /** @type {[string, (p: import("playwright-core").Page) => Promise<void>][]} */
    const cases = [
      [
        "view=objectives&oplen=5&orc=8",
        async (p) => {
          assert.equal(await p.inputValue('[data-testid="obj-prompt-len"]'), "5");
          assert.equal(await p.inputValue('[data-testid="obj-response-conf"]'), "8");
        },
      ],
      [
        "view=padding&pstep=3&pside=left&pmul=8",
        async (p) => {
          assert.equal(await p.getAttribute(".step-button[aria-current=step]", "class"), "step-button");
          assert.match((await p.textContent(".step-button[aria-current=step]")) ?? "", /^4\./);
          assert.equal(await p.inputValue('[data-testid="collate-side"]'), "left");
          assert.match((await p.textContent('[data-testid="collate"]')) ?? "", /input_ids: \[3, 8\]/);
        },
      ],
      [
        "view=big&bt=16&bv=1000&beps=0.2",
        async (p) => {
          assert.equal(await p.inputValue('[data-testid="big-bt"]'), "16");
          assert.equal(await p.inputValue('[data-testid="big-bv"]'), "1000");
        },
      ],
    ];
    for (const [hash, verify] of cases) {
      const page = await open(env, hash);
      await verify(page);
      assert.equal(
        await page.getAttribute(`[data-testid="nav-${hash.split("&")[0].split("=")[1]}"]`, "aria-current"),
        "page",
      );
      assertNoProblems(page, hash);
      await page.close();
    }
  });

  check("docs page: the iframe embed posts its height, the custom element renders and sizes itself", async () => {
    const page = await newPage(env);
    await page.goto(`${env.base}docs.html`);
    await page.waitForFunction(() => Number(document.getElementById("docs-iframe")?.dataset.postedHeight) > 100, null, {
      timeout: 30000,
    });
    const posted = Number(await page.getAttribute("#docs-iframe", "data-posted-height"));
    const box = await page.locator("#docs-iframe").boundingBox();
    assert.ok(box, "the iframe is not laid out");
    assert.ok(Math.abs(box.height - posted) < 1, `iframe height ${box.height} vs posted ${posted}`);
    const frame = page.frame({ url: /embed\.html/ });
    assert.ok(frame, "no embed frame");
    assert.equal(await frame.locator("header, nav, footer").count(), 0, "embed shows page chrome");
    const inner = await frame.evaluate(() =>
      Math.ceil(/** @type {HTMLElement} */ (document.getElementById("app")).getBoundingClientRect().height),
    );
    assert.equal(posted, inner);

    await page.waitForSelector("losslab-widget[data-ready=true]");
    const el = page.locator('losslab-widget[data-testid="docs-element"]');
    const s = defaultState();
    const want = labelSmootherF64({ logits: s.logits.flat(), dims: [1, 6, 8], labels: s.labels }, { epsilon: 0.2 });
    assertClose(
      Number(await el.locator('[data-testid="loss"]').getAttribute("data-value")),
      want.loss,
      1e-6,
      "element loss",
    );
    const elBox = await el.boundingBox();
    assert.ok(elBox, "the element is not laid out");
    const contentH = await el.evaluate(
      (e) =>
        /** @type {HTMLElement} */ (
          /** @type {ShadowRoot} */ (e.shadowRoot).querySelector(".ll-widget")
        ).getBoundingClientRect().height,
    );
    assert.ok(
      elBox.height > 300 && Math.abs(elBox.height - contentH) < 2,
      `element ${elBox.height} vs content ${contentH}`,
    );
    // Interactive inside the shadow root: the element's own controls drive its own loss.
    await el.locator('[data-testid="eps"]').fill("0.5");
    const want5 = labelSmootherF64({ logits: s.logits.flat(), dims: [1, 6, 8], labels: s.labels }, { epsilon: 0.5 });
    assertClose(
      Number(await el.locator('[data-testid="loss"]').getAttribute("data-value")),
      want5.loss,
      1e-6,
      "element loss after edit",
    );
    // Host styles do not leak in, and the element needs none: its font comes from its own sheet.
    const light = await el.evaluate(
      (e) =>
        getComputedStyle(
          /** @type {HTMLElement} */ (/** @type {ShadowRoot} */ (e.shadowRoot).querySelector(".ll-widget")),
        ).backgroundColor,
    );
    assert.ok(luminance(light) > 0.8, `light background ${light}`);

    // The embed acts on no incoming message.
    const before = { url: frame.url(), path: await frame.getAttribute(".curve path.line", "d") };
    await page.evaluate(() => {
      const w = /** @type {Window} */ (
        /** @type {HTMLIFrameElement} */ (document.getElementById("docs-iframe")).contentWindow
      );
      w.postMessage({ type: "losslab:state", state: "eps=0.9" }, "*");
      w.postMessage("eps=0.9", "*");
      w.postMessage({ type: "losslab:height", height: 5 }, "*");
    });
    await page.waitForTimeout(400);
    assert.equal(frame.url(), before.url);
    assert.equal(await frame.getAttribute(".curve path.line", "d"), before.path);
    assertNoProblems(page, "docs");
    await page.close();
  });

  check("embed.html shows one widget per `only` value and every view without chrome", async () => {
    const cases = [
      ["grid", 3],
      ["summary", 1],
      ["dist", 1],
      ["heatmap", 1],
      ["curve", 1],
      ["formula", 1],
      ["trace", 1],
    ];
    for (const [only, cards] of cases) {
      const page = await open(env, `only=${only}`, { file: "embed.html" });
      const shown = await page.locator(".card:visible").count();
      assert.equal(shown, cards, `only=${only}: ${shown} panels shown`);
      assert.equal(await page.locator("header, nav, footer, .intro").count(), 0, `only=${only}: page chrome`);
      assertNoProblems(page, `embed only=${only}`);
      await page.close();
    }
    for (const view of ["objectives", "padding", "big"]) {
      const page = await open(env, `view=${view}&bt=8&bv=100`, { file: "embed.html" });
      assert.ok((await page.locator(".card:visible").count()) >= 2, `embed view=${view}`);
      assert.equal(await page.locator("header, nav, footer").count(), 0);
      assertNoProblems(page, `embed view=${view}`);
      await page.close();
    }
    return `${cases.length} panels, 3 views`;
  });

  check("custom element and embed follow prefers-color-scheme: dark", async () => {
    const page = await newPage(env, { colorScheme: "dark" });
    await page.goto(`${env.base}docs.html`);
    await page.waitForSelector("losslab-widget[data-ready=true]");
    const bg = await page
      .locator("losslab-widget")
      .evaluate(
        (e) =>
          getComputedStyle(
            /** @type {HTMLElement} */ (/** @type {ShadowRoot} */ (e.shadowRoot).querySelector(".ll-widget")),
          ).backgroundColor,
      );
    assert.ok(luminance(bg) < 0.2, `dark background ${bg}`);
    const frame = page.frame({ url: /embed\.html/ });
    assert.ok(frame, "no embed frame");
    await frame.waitForSelector("#app[data-ready=true]");
    const fbg = await frame.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.ok(luminance(fbg) < 0.2, `embed dark background ${fbg}`);
    // theme="light" overrides the preference.
    await page.locator("losslab-widget").evaluate((e) => e.setAttribute("theme", "light"));
    await page.waitForFunction(
      () =>
        /** @type {HTMLElement | undefined} */ (
          document.querySelector("losslab-widget")?.shadowRoot?.querySelector(".ll-widget")
        )?.dataset.theme === "light",
    );
    const lbg = await page
      .locator("losslab-widget")
      .evaluate(
        (e) =>
          getComputedStyle(
            /** @type {HTMLElement} */ (/** @type {ShadowRoot} */ (e.shadowRoot).querySelector(".ll-widget")),
          ).backgroundColor,
      );
    assert.ok(luminance(lbg) > 0.8, `forced light background ${lbg}`);
    assertNoProblems(page, "dark docs");
    await page.close();
  });

  check(`hostile link hashes render inert with a clear message (${HOSTILE.length} payloads)`, async () => {
    const s = defaultState();
    for (const [name, hash, message] of HOSTILE) {
      const page = await open(env, hash);
      const box = page.locator('[data-testid="state-message"]');
      assert.ok(await box.isVisible(), `${name}: no message shown`);
      assert.match((await box.textContent()) ?? "", message, `${name}: message`);
      const inert = await page.evaluate(() => ({
        pwned: window.__pwned,
        polluted:
          /** @type {{ polluted?: unknown }} */ (Object.prototype).polluted ??
          /** @type {{ polluted?: unknown }} */ ({}).polluted,
        imgs: document.querySelectorAll("img").length,
        scripts: document.querySelectorAll("script:not([src])").length,
        handlers: [...document.querySelectorAll("*")].filter((e) =>
          [...e.attributes].some((a) => a.name.startsWith("on")),
        ).length,
        hash: location.hash,
      }));
      assert.equal(inert.pwned, undefined, `${name}: script ran`);
      assert.equal(inert.polluted, undefined, `${name}: prototype polluted`);
      assert.equal(inert.imgs + inert.scripts + inert.handlers, 0, `${name}: markup from the link reached the DOM`);
      assert.ok(
        !/[<>"]/.test(decodeURIComponent(inert.hash.replace(/%(?![0-9A-F]{2})/gi, ""))) ||
          name === "HTML in token names",
        `${name}: the link was not normalised (${inert.hash.slice(0, 80)})`,
      );
      // The page keeps working: the ε control still drives the loss.
      await page.fill('[data-testid="eps"]', "0.3");
      const v = await valueOf(page, "loss");
      assert.ok(v !== null && Number.isFinite(v), `${name}: loss ${v} after an edit`);
      if (!hash.includes("logits")) {
        const want = labelSmootherF64({ logits: s.logits.flat(), dims: [1, 6, 8], labels: s.labels }, { epsilon: 0.3 });
        assertClose(v, want.loss, 1e-6, `${name}: loss after an edit`);
      }
      assertNoProblems(page, name);
      await page.close();
    }
    // The same payloads through the custom element's state attribute.
    const page = await newPage(env);
    await page.goto(`${env.base}docs.html`);
    await page.waitForSelector("losslab-widget[data-ready=true]");
    await page
      .locator("losslab-widget")
      .evaluate((e) => e.setAttribute("state", "vocab=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E,b,c,d,e,f,g,h&eps=%ZZ"));
    await page.waitForFunction(
      () =>
        !!document
          .querySelector("losslab-widget")
          ?.shadowRoot?.querySelector('[data-testid="state-message"]:not([hidden])'),
    );
    const inside = await page.locator("losslab-widget").evaluate((e) => ({
      imgs: e.shadowRoot?.querySelectorAll("img").length,
      text: e.shadowRoot?.querySelector('[data-testid="state-message"]')?.textContent ?? "",
    }));
    assert.equal(inside.imgs, 0);
    assert.match(inside.text, /percent-encoding/);
    assertNoProblems(page, "element with a hostile state");
    await page.close();
    return `${HOSTILE.length} payloads + element`;
  });

  check("the s= JSON form of a link restores state", async () => {
    const page = await open(env, encodeJsonForm({ eps: 0.35, labels: [1, 2, 3, 4, 5, -100] }));
    const s = defaultState();
    const want = labelSmootherF64(
      { logits: s.logits.flat(), dims: [1, 6, 8], labels: [1, 2, 3, 4, 5, -100] },
      { epsilon: 0.35 },
    );
    assertClose(await valueOf(page, "loss"), want.loss, 1e-6, "s= link");
    assert.match(await page.evaluate(() => location.hash), /^#labels=1,2,3,4,5,-100&eps=0\.35$/);
    assertNoProblems(page, "s= link");
    await page.close();
  });

  return { textOf };
}
