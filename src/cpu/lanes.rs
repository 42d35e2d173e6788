//! `F32x4`: four f32 lanes, wasm simd128 where compiled for it, a portable array elsewhere.
//!
//! The portable form has the same semantics lane for lane (including `pmax` and the exponent
//! bit tricks), so native tests exercise the very algorithm the browser runs.

/// Coefficients of 2^f on [-0.5, 0.5], degree 6, fitted for relative error
/// (9.6e-8 with f32 Horner evaluation; c0 = 1 exactly so the row maximum contributes exactly 1).
const EXP2_POLY: [f32; 7] = [
    1.0,
    std::f32::consts::LN_2, // the fit lands on ln 2 itself
    0.240_226_46,
    0.055_503_286,
    0.009_618_487,
    0.001_339_993_6,
    0.000_153_462_5,
];
/// Adding 1.5·2^23 rounds an f32 of magnitude < 2^22 to the nearest integer, which then sits in
/// the low mantissa bits of the sum.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// 2^y for y below this is under 1.2e-38: it is clamped there, which keeps the exponent normal.
const EXP2_MIN: f32 = -126.0;

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
        /// `self < o ? o : self` per lane: one instruction on x86, and a NaN in `o` is dropped.
        #[inline(always)]
        pub fn pmax(self, o: Self) -> Self {
            Self(f32x4_pmax(self.0, o.0))
        }
        /// Reinterprets the bits as i32, shifts left by 23, adds `bias`, reinterprets back.
        #[inline(always)]
        pub fn shl23_add(self, bias: i32) -> Self {
            Self(i32x4_add(i32x4_shl(self.0, 23), i32x4_splat(bias)))
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
        pub fn shl23_add(self, bias: i32) -> Self {
            Self(self.0.map(|x| f32::from_bits(((x.to_bits() as i32) << 23).wrapping_add(bias) as u32)))
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
}

pub use imp::F32x4;

impl F32x4 {
    /// 2^y for y <= 0 (tiny positive y is fine too), NaN in → NaN out.
    ///
    /// y is clamped to -126, split into n = round(y) and f = y - n in [-0.5, 0.5] (exact),
    /// 2^f comes from the polynomial and 2^n is built directly in the exponent field.
    #[inline(always)]
    pub fn exp2_nonpositive(self) -> Self {
        let y = self.pmax(Self::splat(EXP2_MIN));
        let shifted = y + Self::splat(ROUND_MAGIC);
        let n = shifted - Self::splat(ROUND_MAGIC);
        let f = y - n;
        let mut p = Self::splat(EXP2_POLY[6]);
        for &c in EXP2_POLY[..6].iter().rev() {
            p = p * f + Self::splat(c);
        }
        // The low 9 bits of `shifted` hold n (two's complement): shifted into the exponent field
        // and biased by 127 they are the f32 2^n, normal because n >= -126.
        let scale = shifted.shl23_add(127 << 23);
        p * scale
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

/// The scalar twin of [`F32x4::exp2_nonpositive`], for row tails.
#[inline(always)]
pub fn exp2_nonpositive(y: f32) -> f32 {
    F32x4::splat(y).exp2_nonpositive().to_array()[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn exp2_matches_f64_within_two_ulp_scale() {
        let mut worst = 0.0f64;
        let mut y = -125.0f32;
        while y <= 0.0 {
            let got = exp2_nonpositive(y) as f64;
            let want = (y as f64).exp2();
            worst = worst.max((got / want - 1.0).abs());
            y += 0.000_731;
        }
        assert!(worst < 2e-7, "worst relative error {worst}");
    }

    #[test]
    fn exp2_edges() {
        assert_eq!(exp2_nonpositive(0.0), 1.0);
        assert!(exp2_nonpositive(f32::NEG_INFINITY) < 1.2e-38);
        assert!(exp2_nonpositive(-1000.0) < 1.2e-38);
        assert!(exp2_nonpositive(f32::NAN).is_nan());
    }
}
