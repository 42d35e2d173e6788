//! Dispatching a cross-entropy on a device: upload a chunk of rows, run the statistics kernel
//! (and the gradient kernel), read back, repeat. Buffers are kept for the next call when it fits.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Float32Array, Uint32Array};
use wasm_bindgen::JsValue;
use web_sys::{
    gpu_buffer_usage as usage, gpu_map_mode, GpuBindGroup, GpuBindGroupDescriptor, GpuBindGroupEntry,
    GpuBuffer, GpuBufferDescriptor, GpuComputePassDescriptor, GpuComputePassTimestampWrites,
    GpuComputePipeline, GpuDevice, GpuErrorFilter, GpuQuerySet, GpuQuerySetDescriptor, GpuQueryType,
};

use super::device::{message, GpuContext};
use super::{params_bytes, rows_per_chunk, PARAMS_BYTES, WORKGROUP};
use crate::engine::GpuRowStats;
use crate::loss::Plan;

/// Where the logits are: a JS array (uploaded straight from JS) or wasm-resident storage.
pub enum LogitsRef<'a> {
    Js(&'a Float32Array),
    Wasm(&'a Rc<RefCell<Vec<f32>>>),
}

/// Where the gradient goes, if wanted.
pub enum GradDst<'a> {
    None,
    Js(&'a Float32Array),
    Wasm(&'a Rc<RefCell<Vec<f32>>>),
}

/// The buffers of one shape class (vocabulary, rows per chunk), with their bind groups.
pub struct Buffers {
    vocab: usize,
    rows: usize,
    logits: GpuBuffer,
    weights: GpuBuffer,
    params: GpuBuffer,
    stats: GpuBuffer,
    nonfinite: GpuBuffer,
    targets: GpuBuffer,
    grad: GpuBuffer,
    stats_read: GpuBuffer,
    grad_read: GpuBuffer,
    stats_group: GpuBindGroup,
    grad_group: GpuBindGroup,
    /// The pass's begin and end timestamps and the buffer they resolve into, where offered.
    queries: Option<(GpuQuerySet, GpuBuffer)>,
}

/// Bytes of the two resolved timestamps (u64 nanoseconds each).
const TIMESTAMP_BYTES: usize = 16;

impl Drop for Buffers {
    fn drop(&mut self) {
        for b in [
            &self.logits,
            &self.weights,
            &self.params,
            &self.stats,
            &self.nonfinite,
            &self.targets,
            &self.grad,
            &self.stats_read,
            &self.grad_read,
        ] {
            b.destroy();
        }
        if let Some((set, resolved)) = &self.queries {
            set.destroy();
            resolved.destroy();
        }
    }
}

pub(super) fn buffer(device: &GpuDevice, label: &str, bytes: usize, usage: u32) -> Result<GpuBuffer, String> {
    // WebGPU wants sizes in multiples of 4; every buffer here holds 4-byte elements.
    let desc = GpuBufferDescriptor::new_with_f64(bytes.max(4) as f64, usage);
    desc.set_label(label);
    device
        .create_buffer(&desc)
        .map_err(|e| format!("createBuffer({label}, {bytes} bytes) failed: {}", message(&e)))
}

pub(super) fn bind_group(
    device: &GpuDevice,
    pipeline: &GpuComputePipeline,
    buffers: &[&GpuBuffer],
) -> GpuBindGroup {
    let entries: Vec<GpuBindGroupEntry> = buffers
        .iter()
        .enumerate()
        .map(|(i, b)| GpuBindGroupEntry::new_with_gpu_buffer(i as u32, b))
        .collect();
    device.create_bind_group(&GpuBindGroupDescriptor::new(&entries, &pipeline.get_bind_group_layout(0)))
}

impl Buffers {
    fn new(gpu: &GpuContext, vocab: usize, rows: usize) -> Result<Self, String> {
        let d = &gpu.device;
        let storage = usage::STORAGE | usage::COPY_DST;
        let out = usage::STORAGE | usage::COPY_SRC;
        let read = usage::MAP_READ | usage::COPY_DST;
        let logits = buffer(d, "logits", rows * vocab * 4, storage)?;
        let weights = buffer(d, "class weights", vocab * 4, storage)?;
        let params = buffer(d, "params", PARAMS_BYTES, usage::UNIFORM | usage::COPY_DST)?;
        let stats = buffer(d, "row statistics", rows * 16, out)?;
        let nonfinite = buffer(d, "non-finite counts", rows * 4, out)?;
        let targets = buffer(d, "targets", rows * 4, storage)?;
        let grad = buffer(d, "gradient", rows * vocab * 4, out)?;
        // Row statistics (16 bytes a row), non-finite counts (4), then the timestamps.
        let stats_read = buffer(d, "row statistics read-back", rows * 20 + TIMESTAMP_BYTES, read)?;
        let grad_read = buffer(d, "gradient read-back", rows * vocab * 4, read)?;
        let stats_group = bind_group(d, &gpu.stats, &[&params, &logits, &weights, &stats, &nonfinite]);
        let grad_group = bind_group(d, &gpu.grad, &[&params, &logits, &weights, &stats, &targets, &grad]);
        let queries = match gpu.timestamps {
            false => None,
            true => {
                let set = d
                    .create_query_set(&GpuQuerySetDescriptor::new(2, GpuQueryType::Timestamp))
                    .map_err(|e| format!("createQuerySet failed: {}", message(&e)))?;
                let resolved =
                    buffer(d, "timestamps", TIMESTAMP_BYTES, usage::QUERY_RESOLVE | usage::COPY_SRC)?;
                Some((set, resolved))
            }
        };
        Ok(Self {
            vocab,
            rows,
            logits,
            weights,
            params,
            stats,
            nonfinite,
            targets,
            grad,
            stats_read,
            grad_read,
            stats_group,
            grad_group,
            queries,
        })
    }
}

/// Maps a rejected WebGPU call to the reason the caller reports.
pub(super) fn js_err(what: &'static str) -> impl Fn(JsValue) -> String {
    move |e| format!("{what} failed: {}", message(&e))
}

pub(super) fn as_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Runs the plan's rows on the device: fills `grad` (when asked) and returns every row's
/// statistics. `Err` says why the device could not finish; the caller falls back to the CPU.
pub async fn cross_entropy(
    gpu: &GpuContext,
    plan: &Plan,
    logits: LogitsRef<'_>,
    grad: GradDst<'_>,
) -> Result<GpuRowStats, String> {
    if let Some(why) = gpu.lost.borrow().clone() {
        return Err(why);
    }
    let [batch, seq, vocab] = plan.shape;
    let total_rows = batch * seq;
    let chunk = rows_per_chunk(vocab, gpu.limits)?.min(total_rows);
    // Per logits row: the class it is scored against, or -1 (ignored, or shifted away).
    let mut targets = vec![-1i32; total_rows];
    for (p, t) in plan.targets.iter().enumerate() {
        if let Some(class) = t {
            targets[plan.logits_row(p)] = *class as i32;
        }
    }
    let weights: Vec<f32> = plan.opts.class_weights.clone().unwrap_or_else(|| vec![1.0; vocab]);

    let reuse = gpu.buffers.borrow().as_ref().is_some_and(|b| b.vocab == vocab && b.rows >= chunk);
    if !reuse {
        gpu.buffers.replace(None); // free the old ones before allocating
        let fresh = Buffers::new(gpu, vocab, chunk)?;
        gpu.buffers.replace(Some(fresh));
    }
    let device = &gpu.device;
    device.push_error_scope(GpuErrorFilter::OutOfMemory);
    device.push_error_scope(GpuErrorFilter::Validation);
    let result = run_chunks(gpu, plan, &logits, &grad, &targets, &weights, chunk).await;
    let validation = device.pop_error_scope().await.ok().and_then(|e| e.as_option());
    let oom = device.pop_error_scope().await.ok().and_then(|e| e.as_option());
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

async fn run_chunks(
    gpu: &GpuContext,
    plan: &Plan,
    logits: &LogitsRef<'_>,
    grad: &GradDst<'_>,
    targets: &[i32],
    weights: &[f32],
    chunk: usize,
) -> Result<GpuRowStats, String> {
    let vocab = plan.vocab();
    let total_rows = targets.len();
    let want_grad = !matches!(grad, GradDst::None);
    let mut out = GpuRowStats {
        stats: Vec::with_capacity(total_rows),
        nonfinite: Vec::with_capacity(total_rows),
        kernel_ns: None,
    };
    let queue = &gpu.queue;
    {
        let guard = gpu.buffers.borrow();
        let b = guard.as_ref().ok_or("GPU buffers were released mid-call")?;
        let w = as_bytes(&weights.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        queue
            .write_buffer_with_u32_and_u8_slice(&b.weights, 0, &w)
            .map_err(js_err("writing class weights"))?;
    }
    for start in (0..total_rows).step_by(chunk) {
        let rows = chunk.min(total_rows - start);
        let span = start * vocab..(start + rows) * vocab;
        {
            // Borrows end before any await: nothing else can touch these while we wait.
            let guard = gpu.buffers.borrow();
            let b = guard.as_ref().ok_or("GPU buffers were released mid-call")?;
            match logits {
                LogitsRef::Js(a) => {
                    let part = a.subarray(span.start as u32, span.end as u32);
                    queue.write_buffer_with_u32_and_buffer_source(&b.logits, 0, &part)
                }
                LogitsRef::Wasm(data) => {
                    let data = data.borrow();
                    // SAFETY: the view is consumed by writeBuffer before anything can allocate.
                    let part = unsafe { Float32Array::view(&data[span.clone()]) };
                    queue.write_buffer_with_u32_and_buffer_source(&b.logits, 0, &part)
                }
            }
            .map_err(js_err("uploading logits"))?;
            let t = as_bytes(&targets[start..start + rows].iter().map(|&x| x as u32).collect::<Vec<_>>());
            queue
                .write_buffer_with_u32_and_u8_slice(&b.targets, 0, &t)
                .map_err(js_err("uploading targets"))?;
            queue
                .write_buffer_with_u32_and_u8_slice(&b.params, 0, &params_bytes(plan, rows))
                .map_err(js_err("uploading parameters"))?;

            let encoder = gpu.device.create_command_encoder();
            let pass = match &b.queries {
                None => encoder.begin_compute_pass(),
                Some((set, _)) => {
                    let writes = GpuComputePassTimestampWrites::new(set);
                    writes.set_beginning_of_pass_write_index(0);
                    writes.set_end_of_pass_write_index(1);
                    let desc = GpuComputePassDescriptor::new();
                    desc.set_timestamp_writes(&writes);
                    encoder.begin_compute_pass_with_descriptor(&desc)
                }
            };
            pass.set_pipeline(&gpu.stats);
            pass.set_bind_group(0, Some(&b.stats_group));
            pass.dispatch_workgroups(rows as u32);
            if want_grad {
                pass.set_pipeline(&gpu.grad);
                pass.set_bind_group(0, Some(&b.grad_group));
                pass.dispatch_workgroups_with_workgroup_count_y(
                    (vocab as u32).div_ceil(WORKGROUP),
                    rows as u32,
                );
            }
            pass.end();
            let copy = |src: &GpuBuffer, src_off: usize, dst: &GpuBuffer, dst_off: usize, bytes: usize| {
                encoder.copy_buffer_to_buffer_with_u32_and_u32_and_u32(
                    src,
                    src_off as u32,
                    dst,
                    dst_off as u32,
                    bytes as u32,
                )
            };
            copy(&b.stats, 0, &b.stats_read, 0, rows * 16).map_err(js_err("copying statistics"))?;
            copy(&b.nonfinite, 0, &b.stats_read, b.rows * 16, rows * 4).map_err(js_err("copying flags"))?;
            if let Some((set, resolved)) = &b.queries {
                encoder.resolve_query_set_with_u32(set, 0, 2, resolved, 0);
                copy(resolved, 0, &b.stats_read, b.rows * 20, TIMESTAMP_BYTES)
                    .map_err(js_err("copying timestamps"))?;
            }
            if want_grad {
                copy(&b.grad, 0, &b.grad_read, 0, rows * vocab * 4)
                    .map_err(js_err("copying the gradient"))?;
            }
            queue.submit(&[encoder.finish()]);
        }

        let (stats_read, grad_read, capacity) = {
            let guard = gpu.buffers.borrow();
            let b = guard.as_ref().ok_or("GPU buffers were released mid-call")?;
            (b.stats_read.clone(), b.grad_read.clone(), b.rows)
        };
        stats_read.map_async(gpu_map_mode::READ).await.map_err(js_err("reading statistics back"))?;
        if want_grad {
            grad_read.map_async(gpu_map_mode::READ).await.map_err(js_err("reading the gradient back"))?;
        }
        if let Some(why) = gpu.lost.borrow().clone() {
            return Err(why);
        }
        let range = stats_read.get_mapped_range().map_err(js_err("mapping statistics"))?;
        let floats = Float32Array::new_with_byte_offset_and_length(&range, 0, (rows * 4) as u32).to_vec();
        let flags = Uint32Array::new_with_byte_offset_and_length(&range, (capacity * 16) as u32, rows as u32)
            .to_vec();
        out.stats.extend(floats.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]));
        out.nonfinite.extend(flags);
        if gpu.timestamps {
            let w = Uint32Array::new_with_byte_offset_and_length(&range, (capacity * 20) as u32, 4).to_vec();
            let ns = |lo: u32, hi: u32| lo as f64 + hi as f64 * 4_294_967_296.0;
            let (begin, end) = (ns(w[0], w[1]), ns(w[2], w[3]));
            *out.kernel_ns.get_or_insert(0.0) += (end - begin).max(0.0);
        }
        stats_read.unmap();
        if want_grad {
            let range = grad_read.get_mapped_range().map_err(js_err("mapping the gradient"))?;
            let part = Float32Array::new_with_byte_offset_and_length(&range, 0, (rows * vocab) as u32);
            match grad {
                GradDst::Js(dst) => dst.set(&part, span.start as u32),
                GradDst::Wasm(dst) => part.copy_to(&mut dst.borrow_mut()[span.clone()]),
                GradDst::None => {}
            }
            grad_read.unmap();
        }
    }
    Ok(out)
}
