// What both browser benchmarks (run.mjs, train.mjs) share: the machine's description, a timeout
// for page calls, and headless Chromium (scripts/chromium.mjs) watching which tfjs wasm it loads.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../scripts/chromium.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** CPU, memory, Node and losslab's version (with the git commit) for a report's header. */
export function machine() {
  let cpu = "unknown";
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // no /proc/cpuinfo here: the CPU stays "unknown"
  }
  const git = (/** @type {string[]} */ ...args) => {
    try {
      return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  };
  const cargo = readFileSync(join(ROOT, "Cargo.toml"), "utf8");
  return {
    cpu,
    logicalCpus: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    losslab: `${/^version\s*=\s*"([^"]+)"/m.exec(cargo)?.[1] ?? "?"} (git ${git("describe", "--always", "--dirty") ?? "?"})`,
  };
}

/** `promise`, or a rejection naming `what` after `ms` milliseconds. @type {<T>(promise: Promise<T>, ms: number, what: string) => Promise<T>} */
export const withTimeout = (promise, ms, what) =>
  Promise.race([
    promise,
    new Promise((_, fail) => setTimeout(() => fail(new Error(`${what}: no answer after ${ms / 1000} s`)), ms).unref()),
  ]);

/**
 * Chromium as scripts/chromium.mjs starts it, headless by the flag alone (not playwright's headless
 * mode), in a fresh profile (`webgpu` adds --enable-unsafe-webgpu). Returns the context, `close()`
 * (which also removes the profile), the browser's version string, and the set of tfjs wasm files
 * it fetched — the evidence of which tfjs build (SIMD, single thread) ran.
 * @param {{ prefix: string, webgpu?: boolean, log?: (...parts: unknown[]) => void }} options
 */
export async function launchBenchChromium({ prefix, webgpu = false, log = console.error }) {
  const { context, close } = await launchChromium({ prefix, webgpu, headless: false });
  const tfjsWasmFiles = new Set();
  context.on("request", (r) => {
    const name = r.url().split("/").pop() ?? "";
    if (name.startsWith("tfjs-backend-wasm") && name.endsWith(".wasm")) tfjsWasmFiles.add(name);
  });
  let browser = "Chromium";
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    browser = (await cdp.send("Browser.getVersion")).product;
    await page.close();
  } catch (e) {
    log(`browser version unknown: ${e instanceof Error ? e.message : e}`);
  }
  return { context, close, browser, tfjsWasmFiles };
}
