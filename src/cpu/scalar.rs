//! The scalar kernel: the textbook online softmax, one element at a time, sums in f64.

use super::{Online, RowStats};

pub fn row_stats(row: &[f32]) -> RowStats {
    let mut online = Online::new();
    for &x in row {
        let max = online.raise(x);
        if max == f32::NEG_INFINITY {
            // Nothing finite seen yet: exp(x − max) would be NaN. `raise` accounts later.
            online.seen += 1;
            continue;
        }
        let gap = max as f64 - x as f64;
        online.add(1, (x - max).exp() as f64, gap);
    }
    online.stats()
}

pub fn softmax_affine(row: &[f32], max: f32, log_sum: f32, scale: f32, offset: f32, out: &mut [f32]) {
    for (o, &x) in out.iter_mut().zip(row) {
        *o = scale * ((x - max) - log_sum).exp() - offset;
    }
}
