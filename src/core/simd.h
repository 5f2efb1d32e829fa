// rkyolo: portable helpers for the hot kernels.
//
// Hot loops are written so compilers auto-vectorize them (NEON is baseline
// on aarch64). On x86-64, whose baseline is SSE2, RKYOLO_MULTIVERSION asks GCC
// for an extra AVX2 clone chosen at load time (ifunc), so the default build
// stays portable and needs no -march=native.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(RKYOLO_NATIVE) && !defined(RKYOLO_NO_MULTIVERSION)
#define RKYOLO_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define RKYOLO_MULTIVERSION
#endif

#if defined(__GNUC__)
#define RKYOLO_RESTRICT __restrict__
#define RKYOLO_LIKELY(x) __builtin_expect(!!(x), 1)
#define RKYOLO_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RKYOLO_RESTRICT
#define RKYOLO_LIKELY(x) (x)
#define RKYOLO_UNLIKELY(x) (x)
#endif
