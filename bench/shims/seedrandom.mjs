// tfjs-core imports seedrandom for its random ops; the benchmark never calls them.
export function alea() {
  throw new Error("seedrandom is not loaded in the benchmark page (tfjs random ops are unused)");
}
export default { alea };
