// The fused mode's inputs, made by the module's hash generator (the golden vectors' and the
// benchmark's): one definition, used by the fused worker and by the e2e check's Node oracle, so
// both compute the loss of the same numbers.

/** Sizes the fused mode accepts: a phone must survive the largest (inputs and gradients of
 *  hidden and weight, about 2 · (N·D + V·D) · 4 bytes, and N·V·D multiply-adds, three times). */
export const FUSED_LIMITS = { tokens: 32768, hidden: 4096, vocab: 262144, inputElements: 2 ** 25, macs: 2 ** 36 };

/**
 * hidden ~ U(−1, 1); weight ~ U(−12/√D, 12/√D), so logits spread a few units whatever D is;
 * bias ~ U(−0.5, 0.5); labels with 10 % ignored (−100), the label seed `seed + 1` as `hashInput`.
 * @param {{ hashLogits: (n: number, seed: number, scale: number) => Float32Array, hashLabels: (n: number, v: number, seed: number, ignore: number) => Int32Array }} losslab
 * @param {{ tokens: number, hidden: number, vocab: number, seed: number }} size
 */
export function fusedInputs(losslab, { tokens, hidden, vocab, seed }) {
  return {
    hidden: losslab.hashLogits(tokens * hidden, seed, 2),
    dims: [tokens, hidden, vocab],
    weight: losslab.hashLogits(vocab * hidden, seed + 3, 24 / Math.sqrt(hidden)),
    bias: losslab.hashLogits(vocab, seed + 4, 1),
    labels: losslab.hashLabels(tokens, vocab, seed + 1, -100),
  };
}
