// CUDA kernels of the chunked rANS codec: one warp per chunk, one thread per rANS lane, the math
// of l2c/rans_core.h. Launchers live in l2c_cuda.h; these kernels trust only what they check.
//
// All pointers here are device memory. Chunk payloads must be 2-byte aligned (chunk offsets are
// checked to be even; the launchers check the base), so words are read as uint16. Every kernel
// reports bad data per chunk in `status` (one int32 per chunk) and never reads outside
// [payload, payload + payload_bytes) or writes outside its chunk's output.
#pragma once
#include <cuda_runtime.h>
#include <stdint.h>

#include "l2c/rans_core.h"

namespace l2c {
namespace rans {
namespace cuda {

constexpr unsigned kFullMask = 0xFFFFFFFFu;
constexpr int kWarpsPerBlock = 4;
constexpr int kBlockThreads = kWarpsPerBlock * 32;
// Decoder slot tables go to shared memory up to this precision (2^12 * 6 B = 24 KiB per block).
constexpr int kSharedTablePrecision = 12;

__device__ __forceinline__ uint32_t lanes_below(uint32_t lane) { return (1u << lane) - 1u; }

// --- decode ----------------------------------------------------------------------------------
// payload: payload_bytes; offsets: count+1 byte offsets; slot_entry/slot_sym: 2^prec entries;
// table: alphabet entries of Out (used when kTable); out: n elements of Out, chunk i starting at
// i * chunk_symbols; status: count entries. Grid: ceil(count / kWarpsPerBlock) blocks of
// kBlockThreads; dynamic shared memory 6 * 2^prec bytes when kShared.
template <class Out, bool kTable, bool kShared>
__global__ void __launch_bounds__(kBlockThreads)
decode_kernel(const uint8_t* __restrict__ payload, int64_t payload_bytes,
              const int64_t* __restrict__ offsets, int64_t count, int64_t n, int32_t chunk_symbols,
              const uint32_t* __restrict__ slot_entry, const uint16_t* __restrict__ slot_sym,
              uint32_t prec, const Out* __restrict__ table, Out* __restrict__ out,
              int32_t* __restrict__ status) {
    extern __shared__ uint32_t shared_words[];
    const uint32_t* entries = slot_entry;
    const uint16_t* syms = slot_sym;
    if (kShared) {
        const uint32_t slots = 1u << prec;
        uint32_t* e = shared_words;
        uint16_t* s = (uint16_t*)(shared_words + slots);
        for (uint32_t i = threadIdx.x; i < slots; i += blockDim.x) {
            e[i] = slot_entry[i];
            s[i] = slot_sym[i];
        }
        __syncthreads();
        entries = e;
        syms = s;
    }
    const int64_t chunk = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32;
    const uint32_t lane = threadIdx.x & 31u;
    if (chunk >= count) return;  // uniform per warp

    const int64_t a = offsets[chunk], b = offsets[chunk + 1];
    if (a < 0 || b > payload_bytes || b < a || b - a < kChunkHeaderBytes || ((b - a) & 1) != 0) {
        if (lane == 0) status[chunk] = kErrOffsets;
        return;
    }
    const uint8_t* c = payload + a;
    uint32_t x = load_le32(c + 4 * lane);
    if (__any_sync(kFullMask, x < kStateLow)) {
        if (lane == 0) status[chunk] = kErrState;
        return;
    }
    const uint16_t* words = (const uint16_t*)(c + kChunkHeaderBytes);
    const int64_t total_words = (b - a - kChunkHeaderBytes) / 2;
    const int64_t len = chunk_length(n, chunk_symbols, chunk);
    const uint32_t mask = (1u << prec) - 1u;
    Out* o = out + chunk * (int64_t)chunk_symbols;
    int64_t wi = 0;
    for (int64_t base = 0; base < len; base += 32) {
        const int64_t pos = base + lane;
        uint32_t need = 0;
        if (pos < len) {
            const uint32_t slot = x & mask;
            const uint32_t sym = syms[slot];
            o[pos] = kTable ? table[sym] : (Out)sym;
            x = dec_advance(x, entries[slot], prec);
            need = dec_needs_word(x);
        }
        const uint32_t m = __ballot_sync(kFullMask, need);
        const int64_t taken = __popc(m);
        if (wi + taken > total_words) {
            if (lane == 0) status[chunk] = kErrTruncated;
            return;
        }
        if (need) x = dec_take_word(x, words[wi + __popc(m & lanes_below(lane))]);
        wi += taken;
    }
    const bool done = __all_sync(kFullMask, x == kStateLow) && wi == total_words;
    if (lane == 0) status[chunk] = done ? kOk : kErrTrailing;
}

// --- encode ----------------------------------------------------------------------------------
// symbols: n; freq/cum: one entry per value of Sym (zero beyond the alphabet); slots: chunk i
// writes within [i * stride, i * stride + 128 + 2 * len_i), stride = 128 + 2 * chunk_symbols,
// with its bytes ending at the slot end; sizes/status/err_pos: count entries.
template <class Sym>
__global__ void __launch_bounds__(kBlockThreads)
encode_kernel(const Sym* __restrict__ symbols, int64_t n, int64_t count, int32_t chunk_symbols,
              const uint32_t* __restrict__ freq, const uint32_t* __restrict__ cum, uint32_t prec,
              uint8_t* __restrict__ slots, int64_t* __restrict__ sizes, int32_t* __restrict__ status,
              int64_t* __restrict__ err_pos) {
    const int64_t chunk = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32;
    const uint32_t lane = threadIdx.x & 31u;
    if (chunk >= count) return;
    const int64_t len = chunk_length(n, chunk_symbols, chunk);
    const Sym* sym = symbols + chunk * (int64_t)chunk_symbols;
    uint8_t* slot_end = slots + chunk * chunk_max_bytes(chunk_symbols) + chunk_max_bytes(len);
    uint32_t x = kStateLow;
    int64_t written = 0;  // words so far; they sit just below slot_end
    const int64_t rows = (len + 31) / 32;
    for (int64_t r = rows - 1; r >= 0; r--) {
        const int64_t pos = r * 32 + lane;
        const bool active = pos < len;
        const uint32_t s = active ? (uint32_t)sym[pos] : 0u;
        const uint32_t f = active ? freq[s] : 1u;
        if (__any_sync(kFullMask, f == 0)) {
            if (lane == 0) {
                int64_t first = 0;
                while (freq[sym[first]] != 0) first++;  // some position < len has f == 0
                status[chunk] = kErrSymbol;
                err_pos[chunk] = chunk * (int64_t)chunk_symbols + first;
            }
            return;
        }
        const bool need = active && enc_needs_word(x, f, prec);
        const uint32_t m = __ballot_sync(kFullMask, need);
        const int64_t emitted = __popc(m);
        if (need) {
            // This row's words run lane-ascending just below the words of later rows.
            uint8_t* p = slot_end - 2 * (written + emitted) + 2 * __popc(m & lanes_below(lane));
            store_le16(p, x & 0xFFFFu);
            x >>= kWordBits;
        }
        written += emitted;
        if (active) x = enc_put(x, f, cum[s], prec);
    }
    uint8_t* head = slot_end - 2 * written - kChunkHeaderBytes;
    store_le32(head + 4 * lane, x);
    if (lane == 0) {
        sizes[chunk] = kChunkHeaderBytes + 2 * written;
        status[chunk] = kOk;
        err_pos[chunk] = -1;
    }
}

// Moves each chunk from the end of its worst-case slot to its final offset in a separate output.
// Grid: one block per chunk (grid-stride over chunks).
__global__ void compact_kernel(const uint8_t* __restrict__ slots, int64_t count, int64_t n,
                               int32_t chunk_symbols, const int64_t* __restrict__ offsets,
                               uint8_t* __restrict__ out) {
    for (int64_t chunk = blockIdx.x; chunk < count; chunk += gridDim.x) {
        const int64_t size = offsets[chunk + 1] - offsets[chunk];
        const int64_t len = chunk_length(n, chunk_symbols, chunk);
        const uint8_t* src = slots + chunk * chunk_max_bytes(chunk_symbols) + chunk_max_bytes(len) - size;
        uint8_t* dst = out + offsets[chunk];
        for (int64_t i = threadIdx.x; i < size; i += blockDim.x) dst[i] = src[i];
    }
}

// --- histogram -------------------------------------------------------------------------------
// symbols: n; counts: alphabet entries, zeroed by the caller; err_pos: 1 entry, preset to
// INT64_MAX by the caller, lowered to the smallest position of a symbol >= alphabet.
// Dynamic shared memory: 4 * alphabet bytes when kShared.
template <bool kShared>
__global__ void histogram_kernel(const uint16_t* __restrict__ symbols, int64_t n, int32_t alphabet,
                                 unsigned long long* __restrict__ counts,
                                 long long* __restrict__ err_pos) {
    extern __shared__ uint32_t shared_counts[];
    if (kShared) {
        for (int32_t i = threadIdx.x; i < alphabet; i += blockDim.x) shared_counts[i] = 0;
        __syncthreads();
    }
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const uint32_t s = symbols[i];
        if (s >= (uint32_t)alphabet) {
            atomicMin(err_pos, (long long)i);
        } else if (kShared) {
            atomicAdd(&shared_counts[s], 1u);
        } else {
            atomicAdd(&counts[s], 1ull);
        }
    }
    if (kShared) {
        __syncthreads();
        for (int32_t i = threadIdx.x; i < alphabet; i += blockDim.x)
            if (shared_counts[i] != 0) atomicAdd(&counts[i], (unsigned long long)shared_counts[i]);
    }
}

}  // namespace cuda
}  // namespace rans
}  // namespace l2c
