// The writer's path: losslab embedded in another site's documentation. The static server's CORS
// headers and busy-port message, <losslab-widget> loaded from another origin, its fallback when
// loading fails, the Share panel's snippets pasted as-is into a page of another origin (full height,
// interactive through the compact ε control), the popover's Escape and theme, KaTeX inside the
// shadow root, and the docs page in 中文.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createServer } from "node:http";
import { serve, listen } from "../../scripts/serve.mjs";
import { ROOT, newPage } from "./browser.mjs";
import { open, assertClose, assertNoProblems } from "./helpers.mjs";
import { labelSmootherF64 } from "./oracle.mjs";
import { SHOTS } from "./checks-a11y.mjs";
import { defaultState } from "../../www/js/state.js";

/** The default playground's loss at ε (the float64 reference). @param {number} epsilon */
const defaultLoss = (epsilon) => {
  const s = defaultState();
  return labelSmootherF64({ logits: s.logits.flat(), dims: [1, 6, 8], labels: s.labels }, { epsilon }).loss;
};

/** A host page: plain HTML with `body` pasted in, served at `url` (another origin than the widget's). @param {string} body */
const hostHtml = (body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A documentation page</title></head>` +
  `<body style="margin:0;font-family:serif"><main><h1>Docs of some other project</h1><p>Text before.</p>\n${body}\n<p>Text after.</p></main></body></html>`;

// The host pages' own server: each page a writer would publish, held in memory by path. A real
// loopback server, not a route: Chromium lets only a loopback page load from loopback origins.
/** @type {Map<string, string>} */
const HOST_PAGES = new Map();
/** @type {Promise<string> | null} */
let hostOrigin = null;
const hostBase = () =>
  (hostOrigin ??= listen(
    createServer((req, res) => {
      const html = HOST_PAGES.get(new URL(req.url ?? "/", "http://host").pathname);
      if (html === undefined) res.writeHead(404).end("not found");
      else res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
    }),
    0,
  ).then((server) => `http://127.0.0.1:${server.address().port}/`));

/**
 * Publishes `html` as /name.html on the host origin and opens it in a fresh page.
 * @param {import("./helpers.mjs").Env} env @param {string} name @param {string} html
 * @param {{ width?: number, height?: number, before?: (page: import("./browser.mjs").CheckedPage) => Promise<unknown> }} [options]
 */
async function openHost(env, name, html, { width, height, before } = {}) {
  HOST_PAGES.set(`/${name}.html`, html);
  const page = await newPage(env, { width, height });
  await before?.(page);
  await page.goto(`${await hostBase()}${name}.html`);
  return page;
}

/** Waits for the first <losslab-widget> to settle; returns its data-ready. @param {import("playwright-core").Page} page */
async function widgetReady(page) {
  await page.waitForSelector("losslab-widget[data-ready]", { timeout: 30000 });
  return page.getAttribute("losslab-widget", "data-ready");
}

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function writerChecks(check, env) {
  // Origin B: a second server of www/ (another port is another origin); run.mjs's exit ends it.
  /** @type {Promise<import("../../scripts/serve.mjs").TcpServer> | null} */
  let other = null;
  const originB = async () => {
    other ??= serve(join(ROOT, "www"), 0);
    return `http://127.0.0.1:${(await other).address().port}/`;
  };

  check(
    "writer: serve.mjs sends CORS and CORP headers, answers preflights; a busy port is one line and exit 1",
    async () => {
      const b = await originB();
      for (const path of ["losslab-widget.js", "pkg/index.js", "pkg/losslab_bg.wasm", "css/losslab.css"]) {
        const r = await fetch(b + path);
        assert.equal(r.status, 200, path);
        assert.equal(r.headers.get("access-control-allow-origin"), "*", `${path}: CORS`);
        assert.equal(r.headers.get("cross-origin-resource-policy"), "cross-origin", `${path}: CORP`);
      }
      assert.equal((await fetch(b + "pkg/losslab_bg.wasm")).headers.get("content-type"), "application/wasm");
      const pre = await fetch(b + "pkg/index.js", {
        method: "OPTIONS",
        headers: { origin: "http://example.test", "access-control-request-method": "GET" },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get("access-control-allow-origin"), "*");
      // The CLI on a port that is taken (origin B's).
      const port = new URL(b).port;
      const child = spawn(process.execPath, [join(ROOT, "scripts", "serve.mjs"), port], { stdio: "pipe" });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      const code = await new Promise((ok) => child.on("exit", ok));
      assert.equal(code, 1, `exit code ${code}: ${out}`);
      const lines = out.trim().split("\n");
      assert.equal(lines.length, 1, `more than one line:\n${out}`);
      assert.match(lines[0], new RegExp(`^losslab: port ${port} is in use; set PORT=\\d+ \\./scripts/play\\.sh`));
      return lines[0];
    },
  );

  check(
    "writer: <losslab-widget> from another origin renders with the right loss; without CORS its fallback child shows",
    async () => {
      const b = await originB();
      const html = hostHtml(
        `<script type="module" src="${b}losslab-widget.js"></script>\n` +
          `<losslab-widget view="playground" only="grid" state="eps=0.25"><a href="${b}index.html#eps=0.25">Open this example in losslab</a></losslab-widget>`,
      );
      const page = await openHost(env, "element", html);
      assert.equal(await widgetReady(page), "true", "the widget did not start across origins");
      const loss = Number(
        await page.locator("losslab-widget").locator('[data-testid="loss"]').getAttribute("data-value"),
      );
      assertClose(loss, defaultLoss(0.25), 1e-6, "cross-origin widget loss");
      assertNoProblems(page, "cross-origin host");
      await page.screenshot({ path: join(SHOTS, "writer-cross-origin-widget.png"), fullPage: true });
      await page.close();

      // The same page from a server that sends no CORS header (origin B's files through a proxy that
      // drops it): the module is refused, the element never upgrades, and the author's child link is
      // what the reader sees.
      const bareServer = await listen(
        createServer(async (req, res) => {
          const r = await fetch(new URL(req.url ?? "/", b));
          const headers = Object.fromEntries(
            [...r.headers].filter(([k]) => !/^access-control-|^content-length$/.test(k)),
          );
          res.writeHead(r.status, headers).end(Buffer.from(await r.arrayBuffer()));
        }),
        0,
      );
      const bareOrigin = `http://127.0.0.1:${bareServer.address().port}/`;
      const bare = await openHost(env, "element-no-cors", html.replaceAll(b, bareOrigin));
      await bare.waitForTimeout(1500);
      assert.equal(await bare.evaluate(() => !!customElements.get("losslab-widget")), false, "loaded without CORS?");
      assert.equal(await bare.locator("losslab-widget a").isVisible(), true, "the fallback child is not shown");
      await bare.close();
    },
  );

  check("writer: when the package cannot load, the widget says so and links to the view", async () => {
    const b = await originB();
    // The module and its stylesheet load; the wasm is missing (404): a start-up failure inside the element.
    const html = hostHtml(
      `<script type="module" src="${b}losslab-widget.js"></script>\n` +
        `<losslab-widget only="curve" state="eps=0.4"><a href="${b}index.html#eps=0.4">Open this example in losslab</a></losslab-widget>`,
    );
    const page = await openHost(env, "fail", html, {
      before: (p) => p.route(`${b}pkg/*.wasm`, (route) => route.fulfill({ status: 404, body: "not found" })),
    });
    assert.equal(await widgetReady(page), "error");
    const box = page.locator("losslab-widget").locator('[data-testid="widget-fallback"]');
    assert.equal(await box.isVisible(), true, "no visible fallback");
    assert.match((await box.textContent()) ?? "", /could not load here\. Open it on its own page\./);
    const href = (await box.locator("p a").getAttribute("href")) ?? "";
    assert.equal(href.split("#")[0], `${b}index.html`);
    assert.match(href, /eps=0\.4/);
    assert.match(href, /only=curve/);
    // The author's own child link shows through the slot.
    assert.equal(await page.locator("losslab-widget > a").isVisible(), true, "the slotted fallback child is hidden");
    await page.screenshot({ path: join(SHOTS, "writer-fallback.png"), fullPage: true });
    await page.close();
  });

  check(
    "writer: Share snippets pasted as-is on another origin render at full height, with a working ε control",
    async () => {
      const b = await originB();
      // The sharer is on origin B, in dark theme; the snippets must not force it.
      const sharer = await newPage(env);
      await sharer.goto(`${b}index.html#eps=0.3&theme=dark`);
      await sharer.waitForSelector("#app[data-ready=true]");
      await sharer.click(".share summary");
      const options = await sharer
        .locator('[data-testid="share-only"] option')
        .evaluateAll((o) => o.map((x) => /** @type {HTMLOptionElement} */ (x).value));
      assert.deepEqual(options, ["", "grid", "summary", "dist", "heatmap", "curve", "formula", "trace"]);
      const snippets = async (/** @type {string} */ only) => {
        await sharer.selectOption('[data-testid="share-only"]', only);
        return {
          element: await sharer.inputValue('[data-testid="share-element"]'),
          iframe: await sharer.inputValue('[data-testid="share-embed"]'),
        };
      };
      const curve = await snippets("curve");
      const whole = await snippets("");
      for (const text of [curve.element, curve.iframe, whole.iframe])
        assert.doesNotMatch(text, /theme=dark|theme="dark"/, "a snippet forces the sharer's theme");
      assert.match(curve.element, /only="curve"/);
      assert.match(curve.iframe, /only=curve/);
      await sharer.close();

      /** Pastes an iframe snippet into a host page and checks its height against its content. @param {string} snippet @param {string} name */
      const pasteIframe = async (snippet, name) => {
        const page = await openHost(env, name, hostHtml(snippet));
        const frameEl = page.locator("iframe");
        await page.waitForFunction(() => !!document.querySelector("iframe")?.style.height, null, { timeout: 30000 });
        const frame = page.frame({ url: /embed\.html/ });
        assert.ok(frame, "no embed frame");
        await frame.waitForSelector("#app[data-ready=true]");
        // Wait for the last height message to land (layout settles after fonts and KaTeX).
        await page.waitForTimeout(500);
        const measure = async () => ({
          outer: (await frameEl.boundingBox())?.height ?? 0,
          inner: await frame.evaluate(() => document.documentElement.scrollHeight),
          viewport: await frame.evaluate(() => innerHeight),
        });
        const m = await measure();
        assert.ok(m.outer > 300, `${name}: iframe only ${m.outer} px tall`);
        assert.ok(Math.abs(m.outer - m.inner) <= 3, `${name}: iframe ${m.outer} px vs content ${m.inner} px`);
        assert.ok(
          m.inner <= m.viewport + 1,
          `${name}: content ${m.inner} px is cropped by a ${m.viewport} px viewport`,
        );
        return { page, frame, m };
      };

      const curveFrame = await pasteIframe(curve.iframe, "iframe-curve");
      const { page, frame } = curveFrame;
      assertClose(
        await frame.locator('[data-testid="embed-loss"]').getAttribute("data-value").then(Number),
        defaultLoss(0.3),
        1e-6,
        "embed loss at ε 0.3",
      );
      await frame.locator('[data-testid="embed-eps"]').fill("0.7");
      await frame.waitForFunction(
        () =>
          /** @type {HTMLInputElement | null} */ (document.querySelector('input[data-testid="embed-eps-value"]'))
            ?.value === "0.7",
      );
      assertClose(
        await frame.locator('[data-testid="embed-loss"]').getAttribute("data-value").then(Number),
        defaultLoss(0.7),
        1e-6,
        "embed loss at ε 0.7",
      );
      assertNoProblems(page, "pasted iframe (curve)");
      await page.screenshot({ path: join(SHOTS, "writer-iframe-curve.png"), fullPage: true });
      await page.close();

      const wholeFrame = await pasteIframe(whole.iframe, "iframe-whole");
      assert.ok(wholeFrame.m.outer > 1500, `the whole playground is only ${wholeFrame.m.outer} px tall`);
      await wholeFrame.page.close();

      // The custom element snippet, as pasted: it loads, shows the curve panel and its ε control.
      const host = await openHost(env, "pasted-element", hostHtml(curve.element), { width: 390, height: 844 });
      assert.equal(await widgetReady(host), "true");
      const el = host.locator("losslab-widget");
      assert.equal(await el.locator(".card:visible").count(), 1, "one panel");
      assert.equal(await el.locator("losslab-widget > a").count(), 0);
      assertClose(
        Number(await el.locator('[data-testid="embed-loss"]').getAttribute("data-value")),
        defaultLoss(0.3),
        1e-6,
        "element loss",
      );
      await el.locator('[data-testid="embed-eps-value"]').fill("0.55");
      assertClose(
        Number(await el.locator('[data-testid="embed-loss"]').getAttribute("data-value")),
        defaultLoss(0.55),
        1e-6,
        "element loss after ε",
      );
      assertNoProblems(host, "pasted element");
      await host.screenshot({ path: join(SHOTS, "writer-element-eps-phone.png"), fullPage: true });
      await host.close();
      return `iframe ${curveFrame.m.outer} px (curve), ${wholeFrame.m.outer} px (whole view)`;
    },
  );

  check(
    "writer: the Share popover closes on Escape, offers panels per view, and sets the snippet theme only when asked",
    async () => {
      for (const [lang, width] of [
        ["en", 1280],
        ["zh", 1280],
        ["en", 390],
      ]) {
        const page = await open(env, `view=playground&theme=dark${lang === "zh" ? "&lang=zh" : ""}`, {
          width: Number(width),
          height: 844,
        });
        await page.click(".share summary");
        assert.equal(await page.locator('[data-testid="share-element"]').isVisible(), true);
        await page.screenshot({ path: join(SHOTS, `writer-share-${lang}-${width}.png`) });
        if (lang === "en" && width === 1280) {
          await page.selectOption('[data-testid="share-theme"]', "light");
          assert.match(await page.inputValue('[data-testid="share-element"]'), /theme="light"/);
          assert.match(await page.inputValue('[data-testid="share-embed"]'), /theme=light/);
          await page.focus('[data-testid="share-embed"]');
          await page.keyboard.press("Escape");
          assert.equal(await page.locator("details.share").getAttribute("open"), null, "Escape left it open");
          assert.equal(
            await page.evaluate(() => document.activeElement?.tagName),
            "SUMMARY",
            "focus not on the summary",
          );
          // The train view offers its panels; a view with none says it embeds whole.
          await page.click('[data-testid="nav-train"]');
          await page.click(".share summary");
          const train = await page
            .locator('[data-testid="share-only"] option')
            .evaluateAll((o) => o.map((x) => /** @type {HTMLOptionElement} */ (x).value));
          assert.deepEqual(train, ["", "train-curves", "train-table", "train-tokens", "train-samples", "train-data"]);
          await page.click('[data-testid="nav-objectives"]');
          assert.equal(await page.locator('[data-testid="share-only"]').isDisabled(), true);
        }
        assertNoProblems(page, `share ${lang} ${width}`);
        await page.close();
      }
    },
  );

  check(
    "writer: the formula inside the widget is KaTeX HTML in KaTeX's fonts (ℒ in the calligraphic face)",
    async () => {
      const b = await originB();
      const page = await openHost(
        env,
        "formula",
        hostHtml(
          `<script type="module" src="${b}losslab-widget.js"></script>\n<losslab-widget only="formula" state="eps=0.2"></losslab-widget>`,
        ),
      );
      assert.equal(await widgetReady(page), "true");
      const el = page.locator("losslab-widget");
      await page.evaluate(() => document.fonts.ready);
      const cal = el.locator('[data-testid="formula-general"] .katex-html .mathcal').first();
      assert.equal(await cal.textContent(), "L");
      assert.match(await cal.evaluate((e) => getComputedStyle(e).fontFamily), /KaTeX_Caligraphic/);
      await page.waitForFunction(() => document.fonts.check("16px KaTeX_Caligraphic"), null, { timeout: 10000 });
      const loaded = await page.evaluate(
        () => [...document.fonts].filter((f) => f.family.includes("KaTeX_Caligraphic") && f.status === "loaded").length,
      );
      assert.ok(loaded > 0, "KaTeX_Caligraphic was never loaded");
      // The MathML copy is there for screen readers, and visually hidden by katex.css.
      const mathml = el.locator('[data-testid="formula-general"] .katex-mathml').first();
      assert.equal(await mathml.evaluate((e) => getComputedStyle(e).position), "absolute");
      assertNoProblems(page, "formula widget");
      await el.screenshot({ path: join(SHOTS, "writer-widget-formula.png") });
      await page.close();
    },
  );

  check("writer: docs.html in 中文 (?lang=zh): the page, its tables and its widgets", async () => {
    const page = await newPage(env, { width: 1280, height: 900 });
    await page.goto(`${env.base}docs.html?lang=zh`);
    await page.waitForSelector("losslab-widget[data-ready=true]", { timeout: 30000 });
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    assert.match((await page.textContent("main h1")) ?? "", /嵌入/);
    for (const id of ["element", "iframe", "panels", "state", "cors", "fallback"])
      assert.equal(await page.locator(`main #${id}`).count(), 1, `section #${id}`);
    // The state-key table is filled from the schema, described in Chinese.
    const rows = await page.locator("#state-keys tbody tr").count();
    assert.ok(rows > 40, `${rows} state keys`);
    const meanings = await page.locator("#state-keys tbody td:nth-child(2)").allTextContents();
    const english = meanings.filter((m) => !/[\u4e00-\u9fff]/.test(m) && !/^[a-z_]+$/.test(m));
    assert.deepEqual(english, [], "state keys described in English on the Chinese page");
    // The widget speaks Chinese too.
    const inWidget = (await page.locator("losslab-widget").locator(".card h2").first().textContent()) ?? "";
    assert.match(inWidget, /[\u4e00-\u9fff]/, `widget heading "${inWidget}"`);
    const frame = page.frame({ url: /embed\.html/ });
    assert.ok(frame);
    await frame.waitForSelector("#app[data-ready=true]");
    assert.equal(await frame.getAttribute("html", "lang"), "zh-CN");
    // Full-width punctuation between CJK characters in the prose (code samples excepted).
    const prose = await page.evaluate(() => {
      const main = /** @type {HTMLElement} */ (document.querySelector("main"));
      const clone = /** @type {HTMLElement} */ (main.cloneNode(true));
      for (const c of clone.querySelectorAll("code, pre, losslab-widget, iframe, table")) c.remove();
      return clone.textContent ?? "";
    });
    const bad = prose.match(/[\u4e00-\u9fff][,:;()!?][^\d]|[,:;()!?][\u4e00-\u9fff]/g);
    assert.equal(bad, null, `ASCII punctuation next to CJK: ${bad?.slice(0, 5).join(" | ")}`);
    // The switch back to English.
    assert.equal(await page.getAttribute('[data-testid="docs-lang"]', "href"), "docs.html");
    assertNoProblems(page, "docs 中文");
    await page.screenshot({ path: join(SHOTS, "writer-docs-zh.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, "writer-docs-zh-phone.png"), fullPage: true });
    await page.close();
  });
}
