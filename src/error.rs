//! The one error type of losslab: every refusal says what was wrong, in words a user can act on.

use thiserror::Error;

/// Why a call was refused. JavaScript receives the `Display` text as an `Error` message.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    #[error("dims must be {expected}, got {got:?}")]
    DimsRank { expected: &'static str, got: Vec<f64> },

    #[error("dims must be non-negative integers below 2^32, got {got:?}")]
    DimsNotIntegers { got: Vec<f64> },

    #[error("dims {dims:?} contain a 0: {what} must be at least 1")]
    DimsZero { dims: Vec<usize>, what: &'static str },

    #[error("dims {dims:?} describe more than 2^32 elements, beyond what wasm memory can address")]
    DimsOverflow { dims: Vec<usize> },

    #[error("{name} has {got} elements but dims {dims:?} need {expected}")]
    Length { name: &'static str, got: usize, dims: Vec<usize>, expected: usize },

    #[error("label {label} at position {position} is out of range: it must be in [0, {vocab}) (V = {vocab}) or equal ignoreIndex ({ignore_index})")]
    LabelOutOfRange { label: i64, position: usize, vocab: usize, ignore_index: i64 },

    #[error(
        "epsilon {0} is out of range: torch semantics require 0 <= epsilon <= 1 (hf semantics do not check)"
    )]
    EpsilonOutOfRange(f64),

    #[error("{name} must be {requirement}, got {got}")]
    Option { name: &'static str, requirement: &'static str, got: String },

    #[error("{0}")]
    Unsupported(&'static str),

    #[error("backend \"webgpu\" is unavailable: {0}")]
    WebGpuUnavailable(String),

    #[error("not enough memory for {what}: {bytes} bytes requested")]
    OutOfMemory { what: &'static str, bytes: usize },

    #[error("{0}")]
    Parse(String),
}

impl Error {
    /// A stable identifier of the kind of refusal, for callers that phrase messages themselves.
    pub fn code(&self) -> &'static str {
        match self {
            Error::DimsRank { .. }
            | Error::DimsNotIntegers { .. }
            | Error::DimsZero { .. }
            | Error::DimsOverflow { .. } => "dims",
            Error::Length { .. } => "length",
            Error::LabelOutOfRange { .. } => "label-out-of-range",
            Error::EpsilonOutOfRange(_) => "epsilon-out-of-range",
            Error::Option { .. } => "option",
            Error::Unsupported(_) => "unsupported",
            Error::WebGpuUnavailable(_) => "webgpu-unavailable",
            Error::OutOfMemory { .. } => "out-of-memory",
            Error::Parse(_) => "invalid-argument",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The largest single allocation losslab makes: wasm32 caps one at `isize::MAX` (2 GiB - 1), and
/// native builds keep the same limit so they refuse exactly what the browser refuses.
pub const MAX_ALLOCATION_BYTES: usize = i32::MAX as usize;

/// A buffer of `len` copies of `fill`, reporting exhaustion as an `Error` instead of aborting.
/// Every allocation whose size a caller controls goes through here.
pub fn try_filled<T: Clone>(len: usize, fill: T, what: &'static str) -> Result<Vec<T>> {
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    let oom = || Error::OutOfMemory { what, bytes };
    if bytes > MAX_ALLOCATION_BYTES {
        return Err(oom());
    }
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| oom())?;
    v.resize(len, fill);
    Ok(v)
}

/// [`try_filled`] with zeros.
pub fn try_zeroed<T: Clone + Default>(len: usize, what: &'static str) -> Result<Vec<T>> {
    try_filled(len, T::default(), what)
}
