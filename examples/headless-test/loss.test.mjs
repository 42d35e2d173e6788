// Loads losslab in headless Chromium and asserts the loss of known logits against the value
// PyTorch computes for them (transformers' LabelSmoother, ε = 0.1). Copy this into a test suite
// and replace the page's logits (loss-case.mjs) with what your own code produces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { PYTORCH_LOSS, computeInPage, servePackage } from "./loss-case.mjs";

const { server, url } = await servePackage();
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
  await page.goto(url);
  const r = await page.evaluate(computeInPage);
  assert.ok(Math.abs(r.loss - PYTORCH_LOSS) <= 1e-6 * PYTORCH_LOSS, `losslab ${r.loss}, PyTorch ${PYTORCH_LOSS}`);
  assert.equal(r.numActive, 4);
  assert.equal(r.backend, "cpu-simd");
});
