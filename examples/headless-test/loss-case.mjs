// What both tests share: a server for the installed losslab package, the computation the page runs,
// and PyTorch's value for it. Replace the page's logits with what your own code produces.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

// PyTorch 2.15 + transformers 5.24: LabelSmoother(epsilon=0.1) on the logits below, in float64.
export const PYTORCH_LOSS = 3.8792086737172657;

/** Serves the installed package's files (losslab.js, losslab_bg.wasm) under /losslab/ on 127.0.0.1. */
export async function servePackage() {
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
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** Runs in the page (self-contained: browsers receive its source): loads losslab and computes the loss. */
export async function computeInPage() {
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
}
