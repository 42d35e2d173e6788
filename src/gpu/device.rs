//! Getting a WebGPU device and compiling the kernels, or the reason that is not possible.
//! Kept apart from dispatch (`run`) so callers and tests can hold a device of their own.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Gpu, GpuAdapter, GpuAutoLayoutMode, GpuComputePipeline, GpuComputePipelineDescriptor, GpuDevice,
    GpuDeviceDescriptor, GpuErrorFilter, GpuProgrammableStage, GpuQueue, GpuShaderModuleDescriptor,
};

use super::{shader_source, Limits, GRAD_WGSL, MATMUL_WGSL, PICK_WGSL, STATS_WGSL, WORKGROUP};
use crate::engine::{admit, AdapterInfo, Request, Why};

/// A device with every kernel compiled, ready to dispatch. Pipelines are made once per device.
pub struct GpuContext {
    pub device: GpuDevice,
    pub queue: GpuQueue,
    pub limits: Limits,
    pub info: AdapterInfo,
    pub stats: GpuComputePipeline,
    pub grad: GpuComputePipeline,
    /// The linear cross-entropy's matrix products and its label/argmax pick.
    pub matmul: GpuComputePipeline,
    pub pick: GpuComputePipeline,
    /// Set (with the reason) when the device is lost; every later dispatch refuses.
    pub lost: Rc<RefCell<Option<String>>>,
    /// Whether the device was granted "timestamp-query": calls then report the kernels' time.
    pub timestamps: bool,
    /// Buffers of the last call, reused when the next one fits.
    pub buffers: RefCell<Option<super::run::Buffers>>,
}

/// `globalThis.navigator.gpu`, if this context has WebGPU (windows, workers; not Node).
fn navigator_gpu() -> Option<Gpu> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gpu = Reflect::get(&navigator, &"gpu".into()).ok()?;
    (!gpu.is_undefined() && !gpu.is_null()).then(|| gpu.unchecked_into())
}

/// The message of a rejected promise or thrown value.
pub fn message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// The smallest limits the kernels need: a 256-wide workgroup, five storage buffers, and room
/// for 256 partial states (24 bytes each) in workgroup memory (the matmul's two 16 × 16 tiles
/// need less). WebGPU's defaults exceed all.
fn check_minimums(adapter: &GpuAdapter) -> Result<(), Why> {
    let l = adapter.limits();
    let needs = [
        ("maxComputeInvocationsPerWorkgroup", l.max_compute_invocations_per_workgroup(), WORKGROUP),
        ("maxComputeWorkgroupSizeX", l.max_compute_workgroup_size_x(), WORKGROUP),
        ("maxComputeWorkgroupSizeY", l.max_compute_workgroup_size_y(), super::linear_plan::MATMUL_TILE),
        ("maxStorageBuffersPerShaderStage", l.max_storage_buffers_per_shader_stage(), 5),
        ("maxComputeWorkgroupStorageSize", l.max_compute_workgroup_storage_size(), WORKGROUP * 24 + 4),
    ];
    for (name, has, needs) in needs {
        if has < needs {
            let detail = format!("{name} is {has}, the kernels need {needs}");
            return Err(Why::failure("adapter-limits", "adapter limits too small", detail));
        }
    }
    Ok(())
}

/// Requests an adapter and a device with the largest buffer limits the adapter offers (and no
/// more), then compiles both kernels. `Err` carries the reason in words, also when `request`
/// refuses the adapter (see [`admit`]); `allow_software` admits software adapters anyway.
pub async fn acquire(request: Request, allow_software: bool) -> Result<GpuContext, Why> {
    let gpu = navigator_gpu().ok_or_else(|| {
        Why::new(
            "no-webgpu",
            "navigator.gpu is undefined: this browser or context has no WebGPU (it needs a secure context such as https or localhost, and some browsers ship it off or behind a flag)",
        )
    })?;
    let adapter = gpu
        .request_adapter()
        .await
        .map_err(|e| Why::failure("adapter-failed", "navigator.gpu.requestAdapter() failed", message(&e)))?
        .as_option()
        .ok_or_else(|| {
            Why::new("no-adapter", "navigator.gpu.requestAdapter() returned null: no suitable GPU adapter")
        })?;
    let info = adapter.info();
    let info = AdapterInfo {
        vendor: info.vendor(),
        architecture: info.architecture(),
        device: info.device(),
        description: info.description(),
        is_fallback_adapter: info.is_fallback_adapter(),
    };
    if !allow_software {
        admit(request, &info)?;
    }
    check_minimums(&adapter)?;
    let offered = adapter.limits();
    let required = Object::new();
    let _ = Reflect::set(
        &required,
        &"maxStorageBufferBindingSize".into(),
        &offered.max_storage_buffer_binding_size().into(),
    );
    let _ = Reflect::set(&required, &"maxBufferSize".into(), &offered.max_buffer_size().into());
    let descriptor = GpuDeviceDescriptor::new();
    descriptor.set_required_limits(required.unchecked_ref());
    let timestamps = adapter.features().has("timestamp-query");
    if timestamps {
        descriptor.set_required_features(&[js_sys::JsString::from("timestamp-query")]);
    }
    let device = adapter
        .request_device_with_descriptor(&descriptor)
        .await
        .map_err(|e| Why::failure("device-failed", "requestDevice() failed", message(&e)))?;
    let lost = Rc::new(RefCell::new(None));
    watch_loss(&device, lost.clone());

    let granted = device.limits();
    let limits = Limits {
        max_storage_binding: granted.max_storage_buffer_binding_size() as u64,
        max_buffer: granted.max_buffer_size() as u64,
        max_workgroups_per_dimension: granted.max_compute_workgroups_per_dimension(),
    };

    device.push_error_scope(GpuErrorFilter::Validation);
    let stats = pipeline(&device, "losslab row statistics", &shader_source(STATS_WGSL));
    let grad = pipeline(&device, "losslab gradient", &shader_source(GRAD_WGSL));
    let matmul = pipeline(&device, "losslab matmul", MATMUL_WGSL);
    let pick = pipeline(&device, "losslab label and argmax", &shader_source(PICK_WGSL));
    if let Some(e) = device.pop_error_scope().await.ok().and_then(|e| e.as_option()) {
        return Err(Why::failure(
            "kernels-failed",
            "the WGSL kernels did not compile on this device",
            e.message(),
        ));
    }
    let queue = device.queue();
    Ok(GpuContext {
        device,
        queue,
        limits,
        info,
        stats,
        grad,
        matmul,
        pick,
        lost,
        timestamps,
        buffers: RefCell::new(None),
    })
}

fn pipeline(device: &GpuDevice, label: &str, source: &str) -> GpuComputePipeline {
    let module_desc = GpuShaderModuleDescriptor::new(source);
    module_desc.set_label(label);
    let module = device.create_shader_module(&module_desc);
    let stage = GpuProgrammableStage::new(&module);
    stage.set_entry_point("main");
    let desc = GpuComputePipelineDescriptor::new_with_gpu_auto_layout_mode(GpuAutoLayoutMode::Auto, &stage);
    desc.set_label(label);
    device.create_compute_pipeline(&desc)
}

/// Records the reason when the device is lost, whenever that happens.
fn watch_loss(device: &GpuDevice, lost: Rc<RefCell<Option<String>>>) {
    let promise = device.lost();
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(info) = promise.await {
            let why = info.message();
            *lost.borrow_mut() = Some(format!(
                "the GPU device was lost ({:?}){}",
                info.reason(),
                if why.is_empty() { String::new() } else { format!(": {why}") }
            ));
        }
    });
}
