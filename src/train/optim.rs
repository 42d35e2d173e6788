//! AdamW with PyTorch's update rule, global-norm gradient clipping, and the linear warm-up +
//! cosine decay schedule of `transformers.get_cosine_schedule_with_warmup`.

use super::model::Layout;

/// Optimiser settings of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamW {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// Applied to matrices only (see `Tensor::decays`).
    pub weight_decay: f64,
}

impl Default for AdamW {
    fn default() -> Self {
        Self { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01 }
    }
}

/// AdamW's moment estimates and step count.
#[derive(Clone, Debug)]
pub struct AdamState {
    pub m: Vec<f32>,
    pub v: Vec<f32>,
    pub step: u32,
}

impl AdamState {
    pub fn new(len: usize) -> Self {
        Self { m: vec![0.0; len], v: vec![0.0; len], step: 0 }
    }
}

impl AdamW {
    /// One update at learning rate `lr`, in the order of `torch.optim.AdamW` (single-tensor path):
    /// decay, `m ← m + (1−β1)(g − m)`, `v ← β2·v + (1−β2)·g²`, then
    /// `p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps)`.
    pub fn step(&self, layout: &Layout, lr: f64, params: &mut [f32], grads: &[f32], state: &mut AdamState) {
        state.step += 1;
        // libm's pow, not powi: powi's rounding depends on how the compiler expands it.
        let t = state.step as f64;
        let bias1 = 1.0 - libm::pow(self.beta1, t);
        let bias2_sqrt = (1.0 - libm::pow(self.beta2, t)).sqrt();
        let step_size = (lr / bias1) as f32;
        let (b1, b2, eps) = ((1.0 - self.beta1) as f32, self.beta2 as f32, self.eps as f32);
        let one_minus_b2 = (1.0 - self.beta2) as f32;
        let bias2_sqrt = bias2_sqrt as f32;
        for tensor in &layout.tensors {
            let r = tensor.range();
            let decay = if tensor.decays() { (1.0 - lr * self.weight_decay) as f32 } else { 1.0 };
            let (p, g) = (&mut params[r.clone()], &grads[r.clone()]);
            let (m, v) = (&mut state.m[r.clone()], &mut state.v[r]);
            for i in 0..p.len() {
                p[i] *= decay;
                m[i] += b1 * (g[i] - m[i]);
                v[i] = v[i] * b2 + one_minus_b2 * g[i] * g[i];
                let denom = v[i].sqrt() / bias2_sqrt + eps;
                p[i] -= step_size * (m[i] / denom);
            }
        }
    }
}

/// Scales `grads` so their global L2 norm is at most `max_norm`, as
/// `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping.
pub fn clip_grad_norm(grads: &mut [f32], max_norm: f64) -> f64 {
    let norm = grads.iter().map(|&g| g as f64 * g as f64).sum::<f64>().sqrt();
    let coef = (max_norm / (norm + 1e-6)).min(1.0) as f32;
    if coef < 1.0 {
        grads.iter_mut().for_each(|g| *g *= coef);
    }
    norm
}

/// The multiplier of the base learning rate at step `step` (0-based) of `total`: `step / warmup`
/// during warm-up (so the first step's rate is 0, as in transformers), then half a cosine to 0.
pub fn lr_factor(step: usize, warmup: usize, total: usize) -> f64 {
    if step < warmup {
        return step as f64 / warmup.max(1) as f64;
    }
    let progress = (step - warmup) as f64 / total.saturating_sub(warmup).max(1) as f64;
    (0.5 * (1.0 + libm::cos(std::f64::consts::PI * progress))).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn schedule_warms_up_from_zero_and_decays_to_zero() {
        assert_eq!(lr_factor(0, 4, 20), 0.0);
        assert_eq!(lr_factor(2, 4, 20), 0.5);
        assert_eq!(lr_factor(4, 4, 20), 1.0);
        assert!((lr_factor(12, 4, 20) - 0.5).abs() < 1e-12);
        assert!(lr_factor(19, 4, 20) > 0.0 && lr_factor(20, 4, 20) == 0.0);
        assert_eq!(lr_factor(0, 0, 1), 1.0);
    }

    #[test]
    fn clipping_scales_to_the_max_norm_and_leaves_small_gradients() {
        let mut g = vec![3.0f32, 4.0];
        assert_eq!(clip_grad_norm(&mut g, 1.0), 5.0);
        assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
        let mut small = vec![0.3f32, 0.4];
        clip_grad_norm(&mut small, 1.0);
        assert_eq!(small, [0.3, 0.4]);
    }
}
