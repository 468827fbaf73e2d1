// Entry points bound by dev.l2c.nativelib.CudaKernels (compiled by nvcc through JavaCPP), and the
// thin launchers behind them. Kernels live in rans_kernels.cuh, shared math in l2c/rans_core.h.
//
// Two levels:
//  * l2c::rans::cuda::launch_* take device pointers and a stream and only launch (asynchronous);
//    per-chunk results land in a device status array. Used by the native GPU test program.
//  * l2c_rans_cuda_* take host pointers with the same contract as the CPU entry points in
//    l2c_cpu.h (minus the thread count): they validate on the host, copy to device 0, launch,
//    wait and copy results back. Returns 0 or a negative l2c::rans::Status; kErrDevice when the
//    CUDA runtime fails.
#pragma once
#include <cuda_runtime.h>
#include <stdint.h>
#include <string.h>

#include <new>
#include <vector>

#include "l2c/rans_core.h"
#include "rans_kernels.cuh"

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
    if (count < 0 || n < 0 || offsets == nullptr || chunk_status == nullptr ||
        (payload == nullptr && payload_bytes != 0) || payload_bytes < 0 ||
        (n > 0 && out == nullptr) || !valid_chunk_symbols(chunk_symbols) ||
        chunk_count(n, chunk_symbols) != count)
        return kErrArgument;
    for (int64_t i = 0; i < count; i++) chunk_status[i] = kOk;
    int32_t st = check_table(freqs, alphabet, prec, nullptr);
    if (st != kOk) return st;
    st = check_offsets(offsets, count, payload_bytes, chunk_status);
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
    if (out_capacity < n) return l2c::rans::kErrCapacity;
    return l2c::rans::cuda::decode_host<uint16_t, false>(payload, payload_bytes, offsets, count, n,
                                                         chunk_symbols, freqs, alphabet, prec,
                                                         nullptr, out, chunk_status);
}

inline int l2c_rans_cuda_decode_u8(const uint8_t* payload, int64_t payload_bytes,
                                   const int64_t* offsets, int64_t count, int64_t n,
                                   int32_t chunk_symbols, const int32_t* freqs, int32_t alphabet,
                                   int32_t prec, uint8_t* out, int64_t out_capacity,
                                   int32_t* chunk_status) {
    if (out_capacity < n) return l2c::rans::kErrCapacity;
    if (alphabet > 256) return l2c::rans::kErrArgument;
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
    using namespace l2c::rans;
    if (values == nullptr || alphabet < 1 || alphabet > kMaxAlphabet) return kErrArgument;
    if (value_type != kValueF32 && value_type != kValueF16 && value_type != kValueBF16)
        return kErrArgument;
    if (n < 0 || out_bytes / value_bytes(value_type) < n) return kErrCapacity;
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
