// A static file server for www/ on 127.0.0.1, with the security headers every page gets. Every file
// may be loaded from pages of other origins (CORS and CORP headers), so <losslab-widget> works when a
// documentation site on another host loads it from here.
// Usage: node scripts/serve.mjs [port] [root]   (port 0 picks a free one; prints the URL)
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** @type {Record<string, string>} */
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".wgsl": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".ts": "text/plain; charset=utf-8",
  ".npy": "application/octet-stream",
};

// Module scripts, wasm streaming and stylesheets loaded by the widget on another origin are fetched
// in CORS mode; a host page that is cross-origin isolated (COEP: require-corp) also needs CORP.
// Nothing here depends on cookies, so "*" reveals nothing.
const CROSS_ORIGIN = {
  "access-control-allow-origin": "*",
  "cross-origin-resource-policy": "cross-origin",
};

/** An HTTP server listening on TCP: address() is an AddressInfo. @typedef {Omit<import("node:http").Server, "address"> & { address(): import("node:net").AddressInfo }} TcpServer */

// A cross-origin isolated page may use SharedArrayBuffer (CrossEntropyWorkers, threaded peers).
const ISOLATED = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

/**
 * Serves `root` on 127.0.0.1 (`port` 0: a free one); resolves once it listens. `isolated` adds
 * COOP and COEP to every response, making its pages cross-origin isolated.
 * @param {string} root @param {number} [port] @param {{ isolated?: boolean }} [options]
 * @returns {Promise<TcpServer>}
 */
export function serve(root, port = 0, { isolated = false } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    if (req.method === "OPTIONS") {
      // A preflight: the files are readable by anyone, with plain GET/HEAD.
      res
        .writeHead(204, {
          ...CROSS_ORIGIN,
          "access-control-allow-methods": "GET, HEAD, OPTIONS",
          "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "",
          "access-control-max-age": "600",
        })
        .end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let path = normalize(join(base, decodeURIComponent(url.pathname)));
    if (!path.startsWith(base)) {
      res.writeHead(403, CROSS_ORIGIN).end("forbidden");
      return;
    }
    try {
      if (statSync(path).isDirectory()) path = join(path, "index.html");
      statSync(path);
    } catch {
      res.writeHead(404, { ...CROSS_ORIGIN, "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, {
      ...CROSS_ORIGIN,
      ...(isolated ? ISOLATED : {}),
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(path).pipe(res);
  });
  return listen(server, port);
}

/**
 * Starts `server` on 127.0.0.1 (`port` 0: a free one); resolves to it once it listens, rejects with
 * the listen error (e.g. code EADDRINUSE: the port is taken).
 * @param {import("node:http").Server} server @param {number} port @returns {Promise<TcpServer>}
 */
export function listen(server, port) {
  // Listening on TCP, address() is an AddressInfo (never a pipe name or null).
  const tcp = /** @type {TcpServer} */ (/** @type {unknown} */ (server));
  return new Promise((ok, fail) => {
    tcp.once("error", fail);
    tcp.listen(port, "127.0.0.1", () => {
      tcp.off("error", fail);
      ok(tcp);
    });
  });
}

/** The one line a person reads when the server cannot start. @param {unknown} e @param {number} port */
export function startError(e, port) {
  const code = /** @type {{ code?: string }} */ (e)?.code;
  if (code === "EADDRINUSE")
    return `losslab: port ${port} is in use; set PORT=${port + 1} ./scripts/play.sh (or: node scripts/serve.mjs ${port + 1})`;
  if (code === "EACCES") return `losslab: no permission to listen on port ${port}; pick a port above 1023`;
  return `losslab: could not serve on port ${port}: ${e instanceof Error ? e.message : String(e)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8080);
  const root = process.argv[3] ?? fileURLToPath(new URL("../www", import.meta.url));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`losslab: "${process.argv[2]}" is not a port number (0–65535)`);
    process.exit(1);
  }
  try {
    const server = await serve(root, port);
    console.log(`losslab playground: http://127.0.0.1:${server.address().port}/`);
  } catch (e) {
    console.error(startError(e, port));
    process.exit(1);
  }
}
