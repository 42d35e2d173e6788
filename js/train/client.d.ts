import type { EvalPoint, GenerateOptions, RunOptions, TrainerOptions, TrainerSnapshot } from "./losslab_train.js";

/** One progress message of a run in the worker, about ten a second. */
export interface TrainProgress {
  type: "progress";
  run: string;
  step: number;
  steps: number;
  /** Training loss of the latest step. */
  loss: number;
  stepsPerSecond: number;
  elapsedMs: number;
  /** A held-out evaluation made during the latest chunk, if any. */
  eval: EvalPoint | null;
}

/** The trainer running in a module Web Worker, behind promises. */
export class TrainerWorker {
  static create(options?: TrainerOptions, settings?: { workerUrl?: string | URL }): Promise<TrainerWorker>;
  constructor(worker: Worker);
  run(
    options: RunOptions,
    onProgress?: (p: TrainProgress) => void,
  ): Promise<{ elapsedMs: number; snapshot: TrainerSnapshot }>;
  pause(): void;
  resume(): void;
  evaluate(): Promise<EvalPoint>;
  tokenLosses(index?: number): Promise<{ pieces: string[]; promptLength: number; clm: number[]; sft: number[] }>;
  generate(prompt: string, options?: GenerateOptions): Promise<string>;
  tokenize(text: string): Promise<{ ids: Int32Array; pieces: string[] }>;
  encodePair(
    prompt: string,
    response: string,
    objective?: "clm" | "sft" | "sft-unmasked",
  ): Promise<{ inputIds: Int32Array; labels: Int32Array; pieces: string[]; promptLength: number }>;
  snapshot(): Promise<TrainerSnapshot>;
  lessonRuns(epsilon?: number): Promise<RunOptions[]>;
  labelSmoothingFloor(epsilon: number, vocab: number): Promise<number>;
  terminate(): void;
}
