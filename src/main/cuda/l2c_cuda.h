// Entry points bound by dev.l2c.nativelib.CudaKernels (compiled by nvcc through JavaCPP), and the
// thin launchers behind them. Kernels live in rans_kernels.cuh, transform_kernels.cuh and
// counter_kernels.cuh; shared math in l2c/rans_core.h, l2c/transform_core.h, l2c/counter_core.h.
//
// Two levels (docs/DESIGN.md, "Native contracts"):
//  * launch_* (one per kernel family step: rans decode, encode, compact, histogram; transform
//    forward, backward, slot_sum; counter range, scatter, gather) take device pointers, a
//    caller-owned device workspace where the step needs one, and a cudaStream_t, and only launch
//    (asynchronous, nothing allocated, nothing copied); results and per-item errors land in device
//    arrays. Each returns kOk or kErrDevice when the launch fails.
//  * *_host and the flat l2c_*_cuda_* entries take host pointers with the same contract as the
//    CPU entry points in l2c_cpu.h (minus the thread count): they validate on the host, copy to
//    device 0, call the launchers on the default stream, wait and copy results back. Returns 0 or
//    a negative l2c::Status (l2c/status.h); kErrDevice when the CUDA runtime fails.
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

// The status of the launches just made on this thread.
inline int32_t launched() { return cudaGetLastError() == cudaSuccess ? kOk : kErrDevice; }

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
    return launched();
}

// Bytes of encode's slot workspace for n symbols: every chunk's worst case.
inline int64_t encode_workspace_bytes(int64_t n, int32_t chunk_symbols) {
    return kChunkHeaderBytes * chunk_count(n, chunk_symbols) + 2 * n;
}

// Codes the chunks of n symbols (device) into worst-case slots of `slots` (encode_workspace_bytes),
// each ending at its slot's end; per chunk (device, chunk_count entries): its size, status and the
// stream position of its first uncodable symbol. freq/cum: one entry per value of Sym.
template <class Sym>
inline int32_t launch_encode(const Sym* symbols, int64_t n, int32_t chunk_symbols, const uint32_t* freq,
                             const uint32_t* cum, int32_t prec, uint8_t* slots, int64_t* sizes, int32_t* status,
                             int64_t* err_pos, cudaStream_t stream) {
    const int64_t chunks = chunk_count(n, chunk_symbols);
    if (chunks == 0) return kOk;
    encode_kernel<Sym><<<warp_blocks(chunks), kBlockThreads, 0, stream>>>(
        symbols, n, chunks, chunk_symbols, freq, cum, (uint32_t)prec, slots, sizes, status, err_pos);
    return launched();
}

// Moves each chunk of launch_encode's slots to its offset (device, chunks + 1 entries) in out.
inline int32_t launch_compact(const uint8_t* slots, int64_t n, int32_t chunk_symbols, const int64_t* offsets,
                              uint8_t* out, cudaStream_t stream) {
    const int64_t chunks = chunk_count(n, chunk_symbols);
    if (chunks == 0) return kOk;
    const unsigned grid = (unsigned)(chunks < 65535 ? chunks : 65535);
    compact_kernel<<<grid, 256, 0, stream>>>(slots, chunks, n, chunk_symbols, offsets, out);
    return launched();
}

// Counts n symbols (device) into counts (device, alphabet entries; zeroed here). *err_pos (device)
// ends at the lowest position of a symbol >= alphabet, or at a value >= n when there is none.
inline int32_t launch_histogram(const uint16_t* symbols, int64_t n, int32_t alphabet, unsigned long long* counts,
                                long long* err_pos, cudaStream_t stream) {
    if (cudaMemsetAsync(counts, 0, (size_t)alphabet * sizeof(unsigned long long), stream) != cudaSuccess ||
        cudaMemsetAsync(err_pos, 0x7F, sizeof(long long), stream) != cudaSuccess)
        return kErrDevice;
    if (n == 0) return kOk;
    const int64_t wanted = (n + 255) / 256;
    const unsigned grid = (unsigned)(wanted < 1024 ? wanted : 1024);
    if (alphabet <= 8192) {
        histogram_kernel<true><<<grid, 256, (size_t)alphabet * 4, stream>>>(symbols, n, alphabet, counts, err_pos);
    } else {
        histogram_kernel<false><<<grid, 256, 0, stream>>>(symbols, n, alphabet, counts, err_pos);
    }
    return launched();
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
    const int64_t worst = encode_workspace_bytes(n, chunk_symbols);
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
        st = launch_encode<Sym>(d_sym.as<Sym>(), n, chunk_symbols, d_freq.as<uint32_t>(), d_cum.as<uint32_t>(), prec,
                                d_slots.as<uint8_t>(), d_sizes.as<int64_t>(), d_status.as<int32_t>(),
                                d_err.as<int64_t>(), 0);
        if (st != kOk) return st;
        std::vector<int64_t> sizes(chunks), errs(chunks);
        std::vector<int32_t> status(chunks);
        if (cudaDeviceSynchronize() != cudaSuccess ||
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
        st = launch_compact(d_slots.as<uint8_t>(), n, chunk_symbols, d_offsets.as<int64_t>(), d_out.as<uint8_t>(), 0);
        if (st != kOk) return st;
        if (cudaDeviceSynchronize() != cudaSuccess || !download(payload, d_out, (size_t)offsets[chunks]))
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
    DeviceBuffer d_sym, d_counts, d_err;
    if (!upload(d_sym, symbols, (size_t)n * sizeof(uint16_t)) ||
        !d_counts.alloc((size_t)alphabet * sizeof(unsigned long long)) || !d_err.alloc(sizeof(long long)))
        return kErrDevice;
    const int32_t st = launch_histogram(d_sym.as<uint16_t>(), n, alphabet, d_counts.as<unsigned long long>(),
                                        d_err.as<long long>(), 0);
    if (st != kOk) return st;
    long long err = 0;
    if (cudaDeviceSynchronize() != cudaSuccess || !download(&err, d_err, sizeof(err)) ||
        !download(counts, d_counts, (size_t)alphabet * sizeof(int64_t)))
        return kErrDevice;
    if (err < n) {
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
using l2c::rans::cuda::launched;

// --- launch layer (device pointers; see the top of this file) ---

// *bad (device) ends at the lowest index of a bad element (non-finite weight, code out of range),
// or at a value >= n when there is none; the launchers preset it.

// w (n), params (P * count); outputs c, q, what (n each) may be null.
inline int32_t launch_forward(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                              const float* params, float* c, int32_t* q, float* what, unsigned long long* bad,
                              cudaStream_t stream) {
    if (cudaMemsetAsync(bad, 0xFF, sizeof(unsigned long long), stream) != cudaSuccess) return kErrDevice;
    if (n == 0) return kOk;
    forward_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(kind, w, n, count, inner, params, c, q, what,
                                                                    bad);
    return launched();
}

// Doubles of backward's per-element parameter workspace, and of slot_sum's partial sums.
inline int64_t backward_scratch_doubles(int32_t kind, int64_t n) { return n * params_per_channel(kind); }
inline int64_t slot_sum_doubles(int32_t kind, int64_t n, int32_t count) {
    const int32_t np = params_per_channel(kind);
    const int64_t block = reduction_block(n, count, np);
    return (n + block - 1) / block * count * np;
}

// g_what, g_c (n, may be null) in; g_w (n, may be null) out; scratch (backward_scratch_doubles,
// may be null when no parameter gradient is wanted) receives each element's contributions.
inline int32_t launch_backward(int32_t kind, const float* w, int64_t n, int32_t count, int64_t inner,
                               const float* params, const float* g_what, const float* g_c, double g_c_scale,
                               float* g_w, double* scratch, unsigned long long* bad, cudaStream_t stream) {
    if (cudaMemsetAsync(bad, 0xFF, sizeof(unsigned long long), stream) != cudaSuccess) return kErrDevice;
    if (n == 0) return kOk;
    backward_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(kind, w, n, count, inner, params, g_what, g_c,
                                                                     g_c_scale, g_w, scratch, bad);
    return launched();
}

// Sums backward's scratch per (block, channel) in the reduction layout of transform_core.h into
// partial (slot_sum_doubles), which the host combines per channel in block order.
inline int32_t launch_slot_sum(int32_t kind, const double* scratch, int64_t n, int32_t count, int64_t inner,
                               double* partial, cudaStream_t stream) {
    if (n == 0) return kOk;
    const int32_t np = params_per_channel(kind);
    const int64_t block = reduction_block(n, count, np);
    const int64_t blocks = (n + block - 1) / block;
    const int64_t slots = blocks * count;
    slot_sum_kernel<<<(unsigned)((slots + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
        scratch, n, count, inner, np, block, blocks, partial);
    return launched();
}

// --- host wrappers ---

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
    DeviceBuffer d_w, d_p, d_c, d_q, d_what, d_bad;
    if (!upload(d_w, w, (size_t)n * 4) || !upload(d_p, params, (size_t)np * count * 4) || !d_bad.alloc(8) ||
        (c != nullptr && !d_c.alloc((size_t)n * 4)) || (q != nullptr && !d_q.alloc((size_t)n * 4)) ||
        (what != nullptr && !d_what.alloc((size_t)n * 4)))
        return kErrDevice;
    st = launch_forward(kind, d_w.as<float>(), n, count, inner, d_p.as<float>(), d_c.as<float>(), d_q.as<int32_t>(),
                        d_what.as<float>(), d_bad.as<unsigned long long>(), 0);
    if (st != kOk) return st;
    unsigned long long bad = 0;
    if (cudaDeviceSynchronize() != cudaSuccess || !download(&bad, d_bad, sizeof(bad)) ||
        (c != nullptr && !download(c, d_c, (size_t)n * 4)) || (q != nullptr && !download(q, d_q, (size_t)n * 4)) ||
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
    try {
        DeviceBuffer d_w, d_p, d_gwhat, d_gc, d_gw, d_scratch, d_partial, d_bad;
        if (!upload(d_w, w, (size_t)n * 4) || !upload(d_p, params, (size_t)np * count * 4) || !d_bad.alloc(8) ||
            (g_what != nullptr && !upload(d_gwhat, g_what, (size_t)n * 4)) ||
            (g_c != nullptr && !upload(d_gc, g_c, (size_t)n * 4)) ||
            (g_w != nullptr && !d_gw.alloc((size_t)n * 4)) ||
            (g_params != nullptr && (!d_scratch.alloc((size_t)backward_scratch_doubles(kind, n) * 8) ||
                                     !d_partial.alloc((size_t)slot_sum_doubles(kind, n, count) * 8))))
            return kErrDevice;
        st = launch_backward(kind, d_w.as<float>(), n, count, inner, d_p.as<float>(), d_gwhat.as<float>(),
                             d_gc.as<float>(), g_c_scale, d_gw.as<float>(), d_scratch.as<double>(),
                             d_bad.as<unsigned long long>(), 0);
        if (st != kOk) return st;
        unsigned long long bad = 0;
        if (cudaDeviceSynchronize() != cudaSuccess || !download(&bad, d_bad, sizeof(bad))) return kErrDevice;
        if ((st = bad_status(w, n, bad, err_pos)) != kOk) return st;
        if (g_w != nullptr && !download(g_w, d_gw, (size_t)n * 4)) return kErrDevice;
        if (g_params == nullptr) return kOk;
        const int64_t slots = blocks * count;
        if ((st = launch_slot_sum(kind, d_scratch.as<double>(), n, count, inner, d_partial.as<double>(), 0)) != kOk)
            return st;
        std::vector<double> partial((size_t)(slots * np));
        if (cudaDeviceSynchronize() != cudaSuccess || !download(partial.data(), d_partial, partial.size() * 8))
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
using l2c::rans::cuda::launched;

// --- launch layer (device pointers; see the top of this file) ---

// Blocks of the range step for n codes: its workspace is that many entries of lo, hi and bad.
inline unsigned range_blocks(int64_t n) {
    const unsigned g = grid_for(n, kThreads);
    return g < (unsigned)kRangeBlocks ? g : (unsigned)kRangeBlocks;
}

// Per block of range_blocks(n): min and max of the finite codes, lowest non-finite index (n: none).
inline int32_t launch_range(const float* c, int64_t n, float* lo, float* hi, int64_t* bad, cudaStream_t stream) {
    range_kernel<<<range_blocks(n), kThreads, 0, stream>>>(c, n, lo, hi, bad);
    return launched();
}

// Scatters n codes into hist (hist_slots(g.bins) int64, zeroed here): counts, then sub-cells.
inline int32_t launch_scatter(int32_t kernel, const Geometry& g, const float* c, int64_t n, int64_t* hist,
                              cudaStream_t stream) {
    const int64_t slots = hist_slots(g.bins);
    if (cudaMemsetAsync(hist, 0, (size_t)slots * 8, stream) != cudaSuccess) return kErrDevice;
    const bool shared = slots <= kSharedSlots;
    const size_t smem = shared ? (size_t)slots * 8 : 0;
    const unsigned grid = grid_for(n, kThreads) < 1024u ? grid_for(n, kThreads) : 1024u;
#define L2C_SCATTER(K)                                                                          \
    do {                                                                                        \
        if (shared) scatter_kernel<K, true><<<grid, kThreads, smem, stream>>>(g, c, n, hist);    \
        else scatter_kernel<K, false><<<grid, kThreads, 0, stream>>>(g, c, n, hist);             \
    } while (0)
    if (kernel == kCos) L2C_SCATTER(kCos);
    else if (kernel == kTri) L2C_SCATTER(kTri);
    else L2C_SCATTER(kLin);
#undef L2C_SCATTER
    return launched();
}

// grad (n) = scale * the gradient of the rate at each code, from the table (table_slots(g)).
inline int32_t launch_gather(int32_t kernel, const Geometry& g, const float* c, int64_t n, const double* table,
                             float scale, float* grad, cudaStream_t stream) {
    const unsigned grid = grid_for(n, kThreads);
    if (kernel == kCos) gather_kernel<kCos><<<grid, kThreads, 0, stream>>>(g, c, n, table, scale, grad);
    else if (kernel == kTri) gather_kernel<kTri><<<grid, kThreads, 0, stream>>>(g, c, n, table, scale, grad);
    else gather_kernel<kLin><<<grid, kThreads, 0, stream>>>(g, c, n, table, scale, grad);
    return launched();
}

// --- host wrappers ---

// Uploads the codes, finds their range and scatters them; leaves the summed histograms in *h.
inline int32_t scatter_host(const float* c, int64_t n, int32_t kernel, int32_t resolution,
                            DeviceBuffer& d_c, Geometry* g, std::vector<int64_t>* h, int64_t* err_pos) {
    if (err_pos == nullptr) return kErrArgument;
    *err_pos = -1;
    if (n < 1 || n > kMaxElements || c == nullptr || !valid_kernel(kernel) || resolution < 1)
        return kErrArgument;
    const unsigned rb = range_blocks(n);
    DeviceBuffer d_lo, d_hi, d_bad, d_hist;
    if (!upload(d_c, c, (size_t)n * 4) || !d_lo.alloc(rb * 4) || !d_hi.alloc(rb * 4) || !d_bad.alloc(rb * 8))
        return kErrDevice;
    int32_t st = launch_range(d_c.as<float>(), n, d_lo.as<float>(), d_hi.as<float>(), d_bad.as<int64_t>(), 0);
    if (st != kOk) return st;
    std::vector<float> lo(rb), hi(rb);
    std::vector<int64_t> bad(rb);
    if (cudaDeviceSynchronize() != cudaSuccess || !download(lo.data(), d_lo, rb * 4) ||
        !download(hi.data(), d_hi, rb * 4) || !download(bad.data(), d_bad, rb * 8))
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
    st = make_geometry(min_c, max_c, resolution, g);
    if (st != kOk) return st;
    const int64_t slots = hist_slots(g->bins);
    if (!d_hist.alloc((size_t)slots * 8)) return kErrDevice;
    if ((st = launch_scatter(kernel, *g, d_c.as<float>(), n, d_hist.as<int64_t>(), 0)) != kOk) return st;
    h->assign((size_t)slots, 0);
    if (cudaDeviceSynchronize() != cudaSuccess || !download(h->data(), d_hist, (size_t)slots * 8))
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
        if ((st = launch_gather(kernel, g, d_c.as<float>(), n, d_table.as<double>(), scale, d_grad.as<float>(), 0)) !=
            kOk)
            return st;
        if (cudaDeviceSynchronize() != cudaSuccess ||
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
