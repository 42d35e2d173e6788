//! Strict conversions between JS values and Rust data: typed arrays by exact type, numbers by
//! checked integer conversion, result objects built field by field.

use js_sys::{Array, Float32Array, Int32Array, Object, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{try_zeroed, Error, Result};

/// Describes a JS value's type for error messages ("a Float64Array", "a string", ...).
pub fn describe(v: &JsValue) -> String {
    let article = |name: &str| {
        let vowel = name.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']);
        format!("{} {name}", if vowel { "an" } else { "a" })
    };
    if v.is_undefined() {
        return "undefined".into();
    }
    if v.is_null() {
        return "null".into();
    }
    if let Some(o) = v.dyn_ref::<Object>() {
        let name = String::from(o.constructor().name());
        return if name.is_empty() { "an object".into() } else { article(&name) };
    }
    v.js_typeof().as_string().map_or("a value".into(), |t| article(&t))
}

fn wrong_type(name: &str, want: &str, v: &JsValue) -> Error {
    Error::Parse(format!("{name} must be {want}, got {}", describe(v)))
}

/// Copies a `Float32Array` into wasm memory: the one copy the caller's data needs.
pub fn f32_vec(name: &'static str, v: &JsValue) -> Result<Vec<f32>> {
    let arr = v.dyn_ref::<Float32Array>().ok_or_else(|| wrong_type(name, "a Float32Array", v))?;
    let mut out = try_zeroed::<f32>(arr.length() as usize, name)?;
    arr.copy_to(&mut out);
    Ok(out)
}

pub fn i32_vec(name: &'static str, v: &JsValue) -> Result<Vec<i32>> {
    let arr = v.dyn_ref::<Int32Array>().ok_or_else(|| wrong_type(name, "an Int32Array", v))?;
    let mut out = try_zeroed::<i32>(arr.length() as usize, name)?;
    arr.copy_to(&mut out);
    Ok(out)
}

/// A list of numbers: an Array or any typed array.
pub fn numbers(name: &'static str, v: &JsValue) -> Result<Vec<f64>> {
    let typed_array = js_sys::ArrayBuffer::is_view(v) && !v.is_instance_of::<js_sys::DataView>();
    if !Array::is_array(v) && !typed_array {
        return Err(wrong_type(name, "an array of numbers", v));
    }
    let list = Array::from(v).to_vec();
    list.iter()
        .map(|x| {
            x.as_f64().ok_or_else(|| Error::Parse(format!("{name} must hold numbers, found {}", describe(x))))
        })
        .collect()
}

/// A JS number that must be a whole number in `[min, max]`.
pub fn integer(name: &'static str, v: &JsValue, min: f64, max: f64) -> Result<i64> {
    let x = v.as_f64().ok_or_else(|| wrong_type(name, "a number", v))?;
    if x.fract() != 0.0 || x < min || x > max {
        return Err(Error::Parse(format!("{name} must be an integer in [{min}, {max}], got {x}")));
    }
    Ok(x as i64)
}

pub fn int32(name: &'static str, v: &JsValue) -> Result<i32> {
    Ok(integer(name, v, i32::MIN as f64, i32::MAX as f64)? as i32)
}

pub fn count(name: &'static str, v: &JsValue) -> Result<usize> {
    Ok(integer(name, v, 0.0, u32::MAX as f64)? as usize)
}

/// Decodes an options object with serde (unknown keys and wrong types are refused by name);
/// `undefined` and `null` give the defaults.
pub fn options<T: DeserializeOwned + Default>(what: &str, v: &JsValue) -> Result<T> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    if !v.is_object() || Array::is_array(v) {
        return Err(Error::Parse(format!("{what} must be an object, got {}", describe(v))));
    }
    let keys: Vec<String> =
        Object::keys(v.unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()).collect();
    super::options::check_keys(what, keys.iter().map(String::as_str), super::options::field_names::<T>())?;
    serde_wasm_bindgen::from_value(v.clone()).map_err(|e| {
        // serde's message names the type, not the key: find the key by decoding each alone.
        let culprit = keys.iter().find(|k| {
            let alone = Object::new();
            let _ = js_sys::Reflect::set(
                &alone,
                &k.as_str().into(),
                &js_sys::Reflect::get(v, &k.as_str().into()).unwrap_or_default(),
            );
            serde_wasm_bindgen::from_value::<T>(alone.into()).is_err()
        });
        match culprit {
            Some(key) => super::options::decode_error(&format!("{what}.{key}"), e),
            None => super::options::decode_error(what, e),
        }
    })
}

/// Reads the named fields of a plain object, refusing any other key (a typo such as `label`
/// would otherwise be silently ignored).
pub fn fields<const N: usize>(what: &str, v: &JsValue, names: [&str; N]) -> Result<[JsValue; N]> {
    let obj = v
        .dyn_ref::<Object>()
        .filter(|_| !Array::is_array(v))
        .ok_or_else(|| wrong_type(what, "an object", v))?;
    let keys: Vec<String> = Object::keys(obj).iter().filter_map(|k| k.as_string()).collect();
    super::options::check_keys(what, keys.iter().map(String::as_str), &names)?;
    Ok(names.map(|n| Reflect::get(obj, &JsValue::from_str(n)).unwrap_or(JsValue::UNDEFINED)))
}

/// Builds a result object field by field.
pub struct Builder(Object);

impl Builder {
    pub fn new() -> Self {
        Self(Object::new())
    }

    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        // Reflect.set on a fresh plain object cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    pub fn build(self) -> JsValue {
        self.0.into()
    }
}

pub fn f32_array(v: &[f32]) -> Float32Array {
    Float32Array::from(v)
}

pub fn f64_array(v: &[f64]) -> js_sys::Float64Array {
    js_sys::Float64Array::from(v)
}

pub fn i32_array(v: &[i32]) -> Int32Array {
    Int32Array::from(v)
}

pub fn dims_array(dims: &[usize]) -> Array {
    dims.iter().map(|&d| JsValue::from_f64(d as f64)).collect()
}

/// A number that may be absent (`undefined` → `None`).
pub fn optional_f64(name: &'static str, v: &JsValue) -> Result<Option<f64>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_f64().map(Some).ok_or_else(|| wrong_type(name, "a number", v))
}

/// A refusal becomes a JS `Error` whose `message` says what was wrong and whose `code` (see
/// `Error::code`) names the kind, so front ends can phrase it in their own language.
impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let js = js_sys::Error::new(&e.to_string());
        let _ = Reflect::set(&js, &"code".into(), &e.code().into());
        js.into()
    }
}

/// A JS `Float32Array` of `len` zeros (JS memory, not wasm's), or an error if JS cannot
/// allocate it.
pub fn new_f32_array(len: usize) -> Result<Float32Array> {
    let ctor = js_sys::Reflect::get(&js_sys::global(), &"Float32Array".into())
        .map_err(|_| Error::Parse("Float32Array is missing".into()))?;
    let args = Array::of1(&JsValue::from_f64(len as f64));
    js_sys::Reflect::construct(ctor.unchecked_ref::<js_sys::Function>(), &args)
        .map(JsCast::unchecked_into)
        .map_err(|_| Error::OutOfMemory { what: "the gradient", bytes: len * 4 })
}
