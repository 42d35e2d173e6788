;; The benchmark's memory ceilings: the least work any loss over the logits must do.
;; sum(ptr, n)       Σ of n f32 at byte offset ptr: eight f32x4 accumulators, 128 bytes per
;;                   iteration, so the loop is bound by reading memory, not by add latency.
;; copy(src, dst, n) n f32 from src to dst in f32x4 loads and stores, 64 bytes per iteration:
;;                   the read-once, write-once traffic of a forward + gradient.
;; Offsets are byte offsets in this module's own memory; the caller grows it and copies in.
(module
  (memory (export "memory") 1 65536)

  (func (export "sum") (param $p i32) (param $n i32) (result f32)
    (local $end i32) (local $vend i32) (local $s f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p)
      (i32.shl (i32.and (local.get $n) (i32.const -32)) (i32.const 2))))
    (block $done
      (loop $body
        (br_if $done (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 (local.get $p))))
        (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $p))))
        (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $p))))
        (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $p))))
        (local.set $a4 (f32x4.add (local.get $a4) (v128.load offset=64 (local.get $p))))
        (local.set $a5 (f32x4.add (local.get $a5) (v128.load offset=80 (local.get $p))))
        (local.set $a6 (f32x4.add (local.get $a6) (v128.load offset=96 (local.get $p))))
        (local.set $a7 (f32x4.add (local.get $a7) (v128.load offset=112 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 128)))
        (br $body)))
    (local.set $a0 (f32x4.add
      (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))
      (f32x4.add (f32x4.add (local.get $a4) (local.get $a5)) (f32x4.add (local.get $a6) (local.get $a7)))))
    (local.set $s (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
      (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (local.get $s))

  (func (export "copy") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $src)
      (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (block $done
      (loop $body
        (br_if $done (i32.ge_u (local.get $src) (local.get $vend)))
        (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $src)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
        (v128.store offset=32 (local.get $dst) (v128.load offset=32 (local.get $src)))
        (v128.store offset=48 (local.get $dst) (v128.load offset=48 (local.get $src)))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
        (br $body)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $src) (local.get $end)))
        (f32.store (local.get $dst) (f32.load (local.get $src)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $tail)))))
