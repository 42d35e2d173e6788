// Runs the ```js blocks of README.md and docs/npm-README.md as written, against the built pkg/:
// each block becomes a module in a scratch folder where `losslab` is the package (node_modules
// link, so its "exports" resolve as after `npm install`) and `./pkg` the built folder. A block after
// `<!-- continues the previous block -->` runs appended to that block; one after
// `<!-- browser-only: why -->` or `<!-- not run by tests/node/readme.test.mjs: why -->` is skipped, with the reason.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PKG = join(ROOT, "pkg");

/** @typedef {{ code: string, line: number, skip: string | null }} Block */

/**
 * The js code blocks of a Markdown text, each with the line it starts on and why it is skipped.
 * @param {string} text @returns {Block[]}
 */
export function jsBlocks(text) {
  const lines = text.split("\n");
  /** @type {Block[]} */
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```js") continue;
    const end = lines.findIndex((l, k) => k > i && l.trim() === "```");
    assert.ok(end > i, `an unclosed \`\`\`js block at line ${i + 1}`);
    const before = i > 0 ? lines[i - 1].trim() : "";
    const skip = /^<!-- (?:browser-only|not run by tests\/node\/readme\.test\.mjs): (.*) -->$/.exec(before);
    let code = lines.slice(i + 1, end).join("\n");
    if (before === "<!-- continues the previous block -->") {
      const previous = blocks.at(-1);
      assert.ok(previous, `line ${i + 1}: a block continues, but none comes before it`);
      code = `${previous.code}\n${code}`;
    }
    blocks.push({ code, line: i + 1, skip: skip ? skip[1] : null });
    i = end;
  }
  return blocks;
}

// One scratch folder for every block: node_modules/losslab and ./pkg both point at the build.
const scratch = mkdtempSync(join(tmpdir(), "losslab-readme-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
mkdirSync(join(scratch, "node_modules"));
symlinkSync(PKG, join(scratch, "node_modules", "losslab"), "dir");
symlinkSync(PKG, join(scratch, "pkg"), "dir");
writeFileSync(join(scratch, "package.json"), '{ "type": "module", "private": true }\n');

/** Runs a module file with this Node; resolves to its output, rejects with it on failure. @param {string} file */
const run = (file) =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, [file], { cwd: scratch, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(stdout),
    ),
  );

test("the built package is there (run ./scripts/build.sh first)", () => {
  assert.ok(existsSync(join(PKG, "node.js")), `${PKG}/node.js is missing`);
});

for (const doc of ["README.md", "docs/npm-README.md"]) {
  const blocks = jsBlocks(readFileSync(join(ROOT, doc), "utf8"));
  test(`${doc} has js blocks to run`, () => assert.ok(blocks.length > 0));
  for (const [k, block] of blocks.entries()) {
    const name = `${doc}: the js block at line ${block.line} runs as written`;
    if (block.skip) {
      test(name, { skip: block.skip }, () => {});
      continue;
    }
    test(name, async () => {
      const file = join(scratch, `${doc.replace(/\W/g, "-")}-${k}.mjs`);
      writeFileSync(file, block.code + "\n");
      await run(file);
    });
  }
}

test("a block that throws fails its test (the runner is not blind)", async () => {
  const file = join(scratch, "throws.mjs");
  writeFileSync(file, 'import * as losslab from "losslab";\nlosslab.crossEntropy(input, {});\n');
  await assert.rejects(run(file), /input is not defined/);
});
