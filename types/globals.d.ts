// What the test and benchmark pages put on `window` for their Node drivers, which call them
// through page.evaluate (arguments and results cross as serialised values).

/** The outcome of an in-page suite: its failures (empty when it passed) and what it measured. */
interface SuiteResult {
  failures: string[];
  [measurement: string]: unknown;
}

interface Window {
  /** tests/browser pages: the in-page suites, by name; their arguments come from the driver. */
  suites: Record<string, (arg?: any) => SuiteResult | Promise<SuiteResult>>;
  /** tests/browser/page.html: the loaded package, for a look from the devtools. */
  losslab: typeof import("../pkg/index.js");
  /** tests/browser: armed by a suite, the init script's submit hook then destroys the device. */
  __loseDeviceOnNextSubmit?: boolean;
  /** e2e: set only if a hostile link ever ran script. */
  __pwned?: unknown;
  /** e2e: axe-core, injected into the page under test. */
  axe: typeof import("axe-core");
  /** bench/page.mjs: the loss benchmark's in-page side. */
  bench: typeof import("../bench/page.mjs").bench;
  /** bench/train-page.mjs: the training benchmark's in-page side. */
  trainBench: typeof import("../bench/train-page.mjs").trainBench;
  /** bench/page.mjs: the fused linear cross-entropy table's in-page side (bench/linear-page.mjs). */
  benchLinear: typeof import("../bench/page.mjs").benchLinear;
}
