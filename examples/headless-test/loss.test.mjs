// Loads losslab in headless Chromium and asserts the loss of known logits against the value
// PyTorch computes for them (transformers' LabelSmoother, ε = 0.1). Copy this into a test suite
// and replace the page's logits with what your own code produces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

// Serve the installed package's files (its folder holds losslab.js and losslab_bg.wasm).
const packageDir = dirname(createRequire(import.meta.url).resolve("losslab/package.json"));
const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const server = createServer(async (req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/") {
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>loss test</title>");
    return;
  }
  try {
    const body = await readFile(join(packageDir, path.replace(/^\/losslab\//, "")));
    res
      .writeHead(200, { "content-type": types[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream" })
      .end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});
test.after(async () => {
  await browser.close();
  server.close();
});

test("label-smoothed cross-entropy in Chromium matches PyTorch", async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const r = await page.evaluate(async () => {
    const { default: init, crossEntropy } = await import("/losslab/losslab.js");
    await init();
    // [B=1, T=4, V=5] logits and their labels.
    const logits = Float32Array.from([
      -2.4604034423828125, 1.1868934631347656, 2.696725368499756, -4.1652116775512695, 0.5953351259231567,
      2.3462181091308594, 3.1173229217529297, -2.173532247543335, -2.5467257499694824, -3.6507883071899414,
      -0.2430647611618042, 4.084455490112305, -6.184433937072754, 2.0223021507263184, -3.9700374603271484,
      -4.0793070793151855, -2.600104808807373, -1.692020058631897, -6.1693878173828125, -1.07016754150390625,
    ]);
    const labels = Int32Array.from([1, 2, 0, 0]);
    const { loss, numActive, backend } = crossEntropy({ logits, dims: [1, 4, 5], labels }, { epsilon: 0.1 });
    return { loss, numActive, backend };
  });
  // PyTorch 2.15 + transformers 5.24: LabelSmoother(epsilon=0.1) on these f32 logits, in float64.
  const pytorch = 3.8792086737172657;
  assert.ok(Math.abs(r.loss - pytorch) <= 1e-6 * pytorch, `losslab ${r.loss}, PyTorch ${pytorch}`);
  assert.equal(r.numActive, 4);
  assert.equal(r.backend, "cpu-simd");
});
