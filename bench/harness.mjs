// What both browser benchmarks (run.mjs, train.mjs) share: the machine's description, a timeout
// for page calls, and headless Chromium launched alike, watching which tfjs wasm it loads.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

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

/** Headless Chromium in a fresh profile (`webgpu` adds --enable-unsafe-webgpu). Returns the
 *  context, its profile folder (for the caller to remove), the browser's version string, and the set of tfjs wasm files it fetched — the
 *  evidence of which tfjs build (SIMD, single thread) ran. */
/** @param {{ prefix: string, webgpu?: boolean, log?: (...parts: unknown[]) => void }} options */
export async function launchChromium({ prefix, webgpu = false, log = console.error }) {
  const userDataDir = mkdtempSync(join(tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: false,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(webgpu ? ["--enable-unsafe-webgpu"] : []),
    ],
  });
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
  return { context, browser, tfjsWasmFiles, userDataDir };
}
