//! Which backend runs a call, and why, in words a user can act on. Pure data and arithmetic:
//! the wasm side supplies what the adapter says and the calibration's timings, and shows the
//! reasons this module writes.

use crate::error::{Error, Result};

/// What the caller asked for at `Engine.create`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// A real GPU where it is faster for the call at hand, the CPU otherwise.
    Auto,
    /// WebGPU whatever the adapter (software ones included), or refuse to create.
    WebGpu,
    /// The simd128 CPU kernel.
    Cpu,
}

impl Request {
    pub fn parse(backend: Option<&str>) -> Result<Self> {
        match backend.unwrap_or("auto") {
            "auto" => Ok(Self::Auto),
            "webgpu" => Ok(Self::WebGpu),
            "cpu" => Ok(Self::Cpu),
            other => Err(Error::Option {
                name: "backend",
                requirement: "\"auto\", \"webgpu\" or \"cpu\"",
                got: format!("{other:?}"),
            }),
        }
    }
}

/// What ran a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    WebGpu,
    CpuSimd,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::WebGpu => "webgpu",
            Self::CpuSimd => "cpu-simd",
        }
    }
}

/// What a WebGPU adapter says about itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdapterInfo {
    pub vendor: String,
    pub architecture: String,
    pub device: String,
    pub description: String,
    pub is_fallback_adapter: bool,
}

/// The name of the software rasteriser behind an adapter, if it is one. Browsers flag some as
/// `isFallbackAdapter`; others (SwiftShader behind Chromium's Vulkan path, Mesa's llvmpipe and
/// lavapipe, Windows' WARP) are recognised by name.
pub fn software_adapter(info: &AdapterInfo) -> Option<&'static str> {
    let words = [&info.vendor, &info.architecture, &info.device, &info.description]
        .map(|s| s.to_ascii_lowercase())
        .join(" ");
    const KNOWN: [(&str, &str); 5] = [
        ("swiftshader", "SwiftShader"),
        ("llvmpipe", "llvmpipe"),
        ("lavapipe", "lavapipe"),
        ("basic render", "WARP"),
        ("warp", "WARP"),
    ];
    let named = KNOWN.iter().find(|(needle, _)| words.contains(needle)).map(|&(_, name)| name);
    named.or(info.is_fallback_adapter.then_some("a fallback adapter"))
}

/// Whether an engine created with `request` uses this adapter; `Err` is the reason it stays on
/// the CPU. Only `Auto` is choosy: software adapters emulate the GPU on the CPU, far slower than
/// the CPU kernel itself (63× at 4 × 512 × 32000 in the benchmark).
pub fn admit(request: Request, info: &AdapterInfo) -> std::result::Result<(), String> {
    match (request, software_adapter(info)) {
        (Request::Auto, Some(name)) => Err(format!(
            "the only WebGPU adapter here is {name}, a software renderer that emulates a GPU on the CPU \
             and is much slower than the simd128 CPU kernel, so \"auto\" runs on the CPU \
             (ask for backend: \"webgpu\" to use it anyway)"
        )),
        _ => Ok(()),
    }
}

/// A backend's cost model for one kind of call, fitted from the calibration's timings:
/// the CPU costs `cpu_ns_per_logit · n`, the GPU `gpu_fixed_ms + gpu_ns_per_logit · n`
/// (upload, dispatch and read-back; the fixed part is a submit and a map round trip).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Costs {
    pub cpu_ns_per_logit: f64,
    pub gpu_fixed_ms: f64,
    pub gpu_ns_per_logit: f64,
}

impl Costs {
    /// Fits the model to one CPU timing (`cpu_ms` for `large` logits) and two GPU timings (for
    /// `small` and `large` logits). Negative slopes or intercepts (timer noise) become 0.
    pub fn fit(small: usize, large: usize, cpu_ms: f64, gpu_small_ms: f64, gpu_large_ms: f64) -> Self {
        let (small, large) = (small as f64, large as f64);
        let gpu_ns_per_logit = ((gpu_large_ms - gpu_small_ms) * 1e6 / (large - small)).max(0.0);
        let gpu_fixed_ms = (gpu_small_ms - gpu_ns_per_logit * small * 1e-6).max(0.0);
        Self { cpu_ns_per_logit: (cpu_ms * 1e6 / large).max(0.0), gpu_fixed_ms, gpu_ns_per_logit }
    }

    pub fn cpu_ms(&self, logits: usize) -> f64 {
        self.cpu_ns_per_logit * logits as f64 * 1e-6
    }

    pub fn gpu_ms(&self, logits: usize) -> f64 {
        self.gpu_fixed_ms + self.gpu_ns_per_logit * logits as f64 * 1e-6
    }

    /// The smallest call (in logits) the GPU finishes sooner, or `None` when it never does.
    pub fn crossover(&self) -> Option<usize> {
        let saved_per_logit = self.cpu_ns_per_logit - self.gpu_ns_per_logit;
        if saved_per_logit <= 0.0 {
            return None;
        }
        let n = (self.gpu_fixed_ms * 1e6 / saved_per_logit).ceil();
        Some(if n >= usize::MAX as f64 { usize::MAX } else { (n as usize).max(1) })
    }
}

/// One engine's measured costs, forward-only and with the gradient (they differ: the gradient
/// writes and reads back as many floats as it read).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibration {
    pub forward: Costs,
    pub gradient: Costs,
}

/// Where one call runs and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub backend: Backend,
    pub reason: String,
}

impl Route {
    fn cpu(reason: String) -> Self {
        Self { backend: Backend::CpuSimd, reason }
    }
    fn gpu(reason: String) -> Self {
        Self { backend: Backend::WebGpu, reason }
    }
}

/// Chooses the backend of one call of `logits` logits. `gpu` is the engine's device state:
/// `Err(reason)` when it holds none, else its calibration (`None` when none was made: the caller
/// asked for WebGPU). `fits` says whether this call's shape fits the device's limits.
pub fn route(
    request: Request,
    gpu: std::result::Result<Option<&Calibration>, &str>,
    logits: usize,
    grad: bool,
    fits: std::result::Result<(), String>,
) -> Route {
    if request == Request::Cpu {
        return Route::cpu("backend: \"cpu\" was asked for".into());
    }
    let calibration = match gpu {
        Err(why) => return Route::cpu(why.into()),
        Ok(c) => c,
    };
    if let Err(why) = fits {
        return Route::cpu(format!("this call cannot run on the GPU: {why}"));
    }
    let Some(calibration) = calibration.filter(|_| request == Request::Auto) else {
        return Route::gpu("backend: \"webgpu\" was asked for".into());
    };
    let (costs, kind) = if grad {
        (&calibration.gradient, "with its gradient")
    } else {
        (&calibration.forward, "forward only")
    };
    let predicted = format!(
        "predicted {:.1} ms on the GPU vs {:.1} ms on the CPU",
        costs.gpu_ms(logits),
        costs.cpu_ms(logits)
    );
    match costs.crossover() {
        None => Route::cpu(format!(
            "this engine's calibration found the GPU slower than the CPU at every size for calls {kind} \
             ({:.2} vs {:.2} ns per logit), so \"auto\" keeps them on the CPU",
            costs.gpu_ns_per_logit, costs.cpu_ns_per_logit
        )),
        Some(n) if logits >= n => Route::gpu(format!(
            "{logits} logits reach the measured crossover of {n} for calls {kind} ({predicted})"
        )),
        Some(n) => Route::cpu(format!(
            "{logits} logits are below the measured crossover of {n} for calls {kind} ({predicted})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn info(vendor: &str, architecture: &str, description: &str, fallback: bool) -> AdapterInfo {
        AdapterInfo {
            vendor: vendor.into(),
            architecture: architecture.into(),
            device: String::new(),
            description: description.into(),
            is_fallback_adapter: fallback,
        }
    }

    #[test]
    fn auto_refuses_software_adapters_and_says_why() {
        let swiftshader = info("google", "swiftshader", "", false);
        let why = admit(Request::Auto, &swiftshader).unwrap_err();
        assert!(why.contains("SwiftShader") && why.contains("backend: \"webgpu\""), "{why}");
        assert_eq!(admit(Request::WebGpu, &swiftshader), Ok(()), "an explicit request is honoured");
        let flagged = info("", "", "", true);
        assert!(admit(Request::Auto, &flagged).unwrap_err().contains("a fallback adapter"));
        assert_eq!(
            software_adapter(&info("mesa", "", "llvmpipe (LLVM 17.0.6, 256 bits)", false)),
            Some("llvmpipe")
        );
        assert_eq!(
            software_adapter(&info("microsoft", "", "Microsoft Basic Render Driver", false)),
            Some("WARP")
        );
        let real = info("nvidia", "hopper", "NVIDIA H200", false);
        assert_eq!(software_adapter(&real), None);
        assert_eq!(admit(Request::Auto, &real), Ok(()));
    }

    #[test]
    fn costs_fit_two_points_and_cross_where_the_lines_meet() {
        // GPU: 2 ms + 0.5 ns/logit; CPU: 3 ns/logit → they meet at 2e6 / 2.5 = 800 000 logits.
        let c = Costs::fit(100_000, 4_000_000, 12.0, 2.05, 4.0);
        assert!((c.gpu_ns_per_logit - 0.5).abs() < 1e-12, "{c:?}");
        assert!((c.gpu_fixed_ms - 2.0).abs() < 1e-12, "{c:?}");
        assert!((c.cpu_ns_per_logit - 3.0).abs() < 1e-12, "{c:?}");
        assert_eq!(c.crossover(), Some(800_000));
        assert!(c.gpu_ms(800_000) <= c.cpu_ms(800_000) + 1e-9);
        assert!(c.gpu_ms(799_000) > c.cpu_ms(799_000));
        // Timer noise: a GPU "faster" at the small size gives a 0 slope, never a negative one.
        let noisy = Costs::fit(1000, 2000, 1.0, 3.0, 2.0);
        assert_eq!(noisy.gpu_ns_per_logit, 0.0);
        assert_eq!(noisy.gpu_fixed_ms, 3.0);
        // A GPU slower per logit than the CPU never pays.
        assert_eq!(Costs::fit(1000, 2000, 1.0, 0.1, 5.0).crossover(), None);
    }

    #[test]
    fn routes_say_what_ran_and_why() {
        let cal = Calibration {
            forward: Costs { cpu_ns_per_logit: 1.0, gpu_fixed_ms: 4.0, gpu_ns_per_logit: 2.0 },
            gradient: Costs { cpu_ns_per_logit: 4.0, gpu_fixed_ms: 4.0, gpu_ns_per_logit: 2.0 },
        };
        let ok = || Ok(());
        let r = route(Request::Cpu, Ok(Some(&cal)), 10, false, ok());
        assert_eq!(r.backend, Backend::CpuSimd);
        assert!(r.reason.contains("\"cpu\""));
        let r = route(Request::Auto, Err("no WebGPU here"), 1 << 30, true, ok());
        assert_eq!((r.backend, r.reason.as_str()), (Backend::CpuSimd, "no WebGPU here"));
        // Forward: the GPU is slower per logit, never chosen.
        let r = route(Request::Auto, Ok(Some(&cal)), 1 << 30, false, ok());
        assert_eq!(r.backend, Backend::CpuSimd);
        assert!(r.reason.contains("slower than the CPU at every size"), "{}", r.reason);
        // Gradient: crossover at 4e6 / 2 = 2 000 000 logits.
        let r = route(Request::Auto, Ok(Some(&cal)), 1_999_999, true, ok());
        assert_eq!(r.backend, Backend::CpuSimd);
        assert!(r.reason.contains("below the measured crossover of 2000000"), "{}", r.reason);
        let r = route(Request::Auto, Ok(Some(&cal)), 2_000_000, true, ok());
        assert_eq!(r.backend, Backend::WebGpu);
        assert!(r.reason.contains("reach the measured crossover"), "{}", r.reason);
        // Asked-for WebGPU runs there at any size, unless the shape does not fit.
        let r = route(Request::WebGpu, Ok(None), 1, false, ok());
        assert_eq!(r.backend, Backend::WebGpu);
        let r = route(Request::WebGpu, Ok(None), 1, false, Err("a row is too long".into()));
        assert_eq!(r.backend, Backend::CpuSimd);
        assert!(r.reason.contains("a row is too long"));
    }

    #[test]
    fn requests_parse_by_name() {
        assert_eq!(Request::parse(None).unwrap(), Request::Auto);
        assert!(Request::parse(Some("gpu")).unwrap_err().to_string().contains("\"gpu\""));
    }
}
