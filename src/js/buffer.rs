//! `F32Buffer`: float32 storage that stays in wasm memory across calls, so a big input is
//! copied in once and a gradient is written in place instead of copied out on every call.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::convert;
use crate::error::{try_zeroed, Error, Result};

pub(crate) type Shared = Rc<RefCell<Vec<f32>>>;

/// Live buffers by id (and the last id given out), so a buffer found inside an input object
/// can be resolved.
#[derive(Default)]
struct Registry {
    last: u32,
    live: HashMap<u32, Weak<RefCell<Vec<f32>>>>,
}

thread_local! {
    static LIVE: RefCell<Registry> = RefCell::new(Registry::default());
}

/// Float32 storage in wasm memory. Pass it as `logits` (no copy per call) or as `gradInto`
/// (the gradient is written there). Call `free()` when done, or let the GC reclaim it.
#[wasm_bindgen]
pub struct F32Buffer {
    id: u32,
    data: Shared,
}

impl F32Buffer {
    fn wrap(data: Vec<f32>) -> Self {
        let data = Rc::new(RefCell::new(data));
        let id = LIVE.with(|registry| {
            let r = &mut *registry.borrow_mut();
            r.last = r.last.wrapping_add(1);
            r.live.insert(r.last, Rc::downgrade(&data));
            r.last
        });
        Self { id, data }
    }

    /// The buffer behind a JS value, if it is a live `F32Buffer`.
    pub(crate) fn resolve(v: &JsValue) -> Option<Shared> {
        let id = js_sys::Reflect::get(v, &"bufferId".into()).ok()?.as_f64()?;
        LIVE.with(|registry| registry.borrow().live.get(&(id as u32)).and_then(Weak::upgrade))
    }
}

impl Drop for F32Buffer {
    fn drop(&mut self) {
        LIVE.with(|registry| registry.borrow_mut().live.remove(&self.id));
    }
}

#[wasm_bindgen]
impl F32Buffer {
    /// A zeroed buffer of `length` floats; throws if wasm memory cannot hold it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "number")] length: JsValue,
    ) -> Result<F32Buffer, JsValue> {
        let n = convert::count("length", &length)?;
        Ok(Self::wrap(try_zeroed(n, "an F32Buffer")?))
    }

    /// A buffer holding a copy of `src`.
    #[wasm_bindgen(js_name = fromArray)]
    pub fn from_array(
        #[wasm_bindgen(unchecked_param_type = "Float32Array")] src: JsValue,
    ) -> Result<F32Buffer, JsValue> {
        Ok(Self::wrap(convert::f32_vec("src", &src)?))
    }

    /// Identifies the buffer when it is passed inside an input object.
    #[wasm_bindgen(getter, js_name = bufferId)]
    pub fn buffer_id(&self) -> u32 {
        self.id
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.data.borrow().len()
    }

    /// Copies `src` into the buffer starting at `offset` (default 0).
    pub fn set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array")] src: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] offset: JsValue,
    ) -> Result<(), JsValue> {
        let src = src.dyn_into::<Float32Array>().map_err(|v| {
            Error::Parse(format!("src must be a Float32Array, got {}", convert::describe(&v)))
        })?;
        let offset = if offset.is_undefined() { 0 } else { convert::count("offset", &offset)? };
        let mut data = self.data.borrow_mut();
        let end =
            offset.checked_add(src.length() as usize).filter(|&e| e <= data.len()).ok_or_else(|| {
                Error::Parse(format!(
                    "{} values at offset {offset} do not fit a buffer of {}",
                    src.length(),
                    data.len()
                ))
            })?;
        src.copy_to(&mut data[offset..end]);
        Ok(())
    }

    /// A copy of the contents, safe to keep.
    #[wasm_bindgen(js_name = toArray)]
    pub fn to_array(&self) -> Float32Array {
        convert::f32_array(&self.data.borrow())
    }

    /// A zero-copy view of the contents. It is valid only until wasm memory next grows (any
    /// call that allocates may grow it): read it right away, or use `toArray()`.
    pub fn view(&self) -> Float32Array {
        // SAFETY: the view aliases wasm memory; callers are told it dies when memory grows,
        // which is the same contract as wasm-bindgen's own views.
        unsafe { Float32Array::view(&self.data.borrow()) }
    }
}

/// A logits argument: a JS `Float32Array` (left where it is until a backend needs it) or an
/// `F32Buffer` (already in wasm memory).
pub(crate) enum Logits {
    Js(Float32Array),
    Resident(Shared),
}

impl Logits {
    pub fn from_js(v: &JsValue) -> Result<Self> {
        if let Some(buffer) = F32Buffer::resolve(v) {
            return Ok(Logits::Resident(buffer));
        }
        match v.dyn_ref::<Float32Array>() {
            Some(a) => Ok(Logits::Js(a.clone())),
            None => Err(Error::Parse(format!(
                "logits must be a Float32Array or an F32Buffer, got {}",
                convert::describe(v)
            ))),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Logits::Js(a) => a.length() as usize,
            Logits::Resident(b) => b.borrow().len(),
        }
    }

    /// Runs `f` on the logits as a slice, copying a JS array into wasm memory first (the one
    /// copy the CPU path needs).
    pub fn with<T>(&self, f: impl FnOnce(&[f32]) -> Result<T>) -> Result<T> {
        match self {
            Logits::Js(a) => {
                let mut copy = try_zeroed::<f32>(a.length() as usize, "logits")?;
                a.copy_to(&mut copy);
                f(&copy)
            }
            Logits::Resident(b) => f(&b.borrow()),
        }
    }

    /// Whether a `gradInto` would write over these logits.
    pub fn shares(&self, grad: &GradInto) -> bool {
        match (self, grad) {
            (Logits::Resident(a), GradInto::Wasm(b)) => Rc::ptr_eq(a, b),
            (Logits::Js(a), GradInto::Js(b)) => a.buffer() == b.buffer(),
            _ => false,
        }
    }
}

/// The rows a GPU run hands back to the CPU are read again from where the caller left them.
impl crate::engine::LogitRows for Logits {
    fn copy_range(&self, range: std::ops::Range<usize>) -> Vec<f32> {
        match self {
            Logits::Js(a) => a.subarray(range.start as u32, range.end as u32).to_vec(),
            Logits::Resident(b) => b.borrow()[range].to_vec(),
        }
    }

    fn value(&self, index: usize) -> f32 {
        match self {
            Logits::Js(a) => a.get_index(index as u32),
            Logits::Resident(b) => b.borrow()[index],
        }
    }
}

/// Where a caller asked the gradient to go: an `F32Buffer`, or their own `Float32Array`.
pub(crate) enum GradInto {
    Wasm(Shared),
    Js(Float32Array),
}

impl GradInto {
    pub fn from_js(v: &JsValue) -> Result<Self> {
        if let Some(buffer) = F32Buffer::resolve(v) {
            return Ok(GradInto::Wasm(buffer));
        }
        match v.dyn_ref::<Float32Array>() {
            Some(a) => Ok(GradInto::Js(a.clone())),
            None => Err(Error::Parse(format!(
                "gradInto must be an F32Buffer or a Float32Array, got {}",
                convert::describe(v)
            ))),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            GradInto::Wasm(b) => b.borrow().len(),
            GradInto::Js(a) => a.length() as usize,
        }
    }
}

/// A streamed CPU call's rows: logits read from a JS array (or wasm memory), the gradient
/// written to a fresh JS array, the caller's `gradInto`, or nowhere.
pub(crate) struct JsRows<'a> {
    logits: &'a Logits,
    /// A fresh (zeroed) array the result will return.
    fresh: Option<&'a Float32Array>,
    grad_into: Option<&'a GradInto>,
    vocab: usize,
}

impl<'a> JsRows<'a> {
    pub fn new(
        logits: &'a Logits,
        fresh: Option<&'a Float32Array>,
        grad_into: Option<&'a GradInto>,
        vocab: usize,
    ) -> Self {
        Self { logits, fresh, grad_into, vocab }
    }
}

impl crate::loss::RowStream for JsRows<'_> {
    fn read(&mut self, rows: std::ops::Range<usize>, out: &mut [f32]) {
        let (start, end) = (rows.start * self.vocab, rows.end * self.vocab);
        match self.logits {
            Logits::Js(a) => a.subarray(start as u32, end as u32).copy_to(out),
            Logits::Resident(b) => out.copy_from_slice(&b.borrow()[start..end]),
        }
    }

    fn write_grad(&mut self, rows: std::ops::Range<usize>, grad: &[f32]) {
        let start = rows.start * self.vocab;
        match (self.fresh, self.grad_into) {
            (Some(a), _) | (None, Some(GradInto::Js(a))) => {
                // SAFETY: the view is consumed by `set` before anything can allocate.
                let view = unsafe { Float32Array::view(grad) };
                a.set(&view, start as u32);
            }
            (None, Some(GradInto::Wasm(b))) => {
                b.borrow_mut()[start..start + grad.len()].copy_from_slice(grad)
            }
            (None, None) => {}
        }
    }

    fn zero_grad(&mut self, rows: std::ops::Range<usize>) {
        let (start, end) = (rows.start * self.vocab, rows.end * self.vocab);
        match self.grad_into {
            Some(GradInto::Js(a)) => {
                a.fill(0.0, start as u32, end as u32);
            }
            Some(GradInto::Wasm(b)) => b.borrow_mut()[start..end].fill(0.0),
            None => {} // a fresh array is zeros already
        }
    }
}
