//! `F32x4`: four f32 lanes, wasm simd128 where compiled for it, a portable array elsewhere.
//!
//! The portable form has the same semantics lane for lane (including `pmax` and the exponent
//! bit tricks), so native tests exercise the very algorithm the browser runs. The wasm build
//! comes in two flavours (scripts/build.sh): simd128, and simd128 + relaxed-simd, whose only
//! difference is `mul_add` as a fused multiply-add (21 % faster forward in Chromium 156).

/// Coefficients of 2^f on [-0.5, 0.5], degree 5, fitted for relative error (1.8e-7 with f32
/// Horner evaluation; c0 = 1 exactly, so the row maximum contributes exactly 1). Degree 6 gains
/// nothing measurable in the loss (its error is then f32 rounding) and costs 8 % of the time.
// c1 is a fitted value near ln 2, not ln 2 itself.
#[allow(clippy::approx_constant)]
const EXP2_POLY: [f32; 6] = [1.0, 0.693_147, 0.240_222_42, 0.055_507_284, 0.009_671_512, 0.001_326_628];
/// Adding 1.5·2^23 rounds an f32 of magnitude < 2^22 to the nearest integer, which then sits in
/// the low mantissa bits of the sum. The extra 127 is the exponent bias, added for free here:
/// the low bits then hold n + 127, the biased exponent of 2^n.
const ROUND_MAGIC: f32 = 12_582_912.0 + 127.0;
/// e^−g for g above this is under 1.6e-38: g is clamped there, which keeps 2^n normal.
const EXP_NEG_MAX: f32 = 87.0;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct F32x4(v128);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            Self(f32x4_splat(x))
        }
        #[inline(always)]
        pub fn load(src: &[f32; 4]) -> Self {
            // SAFETY: `src` is 16 readable bytes; v128_load has no alignment requirement.
            Self(unsafe { v128_load(src.as_ptr() as *const v128) })
        }
        #[inline(always)]
        pub fn store(self, dst: &mut [f32; 4]) {
            // SAFETY: `dst` is 16 writable bytes; v128_store has no alignment requirement.
            unsafe { v128_store(dst.as_mut_ptr() as *mut v128, self.0) }
        }
        /// `self < o ? o : self` per lane: one instruction on x86, and a NaN in `o` is dropped
        /// (the relaxed-simd build may also drop a NaN in `self`: LLVM emits `relaxed_max`).
        #[inline(always)]
        pub fn pmax(self, o: Self) -> Self {
            Self(f32x4_pmax(self.0, o.0))
        }
        #[inline(always)]
        pub fn pmin(self, o: Self) -> Self {
            Self(f32x4_pmin(self.0, o.0))
        }
        #[inline(always)]
        pub fn abs(self) -> Self {
            Self(f32x4_abs(self.0))
        }
        /// Per lane: `a` where `self ≥ 0`, else `b` (a NaN in `self` picks `b`).
        #[inline(always)]
        pub fn select_nonneg(self, a: Self, b: Self) -> Self {
            Self(v128_bitselect(a.0, b.0, f32x4_ge(self.0, f32x4_splat(0.0))))
        }
        /// `self · a + b`: one fused multiply-add in the relaxed-simd build (rounding once, or
        /// twice where the CPU has no FMA: relaxed SIMD lets the engine choose), else two ops.
        #[inline(always)]
        pub fn mul_add(self, a: Self, b: Self) -> Self {
            #[cfg(target_feature = "relaxed-simd")]
            return Self(f32x4_relaxed_madd(self.0, a.0, b.0));
            #[cfg(not(target_feature = "relaxed-simd"))]
            return self * a + b;
        }
        /// Shifts each lane's bits left by 23 (into the exponent field).
        #[inline(always)]
        pub fn shl23(self) -> Self {
            Self(i32x4_shl(self.0, 23))
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            [
                f32x4_extract_lane::<0>(self.0),
                f32x4_extract_lane::<1>(self.0),
                f32x4_extract_lane::<2>(self.0),
                f32x4_extract_lane::<3>(self.0),
            ]
        }
    }

    impl core::ops::Add for F32x4 {
        type Output = Self;
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            Self(f32x4_add(self.0, o.0))
        }
    }

    impl core::ops::Sub for F32x4 {
        type Output = Self;
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            Self(f32x4_sub(self.0, o.0))
        }
    }

    impl core::ops::Mul for F32x4 {
        type Output = Self;
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            Self(f32x4_mul(self.0, o.0))
        }
    }

    impl core::ops::Div for F32x4 {
        type Output = Self;
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            Self(f32x4_div(self.0, o.0))
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct F32x4([f32; 4]);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            Self([x; 4])
        }
        #[inline(always)]
        pub fn load(src: &[f32; 4]) -> Self {
            Self(*src)
        }
        #[inline(always)]
        pub fn store(self, dst: &mut [f32; 4]) {
            *dst = self.0;
        }
        #[inline(always)]
        fn zip(self, o: Self, f: impl Fn(f32, f32) -> f32) -> Self {
            Self([f(self.0[0], o.0[0]), f(self.0[1], o.0[1]), f(self.0[2], o.0[2]), f(self.0[3], o.0[3])])
        }
        #[inline(always)]
        pub fn pmax(self, o: Self) -> Self {
            self.zip(o, |a, b| if a < b { b } else { a })
        }
        #[inline(always)]
        pub fn pmin(self, o: Self) -> Self {
            self.zip(o, |a, b| if b < a { b } else { a })
        }
        #[inline(always)]
        pub fn abs(self) -> Self {
            Self(self.0.map(f32::abs))
        }
        #[inline(always)]
        pub fn select_nonneg(self, a: Self, b: Self) -> Self {
            Self([0, 1, 2, 3].map(|i| if self.0[i] >= 0.0 { a.0[i] } else { b.0[i] }))
        }
        #[inline(always)]
        pub fn mul_add(self, a: Self, b: Self) -> Self {
            self * a + b
        }
        #[inline(always)]
        pub fn shl23(self) -> Self {
            Self(self.0.map(|x| f32::from_bits(x.to_bits() << 23)))
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            self.0
        }
    }

    impl core::ops::Add for F32x4 {
        type Output = Self;
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            self.zip(o, |a, b| a + b)
        }
    }

    impl core::ops::Sub for F32x4 {
        type Output = Self;
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            self.zip(o, |a, b| a - b)
        }
    }

    impl core::ops::Mul for F32x4 {
        type Output = Self;
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            self.zip(o, |a, b| a * b)
        }
    }

    impl core::ops::Div for F32x4 {
        type Output = Self;
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            self.zip(o, |a, b| a / b)
        }
    }
}

pub use imp::F32x4;

impl F32x4 {
    /// e^(−g) for g ≥ 0 (slightly negative g is fine too; the kernels pass gaps to a max).
    ///
    /// e^(−g) = 2^y with y = −g·log2 e, split into n = round(y) and f = y − n in [−0.5, 0.5]:
    /// 2^f comes from the polynomial, 2^n is built directly in the exponent field. g is clamped
    /// at 87 (e^−87 = 1.6e-38, so n ≥ −126 keeps 2^n normal). In the relaxed build the product
    /// g·log2 e feeds both the rounding and f through fused multiply-adds, exactly; in the
    /// simd128 build it is rounded first, as a plain `exp2(−g·log2 e)` would. A NaN in may come
    /// out as anything (relaxed `pmin` may drop it): callers detect NaN rows through sums that
    /// do not pass through here (see `RowStats::finish`).
    #[inline(always)]
    pub fn exp_neg(self) -> Self {
        let neg_log2e = Self::splat(-std::f32::consts::LOG2_E);
        let magic = Self::splat(ROUND_MAGIC);
        let g = self.pmin(Self::splat(EXP_NEG_MAX));
        // shifted = round(y) + magic: its low bits hold n + 127, in [1, 127] as −126 ≤ n ≤ 0.
        let shifted = g.mul_add(neg_log2e, magic);
        let minus_n = magic - shifted;
        let f = g.mul_add(neg_log2e, minus_n);
        let mut p = Self::splat(EXP2_POLY[5]);
        for &c in EXP2_POLY[1..5].iter().rev() {
            p = p.mul_add(f, Self::splat(c));
        }
        // Shifted into the exponent field those bits are the f32 2^n (the magic's own bits
        // shift out). 2^n · (1 + f·p(f)): c0 = 1 is added after scaling, so no register holds
        // the constant 1 (V8 has 16 for f32x4 values; a spill costs more than the add).
        let scale = shifted.shl23();
        scale.mul_add(p * f, scale)
    }

    #[inline(always)]
    pub fn horizontal_sum(self) -> f32 {
        let a = self.to_array();
        (a[0] + a[1]) + (a[2] + a[3])
    }

    #[inline(always)]
    pub fn horizontal_max(self) -> f32 {
        let a = self.to_array();
        let hi = |x: f32, y: f32| if x < y { y } else { x };
        hi(hi(a[0], a[1]), hi(a[2], a[3]))
    }
}

/// The scalar twin of [`F32x4::exp_neg`], for row tails.
#[inline(always)]
pub fn exp_neg(g: f32) -> f32 {
    F32x4::splat(g).exp_neg().to_array()[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn exp_neg_matches_f64_to_the_polynomial_error() {
        // Error budget: the polynomial (1.8e-7 relative) plus errors in y = −g·log2 e that grow
        // with g: log2 e rounded to f32 (1.3e-8·g) and, where the product is rounded before use
        // (the simd128 build), half an ulp of y (6e-8·g). e^−g shrinks faster than they grow,
        // so in a sum the worst absolute contribution is 3e-8 of the largest term.
        let mut worst = 0.0f64;
        let mut g = -0.01f32;
        while g <= 87.0 {
            let got = exp_neg(g) as f64;
            let want = (-(g as f64)).exp();
            worst = worst.max((got / want - 1.0).abs() - 7.5e-8 * g.max(0.0) as f64);
            g += 0.000_497;
        }
        assert!(worst < 2.5e-7, "worst relative error beyond the rounding of y: {worst}");
    }

    #[test]
    fn exp_neg_edges() {
        assert_eq!(exp_neg(0.0), 1.0);
        assert!(exp_neg(f32::INFINITY) < 1.7e-38 && exp_neg(f32::INFINITY) > 0.0);
        assert!(exp_neg(1000.0) < 1.7e-38);
    }
}
