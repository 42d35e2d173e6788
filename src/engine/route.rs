//! Which backend runs a call, and why, in words a user can act on. Pure data and arithmetic:
//! the wasm side supplies what the adapter says and the calibration's timings, and shows the
//! reasons this module writes: each a [`Why`], a stable code with its values (for a UI to say it
//! in its own language) and the sentence in English.

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

/// Why a call runs where it does, or why an engine holds no GPU: a stable `code` a UI can
/// translate, the values its sentence names (`params`, by name), and the sentence in English.
#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub text: String,
}

impl Why {
    pub fn new(code: &'static str, text: impl Into<String>) -> Self {
        Self { code, params: Vec::new(), text: text.into() }
    }

    /// The value `name` of the sentence.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.push((name, value.to_string()));
        self
    }

    /// A failure that the browser or the GPU put in words: `detail` is those words (the one
    /// parameter, shown untranslated), after `what` happened.
    pub fn failure(code: &'static str, what: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self::new(code, format!("{what}: {detail}")).with("detail", detail)
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
pub fn admit(request: Request, info: &AdapterInfo) -> std::result::Result<(), Why> {
    match (request, software_adapter(info)) {
        (Request::Auto, Some(name)) => Err(Why::new(
            "software-adapter",
            format!(
                "the only WebGPU adapter here is {name}, a software renderer that emulates a GPU on the CPU \
                 and is much slower than the simd128 CPU kernel, so \"auto\" runs on the CPU \
                 (ask for backend: \"webgpu\" to use it anyway)"
            ),
        )
        .with("adapter", name)),
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
    pub reason: Why,
}

impl Route {
    fn cpu(reason: Why) -> Self {
        Self { backend: Backend::CpuSimd, reason }
    }
    fn gpu(reason: Why) -> Self {
        Self { backend: Backend::WebGpu, reason }
    }
}

/// Chooses the backend of one call of `logits` logits. `gpu` is the engine's device state:
/// `Err(reason)` when it holds none, else its calibration (`None` when none was made: the caller
/// asked for WebGPU). `fits` says whether this call's shape fits the device's limits.
pub fn route(
    request: Request,
    gpu: std::result::Result<Option<&Calibration>, &Why>,
    logits: usize,
    grad: bool,
    fits: std::result::Result<(), String>,
) -> Route {
    if request == Request::Cpu {
        return Route::cpu(Why::new("cpu-requested", "backend: \"cpu\" was asked for"));
    }
    let calibration = match gpu {
        Err(why) => return Route::cpu(why.clone()),
        Ok(c) => c,
    };
    if let Err(why) = fits {
        return Route::cpu(Why::failure("shape-beyond-limits", "this call cannot run on the GPU", why));
    }
    let Some(calibration) = calibration.filter(|_| request == Request::Auto) else {
        return Route::gpu(Why::new("webgpu-requested", "backend: \"webgpu\" was asked for"));
    };
    let (costs, kind, words) = if grad {
        (&calibration.gradient, "gradient", "with its gradient")
    } else {
        (&calibration.forward, "forward", "forward only")
    };
    let (gpu_ms, cpu_ms) = (format!("{:.1}", costs.gpu_ms(logits)), format!("{:.1}", costs.cpu_ms(logits)));
    let predicted = format!("predicted {gpu_ms} ms on the GPU vs {cpu_ms} ms on the CPU");
    let measured = |code, text: String, n: usize| {
        Why::new(code, text)
            .with("logits", logits)
            .with("crossover", n)
            .with("kind", kind)
            .with("gpuMs", &gpu_ms)
            .with("cpuMs", &cpu_ms)
    };
    match costs.crossover() {
        None => {
            let (gpu_ns, cpu_ns) =
                (format!("{:.2}", costs.gpu_ns_per_logit), format!("{:.2}", costs.cpu_ns_per_logit));
            Route::cpu(
                Why::new(
                    "gpu-never-faster",
                    format!(
                        "this engine's calibration found the GPU slower than the CPU at every size for calls {words} \
                         ({gpu_ns} vs {cpu_ns} ns per logit), so \"auto\" keeps them on the CPU"
                    ),
                )
                .with("kind", kind)
                .with("gpuNs", gpu_ns)
                .with("cpuNs", cpu_ns),
            )
        }
        Some(n) if logits >= n => Route::gpu(measured(
            "above-crossover",
            format!("{logits} logits reach the measured crossover of {n} for calls {words} ({predicted})"),
            n,
        )),
        Some(n) => Route::cpu(measured(
            "below-crossover",
            format!(
                "{logits} logits are below the measured crossover of {n} for calls {words} ({predicted})"
            ),
            n,
        )),
    }
}

/// Chooses the backend of one `linearCrossEntropy` call: `macs` multiply-adds in its logits
/// product (`N_scored · D · V`; the gradient's two products double it, and the calibration of
/// that kind measured them). `gpu` and `fits` as for [`route`]; for "auto" the calibration is the
/// engine's linear probe (`gpu::calibrate::calibrate_linear`), in multiply-adds rather than
/// logits. `materialize: true` is the CPU's comparison path and stays there. Without a GPU the
/// code stays `linear-cpu`, as before this backend existed.
pub fn route_linear(
    request: Request,
    gpu: std::result::Result<Option<&Calibration>, &Why>,
    macs: usize,
    grad: bool,
    fits: std::result::Result<(), String>,
    materialize: bool,
) -> Route {
    if request == Request::Cpu {
        return Route::cpu(Why::new(
            "linear-cpu",
            "backend: \"cpu\" was asked for, so linearCrossEntropy runs on the CPU",
        ));
    }
    let calibration = match gpu {
        Err(why) => {
            return Route::cpu(
                Why::new("linear-cpu", format!("linearCrossEntropy runs on the CPU: {}", why.text))
                    .with("engineReason", why.code),
            )
        }
        Ok(c) => c,
    };
    if materialize {
        return Route::cpu(Why::new(
            "linear-materialize-cpu",
            "materialize: true runs on the CPU: it is the comparison path that holds the [N, V] logits in wasm memory",
        ));
    }
    if let Err(why) = fits {
        return Route::cpu(Why::failure("shape-beyond-limits", "this call cannot run on the GPU", why));
    }
    let Some(calibration) = calibration.filter(|_| request == Request::Auto) else {
        return Route::gpu(Why::new("webgpu-requested", "backend: \"webgpu\" was asked for"));
    };
    let (costs, kind, words) = if grad {
        (&calibration.gradient, "gradient", "with their gradients")
    } else {
        (&calibration.forward, "forward", "forward only")
    };
    let (gpu_ms, cpu_ms) = (format!("{:.1}", costs.gpu_ms(macs)), format!("{:.1}", costs.cpu_ms(macs)));
    let predicted = format!("predicted {gpu_ms} ms on the GPU vs {cpu_ms} ms on the CPU");
    let measured = |code, text: String, n: usize| {
        Why::new(code, text)
            .with("multiplyAdds", macs)
            .with("crossover", n)
            .with("kind", kind)
            .with("gpuMs", &gpu_ms)
            .with("cpuMs", &cpu_ms)
    };
    match costs.crossover() {
        None => {
            let (gpu_ns, cpu_ns) =
                (format!("{:.3}", costs.gpu_ns_per_logit), format!("{:.3}", costs.cpu_ns_per_logit));
            Route::cpu(
                Why::new(
                    "linear-gpu-never-faster",
                    format!(
                        "this engine's linear probe found the GPU slower than the CPU at every size for \
                         linearCrossEntropy calls {words} ({gpu_ns} vs {cpu_ns} ns per multiply-add), so \
                         \"auto\" keeps them on the CPU"
                    ),
                )
                .with("kind", kind)
                .with("gpuNs", gpu_ns)
                .with("cpuNs", cpu_ns),
            )
        }
        Some(n) if macs >= n => Route::gpu(measured(
            "linear-above-crossover",
            format!(
                "{macs} multiply-adds reach the linear probe's crossover of {n} for calls {words} ({predicted})"
            ),
            n,
        )),
        Some(n) => Route::cpu(measured(
            "linear-below-crossover",
            format!(
                "{macs} multiply-adds are below the linear probe's crossover of {n} for calls {words} ({predicted})"
            ),
            n,
        )),
    }
}

/// Whether the GPU kernels implement these options (see [`honour_options`]).
pub fn gpu_supports(opts: &crate::loss::CrossEntropy) -> bool {
    opts.temperature_divisor().is_none() && !opts.stats.any()
}

/// Options the GPU kernels do not implement, so a call routed to the GPU runs on the CPU
/// instead, with the reason: `temperature-cpu` (a temperature other than 1) or `stats-cpu`
/// (per-token statistics asked for). Calls routed to the CPU anyway keep their own reason.
pub fn honour_options(route: Route, opts: &crate::loss::CrossEntropy) -> Route {
    if route.backend != Backend::WebGpu {
        return route;
    }
    if opts.temperature_divisor().is_some() {
        return Route::cpu(
            Why::new(
                "temperature-cpu",
                format!(
                    "temperature {} runs on the CPU: the GPU kernels do not divide the logits",
                    opts.temperature
                ),
            )
            .with("temperature", opts.temperature),
        );
    }
    if opts.stats.any() {
        let names: Vec<&str> = [opts.stats.entropy, opts.stats.rank, opts.stats.lse, opts.stats.predicted]
            .iter()
            .zip(crate::loss::Stats::NAMES)
            .filter_map(|(&on, name)| on.then_some(name))
            .collect();
        let names = names.join(", ");
        return Route::cpu(
            Why::new(
                "stats-cpu",
                format!("per-token statistics ({names}) run on the CPU: the GPU kernels do not compute them"),
            )
            .with("stats", names),
        );
    }
    route
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
    fn temperature_and_stats_keep_a_gpu_call_on_the_cpu_and_say_so() {
        use crate::loss::{CrossEntropy, Stats};
        let fits = || Ok(());
        let gpu = || route(Request::WebGpu, Ok(None), 1000, false, fits());
        let hot = CrossEntropy { temperature: 2.5, ..Default::default() };
        let r = honour_options(gpu(), &hot);
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "temperature-cpu"));
        assert_eq!(r.reason.params, vec![("temperature", "2.5".into())]);
        let stats =
            CrossEntropy { stats: Stats { rank: true, lse: true, ..Stats::default() }, ..Default::default() };
        let r = honour_options(gpu(), &stats);
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "stats-cpu"));
        assert_eq!(r.reason.params, vec![("stats", "rank, lse".into())]);
        assert_eq!(honour_options(gpu(), &CrossEntropy::default()), gpu(), "T = 1 and no stats: unchanged");
        let cpu = route(Request::Cpu, Ok(None), 1000, false, fits());
        assert_eq!(honour_options(cpu.clone(), &hot), cpu, "a CPU call keeps its own reason");
    }

    #[test]
    fn auto_refuses_software_adapters_and_says_why() {
        let swiftshader = info("google", "swiftshader", "", false);
        let why = admit(Request::Auto, &swiftshader).unwrap_err();
        assert!(why.text.contains("SwiftShader") && why.text.contains("backend: \"webgpu\""), "{why:?}");
        assert_eq!(
            (why.code, why.params.clone()),
            ("software-adapter", vec![("adapter", "SwiftShader".into())])
        );
        assert_eq!(admit(Request::WebGpu, &swiftshader), Ok(()), "an explicit request is honoured");
        let flagged = info("", "", "", true);
        assert!(admit(Request::Auto, &flagged).unwrap_err().text.contains("a fallback adapter"));
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
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "cpu-requested"));
        assert!(r.reason.text.contains("\"cpu\""));
        let none = Why::new("no-webgpu", "no WebGPU here");
        let r = route(Request::Auto, Err(&none), 1 << 30, true, ok());
        assert_eq!((r.backend, &r.reason), (Backend::CpuSimd, &none));
        // Forward: the GPU is slower per logit, never chosen.
        let r = route(Request::Auto, Ok(Some(&cal)), 1 << 30, false, ok());
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "gpu-never-faster"));
        assert!(r.reason.text.contains("slower than the CPU at every size"), "{:?}", r.reason);
        assert_eq!(
            r.reason.params,
            vec![("kind", "forward".into()), ("gpuNs", "2.00".into()), ("cpuNs", "1.00".into())]
        );
        // Gradient: crossover at 4e6 / 2 = 2 000 000 logits.
        let r = route(Request::Auto, Ok(Some(&cal)), 1_999_999, true, ok());
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "below-crossover"));
        assert!(r.reason.text.contains("below the measured crossover of 2000000"), "{:?}", r.reason);
        let r = route(Request::Auto, Ok(Some(&cal)), 2_000_000, true, ok());
        assert_eq!((r.backend, r.reason.code), (Backend::WebGpu, "above-crossover"));
        assert!(r.reason.text.contains("reach the measured crossover"), "{:?}", r.reason);
        assert_eq!(
            r.reason.params,
            vec![
                ("logits", "2000000".into()),
                ("crossover", "2000000".into()),
                ("kind", "gradient".into()),
                ("gpuMs", "8.0".into()),
                ("cpuMs", "8.0".into()),
            ]
        );
        // Asked-for WebGPU runs there at any size, unless the shape does not fit.
        let r = route(Request::WebGpu, Ok(None), 1, false, ok());
        assert_eq!((r.backend, r.reason.code), (Backend::WebGpu, "webgpu-requested"));
        let r = route(Request::WebGpu, Ok(None), 1, false, Err("a row is too long".into()));
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "shape-beyond-limits"));
        assert!(r.reason.text.contains("a row is too long"));
        assert_eq!(r.reason.params, vec![("detail", "a row is too long".into())]);
    }

    #[test]
    fn linear_routes_say_what_ran_and_why() {
        let ok = || Ok(());
        let r = route_linear(Request::Cpu, Ok(None), 10, true, ok(), false);
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "linear-cpu"));
        assert!(r.reason.text.contains("CPU"));
        let none = Why::new("software-adapter", "the only adapter is SwiftShader");
        let r = route_linear(Request::Auto, Err(&none), 1 << 30, true, ok(), false);
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "linear-cpu"));
        assert!(r.reason.text.contains("SwiftShader"), "{:?}", r.reason);
        assert_eq!(r.reason.params, vec![("engineReason", "software-adapter".into())]);
        let r = route_linear(Request::WebGpu, Ok(None), 10, true, ok(), true);
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "linear-materialize-cpu"));
        let r = route_linear(Request::WebGpu, Ok(None), 10, true, Err("the weight is too big".into()), false);
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "shape-beyond-limits"));
        let r = route_linear(Request::WebGpu, Ok(None), 10, true, ok(), false);
        assert_eq!((r.backend, r.reason.code), (Backend::WebGpu, "webgpu-requested"));
        // Auto, from a probe: CPU 2 ns per multiply-add; GPU 3 ms + 0.5 ns (gradient), or
        // 1 ms + 4 ns (forward: never faster).
        let cal = Calibration {
            forward: Costs { cpu_ns_per_logit: 2.0, gpu_fixed_ms: 1.0, gpu_ns_per_logit: 4.0 },
            gradient: Costs { cpu_ns_per_logit: 2.0, gpu_fixed_ms: 3.0, gpu_ns_per_logit: 0.5 },
        };
        let r = route_linear(Request::Auto, Ok(Some(&cal)), 1 << 30, false, ok(), false);
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "linear-gpu-never-faster"));
        assert!(r.reason.text.contains("per multiply-add"), "{:?}", r.reason);
        // Crossover: 3e6 / 1.5 = 2 000 000 multiply-adds.
        let r = route_linear(Request::Auto, Ok(Some(&cal)), 1_999_999, true, ok(), false);
        assert_eq!((r.backend, r.reason.code), (Backend::CpuSimd, "linear-below-crossover"));
        let r = route_linear(Request::Auto, Ok(Some(&cal)), 2_000_000, true, ok(), false);
        assert_eq!((r.backend, r.reason.code), (Backend::WebGpu, "linear-above-crossover"));
        assert_eq!(
            r.reason.params[..3],
            [
                ("multiplyAdds", "2000000".into()),
                ("crossover", "2000000".into()),
                ("kind", "gradient".into()),
            ]
        );
        assert!(gpu_supports(&crate::loss::CrossEntropy::default()));
        assert!(!gpu_supports(&crate::loss::CrossEntropy { temperature: 2.0, ..Default::default() }));
    }

    #[test]
    fn requests_parse_by_name() {
        assert_eq!(Request::parse(None).unwrap(), Request::Auto);
        assert!(Request::parse(Some("gpu")).unwrap_err().to_string().contains("\"gpu\""));
    }
}
