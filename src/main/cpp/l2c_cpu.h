// Entry points bound by dev.l2c.nativelib.CpuKernels. Each kernel family has its own header;
// this one only gathers them for the JavaCPP build and gives them flat C signatures.
// Buffers are caller-owned host memory; every call returns 0 or a negative status (l2c::Status,
// l2c/status.h, one set of codes for every family).
#pragma once
#include <omp.h>

#include "l2c/adam_cpu.h"
#include "l2c/counter_cpu.h"
#include "l2c/planes.h"
#include "l2c/rans_cpu.h"
#include "l2c/status.h"
#include "l2c/transform_cpu.h"

inline int l2c_cpu_max_threads() { return omp_get_max_threads(); }

// The message of a status code, from the one table (l2c/status.h).
inline const char* l2c_status_message(int status) { return l2c::status_message(status); }

// SIMD level of every CPU kernel family (l2c/simd.h: rANS, transforms, counter): 0 scalar,
// 1 AVX2, 2 AVX-512. In use: what the CPU supports, capped by the last set_simd_limit (default: no
// cap); set returns the level now in effect. Every level gives the same bits.
inline int l2c_cpu_simd_supported() { return l2c::simd::supported(); }
inline int l2c_cpu_simd_level() { return l2c::simd::level(); }
inline int l2c_cpu_set_simd_limit(int level) { return l2c::simd::set_limit(level); }

// --- rANS (l2c/rans_cpu.h) --------------------------------------------------------------------
// encode: symbols (n), payload (capacity >= 128 * chunks + 2n bytes), offsets (chunks + 1),
// err_pos (1): position of the first uncodable symbol on kErrSymbol.

inline int l2c_rans_cpu_encode_u16(const uint16_t* symbols, int64_t n, const int32_t* freqs,
                                   int32_t alphabet, int32_t prec, int32_t chunk_symbols,
                                   uint8_t* payload, int64_t capacity, int64_t* offsets,
                                   int32_t threads, int64_t* err_pos) {
    return l2c::rans::cpu::encode_stream(symbols, n, freqs, alphabet, prec, chunk_symbols, payload,
                                         capacity, offsets, threads, err_pos);
}

inline int l2c_rans_cpu_encode_u8(const uint8_t* symbols, int64_t n, const int32_t* freqs,
                                  int32_t alphabet, int32_t prec, int32_t chunk_symbols,
                                  uint8_t* payload, int64_t capacity, int64_t* offsets,
                                  int32_t threads, int64_t* err_pos) {
    return l2c::rans::cpu::encode_stream(symbols, n, freqs, alphabet, prec, chunk_symbols, payload,
                                         capacity, offsets, threads, err_pos);
}

// decode: a window of `count` chunks holding n symbols; offsets (count + 1) are byte offsets
// into payload (payload_bytes); out holds out_capacity elements (bytes for decode_values);
// chunk_status (count) receives each chunk's status. These one-shot entries build a decoder for
// the call; a caller decoding several windows with one table keeps a decoder handle instead.

namespace l2c_detail {
// Checks the window and the table in check_decode_window's order, then decodes with a decoder
// made for this call.
inline int decode_once(const uint8_t* payload, int64_t payload_bytes, const int64_t* offsets, int64_t count,
                       int64_t n, int32_t chunk_symbols, const int32_t* freqs, int32_t alphabet, int32_t prec,
                       int32_t output, const float* values, int32_t value_type, uint8_t* out, int64_t out_bytes,
                       int32_t threads, int32_t* chunk_status) {
    using namespace l2c::rans;
    int32_t st = check_decode_window(payload, payload_bytes, offsets, count, n, chunk_symbols, freqs, alphabet,
                                     prec, out, chunk_status);
    if (st != l2c::kOk) return st;
    cpu::Decoder d;
    if ((st = cpu::build_decoder(freqs, alphabet, prec, output, values, value_type, &d)) != l2c::kOk) return st;
    return cpu::decode(d, payload, payload_bytes, offsets, count, n, chunk_symbols, out, out_bytes, threads,
                       chunk_status);
}
}  // namespace l2c_detail

inline int l2c_rans_cpu_decode_u16(const uint8_t* payload, int64_t payload_bytes,
                                   const int64_t* offsets, int64_t count, int64_t n,
                                   int32_t chunk_symbols, const int32_t* freqs, int32_t alphabet,
                                   int32_t prec, uint16_t* out, int64_t out_capacity,
                                   int32_t threads, int32_t* chunk_status) {
    if (out_capacity < n) return l2c::kErrCapacity;
    return l2c_detail::decode_once(payload, payload_bytes, offsets, count, n, chunk_symbols, freqs, alphabet, prec,
                                   l2c::rans::cpu::kOutU16, nullptr, 0, (uint8_t*)out,
                                   out_capacity > INT64_MAX / 2 ? INT64_MAX : 2 * out_capacity, threads,
                                   chunk_status);
}

inline int l2c_rans_cpu_decode_u8(const uint8_t* payload, int64_t payload_bytes,
                                  const int64_t* offsets, int64_t count, int64_t n,
                                  int32_t chunk_symbols, const int32_t* freqs, int32_t alphabet,
                                  int32_t prec, uint8_t* out, int64_t out_capacity,
                                  int32_t threads, int32_t* chunk_status) {
    if (out_capacity < n) return l2c::kErrCapacity;
    if (alphabet > 256) return l2c::kErrArgument;
    return l2c_detail::decode_once(payload, payload_bytes, offsets, count, n, chunk_symbols, freqs, alphabet, prec,
                                   l2c::rans::cpu::kOutU8, nullptr, 0, out, out_capacity, threads, chunk_status);
}

// values: alphabet floats, symbol -> value; value_type: 0 f32, 1 f16, 2 bf16 (little-endian out).
inline int l2c_rans_cpu_decode_values(const uint8_t* payload, int64_t payload_bytes,
                                      const int64_t* offsets, int64_t count, int64_t n,
                                      int32_t chunk_symbols, const int32_t* freqs,
                                      int32_t alphabet, int32_t prec, const float* values,
                                      int32_t value_type, uint8_t* out, int64_t out_bytes,
                                      int32_t threads, int32_t* chunk_status) {
    using namespace l2c::rans;
    if (int32_t st = check_value_decode(values, alphabet, value_type, n, out_bytes); st != l2c::kOk) return st;
    return l2c_detail::decode_once(payload, payload_bytes, offsets, count, n, chunk_symbols, freqs, alphabet, prec,
                                   cpu::kOutValues, values, value_type, out, out_bytes, threads, chunk_status);
}

// --- rANS decoder handles ----------------------------------------------------------------------
// A decoder (l2c::rans::cpu::Decoder: slot tables and output built once) behind an integer handle:
// 0 is none. new returns it and kOk in *status, or 0 and the error (kErrArgument for a bad output
// or value type, kErrTable, kErrAlloc); output: 0 u8 symbols, 1 u16 symbols, 2 values (alphabet
// floats in values, value_type 0 f32, 1 f16, 2 bf16). free takes 0 or a live handle, once.
// decode takes a live handle and a window as above, out_bytes long; calls may run concurrently.

inline int64_t l2c_rans_cpu_decoder_new(const int32_t* freqs, int32_t alphabet, int32_t prec, int32_t output,
                                        const float* values, int32_t value_type, int32_t* status) {
    if (status == nullptr) return 0;
    l2c::rans::cpu::Decoder* d = new (std::nothrow) l2c::rans::cpu::Decoder();
    if (d == nullptr) {
        *status = l2c::kErrAlloc;
        return 0;
    }
    *status = l2c::rans::cpu::build_decoder(freqs, alphabet, prec, output, values, value_type, d);
    if (*status != l2c::kOk) {
        delete d;
        return 0;
    }
    return (int64_t)(intptr_t)d;
}

inline void l2c_rans_cpu_decoder_free(int64_t handle) {
    delete (l2c::rans::cpu::Decoder*)(intptr_t)handle;
}

inline int l2c_rans_cpu_decoder_decode(int64_t handle, const uint8_t* payload, int64_t payload_bytes,
                                       const int64_t* offsets, int64_t count, int64_t n, int32_t chunk_symbols,
                                       uint8_t* out, int64_t out_bytes, int32_t threads, int32_t* chunk_status) {
    if (handle == 0) return l2c::kErrArgument;
    return l2c::rans::cpu::decode(*(const l2c::rans::cpu::Decoder*)(intptr_t)handle, payload, payload_bytes, offsets,
                                  count, n, chunk_symbols, out, out_bytes, threads, chunk_status);
}

// --- lossless float planes (l2c/planes.h) -----------------------------------------------------
// Joins the planes of count elements (plane p at planes + p * count; planes_bytes long) into out
// (out_bytes long). layout: l2c::planes::Layout's codes. Both sizes are checked before a byte moves.
inline int l2c_planes_join(int32_t layout, const uint8_t* planes, int64_t planes_bytes, int64_t count, uint8_t* out,
                           int64_t out_bytes) {
    const int64_t n_planes = l2c::planes::plane_count(layout);  // also the bytes per element
    if (n_planes == 0 || count < 0 || planes_bytes < 0 || out_bytes < 0) return l2c::kErrArgument;
    if (count > planes_bytes / n_planes || count > out_bytes / n_planes) return l2c::kErrCapacity;
    return l2c::planes::join(layout, planes, count, out);
}

// Converts n floats to value_type (0 f32, 1 f16, 2 bf16; little-endian out, out_bytes long) with
// the conversions of the fused decoders (l2c/rans_core.h), the only implementation l2c has of
// them. kOk, kErrArgument or kErrCapacity.
inline int l2c_convert_floats(const float* values, int64_t n, int32_t value_type, uint8_t* out,
                              int64_t out_bytes) {
    using namespace l2c;
    using namespace l2c::rans;
    if (n < 0 || (value_type != kValueF32 && value_type != kValueF16 && value_type != kValueBF16))
        return kErrArgument;
    if (n == 0) return kOk;
    if (values == nullptr || out == nullptr) return kErrArgument;
    if (out_bytes / value_bytes(value_type) < n) return kErrCapacity;
    for (int64_t i = 0; i < n; i++) {
        if (value_type == kValueF32) {
            store_le32(out + 4 * i, f32_bits(values[i]));
        } else {
            const uint16_t bits =
                value_type == kValueF16 ? f32_to_f16_bits(values[i]) : f32_to_bf16_bits(values[i]);
            store_le16(out + 2 * i, bits);
        }
    }
    return kOk;
}

// histogram: counts (alphabet entries) of n symbols; err_pos (1) as for encode.
inline int l2c_rans_cpu_histogram_u16(const uint16_t* symbols, int64_t n, int32_t alphabet,
                                      int64_t* counts, int32_t threads, int64_t* err_pos) {
    return l2c::rans::cpu::histogram_u16(symbols, n, alphabet, counts, threads, err_pos);
}

// --- transforms (l2c/transform_cpu.h) ---------------------------------------------------------
// kind: 0 UNIFORM, 1 EDGE_SCALE, 2 PIECEWISE. w, c, what, g_what, g_c, g_w: n floats; q: n int32;
// params, g_params: P * count floats, parameter-major; element i is in channel (i / inner) % count.
// c, q, what, g_what, g_c, g_w, g_params may be null. g_params is added to. err_pos (1).
// backward: the extra code gradient is g_c_scale * g_c[i] (g_c_scale finite).

inline int l2c_transform_cpu_forward(int32_t kind, const float* w, int64_t n, int32_t count,
                                     int64_t inner, const float* params, float* c, int32_t* q,
                                     float* what, int32_t threads, int64_t* err_pos) {
    return l2c::transform::cpu::forward(kind, w, n, count, inner, params, c, q, what, threads, err_pos);
}

inline int l2c_transform_cpu_backward(int32_t kind, const float* w, int64_t n, int32_t count,
                                      int64_t inner, const float* params, const float* g_what,
                                      const float* g_c, double g_c_scale, float* g_w, float* g_params,
                                      int32_t threads, int64_t* err_pos) {
    return l2c::transform::cpu::backward(kind, w, n, count, inner, params, g_what, g_c, g_c_scale, g_w,
                                         g_params, threads, err_pos);
}

// --- transform contexts ------------------------------------------------------------------------
// One tensor's transform made once and reused every step: kind, channel layout, thread count,
// the parameters (P * count floats, set by set_params) and the backward's reduction scratch. A
// call then passes the handle and that step's buffers; n must be the context's element count.
// new returns the handle and kOk in *status, or 0 and kErrArgument (bad kind or layout) or
// kErrAlloc. forward and backward return kErrParams until set_params has run. backward WRITES
// dL/dparams into g_params (g_params_len == P * count floats), where the flat entry adds. Not for
// concurrent calls on one handle; free takes 0 or a live handle, once.

namespace l2c_detail {
struct TransformContext {
    int32_t kind;
    int64_t n;
    int32_t count;
    int64_t inner;
    int32_t threads;
    bool params_set;
    std::vector<float> params;
    std::vector<double> scratch;
};
}  // namespace l2c_detail

inline int64_t l2c_transform_cpu_context_new(int32_t kind, int64_t n, int32_t count, int64_t inner, int32_t threads,
                                             int32_t* status) {
    using l2c_detail::TransformContext;
    if (status == nullptr) return 0;
    if (l2c::transform::params_per_channel(kind) == 0 || n < 0 || count < 1 || inner < 1) {
        *status = l2c::kErrArgument;
        return 0;
    }
    try {
        TransformContext* t = new TransformContext{kind, n, count, inner, threads, false, {}, {}};
        t->params.assign((size_t)l2c::transform::params_per_channel(kind) * (size_t)count, 0.0f);
        *status = l2c::kOk;
        return (int64_t)(intptr_t)t;
    } catch (const std::bad_alloc&) {
        *status = l2c::kErrAlloc;
        return 0;
    }
}

inline void l2c_transform_cpu_context_free(int64_t handle) {
    delete (l2c_detail::TransformContext*)(intptr_t)handle;
}

inline int l2c_transform_cpu_context_set_params(int64_t handle, const float* params, int64_t len) {
    if (handle == 0 || params == nullptr) return l2c::kErrArgument;
    auto* t = (l2c_detail::TransformContext*)(intptr_t)handle;
    if (len != (int64_t)t->params.size()) return l2c::kErrArgument;
    memcpy(t->params.data(), params, (size_t)len * sizeof(float));
    t->params_set = true;
    return l2c::kOk;
}

inline int l2c_transform_cpu_context_forward(int64_t handle, const float* w, int64_t n, float* c, int32_t* q,
                                             float* what, int64_t* err_pos) {
    if (handle == 0 || err_pos == nullptr) return l2c::kErrArgument;
    auto* t = (l2c_detail::TransformContext*)(intptr_t)handle;
    if (n != t->n) return l2c::kErrArgument;
    if (!t->params_set) return l2c::kErrParams;
    return l2c::transform::cpu::forward(t->kind, w, n, t->count, t->inner, t->params.data(), c, q, what, t->threads,
                                        err_pos);
}

inline int l2c_transform_cpu_context_backward(int64_t handle, const float* w, int64_t n, const float* g_what,
                                              const float* g_c, double g_c_scale, float* g_w, float* g_params,
                                              int64_t g_params_len, int64_t* err_pos) {
    if (handle == 0 || err_pos == nullptr) return l2c::kErrArgument;
    auto* t = (l2c_detail::TransformContext*)(intptr_t)handle;
    if (n != t->n) return l2c::kErrArgument;
    if (g_params != nullptr && g_params_len != (int64_t)t->params.size()) return l2c::kErrArgument;
    if (!t->params_set) return l2c::kErrParams;
    // Written, not added: start from zero (0 + sum rounds as the sum alone does).
    if (g_params != nullptr) memset(g_params, 0, (size_t)g_params_len * sizeof(float));
    return l2c::transform::cpu::backward(t->kind, w, n, t->count, t->inner, t->params.data(), g_what, g_c, g_c_scale,
                                         g_w, g_params, t->threads, err_pos, &t->scratch);
}

// Distortion of a transform's output: *out = sum (a - b)^2 in double (a fixed summation order, the
// same bits for any thread count), and g = (a - b) * scale. a, b, g hold n floats.
inline int l2c_squared_difference(const float* a, const float* b, int64_t n, int32_t threads, double* out) {
    return l2c::transform::cpu::squared_difference(a, b, n, threads, out);
}

// *out = sum g (a - b) in double (the same order as l2c_squared_difference).
inline int l2c_dot_difference(const float* g, const float* a, const float* b, int64_t n, int32_t threads,
                              double* out) {
    return l2c::transform::cpu::dot_difference(g, a, b, n, threads, out);
}

inline int l2c_scaled_difference(const float* a, const float* b, int64_t n, double scale, float* g,
                                 int32_t threads) {
    return l2c::transform::cpu::scaled_difference(a, b, n, scale, g, threads);
}

// --- differentiable counter (l2c/counter_cpu.h) ------------------------------------------------
// kernel: 0 COS, 1 TRI, 2 LIN. c, grad: n floats. forward: bits (1), min_symbol (1), bins (1),
// probs (probs_capacity; kErrCapacity with *bins set when too small). err_pos (1).
// backward: grad = scale * dR/dc.

inline int l2c_counter_cpu_forward(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                                   double* bits, int64_t* min_symbol, double* probs,
                                   int64_t probs_capacity, int64_t* bins, int32_t threads,
                                   int64_t* err_pos) {
    return l2c::counter::cpu::forward(c, n, kernel, resolution, bits, min_symbol, probs,
                                      probs_capacity, bins, threads, err_pos);
}

inline int l2c_counter_cpu_backward(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                                    float scale, float* grad, int32_t threads, int64_t* err_pos) {
    return l2c::counter::cpu::backward(c, n, kernel, resolution, scale, grad, threads, err_pos);
}

// forward and backward in one call (one scatter): the outputs of both, as when called one after
// the other.
inline int l2c_counter_cpu_forward_backward(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                                            double* bits, int64_t* min_symbol, double* probs,
                                            int64_t probs_capacity, int64_t* bins, float scale, float* grad,
                                            int32_t threads, int64_t* err_pos) {
    return l2c::counter::cpu::forward_backward(c, n, kernel, resolution, bits, min_symbol, probs,
                                               probs_capacity, bins, scale, grad, threads, err_pos);
}

// --- counter contexts --------------------------------------------------------------------------
// The counter of one tensor's codes made once: n, kernel, resolution, thread count, and the
// histograms, tables and probabilities, whose capacity stays from call to call. run gives the rate
// (*bits, *min_symbol, *bins) and, with grad non-null, grad = scale * dR/dc (grad may be c);
// p(k) stay in the context for probs (capacity >= bins, else kErrCapacity). new: the handle and
// kOk in *status, or 0 and kErrArgument / kErrAlloc. Not for concurrent calls on one handle.

namespace l2c_detail {
struct CounterContext {
    int64_t n;
    int32_t kernel;
    int32_t resolution;
    int32_t threads;
    int64_t bins;  // of the last run; -1 before one
    std::vector<double> probs;
    l2c::counter::cpu::Scratch scratch;
};
}  // namespace l2c_detail

inline int64_t l2c_counter_cpu_context_new(int64_t n, int32_t kernel, int32_t resolution, int32_t threads,
                                           int32_t* status) {
    if (status == nullptr) return 0;
    if (n < 1 || n > l2c::counter::kMaxElements || !l2c::counter::valid_kernel(kernel) || resolution < 1) {
        *status = l2c::kErrArgument;
        return 0;
    }
    try {
        auto* t = new l2c_detail::CounterContext{n, kernel, resolution, threads, -1, {}, {}};
        t->probs.assign(4096, 0.0);
        *status = l2c::kOk;
        return (int64_t)(intptr_t)t;
    } catch (const std::bad_alloc&) {
        *status = l2c::kErrAlloc;
        return 0;
    }
}

inline void l2c_counter_cpu_context_free(int64_t handle) {
    delete (l2c_detail::CounterContext*)(intptr_t)handle;
}

inline int l2c_counter_cpu_context_run(int64_t handle, const float* c, int64_t n, float scale, float* grad,
                                       double* bits, int64_t* min_symbol, int64_t* bins, int64_t* err_pos) {
    if (handle == 0 || bits == nullptr || min_symbol == nullptr || bins == nullptr || err_pos == nullptr)
        return l2c::kErrArgument;
    auto* t = (l2c_detail::CounterContext*)(intptr_t)handle;
    if (n != t->n) return l2c::kErrArgument;
    int32_t st = l2c::counter::cpu::check_args(c, n, t->kernel, t->resolution, err_pos);
    if (st != l2c::kOk) return st;
    t->bins = -1;
    for (int tries = 0; tries < 2; tries++) {
        st = l2c::counter::cpu::run_checked(c, n, t->kernel, t->resolution, bits, min_symbol, t->probs.data(),
                                            (int64_t)t->probs.size(), bins, scale, grad, t->threads, err_pos,
                                            &t->scratch);
        if (st != l2c::kErrCapacity) break;
        try {
            t->probs.assign((size_t)*bins, 0.0);  // a wider code range than seen so far: grow once
        } catch (const std::bad_alloc&) {
            return l2c::kErrAlloc;
        }
    }
    if (st == l2c::kOk) t->bins = *bins;
    return st;
}

inline int l2c_counter_cpu_context_probs(int64_t handle, double* out, int64_t capacity) {
    if (handle == 0 || out == nullptr) return l2c::kErrArgument;
    auto* t = (l2c_detail::CounterContext*)(intptr_t)handle;
    if (t->bins < 0) return l2c::kErrArgument;
    if (capacity < t->bins) return l2c::kErrCapacity;
    memcpy(out, t->probs.data(), (size_t)t->bins * sizeof(double));
    return l2c::kOk;
}

// --- KD reconstruction (l2c/adam_cpu.h) -------------------------------------------------------
// One Adam step over n weights: w, m, v updated in place where frozen[i] == 0; units: count
// floats (element i in channel (i / inner) % count). kOk, kErrArgument, or kErrNonFinite with
// *err_pos the first element whose gradient is not finite.
inline int l2c_recon_adam_step(float* w, const float* g_w, float* m, float* v, const float* anchor,
                               const uint8_t* frozen, int64_t n, const float* units, int32_t count, int64_t inner,
                               double lr, double beta1, double beta2, double c1, double c2, double eps,
                               int32_t threads, int64_t* err_pos) {
    return l2c::adam::recon_step(w, g_w, m, v, anchor, frozen, n, units, count, inner, lr, beta1, beta2, c1, c2, eps,
                                 threads, err_pos);
}
