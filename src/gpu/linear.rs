//! `linearCrossEntropy` on a device: the layer's tensors uploaded once, then row blocks of the
//! scored rows, each a few dispatches in one submit — the logits `H_block · Wᵀ + b` into a
//! scratch buffer (matmul.wgsl), the cross-entropy's own statistics kernel on it, the label and
//! argmax pick, and with the gradient the logits' gradient kernel into a second scratch buffer
//! and the products `dH_block = dZ · W` (its long sum over V split across workgroups when the
//! block's `[rows, D]` has few tiles), `dW += dZᵀ · H_block`, `db += 1ᵀ · dZ` — and one read-back
//! at the end. The `[N, V]` logits never exist; the device holds at most one block of them.
//!
//! Split in two so no borrow of the caller's tensors outlives the synchronous part:
//! [`submit`] uploads and encodes everything, [`Pending::finish`] awaits the read-back.

use js_sys::{Float32Array, Uint32Array};
use web_sys::{
    gpu_buffer_usage as usage, gpu_map_mode, GpuBindGroup, GpuBuffer, GpuComputePassEncoder, GpuErrorFilter,
};

use super::device::GpuContext;
use super::linear_plan::{linear_rows_per_block, BlockProducts, Product, MATMUL_BYTES};
use super::run::{as_bytes, bind_group, buffer, js_err};
use super::{params_bytes, PARAMS_BYTES, WORKGROUP};
use crate::engine::{GpuRowStats, LinearGpuRows};
use crate::loss::Plan;

/// The layer's tensors as the device takes them: only the scored rows of `hidden` (`[N, D]`, in
/// the order of `targets`), each row's class.
pub struct LinearTensors<'a> {
    pub hidden: &'a [f32],
    pub weight: &'a [f32],
    pub bias: Option<&'a [f32]>,
    pub targets: &'a [u32],
    pub d: usize,
}

/// Every buffer of one call, destroyed when the call is over (a linear call's buffers are sized
/// by its layer, so they are not kept for the next one).
struct Owned(Vec<GpuBuffer>);

impl Drop for Owned {
    fn drop(&mut self) {
        for b in &self.0 {
            b.destroy();
        }
    }
}

/// A submitted call, waiting for its read-back.
pub struct Pending {
    _owned: Owned,
    results_read: GpuBuffer,
    grads_read: Option<GpuBuffer>,
    rows: usize,
    d: usize,
    vocab: usize,
    has_bias: bool,
}

/// Uploads the tensors and submits every block. `Err` says why the device could not (the caller
/// falls back to the CPU); the error scopes opened here are closed by [`Pending::finish`].
pub fn submit(gpu: &GpuContext, plan: &Plan, t: &LinearTensors) -> Result<Pending, String> {
    if let Some(why) = gpu.lost.borrow().clone() {
        return Err(why);
    }
    gpu.device.push_error_scope(GpuErrorFilter::OutOfMemory);
    gpu.device.push_error_scope(GpuErrorFilter::Validation);
    encode(gpu, plan, t).inspect_err(|_| {
        // Close the scopes; what they caught matters less than the error at hand.
        let _ = gpu.device.pop_error_scope();
        let _ = gpu.device.pop_error_scope();
    })
}

fn write_f32(gpu: &GpuContext, dst: &GpuBuffer, values: &[f32], what: &'static str) -> Result<(), String> {
    // SAFETY: the view is consumed by writeBuffer before anything can allocate.
    let view = unsafe { Float32Array::view(values) };
    gpu.queue.write_buffer_with_u32_and_buffer_source(dst, 0, &view).map_err(js_err(what))
}

fn write_bytes(gpu: &GpuContext, dst: &GpuBuffer, bytes: &[u8], what: &'static str) -> Result<(), String> {
    gpu.queue.write_buffer_with_u32_and_u8_slice(dst, 0, bytes).map_err(js_err(what))
}

fn dispatch_product(pass: &GpuComputePassEncoder, gpu: &GpuContext, group: &GpuBindGroup, p: &Product) {
    let (x, y, z) = p.workgroups();
    pass.set_pipeline(&gpu.matmul);
    pass.set_bind_group(0, Some(group));
    pass.dispatch_workgroups_with_workgroup_count_y_and_workgroup_count_z(x, y, z);
}

fn encode(gpu: &GpuContext, plan: &Plan, t: &LinearTensors) -> Result<Pending, String> {
    let (n, d, v) = (t.targets.len(), t.d, plan.vocab());
    let grad = plan.opts.grad;
    let block_rows = linear_rows_per_block(n, d, v, grad, gpu.limits)?;
    let dev = &gpu.device;
    let mut owned = Owned(Vec::new());
    let mut make = |label: &str, bytes: usize, use_: u32| -> Result<GpuBuffer, String> {
        let b = buffer(dev, label, bytes, use_)?;
        owned.0.push(b.clone());
        Ok(b)
    };
    let input = usage::STORAGE | usage::COPY_DST;
    let output = usage::STORAGE | usage::COPY_SRC;
    let uniform = usage::UNIFORM | usage::COPY_DST;
    let read = usage::MAP_READ | usage::COPY_DST;
    let hidden = make("hidden", n * d * 4, input)?;
    let weight = make("weight", v * d * 4, input)?;
    let bias = make("bias", v * 4, input)?;
    let class_weights = make("class weights", v * 4, input)?;
    let ones = make("one", 4, input)?;
    let params = make("params", PARAMS_BYTES, uniform)?;
    let mm: Vec<GpuBuffer> =
        (0..5).map(|_| make("matmul params", MATMUL_BYTES, uniform)).collect::<Result<_, _>>()?;
    let logits = make("logits block", block_rows * v * 4, usage::STORAGE)?;
    let dz = make("logits-gradient block", if grad { block_rows * v * 4 } else { 4 }, usage::STORAGE)?;
    let stats = make("row statistics", block_rows * 16, output)?;
    let nonfinite = make("non-finite counts", block_rows * 4, output)?;
    let picks = make("label and argmax", block_rows * 8, output)?;
    let targets = make("targets", block_rows * 4, input)?;
    // Per scored row: statistics (16 bytes), non-finite count (4), pick (8), gathered across blocks.
    let results = make("row results", n * 28, usage::COPY_SRC | usage::COPY_DST)?;
    let results_read = make("row results read-back", n * 28, read)?;
    let grad_len = |len: usize| if grad { len } else { 1 };
    let grad_hidden = make("gradHidden", grad_len(n * d) * 4, output)?;
    let grad_weight = make("gradWeight", grad_len(v * d) * 4, output)?;
    let grad_bias = make("gradBias", grad_len(v) * 4, output)?;
    let blocks = (0..n).step_by(block_rows).map(|start| (start, block_rows.min(n - start)));
    let partial_len = blocks.map(|(s, r)| BlockProducts::new(s, r, d, v, false).partial_len()).max();
    let partial = make("dZ · W partial sums", grad_len(partial_len.unwrap_or(1)) * 4, usage::STORAGE)?;
    let grads_read = match grad {
        true => Some(make("gradient read-back", (n * d + v * d + v) * 4, read)?),
        false => None,
    };

    write_f32(gpu, &hidden, t.hidden, "uploading hidden")?;
    write_f32(gpu, &weight, t.weight, "uploading weight")?;
    if let Some(b) = t.bias {
        write_f32(gpu, &bias, b, "uploading bias")?;
    }
    let w = plan.opts.class_weights.clone().unwrap_or_else(|| vec![1.0; v]);
    write_f32(gpu, &class_weights, &w, "uploading class weights")?;
    write_f32(gpu, &ones, &[1.0], "uploading a one")?;

    let logits_group = bind_group(dev, &gpu.matmul, &[&mm[0], &hidden, &weight, &bias, &logits]);
    let stats_group = bind_group(dev, &gpu.stats, &[&params, &logits, &class_weights, &stats, &nonfinite]);
    let pick_group = bind_group(dev, &gpu.pick, &[&params, &logits, &stats, &targets, &picks]);
    let grad_group = bind_group(dev, &gpu.grad, &[&params, &logits, &class_weights, &stats, &targets, &dz]);
    let hidden_group = bind_group(dev, &gpu.matmul, &[&mm[1], &dz, &weight, &bias, &grad_hidden]);
    let split_group = bind_group(dev, &gpu.matmul, &[&mm[1], &dz, &weight, &bias, &partial]);
    let sum_group = bind_group(dev, &gpu.matmul, &[&mm[4], &ones, &partial, &bias, &grad_hidden]);
    let weight_group = bind_group(dev, &gpu.matmul, &[&mm[2], &dz, &hidden, &bias, &grad_weight]);
    let bias_group = bind_group(dev, &gpu.matmul, &[&mm[3], &ones, &dz, &bias, &grad_bias]);

    for start in (0..n).step_by(block_rows) {
        let rows = block_rows.min(n - start);
        let p = BlockProducts::new(start, rows, d, v, t.bias.is_some());
        // Queue writes and submits run in order: each block sees its own parameters.
        write_bytes(gpu, &params, &params_bytes(plan, rows), "uploading parameters")?;
        write_bytes(gpu, &mm[0], &p.logits.bytes(), "uploading matmul parameters")?;
        write_bytes(gpu, &targets, &as_bytes(&t.targets[start..start + rows]), "uploading targets")?;
        if grad {
            write_bytes(gpu, &mm[1], &p.grad_hidden.bytes(), "uploading matmul parameters")?;
            write_bytes(gpu, &mm[2], &p.grad_weight.bytes(), "uploading matmul parameters")?;
            write_bytes(gpu, &mm[3], &p.grad_bias.bytes(), "uploading matmul parameters")?;
            if let Some(sum) = &p.sum_partials {
                write_bytes(gpu, &mm[4], &sum.bytes(), "uploading matmul parameters")?;
            }
        }
        let encoder = dev.create_command_encoder();
        let pass = encoder.begin_compute_pass();
        dispatch_product(&pass, gpu, &logits_group, &p.logits);
        pass.set_pipeline(&gpu.stats);
        pass.set_bind_group(0, Some(&stats_group));
        pass.dispatch_workgroups(rows as u32);
        pass.set_pipeline(&gpu.pick);
        pass.set_bind_group(0, Some(&pick_group));
        pass.dispatch_workgroups(rows as u32);
        if grad {
            pass.set_pipeline(&gpu.grad);
            pass.set_bind_group(0, Some(&grad_group));
            pass.dispatch_workgroups_with_workgroup_count_y((v as u32).div_ceil(WORKGROUP), rows as u32);
            match &p.sum_partials {
                None => dispatch_product(&pass, gpu, &hidden_group, &p.grad_hidden),
                Some(sum) => {
                    dispatch_product(&pass, gpu, &split_group, &p.grad_hidden);
                    dispatch_product(&pass, gpu, &sum_group, sum);
                }
            }
            dispatch_product(&pass, gpu, &weight_group, &p.grad_weight);
            if t.bias.is_some() {
                dispatch_product(&pass, gpu, &bias_group, &p.grad_bias);
            }
        }
        pass.end();
        let copies = [
            (&stats, start * 16, rows * 16),
            (&nonfinite, n * 16 + start * 4, rows * 4),
            (&picks, n * 20 + start * 8, rows * 8),
        ];
        for (src, at, bytes) in copies {
            encoder
                .copy_buffer_to_buffer_with_u32_and_u32_and_u32(src, 0, &results, at as u32, bytes as u32)
                .map_err(js_err("gathering row results"))?;
        }
        gpu.queue.submit(&[encoder.finish()]);
    }

    let encoder = dev.create_command_encoder();
    let copy = |src: &GpuBuffer, dst: &GpuBuffer, at: usize, bytes: usize| {
        encoder
            .copy_buffer_to_buffer_with_u32_and_u32_and_u32(src, 0, dst, at as u32, bytes as u32)
            .map_err(js_err("copying results for read-back"))
    };
    if n > 0 {
        copy(&results, &results_read, 0, n * 28)?;
    }
    if let Some(g) = &grads_read {
        if n > 0 {
            copy(&grad_hidden, g, 0, n * d * 4)?;
        }
        copy(&grad_weight, g, n * d * 4, v * d * 4)?;
        copy(&grad_bias, g, (n * d + v * d) * 4, v * 4)?;
    }
    gpu.queue.submit(&[encoder.finish()]);
    Ok(Pending { _owned: owned, results_read, grads_read, rows: n, d, vocab: v, has_bias: t.bias.is_some() })
}

impl Pending {
    /// Waits for the device, closes the error scopes and reads everything back; `Err` says why
    /// the device failed (lost, out of memory, a validation error).
    pub async fn finish(self, gpu: &GpuContext) -> Result<LinearGpuRows, String> {
        let result = self.read(gpu).await;
        let validation = gpu.device.pop_error_scope().await.ok().and_then(|e| e.as_option());
        let oom = gpu.device.pop_error_scope().await.ok().and_then(|e| e.as_option());
        if let Some(why) = gpu.lost.borrow().clone() {
            return Err(why);
        }
        if let Some(e) = oom {
            return Err(format!("the GPU ran out of memory: {}", e.message()));
        }
        if let Some(e) = validation {
            return Err(format!("WebGPU reported a validation error: {}", e.message()));
        }
        result
    }

    async fn read(&self, gpu: &GpuContext) -> Result<LinearGpuRows, String> {
        let (n, d, v) = (self.rows, self.d, self.vocab);
        self.results_read.map_async(gpu_map_mode::READ).await.map_err(js_err("reading row results back"))?;
        if let Some(g) = &self.grads_read {
            g.map_async(gpu_map_mode::READ).await.map_err(js_err("reading the gradients back"))?;
        }
        if let Some(why) = gpu.lost.borrow().clone() {
            return Err(why);
        }
        let range = self.results_read.get_mapped_range().map_err(js_err("mapping row results"))?;
        let floats = Float32Array::new_with_byte_offset_and_length(&range, 0, (n * 4) as u32).to_vec();
        let nonfinite =
            Uint32Array::new_with_byte_offset_and_length(&range, (n * 16) as u32, n as u32).to_vec();
        let picks =
            Uint32Array::new_with_byte_offset_and_length(&range, (n * 20) as u32, (n * 2) as u32).to_vec();
        self.results_read.unmap();
        let rows = GpuRowStats {
            stats: floats.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect(),
            nonfinite,
            kernel_ns: None,
        };
        let picks = picks.chunks_exact(2).map(|p| (f32::from_bits(p[0]), p[1])).collect();
        let mut out = LinearGpuRows { rows, picks, grad_hidden: None, grad_weight: None, grad_bias: None };
        if let Some(g) = &self.grads_read {
            let range = g.get_mapped_range().map_err(js_err("mapping the gradients"))?;
            let part = |at: usize, len: usize| {
                Float32Array::new_with_byte_offset_and_length(&range, (at * 4) as u32, len as u32).to_vec()
            };
            out.grad_hidden = Some(part(0, n * d));
            out.grad_weight = Some(part(n * d, v * d));
            out.grad_bias = self.has_bias.then(|| part(n * d + v * d, v));
            g.unmap();
        }
        Ok(out)
    }
}
