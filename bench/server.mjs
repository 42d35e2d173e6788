// The benchmark's static server on 127.0.0.1: the repository root, plus what unbundled ES modules
// need in a browser. tfjs's `dist/*.js` files import `./ops/mul` without the `.js`, so a missing
// path under node_modules/ is retried with `.js` appended (the resolution a bundler would do).
// `extra` maps URL paths to in-memory bodies (the compiled read-ceiling module).
//
// Every response carries COOP same-origin and COEP require-corp, so the pages are cross-origin
// isolated: SharedArrayBuffer exists and onnxruntime-web can run its wasm threads (everything is
// served from this one origin, so nothing needs a CORP header). It also makes performance.now()
// finer (5 µs instead of 100 µs in Chromium).
//
// `long` 4 (tfjs-core's 64-bit integers, used at module load) is CommonJS only; it is served as an
// ES module wrapping its source. (Not a shim with top-level await: that would let tfjs-core's
// platform modules evaluate before its engine.)
import { createServer } from "node:http";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";
import { listen } from "../scripts/serve.mjs";

/** @type {Record<string, string>} */
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** @param {string} path */
function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** @param {string} file */
function commonJsAsEsm(file) {
  const src = readFileSync(file, "utf8");
  return `const module = { exports: {} };\n(function (module, exports) {\n${src}\n})(module, module.exports);\nexport default module.exports;\n`;
}

/**
 * Serves `root` on a free port of 127.0.0.1; resolves once it listens.
 * @param {string} root @param {Map<string, { type: string, body: string | Uint8Array }>} [extra]
 * @returns {Promise<import("../scripts/serve.mjs").TcpServer>}
 */
export function serveBench(root, extra = new Map()) {
  const base = resolve(root);
  extra = new Map(extra);
  extra.set("/bench/shims/long.mjs", {
    type: TYPES[".mjs"],
    body: commonJsAsEsm(join(base, "node_modules/long/src/long.js")),
  });
  const server = createServer((req, res) => {
    res.setHeader("cross-origin-opener-policy", "same-origin");
    res.setHeader("cross-origin-embedder-policy", "require-corp");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const pathname = decodeURIComponent(url.pathname);
    const mem = extra.get(pathname);
    if (mem) {
      res.writeHead(200, { "content-type": mem.type, "cache-control": "no-store" }).end(mem.body);
      return;
    }
    let path = normalize(join(base, pathname));
    if (!path.startsWith(base + "/")) {
      res.writeHead(403).end("forbidden");
      return;
    }
    const vendored = pathname.startsWith("/node_modules/");
    if (!isFile(path) && vendored && isFile(path + ".js")) path += ".js";
    if (!isFile(path)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      // Several pages load the same ~900 tfjs modules; let the browser cache those.
      "cache-control": vendored ? "max-age=3600" : "no-store",
    });
    createReadStream(path).pipe(res);
  });
  return listen(server, 0);
}
