// Chunked, 32-lane interleaved rANS: the math shared by the CPU coder (l2c/rans_cpu.h) and the
// CUDA kernels (src/main/cuda/rans_kernels.cuh). Header-only; no allocation, no I/O, no threads.
//
// Bitstream (normative; CPU and GPU produce and read the same bytes):
//  * Alphabet: dense symbols [0, A), A <= 65536. Frequencies f[s] >= 0 with sum f = 2^P,
//    P in [1, 16]; c[s] = sum_{j<s} f[j]. A symbol with f = 0 cannot be coded.
//  * State: uint32 x with the invariant L <= x < 2^32, L = 2^16, between any two symbols.
//    Every lane starts (encoder) and must end (decoder) at exactly L.
//  * Stream: symbols split into chunks of `chunk_symbols` (a multiple of 32); chunks are
//    independent. In a chunk of n symbols lane l (0..31) codes positions l, l+32, l+64, ...;
//    row r is positions 32r .. 32r+31 (the last row may be partial).
//  * Encoder: rows from last to first, lanes 31 down to 0, skipping positions >= n. Before coding
//    s it emits the low 16 bits of x once if x >= f[s] << (32-P) (one emission always suffices:
//    afterwards x < 2^16 <= f[s] << (32-P)), then x = (x / f) << P + x % f + c[s], which keeps
//    x < 2^32 and x >= L. The emitted words are reversed so the decoder reads them forward.
//  * Chunk bytes: 32 final lane states (uint32 LE, lane 0 first) then W words (uint16 LE);
//    size 128 + 2W. The caller keeps the chunk offsets.
//  * Decoder: rows ascending, lanes ascending: slot = x & (2^P-1), s = sym(slot),
//    x = f[s] * (x >> P) + slot - c[s] (>= 1 and < 2^32 for any x >= L), then if x < L it reads
//    the next word: x = x << 16 | word. Words are taken in lane order within a row.
//  * Integrity: a decoder never reads past the W words, and at the chunk end every lane must be
//    back at L with all W words consumed; otherwise the chunk is corrupt.
#pragma once
#include <stdint.h>

#include "l2c/hd.h"
#include "l2c/status.h"

namespace l2c {
namespace rans {

constexpr uint32_t kLanes = 32;
constexpr uint32_t kStateLow = 1u << 16;  // L
constexpr uint32_t kWordBits = 16;
constexpr int32_t kMaxPrecision = 16;
constexpr int32_t kMaxAlphabet = 65536;
constexpr int64_t kChunkHeaderBytes = 4 * kLanes;

// --- encoder -------------------------------------------------------------------------------

// True when x must shed 16 bits before coding a symbol of frequency f (1 <= f <= 2^P).
L2C_HD bool enc_needs_word(uint32_t x, uint32_t f, uint32_t prec) {
    return (uint64_t)x >= ((uint64_t)f << (32 - prec));
}

// Codes one symbol (frequency f >= 1, cumulative c) into a renormalized state.
L2C_HD uint32_t enc_put(uint32_t x, uint32_t f, uint32_t c, uint32_t prec) {
    return ((x / f) << prec) + (x % f) + c;
}

// Exact x / f for every 32-bit x without a divide (Granlund and Montgomery 1994, fig. 4.1), for
// f in [1, 2^16]: l = ceil(log2 f), mul = floor(2^32 (2^l - f) / f) + 1 (below 2^32 since
// f <= 2^16), t = mulhi(mul, x), x / f = (t + ((x - t) >> sh1)) >> sh2 with sh1 = min(l, 1),
// sh2 = max(l - 1, 0). Encoders use it because a hardware divide per symbol dominates their time.
struct EncReciprocal {
    uint32_t mul;
    uint32_t sh1;
    uint32_t sh2;
};

L2C_HD EncReciprocal enc_reciprocal(uint32_t f) {
    uint32_t l = 0;
    while ((1u << l) < f) l++;
    const uint64_t mul = (((uint64_t)((1u << l) - f)) << 32) / f + 1;
    EncReciprocal r;
    r.mul = (uint32_t)mul;
    r.sh1 = l > 0 ? 1u : 0u;
    r.sh2 = l > 0 ? l - 1 : 0u;
    return r;
}

L2C_HD uint32_t enc_div(uint32_t x, uint32_t mul, uint32_t sh1, uint32_t sh2) {
    const uint32_t t = (uint32_t)(((uint64_t)x * mul) >> 32);
    return (t + ((x - t) >> sh1)) >> sh2;
}

// enc_put with the quotient q = x / f already known: (q << P) + (x - q f) + c
// = x + c + q (2^P - f); every partial sum is at most the result, so nothing wraps.
L2C_HD uint32_t enc_put_quotient(uint32_t x, uint32_t q, uint32_t cmpl_freq, uint32_t c) {
    return x + c + q * cmpl_freq;
}

// --- decoder -------------------------------------------------------------------------------

// A decoder slot entry packs the symbol's frequency minus one (low 16 bits; f <= 2^16) and the
// slot's offset within the symbol's range, slot - c[s] (high 16 bits).
L2C_HD uint32_t dec_pack(uint32_t f, uint32_t bias) { return (f - 1) | (bias << 16); }

L2C_HD uint32_t dec_slot(uint32_t x, uint32_t prec) { return x & ((1u << prec) - 1); }

// Inverse of enc_put for the symbol owning the slot, given that slot's packed entry.
L2C_HD uint32_t dec_advance(uint32_t x, uint32_t entry, uint32_t prec) {
    return ((entry & 0xFFFFu) + 1) * (x >> prec) + (entry >> 16);
}

// The packed slot entry of small tables: everything a decode step needs in one 32-bit load, so a
// SIMD decoder gathers once per symbol from a table of at most 2^12 words that stays in L1:
// bits 0-11 hold f, bits 12-23 the slot's offset in the symbol's range, bits 24-31 the symbol.
// It fits P <= 12, A <= 256 and every f < 2^12 (only a one-symbol table at P = 12 has f = 2^12).
constexpr int32_t kPackedMaxPrecision = 12;
constexpr int32_t kPackedMaxAlphabet = 256;

// For a table that passed check_table.
inline bool packed_table_fits(const int32_t* freqs, int32_t alphabet, int32_t prec) {
    if (prec > kPackedMaxPrecision || alphabet > kPackedMaxAlphabet) return false;
    for (int32_t s = 0; s < alphabet; s++)
        if (freqs[s] >= (1 << kPackedMaxPrecision)) return false;
    return true;
}

L2C_HD uint32_t dec_pack_small(uint32_t f, uint32_t bias, uint32_t sym) { return f | (bias << 12) | (sym << 24); }

L2C_HD uint32_t dec_advance_packed(uint32_t x, uint32_t entry, uint32_t prec) {
    return (entry & 0xFFFu) * (x >> prec) + ((entry >> 12) & 0xFFFu);
}

L2C_HD uint32_t dec_packed_symbol(uint32_t entry) { return entry >> 24; }

L2C_HD bool dec_needs_word(uint32_t x) { return x < kStateLow; }

L2C_HD uint32_t dec_take_word(uint32_t x, uint32_t word) { return (x << kWordBits) | word; }

// Little-endian loads from byte streams of any alignment (payloads come from buffers at any offset).
L2C_HD uint32_t load_le32(const uint8_t* p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
L2C_HD uint32_t load_le16(const uint8_t* p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
L2C_HD void store_le32(uint8_t* p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
L2C_HD void store_le16(uint8_t* p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

// --- value conversion (fused dequantization) --------------------------------------------------

L2C_HD uint32_t f32_bits(float v) {
    union { float f; uint32_t u; } b;
    b.f = v;
    return b.u;
}

// fp32 -> IEEE binary16, round to nearest even; overflow to infinity; NaN stays NaN (quiet, top
// payload bits kept), so no NaN can turn into an infinity.
L2C_HD uint16_t f32_to_f16_bits(float v) {
    uint32_t u = f32_bits(v);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t exp = (u >> 23) & 0xFFu;
    uint32_t man = u & 0x7FFFFFu;
    if (exp == 0xFFu) return (uint16_t)(sign | 0x7C00u | (man ? 0x0200u | (man >> 13) : 0u));
    int32_t e = (int32_t)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7C00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;  // below half the smallest subnormal: rounds to 0
        uint32_t m = man | 0x800000u;
        uint32_t shift = (uint32_t)(14 - e);  // 14..24
        uint32_t half = m >> shift;
        uint32_t rest = m & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        if (rest > mid || (rest == mid && (half & 1u))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (man >> 13);
    uint32_t rest = man & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) half++;  // may carry into inf: right
    return (uint16_t)(sign | half);
}

// fp32 -> bfloat16, round to nearest even; NaN stays NaN (quiet bit set).
L2C_HD uint16_t f32_to_bf16_bits(float v) {
    uint32_t u = f32_bits(v);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x0040u);
    uint32_t rounding = 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)((u + rounding) >> 16);
}

enum ValueType : int32_t { kValueF32 = 0, kValueF16 = 1, kValueBF16 = 2 };


// --- tables and chunk geometry (host side) ----------------------------------------------------

// Validates a frequency table: P in [1, 16], A in [1, 65536], every f in [0, 2^P], sum = 2^P.
// freqs: host, A entries, caller-owned. cum (host, A entries, may be null) receives c[s].
inline int32_t check_table(const int32_t* freqs, int32_t alphabet, int32_t prec, uint32_t* cum) {
    if (freqs == nullptr || prec < 1 || prec > kMaxPrecision) return kErrTable;
    if (alphabet < 1 || alphabet > kMaxAlphabet) return kErrTable;
    const int64_t total = (int64_t)1 << prec;
    int64_t sum = 0;
    for (int32_t s = 0; s < alphabet; s++) {
        if (freqs[s] < 0 || freqs[s] > total) return kErrTable;
        if (cum != nullptr) cum[s] = (uint32_t)sum;
        sum += freqs[s];
        if (sum > total) return kErrTable;
    }
    return sum == total ? kOk : kErrTable;
}

// Fills the decoder's slot tables from a table that passed check_table.
// slot_entry: 2^P entries (dec_pack); slot_sym: 2^P entries; both host, caller-owned.
inline void build_decode_table(const int32_t* freqs, int32_t alphabet, int32_t prec,
                               uint32_t* slot_entry, uint16_t* slot_sym) {
    (void)prec;
    uint32_t slot = 0;
    for (int32_t s = 0; s < alphabet; s++) {
        const uint32_t f = (uint32_t)freqs[s];
        for (uint32_t k = 0; k < f; k++, slot++) {
            slot_entry[slot] = dec_pack(f, k);
            slot_sym[slot] = (uint16_t)s;
        }
    }
}

// Fills the packed slot table (2^P entries, host, caller-owned) of a table that passed
// check_table and packed_table_fits.
inline void build_packed_decode_table(const int32_t* freqs, int32_t alphabet, uint32_t* slot_entry) {
    uint32_t slot = 0;
    for (int32_t s = 0; s < alphabet; s++) {
        const uint32_t f = (uint32_t)freqs[s];
        for (uint32_t k = 0; k < f; k++, slot++) slot_entry[slot] = dec_pack_small(f, k, (uint32_t)s);
    }
}

// Number of chunks for n symbols.
L2C_HD int64_t chunk_count(int64_t n, int32_t chunk_symbols) {
    return (n + chunk_symbols - 1) / chunk_symbols;
}

// Symbols in chunk i of a window of n symbols (all chunks full except the last).
L2C_HD int64_t chunk_length(int64_t n, int32_t chunk_symbols, int64_t i) {
    const int64_t start = i * (int64_t)chunk_symbols;
    const int64_t left = n - start;
    return left < chunk_symbols ? left : chunk_symbols;
}

// Worst-case coded size of a chunk of n symbols: at most one word per symbol.
L2C_HD int64_t chunk_max_bytes(int64_t n) { return kChunkHeaderBytes + 2 * n; }

// Valid chunk_symbols: a positive multiple of 32.
L2C_HD bool valid_chunk_symbols(int32_t chunk_symbols) {
    return chunk_symbols > 0 && chunk_symbols % (int32_t)kLanes == 0;
}

// Checks a window's chunk offsets (count+1 entries, byte offsets into a payload of
// payload_bytes): inside the payload, non-decreasing, every chunk >= 128 bytes and of even size.
// chunk_status (count entries, may be null) gets kErrOffsets for each bad chunk.
inline int32_t check_offsets(const int64_t* offsets, int64_t count, int64_t payload_bytes,
                             int32_t* chunk_status) {
    int32_t result = kOk;
    for (int64_t i = 0; i < count; i++) {
        const int64_t a = offsets[i], b = offsets[i + 1];
        const bool bad = a < 0 || b > payload_bytes || b < a || b - a < kChunkHeaderBytes ||
                         ((b - a) & 1) != 0;
        if (bad) {
            if (chunk_status != nullptr) chunk_status[i] = kErrOffsets;
            result = kErrOffsets;
        }
    }
    return result;
}

// The window's arguments of every decode entry, CPU and CUDA alike: count chunks holding n
// symbols, all full but the last; out present when n > 0. chunk_status (count entries) is reset
// to kOk.
inline int32_t check_window_args(const uint8_t* payload, int64_t payload_bytes, const int64_t* offsets,
                                 int64_t count, int64_t n, int32_t chunk_symbols, const void* out,
                                 int32_t* chunk_status) {
    if (count < 0 || n < 0 || offsets == nullptr || chunk_status == nullptr ||
        (payload == nullptr && payload_bytes != 0) || payload_bytes < 0 ||
        (n > 0 && out == nullptr) || !valid_chunk_symbols(chunk_symbols) ||
        chunk_count(n, chunk_symbols) != count)
        return kErrArgument;
    for (int64_t i = 0; i < count; i++) chunk_status[i] = kOk;
    return kOk;
}

// The checks every decode entry makes before touching the payload: the window's arguments, the
// frequency table and the chunk offsets; a bad chunk's chunk_status entry gets kErrOffsets. (A
// decoder context checked its table when it was built, and checks the other two.)
inline int32_t check_decode_window(const uint8_t* payload, int64_t payload_bytes, const int64_t* offsets,
                                   int64_t count, int64_t n, int32_t chunk_symbols, const int32_t* freqs,
                                   int32_t alphabet, int32_t prec, const void* out,
                                   int32_t* chunk_status) {
    int32_t st = check_window_args(payload, payload_bytes, offsets, count, n, chunk_symbols, out, chunk_status);
    if (st != kOk) return st;
    if ((st = check_table(freqs, alphabet, prec, nullptr)) != kOk) return st;
    return check_offsets(offsets, count, payload_bytes, chunk_status);
}

// Converts the per-symbol values to the bits of the output type (4 bytes for F32, 2 for F16 and
// BF16). values: host, n floats; out: host, n elements of the output width.
inline int32_t convert_values(const float* values, int32_t n, int32_t type, void* out) {
    if (type == kValueF32) {
        uint32_t* o = (uint32_t*)out;
        for (int32_t i = 0; i < n; i++) o[i] = f32_bits(values[i]);
    } else if (type == kValueF16) {
        uint16_t* o = (uint16_t*)out;
        for (int32_t i = 0; i < n; i++) o[i] = f32_to_f16_bits(values[i]);
    } else if (type == kValueBF16) {
        uint16_t* o = (uint16_t*)out;
        for (int32_t i = 0; i < n; i++) o[i] = f32_to_bf16_bits(values[i]);
    } else {
        return kErrArgument;
    }
    return kOk;
}

inline int32_t value_bytes(int32_t type) { return type == kValueF32 ? 4 : 2; }

// Arguments of a fused value decode (CPU and CUDA alike): a value per symbol of a valid alphabet,
// a known output type, and room for n values of it. kOk, kErrArgument or kErrCapacity.
inline int32_t check_value_decode(const float* values, int32_t alphabet, int32_t value_type, int64_t n,
                                  int64_t out_bytes) {
    if (values == nullptr || alphabet < 1 || alphabet > kMaxAlphabet) return kErrArgument;
    if (value_type != kValueF32 && value_type != kValueF16 && value_type != kValueBF16) return kErrArgument;
    if (n < 0 || out_bytes / value_bytes(value_type) < n) return kErrCapacity;
    return kOk;
}

}  // namespace rans
}  // namespace l2c
