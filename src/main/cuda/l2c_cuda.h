// Entry points bound by dev.l2c.nativelib.CudaKernels (compiled by nvcc through JavaCPP), and the
// thin launchers behind them. Kernels live in rans_kernels.cuh, transform_kernels.cuh and
// counter_kernels.cuh; shared math in l2c/rans_core.h, l2c/transform_core.h, l2c/counter_core.h.
//
// Two levels:
//  * l2c::rans::cuda::launch_decode takes device pointers and a stream and only launches
//    (asynchronous); per-chunk results land in a device status array. Used by the native GPU test
//    program. The other families have no device-level launcher yet (issue 12).
//  * l2c_rans_cuda_* take host pointers with the same contract as the CPU entry points in
//    l2c_cpu.h (minus the thread count): they validate on the host, copy to device 0, launch,
//    wait and copy results back. Returns 0 or a negative l2c::Status (l2c/status.h); kErrDevice
//    when the CUDA runtime fails.
#pragma once
#include <cuda_runtime.h>
#include <stdint.h>
#include <string.h>

#include <new>
#include <vector>

#include "counter_kernels.cuh"
#include "l2c/counter_core.h"
#include "l2c/rans_core.h"
#include "l2c/transform_core.h"
#include "rans_kernels.cuh"
#include "transform_kernels.cuh"

// Number of usable CUDA devices; 0 where there is no driver or no device (the CPU fallback signal).
inline int l2c_cuda_device_count() {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) return 0;
    return n;
}

namespace l2c {
namespace rans {
namespace cuda {

// Device memory freed on scope exit.
struct DeviceBuffer {
    void* ptr = nullptr;
    DeviceBuffer() = default;
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer() {
        if (ptr != nullptr) cudaFree(ptr);
    }
    bool alloc(size_t bytes) { return cudaMalloc(&ptr, bytes == 0 ? 1 : bytes) == cudaSuccess; }
    template <class T>
    T* as() const {
        return (T*)ptr;
    }
};

inline bool upload(DeviceBuffer& d, const void* host, size_t bytes) {
    if (!d.alloc(bytes)) return false;
    return bytes == 0 || cudaMemcpy(d.ptr, host, bytes, cudaMemcpyHostToDevice) == cudaSuccess;
}

inline bool download(void* host, const DeviceBuffer& d, size_t bytes) {
    return bytes == 0 || cudaMemcpy(host, d.ptr, bytes, cudaMemcpyDeviceToHost) == cudaSuccess;
}

// Blocks for a grid-stride kernel over n elements: enough to cover n, at most 4096.
inline unsigned grid_for(int64_t n, int threads) {
    const int64_t b = (n + threads - 1) / threads;
    return (unsigned)(b < 4096 ? (b > 0 ? b : 1) : 4096);
}

inline unsigned warp_blocks(int64_t chunks) {
    return (unsigned)((chunks + kWarpsPerBlock - 1) / kWarpsPerBlock);
}

// Decodes `count` chunks (all device memory; see decode_kernel for the layout). payload must be
// 2-byte aligned; slot tables from build_decode_table; table is null unless kTable.
template <class Out, bool kTable>
inline int32_t launch_decode(const uint8_t* payload, int64_t payload_bytes, const int64_t* offsets,
                             int64_t count, int64_t n, int32_t chunk_symbols,
                             const uint32_t* slot_entry, const uint16_t* slot_sym, int32_t prec,
                             const Out* table, Out* out, int32_t* status, cudaStream_t stream) {
    if (((uintptr_t)payload & 1) != 0) return kErrArgument;
    if (count == 0) return kOk;
    if (prec <= kSharedTablePrecision) {
        decode_kernel<Out, kTable, true><<<warp_blocks(count), kBlockThreads, 6u << prec, stream>>>(
            payload, payload_bytes, offsets, count, n, chunk_symbols, slot_entry, slot_sym,
            (uint32_t)prec, table, out, status);
    } else {
        decode_kernel<Out, kTable, false><<<warp_blocks(count), kBlockThreads, 0, stream>>>(
            payload, payload_bytes, offsets, count, n, chunk_symbols, slot_entry, slot_sym,
            (uint32_t)prec, table, out, status);
    }
    return cudaGetLastError() == cudaSuccess ? kOk : kErrDevice;
}

// Host-to-host decode of a window of chunks through device 0. table_host: alphabet entries of
// Out (kTable) or null.
template <class Out, bool kTable>
inline int32_t decode_host(const uint8_t* payload, int64_t payload_bytes, const int64_t* offsets,
                           int64_t count, int64_t n, int32_t chunk_symbols, const int32_t* freqs,
                           int32_t alphabet, int32_t prec, const Out* table_host, Out* out,
                           int32_t* chunk_status) {
    int32_t st = check_decode_window(payload, payload_bytes, offsets, count, n, chunk_symbols, freqs,
                                           alphabet, prec, out, chunk_status);
    if (st != kOk || count == 0) return st;
    try {
        // Only the window's bytes travel; offsets become relative to the window.
        const int64_t base = offsets[0], bytes = offsets[count] - base;
        std::vector<int64_t> rel(count + 1);
        for (int64_t i = 0; i <= count; i++) rel[i] = offsets[i] - base;
        std::vector<uint32_t> entry((size_t)1 << prec);
        std::vector<uint16_t> sym((size_t)1 << prec);
        build_decode_table(freqs, alphabet, prec, entry.data(), sym.data());
        DeviceBuffer d_payload, d_offsets, d_entry, d_sym, d_table, d_out, d_status;
        if (!upload(d_payload, payload + base, (size_t)bytes) ||
            !upload(d_offsets, rel.data(), rel.size() * sizeof(int64_t)) ||
            !upload(d_entry, entry.data(), entry.size() * sizeof(uint32_t)) ||
            !upload(d_sym, sym.data(), sym.size() * sizeof(uint16_t)) ||
            !upload(d_table, table_host, kTable ? (size_t)alphabet * sizeof(Out) : 0) ||
            !d_out.alloc((size_t)n * sizeof(Out)) || !d_status.alloc((size_t)count * sizeof(int32_t)))
            return kErrDevice;
        st = launch_decode<Out, kTable>(d_payload.as<uint8_t>(), bytes, d_offsets.as<int64_t>(), count,
                                        n, chunk_symbols, d_entry.as<uint32_t>(), d_sym.as<uint16_t>(),
                                        prec, d_table.as<Out>(), d_out.as<Out>(),
                                        d_status.as<int32_t>(), 0);
        if (st != kOk) return st;
        if (cudaDeviceSynchronize() != cudaSuccess ||
            !download(chunk_status, d_status, (size_t)count * sizeof(int32_t)) ||
            !download(out, d_out, (size_t)n * sizeof(Out)))
            return kErrDevice;
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    for (int64_t i = 0; i < count; i++)
        if (chunk_status[i] != kOk) return chunk_status[i];
    return kOk;
}

// Host-to-host encode through device 0, same contract as cpu::encode_stream: chunks coded by
// warps into worst-case slots, sizes returned, offsets summed on the host, chunks compacted on
// the device, the compacted payload copied back.
template <class Sym>
inline int32_t encode_host(const Sym* symbols, int64_t n, const int32_t* freqs, int32_t alphabet,
                           int32_t prec, int32_t chunk_symbols, uint8_t* payload, int64_t capacity,
                           int64_t* offsets, int64_t* err_pos) {
    if (n < 0 || (n > 0 && symbols == nullptr) || payload == nullptr || offsets == nullptr ||
        err_pos == nullptr || !valid_chunk_symbols(chunk_symbols))
        return kErrArgument;
    *err_pos = -1;
    int32_t st = check_table(freqs, alphabet, prec, nullptr);
    if (st != kOk) return st;
    const int64_t chunks = chunk_count(n, chunk_symbols);
    const int64_t worst = kChunkHeaderBytes * chunks + 2 * n;
    if (capacity < worst) return kErrCapacity;
    offsets[0] = 0;
    if (chunks == 0) return kOk;
    try {
        const size_t symbol_values = (size_t)1 << (8 * sizeof(Sym));
        std::vector<uint32_t> freq(symbol_values, 0), cum(symbol_values, 0);
        uint32_t c = 0;
        for (int32_t s = 0; s < alphabet && (size_t)s < symbol_values; s++) {
            freq[s] = (uint32_t)freqs[s];
            cum[s] = c;
            c += (uint32_t)freqs[s];
        }
        DeviceBuffer d_sym, d_freq, d_cum, d_slots, d_sizes, d_status, d_err, d_offsets, d_out;
        if (!upload(d_sym, symbols, (size_t)n * sizeof(Sym)) ||
            !upload(d_freq, freq.data(), symbol_values * sizeof(uint32_t)) ||
            !upload(d_cum, cum.data(), symbol_values * sizeof(uint32_t)) ||
            !d_slots.alloc((size_t)worst) || !d_sizes.alloc((size_t)chunks * sizeof(int64_t)) ||
            !d_status.alloc((size_t)chunks * sizeof(int32_t)) ||
            !d_err.alloc((size_t)chunks * sizeof(int64_t)))
            return kErrDevice;
        encode_kernel<Sym><<<warp_blocks(chunks), kBlockThreads>>>(
            d_sym.as<Sym>(), n, chunks, chunk_symbols, d_freq.as<uint32_t>(), d_cum.as<uint32_t>(),
            (uint32_t)prec, d_slots.as<uint8_t>(), d_sizes.as<int64_t>(), d_status.as<int32_t>(),
            d_err.as<int64_t>());
        std::vector<int64_t> sizes(chunks), errs(chunks);
        std::vector<int32_t> status(chunks);
        if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
            !download(sizes.data(), d_sizes, sizes.size() * sizeof(int64_t)) ||
            !download(status.data(), d_status, status.size() * sizeof(int32_t)) ||
            !download(errs.data(), d_err, errs.size() * sizeof(int64_t)))
            return kErrDevice;
        for (int64_t i = 0; i < chunks; i++) {
            if (status[i] != kOk) {
                *err_pos = errs[i];
                return status[i];
            }
        }
        for (int64_t i = 0; i < chunks; i++) offsets[i + 1] = offsets[i] + sizes[i];
        if (!upload(d_offsets, offsets, (size_t)(chunks + 1) * sizeof(int64_t)) ||
            !d_out.alloc((size_t)offsets[chunks]))
            return kErrDevice;
        const unsigned grid = (unsigned)(chunks < 65535 ? chunks : 65535);
        compact_kernel<<<grid, 256>>>(d_slots.as<uint8_t>(), chunks, n, chunk_symbols,
                                      d_offsets.as<int64_t>(), d_out.as<uint8_t>());
        if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
            !download(payload, d_out, (size_t)offsets[chunks]))
            return kErrDevice;
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

// Host-to-host histogram through device 0; contract of cpu::histogram_u16.
inline int32_t histogram_host(const uint16_t* symbols, int64_t n, int32_t alphabet, int64_t* counts,
                              int64_t* err_pos) {
    if (n < 0 || (n > 0 && symbols == nullptr) || counts == nullptr || err_pos == nullptr ||
        alphabet < 1 || alphabet > kMaxAlphabet)
        return kErrArgument;
    *err_pos = -1;
    if (n == 0) {
        for (int32_t s = 0; s < alphabet; s++) counts[s] = 0;
        return kOk;
    }
    const long long no_error = INT64_MAX;
    DeviceBuffer d_sym, d_counts, d_err;
    if (!upload(d_sym, symbols, (size_t)n * sizeof(uint16_t)) ||
        !d_counts.alloc((size_t)alphabet * sizeof(unsigned long long)) ||
        cudaMemset(d_counts.ptr, 0, (size_t)alphabet * sizeof(unsigned long long)) != cudaSuccess ||
        !upload(d_err, &no_error, sizeof(no_error)))
        return kErrDevice;
    const int64_t wanted = (n + 255) / 256;
    const unsigned grid = (unsigned)(wanted < 1024 ? wanted : 1024);
    if (alphabet <= 8192) {
        histogram_kernel<true><<<grid, 256, (size_t)alphabet * 4>>>(
            d_sym.as<uint16_t>(), n, alphabet, d_counts.as<unsigned long long>(), d_err.as<long long>());
    } else {
        histogram_kernel<false><<<grid, 256>>>(d_sym.as<uint16_t>(), n, alphabet,
                                               d_counts.as<unsigned long long>(), d_err.as<long long>());
    }
    long long err = 0;
    if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
        !download(&err, d_err, sizeof(err)) ||
        !download(counts, d_counts, (size_t)alphabet * sizeof(int64_t)))
        return kErrDevice;
    if (err != no_error) {
        *err_pos = err;
        return kErrSymbol;
    }
    return kOk;
}

}  // namespace cuda
}  // namespace rans
}  // namespace l2c

// --- flat entry points (host pointers; see l2c_cpu.h for the shared contract) ------------------

inline int l2c_rans_cuda_encode_u16(const uint16_t* symbols, int64_t n, const int32_t* freqs,
                                    int32_t alphabet, int32_t prec, int32_t chunk_symbols,
                                    uint8_t* payload, int64_t capacity, int64_t* offsets,
                                    int64_t* err_pos) {
    return l2c::rans::cuda::encode_host(symbols, n, freqs, alphabet, prec, chunk_symbols, payload,
                                        capacity, offsets, err_pos);
}

inline int l2c_rans_cuda_encode_u8(const uint8_t* symbols, int64_t n, const int32_t* freqs,
                                   int32_t alphabet, int32_t prec, int32_t chunk_symbols,
                                   uint8_t* payload, int64_t capacity, int64_t* offsets,
                                   int64_t* err_pos) {
    return l2c::rans::cuda::encode_host(symbols, n, freqs, alphabet, prec, chunk_symbols, payload,
                                        capacity, offsets, err_pos);
}

inline int l2c_rans_cuda_decode_u16(const uint8_t* payload, int64_t payload_bytes,
                                    const int64_t* offsets, int64_t count, int64_t n,
                                    int32_t chunk_symbols, const int32_t* freqs, int32_t alphabet,
                                    int32_t prec, uint16_t* out, int64_t out_capacity,
                                    int32_t* chunk_status) {
    if (out_capacity < n) return l2c::kErrCapacity;
    return l2c::rans::cuda::decode_host<uint16_t, false>(payload, payload_bytes, offsets, count, n,
                                                         chunk_symbols, freqs, alphabet, prec,
                                                         nullptr, out, chunk_status);
}

inline int l2c_rans_cuda_decode_u8(const uint8_t* payload, int64_t payload_bytes,
                                   const int64_t* offsets, int64_t count, int64_t n,
                                   int32_t chunk_symbols, const int32_t* freqs, int32_t alphabet,
                                   int32_t prec, uint8_t* out, int64_t out_capacity,
                                   int32_t* chunk_status) {
    if (out_capacity < n) return l2c::kErrCapacity;
    if (alphabet > 256) return l2c::kErrArgument;
    return l2c::rans::cuda::decode_host<uint8_t, false>(payload, payload_bytes, offsets, count, n,
                                                        chunk_symbols, freqs, alphabet, prec,
                                                        nullptr, out, chunk_status);
}

inline int l2c_rans_cuda_decode_values(const uint8_t* payload, int64_t payload_bytes,
                                       const int64_t* offsets, int64_t count, int64_t n,
                                       int32_t chunk_symbols, const int32_t* freqs,
                                       int32_t alphabet, int32_t prec, const float* values,
                                       int32_t value_type, uint8_t* out, int64_t out_bytes,
                                       int32_t* chunk_status) {
    using namespace l2c;
    using namespace l2c::rans;
    if (int32_t st = check_value_decode(values, alphabet, value_type, n, out_bytes); st != kOk) return st;
    try {
        // out is only a cudaMemcpy destination, so its host alignment does not matter.
        if (value_type == kValueF32) {
            std::vector<uint32_t> bits(alphabet);
            convert_values(values, alphabet, value_type, bits.data());
            return cuda::decode_host<uint32_t, true>(payload, payload_bytes, offsets, count, n,
                                                     chunk_symbols, freqs, alphabet, prec,
                                                     bits.data(), (uint32_t*)out, chunk_status);
        }
        std::vector<uint16_t> bits(alphabet);
        convert_values(values, alphabet, value_type, bits.data());
        return cuda::decode_host<uint16_t, true>(payload, payload_bytes, offsets, count, n,
                                                 chunk_symbols, freqs, alphabet, prec, bits.data(),
                                                 (uint16_t*)out, chunk_status);
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
}

inline int l2c_rans_cuda_histogram_u16(const uint16_t* symbols, int64_t n, int32_t alphabet,
                                       int64_t* counts, int64_t* err_pos) {
    return l2c::rans::cuda::histogram_host(symbols, n, alphabet, counts, err_pos);
}

// --- transforms and counter: host-pointer launchers (contracts of l2c_cpu.h, minus threads) -----

namespace l2c {
namespace transform {
namespace cuda {

using l2c::rans::cuda::DeviceBuffer;
using l2c::rans::cuda::download;
using l2c::rans::cuda::upload;
using l2c::rans::cuda::grid_for;


inline int32_t check_host(int32_t kind, int64_t n, int32_t count, int64_t inner, const float* w,
                          const float* params, int64_t* err_pos) {
    if (params_per_channel(kind) == 0 || n < 0 || count < 1 || inner < 1 || params == nullptr ||
        err_pos == nullptr || (n > 0 && w == nullptr))
        return kErrArgument;
    *err_pos = -1;
    for (int32_t ch = 0; ch < count; ch++)
        if (!params_valid(kind, load_params(kind, params, count, ch))) return kErrParams;
    return kOk;
}

// Turns the device's lowest bad index into the CPU's status for that element.
inline int32_t bad_status(const float* w, int64_t n, unsigned long long bad, int64_t* err_pos) {
    if (bad >= (unsigned long long)n) return kOk;
    *err_pos = (int64_t)bad;
    return fabsf(w[bad]) < INFINITY ? kErrCodeRange : kErrNonFinite;
}

inline int32_t forward_host(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                            const float* params, float* c, int32_t* q, float* what, int64_t* err_pos) {
    int32_t st = check_host(kind, n, count, inner, w, params, err_pos);
    if (st != kOk || n == 0) return st;
    const int32_t np = params_per_channel(kind);
    const unsigned long long none = (unsigned long long)n;
    DeviceBuffer d_w, d_p, d_c, d_q, d_what, d_bad;
    if (!upload(d_w, w, (size_t)n * 4) || !upload(d_p, params, (size_t)np * count * 4) ||
        !upload(d_bad, &none, sizeof(none)) || (c != nullptr && !d_c.alloc((size_t)n * 4)) ||
        (q != nullptr && !d_q.alloc((size_t)n * 4)) || (what != nullptr && !d_what.alloc((size_t)n * 4)))
        return kErrDevice;
    forward_kernel<<<grid_for(n, kThreads), kThreads>>>(kind, d_w.as<float>(), n, count, inner, d_p.as<float>(),
                                              d_c.as<float>(), d_q.as<int32_t>(), d_what.as<float>(),
                                              d_bad.as<unsigned long long>());
    unsigned long long bad = 0;
    if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
        !download(&bad, d_bad, sizeof(bad)) || (c != nullptr && !download(c, d_c, (size_t)n * 4)) ||
        (q != nullptr && !download(q, d_q, (size_t)n * 4)) ||
        (what != nullptr && !download(what, d_what, (size_t)n * 4)))
        return kErrDevice;
    return bad_status(w, n, bad, err_pos);
}

inline int32_t backward_host(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                             const float* params, const float* g_what, const float* g_c, double g_c_scale,
                             float* g_w, float* g_params, int64_t* err_pos) {
    int32_t st = check_host(kind, n, count, inner, w, params, err_pos);
    if (st != kOk) return st;
    if (!(fabs(g_c_scale) < INFINITY)) return kErrArgument;
    if (n == 0) return kOk;
    const int32_t np = params_per_channel(kind);
    const int64_t block = reduction_block(n, count, np);
    const int64_t blocks = (n + block - 1) / block;
    const unsigned long long none = (unsigned long long)n;
    try {
        DeviceBuffer d_w, d_p, d_gwhat, d_gc, d_gw, d_scratch, d_partial, d_bad;
        if (!upload(d_w, w, (size_t)n * 4) || !upload(d_p, params, (size_t)np * count * 4) ||
            !upload(d_bad, &none, sizeof(none)) ||
            (g_what != nullptr && !upload(d_gwhat, g_what, (size_t)n * 4)) ||
            (g_c != nullptr && !upload(d_gc, g_c, (size_t)n * 4)) ||
            (g_w != nullptr && !d_gw.alloc((size_t)n * 4)) ||
            (g_params != nullptr && (!d_scratch.alloc((size_t)n * np * 8) ||
                                     !d_partial.alloc((size_t)(blocks * count * np) * 8))))
            return kErrDevice;
        backward_kernel<<<grid_for(n, kThreads), kThreads>>>(kind, d_w.as<float>(), n, count, inner, d_p.as<float>(),
                                                   d_gwhat.as<float>(), d_gc.as<float>(), g_c_scale, d_gw.as<float>(),
                                                   d_scratch.as<double>(), d_bad.as<unsigned long long>());
        unsigned long long bad = 0;
        if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
            !download(&bad, d_bad, sizeof(bad)))
            return kErrDevice;
        if ((st = bad_status(w, n, bad, err_pos)) != kOk) return st;
        if (g_w != nullptr && !download(g_w, d_gw, (size_t)n * 4)) return kErrDevice;
        if (g_params == nullptr) return kOk;
        const int64_t slots = blocks * count;
        slot_sum_kernel<<<(unsigned)((slots + kThreads - 1) / kThreads), kThreads>>>(
            d_scratch.as<double>(), n, count, inner, np, block, blocks, d_partial.as<double>());
        std::vector<double> partial((size_t)(slots * np));
        if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
            !download(partial.data(), d_partial, partial.size() * 8))
            return kErrDevice;
        // Blocks combined per channel in block order, as on the CPU.
        for (int32_t ch = 0; ch < count; ch++) {
            for (int32_t k = 0; k < np; k++) {
                double sum = 0;
                for (int64_t blk = 0; blk < blocks; blk++) sum += partial[(size_t)((blk * count + ch) * np + k)];
                float* out = &g_params[(int64_t)k * count + ch];
                *out = (float)((double)*out + sum);
            }
        }
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

}  // namespace cuda
}  // namespace transform

namespace counter {
namespace cuda {

using l2c::rans::cuda::DeviceBuffer;
using l2c::rans::cuda::download;
using l2c::rans::cuda::upload;
using l2c::rans::cuda::grid_for;


// Uploads the codes, finds their range and scatters them; leaves the summed histograms in *h.
inline int32_t scatter_host(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                            DeviceBuffer& d_c, Geometry* g, std::vector<int64_t>* h, int64_t* err_pos) {
    if (err_pos == nullptr) return kErrArgument;
    *err_pos = -1;
    if (n < 1 || n > kMaxElements || c == nullptr || !valid_kernel(kernel) || resolution < 1)
        return kErrArgument;
    const unsigned rb = grid_for(n, kThreads) < (unsigned)kRangeBlocks ? grid_for(n, kThreads) : (unsigned)kRangeBlocks;
    DeviceBuffer d_lo, d_hi, d_bad, d_hist;
    if (!upload(d_c, c, (size_t)n * 4) || !d_lo.alloc(rb * 4) || !d_hi.alloc(rb * 4) || !d_bad.alloc(rb * 8))
        return kErrDevice;
    range_kernel<<<rb, kThreads>>>(d_c.as<float>(), n, d_lo.as<float>(), d_hi.as<float>(), d_bad.as<int64_t>());
    std::vector<float> lo(rb), hi(rb);
    std::vector<int64_t> bad(rb);
    if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
        !download(lo.data(), d_lo, rb * 4) || !download(hi.data(), d_hi, rb * 4) ||
        !download(bad.data(), d_bad, rb * 8))
        return kErrDevice;
    float min_c = INFINITY, max_c = -INFINITY;
    int64_t first_bad = n;
    for (unsigned b = 0; b < rb; b++) {
        min_c = fminf(min_c, lo[b]);
        max_c = fmaxf(max_c, hi[b]);
        first_bad = bad[b] < first_bad ? bad[b] : first_bad;
    }
    if (first_bad < n) {
        *err_pos = first_bad;
        return kErrNonFinite;
    }
    int32_t st = make_geometry(min_c, max_c, resolution, g);
    if (st != kOk) return st;
    const int64_t slots = hist_slots(g->bins);
    if (!d_hist.alloc((size_t)slots * 8) || cudaMemset(d_hist.ptr, 0, (size_t)slots * 8) != cudaSuccess)
        return kErrDevice;
    const bool shared = slots <= kSharedSlots;
    const size_t smem = shared ? (size_t)slots * 8 : 0;
    const unsigned grid = grid_for(n, kThreads) < 1024u ? grid_for(n, kThreads) : 1024u;
    int64_t* d = d_hist.as<int64_t>();
    const float* dc = d_c.as<float>();
#define L2C_SCATTER(K)                                                              \
    do {                                                                            \
        if (shared) scatter_kernel<K, true><<<grid, kThreads, smem>>>(*g, dc, n, d); \
        else scatter_kernel<K, false><<<grid, kThreads>>>(*g, dc, n, d);            \
    } while (0)
    if (kernel == kCos) L2C_SCATTER(kCos);
    else if (kernel == kTri) L2C_SCATTER(kTri);
    else L2C_SCATTER(kLin);
#undef L2C_SCATTER
    h->assign((size_t)slots, 0);
    if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
        !download(h->data(), d_hist, (size_t)slots * 8))
        return kErrDevice;
    return kOk;
}

// Scatter, tables and (grad non-null) the gather on the device. probs null: not wanted (backward);
// otherwise kErrCapacity, with *bins set, when probs_capacity < bins.
inline int32_t run_host(const float* c, int64_t n, int32_t kernel, int32_t resolution, double* bits,
                        int64_t* min_symbol, double* probs, int64_t probs_capacity, int64_t* bins, float scale,
                        float* grad, int64_t* err_pos) {
    try {
        DeviceBuffer d_c, d_table, d_grad;
        Geometry g;
        std::vector<int64_t> h;
        int32_t st = scatter_host(c, n, kernel, resolution, d_c, &g, &h, err_pos);
        if (st != kOk) return st;
        if (bins != nullptr) *bins = g.bins;
        if (min_symbol != nullptr) *min_symbol = g.kmin;
        if (probs != nullptr && probs_capacity < g.bins) return kErrCapacity;
        const int64_t* count = h.data();
        std::vector<double> own_probs(probs == nullptr ? (size_t)g.bins : 0);
        double* p = probs != nullptr ? probs : own_probs.data();
        if (grad == nullptr) {
            *bits = tables(kernel, g, n, count, count + g.bins, p, nullptr);
            return kOk;
        }
        std::vector<double> table((size_t)table_slots(g));
        *bits = tables(kernel, g, n, count, count + g.bins, p, table.data());
        if (!upload(d_table, table.data(), table.size() * 8) || !d_grad.alloc((size_t)n * 4)) return kErrDevice;
        const float* dc = d_c.as<float>();
        const double* dt = d_table.as<double>();
        const unsigned grid = grid_for(n, kThreads);
        if (kernel == kCos) gather_kernel<kCos><<<grid, kThreads>>>(g, dc, n, dt, scale, d_grad.as<float>());
        else if (kernel == kTri) gather_kernel<kTri><<<grid, kThreads>>>(g, dc, n, dt, scale, d_grad.as<float>());
        else gather_kernel<kLin><<<grid, kThreads>>>(g, dc, n, dt, scale, d_grad.as<float>());
        if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess ||
            !download(grad, d_grad, (size_t)n * 4))
            return kErrDevice;
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

inline int32_t forward_host(const float* c, int64_t n, int32_t kernel, int32_t resolution, double* bits,
                            int64_t* min_symbol, double* probs, int64_t probs_capacity, int64_t* bins,
                            int64_t* err_pos) {
    if (bits == nullptr || min_symbol == nullptr || bins == nullptr || probs_capacity < 0 ||
        (probs == nullptr && probs_capacity > 0))
        return kErrArgument;
    double none;  // stands in for a null probs (capacity 0), which only asks for the size
    return run_host(c, n, kernel, resolution, bits, min_symbol, probs != nullptr ? probs : &none, probs_capacity,
                    bins, 0.0f, nullptr, err_pos);
}

inline int32_t backward_host(const float* c, int64_t n, int32_t kernel, int32_t resolution, float scale,
                             float* grad, int64_t* err_pos) {
    if (grad == nullptr) return kErrArgument;
    double bits;
    return run_host(c, n, kernel, resolution, &bits, nullptr, nullptr, 0, nullptr, scale, grad, err_pos);
}

inline int32_t forward_backward_host(const float* c, int64_t n, int32_t kernel, int32_t resolution, double* bits,
                                     int64_t* min_symbol, double* probs, int64_t probs_capacity, int64_t* bins,
                                     float scale, float* grad, int64_t* err_pos) {
    if (bits == nullptr || min_symbol == nullptr || bins == nullptr || grad == nullptr || probs_capacity < 0 ||
        (probs == nullptr && probs_capacity > 0))
        return kErrArgument;
    double none;
    return run_host(c, n, kernel, resolution, bits, min_symbol, probs != nullptr ? probs : &none, probs_capacity,
                    bins, scale, grad, err_pos);
}

}  // namespace cuda
}  // namespace counter
}  // namespace l2c

inline int l2c_transform_cuda_forward(int32_t kind, const float* w, int64_t n, int32_t count,
                                      int64_t inner, const float* params, float* c, int32_t* q,
                                      float* what, int64_t* err_pos) {
    return l2c::transform::cuda::forward_host(kind, w, n, count, inner, params, c, q, what, err_pos);
}

inline int l2c_transform_cuda_backward(int32_t kind, const float* w, int64_t n, int32_t count,
                                       int64_t inner, const float* params, const float* g_what,
                                       const float* g_c, double g_c_scale, float* g_w, float* g_params,
                                       int64_t* err_pos) {
    return l2c::transform::cuda::backward_host(kind, w, n, count, inner, params, g_what, g_c, g_c_scale, g_w,
                                               g_params, err_pos);
}

inline int l2c_counter_cuda_forward(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                                    double* bits, int64_t* min_symbol, double* probs,
                                    int64_t probs_capacity, int64_t* bins, int64_t* err_pos) {
    return l2c::counter::cuda::forward_host(c, n, kernel, resolution, bits, min_symbol, probs,
                                            probs_capacity, bins, err_pos);
}

inline int l2c_counter_cuda_backward(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                                     float scale, float* grad, int64_t* err_pos) {
    return l2c::counter::cuda::backward_host(c, n, kernel, resolution, scale, grad, err_pos);
}

inline int l2c_counter_cuda_forward_backward(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                                             double* bits, int64_t* min_symbol, double* probs,
                                             int64_t probs_capacity, int64_t* bins, float scale, float* grad,
                                             int64_t* err_pos) {
    return l2c::counter::cuda::forward_backward_host(c, n, kernel, resolution, bits, min_symbol, probs,
                                                     probs_capacity, bins, scale, grad, err_pos);
}
