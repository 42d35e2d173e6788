//! Checked shapes: JS numbers in, sizes that cannot overflow or mismatch out.

use crate::error::{Error, Result};

/// Converts JS-style dims (numbers) to sizes, refusing fractions, negatives, NaN and huge values.
pub fn dims_to_usize(dims: &[f64]) -> Result<Vec<usize>> {
    let ok = dims.iter().all(|&d| d.is_finite() && d >= 0.0 && d.fract() == 0.0 && d < 4_294_967_296.0);
    if !ok {
        return Err(Error::DimsNotIntegers { got: dims.to_vec() });
    }
    Ok(dims.iter().map(|&d| d as usize).collect())
}

/// The product of `dims`, or an error when it exceeds what 32-bit wasm memory could hold.
pub fn element_count(dims: &[usize]) -> Result<usize> {
    dims.iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64).filter(|&n| n <= u32::MAX as u64))
        .map(|n| n as usize)
        .ok_or_else(|| Error::DimsOverflow { dims: dims.to_vec() })
}

/// `[B, T, V]` of a logits tensor given as `[B, T, V]` or `[N, V]` (one sequence: `[1, N, V]`).
pub fn logits_shape(dims: &[f64]) -> Result<[usize; 3]> {
    let d = dims_to_usize(dims)?;
    let shape = match d[..] {
        [b, t, v] => [b, t, v],
        [n, v] => [1, n, v],
        _ => return Err(Error::DimsRank { expected: "[B, T, V] or [N, V]", got: dims.to_vec() }),
    };
    element_count(&shape)?;
    let names = ["B (batch size)", "T (sequence length)", "V (vocabulary size)"];
    if let Some(i) = shape.iter().position(|&n| n == 0) {
        let what = if d.len() == 2 { ["", "N (positions)", "V (vocabulary size)"][i] } else { names[i] };
        return Err(Error::DimsZero { dims: d, what });
    }
    Ok(shape)
}

/// `[rows, cols]` of a 2-D integer tensor; zero sizes are allowed (an empty batch is valid), but
/// not more rows (of at least one element) than one wasm allocation of i32 could hold.
pub fn matrix_shape(dims: &[f64]) -> Result<[usize; 2]> {
    let d = dims_to_usize(dims)?;
    let [r, c] = d[..] else {
        return Err(Error::DimsRank { expected: "[rows, columns]", got: dims.to_vec() });
    };
    let cap = crate::error::MAX_ALLOCATION_BYTES / 4;
    if element_count(&[r, c.max(1)])? > cap {
        return Err(Error::Parse(format!(
            "dims {d:?} describe more than {cap} ids, beyond one wasm allocation"
        )));
    }
    Ok([r, c])
}

/// Checks that a flat buffer has exactly the elements its dims describe.
pub fn check_len(name: &'static str, got: usize, dims: &[usize]) -> Result<()> {
    let expected = element_count(dims)?;
    if got != expected {
        return Err(Error::Length { name, got, dims: dims.to_vec(), expected });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn two_d_is_one_sequence() {
        assert_eq!(logits_shape(&[7.0, 9.0]).unwrap(), [1, 7, 9]);
        assert_eq!(logits_shape(&[2.0, 3.0, 4.0]).unwrap(), [2, 3, 4]);
    }

    #[test]
    fn bad_dims_are_refused_with_reasons() {
        let msg = |d: &[f64]| logits_shape(d).unwrap_err().to_string();
        assert!(msg(&[1.5, 2.0, 3.0]).contains("integers"));
        assert!(msg(&[-1.0, 2.0, 3.0]).contains("integers"));
        assert!(msg(&[f64::NAN, 2.0]).contains("integers"));
        assert!(msg(&[2.0]).contains("[B, T, V] or [N, V]"));
        assert!(msg(&[1.0, 0.0, 3.0]).contains("T (sequence length)"));
        assert!(msg(&[4.0, 0.0]).contains("V (vocabulary size)"));
        assert!(msg(&[65536.0, 65536.0, 2.0]).contains("2^32"));
    }
}
