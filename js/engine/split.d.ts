import type { CrossEntropyInput, CrossEntropyOptions, CrossEntropyResult } from "../index.js";

/** `crossEntropy`'s result from the workers: the same fields, bit for bit, plus their count. */
export interface WorkersCrossEntropyResult extends CrossEntropyResult {
  /** How many workers the rows were split across. */
  workers: number;
}

/** An input whose arrays the workers share: logits (and gradInto) on SharedArrayBuffers. */
export interface SharedCrossEntropyInput extends CrossEntropyInput {
  logits: Float32Array;
  gradInto?: Float32Array;
}

/** A Float32Array of `length` zeros on a new SharedArrayBuffer; throws (code "unsupported") on a
 *  page that has none (not cross-origin isolated). Works in WebKit too, which hides the global. */
export function sharedFloat32Array(length: number): Float32Array;

/**
 * One cross-entropy call split by logits rows across module Web Workers, each with its own
 * losslab instance reading the logits in place from a SharedArrayBuffer. Needs a cross-origin
 * isolated page; the page's own losslab module must be initialised.
 */
export class CrossEntropyWorkers {
  /** Starts `workers` workers (default `navigator.hardwareConcurrency`). */
  static create(init?: { workers?: number; workerUrl?: string | URL }): Promise<CrossEntropyWorkers>;
  /** How many workers the calls are split across. */
  readonly workers: number;
  /** The wasm build the workers loaded. */
  readonly simd: "relaxed-simd" | "simd128" | null;
  /** `crossEntropy(input, options)`, split across the workers; the result is the same, bit for bit. */
  crossEntropy(input: SharedCrossEntropyInput, options?: CrossEntropyOptions): Promise<WorkersCrossEntropyResult>;
  /** Stops the workers; pending calls reject. */
  terminate(): void;
}
