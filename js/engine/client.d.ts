import type {
  AdapterInfo,
  CrossEntropyInput,
  CrossEntropyOptions,
  CrossEntropyResult,
  EngineCalibration,
  EngineOptions,
  LinearCrossEntropyInput,
  LinearCrossEntropyOptions,
  LinearCrossEntropyResult,
} from "../index.js";

/** What the worker's `Engine.create` reported. */
export interface EngineWorkerInfo {
  backend: "webgpu" | "cpu-simd";
  reason: string | null;
  /** `reason`'s stable code ("no-webgpu", "software-adapter", …), null with no reason. */
  reasonCode: string | null;
  /** The values `reason` names, by name; null with no reason. */
  reasonParams: Record<string, string> | null;
  adapterInfo: AdapterInfo | null;
  calibration: EngineCalibration | null;
  /** The wasm build the worker loaded. */
  simd: "relaxed-simd" | "simd128";
}

/** A result from the worker: `Engine.crossEntropy`'s, plus the call's time inside the worker. */
export interface WorkerCrossEntropyResult extends CrossEntropyResult {
  timeMs: number;
  /** With `keepGradient: true`: the gradient's handle in the worker (and no `grad`). */
  gradHandle?: number;
}

/** A `linearCrossEntropy` result from the worker, plus the call's time inside the worker. */
export interface WorkerLinearCrossEntropyResult extends LinearCrossEntropyResult {
  timeMs: number;
}

/** A handle to an input or a gradient kept in the worker. */
export type Handle = number;

export interface CallOptions {
  /** "engine" (default): the worker's Engine; "cpu": the synchronous CPU kernel. */
  on?: "engine" | "cpu";
  /** Keep the gradient in the worker and return its handle instead. */
  keepGradient?: boolean;
  /** Move the input's arrays to the worker instead of copying them (they become detached). */
  transfer?: boolean;
}

/** losslab's Engine in a module Web Worker, behind promises. */
export class EngineWorker {
  static create(options?: EngineOptions, init?: { workerUrl?: string | URL }): Promise<EngineWorker>;
  readonly info: EngineWorkerInfo;
  /** Replaces the worker's engine; inputs and gradients kept in the worker stay. */
  recreate(options?: EngineOptions): Promise<EngineWorkerInfo>;
  readonly backend: "webgpu" | "cpu-simd";
  readonly reason: string | null;
  readonly adapterInfo: AdapterInfo | null;
  readonly calibration: EngineCalibration | null;
  crossEntropy(
    input: CrossEntropyInput | Handle,
    options?: CrossEntropyOptions,
    call?: CallOptions,
  ): Promise<WorkerCrossEntropyResult>;
  /** `linearCrossEntropy` in the worker, routed by its Engine like `crossEntropy` (`backend`
   *  and `backendReasonCode` say where it ran and why). With `transfer: true` the input's arrays move to the worker (detached here). */
  linearCrossEntropy(
    input: LinearCrossEntropyInput,
    options?: LinearCrossEntropyOptions,
    call?: { on?: "engine" | "cpu"; transfer?: boolean },
  ): Promise<WorkerLinearCrossEntropyResult>;
  put(input: CrossEntropyInput, init?: { transfer?: boolean }): Promise<Handle>;
  hashInput(init: {
    dims: [number, number, number];
    seed: number;
    scale: number;
    ignoreIndex?: number;
  }): Promise<Handle>;
  compare(a: Handle, b: Handle): Promise<{ length: number; maxAbs: number; maxAbsDiff: number }>;
  release(handle: Handle): Promise<null>;
  terminate(): void;
}
