// A static file server for www/ on 127.0.0.1, with the security headers every page gets.
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

/** An HTTP server listening on TCP: address() is an AddressInfo. @typedef {Omit<import("node:http").Server, "address"> & { address(): import("node:net").AddressInfo }} TcpServer */

/**
 * Serves `root` on 127.0.0.1 (`port` 0: a free one); resolves once it listens.
 * @param {string} root @param {number} [port]
 * @returns {Promise<TcpServer>}
 */
export function serve(root, port = 0) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let path = normalize(join(base, decodeURIComponent(url.pathname)));
    if (!path.startsWith(base)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    try {
      if (statSync(path).isDirectory()) path = join(path, "index.html");
      statSync(path);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    });
    createReadStream(path).pipe(res);
  });
  return listen(server, port);
}

/**
 * Starts `server` on 127.0.0.1 (`port` 0: a free one); resolves to it once it listens.
 * @param {import("node:http").Server} server @param {number} port @returns {Promise<TcpServer>}
 */
export function listen(server, port) {
  // Listening on TCP, address() is an AddressInfo (never a pipe name or null).
  const tcp = /** @type {TcpServer} */ (/** @type {unknown} */ (server));
  return new Promise((ok) => tcp.listen(port, "127.0.0.1", () => ok(tcp)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8080);
  const root = process.argv[3] ?? fileURLToPath(new URL("../www", import.meta.url));
  const server = await serve(root, port);
  console.log(`losslab playground: http://127.0.0.1:${server.address().port}/`);
}
