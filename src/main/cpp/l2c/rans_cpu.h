// CPU rANS coder over whole streams: chunks spread over OpenMP threads, the bitstream and math of
// l2c/rans_core.h. Every entry point validates its inputs and returns kOk or a negative Status;
// none throws, none reads or writes outside the buffers it is given.
//
// Buffers are host memory owned by the caller, any alignment. Symbol buffers hold n elements;
// payloads are the concatenated chunks; `offsets` are byte offsets into the payload, one per
// chunk plus the end. `threads <= 0` means all available.
//
// Speed: the decoder reads a per-slot table (packed frequency/bias and the output element, so
// symbols, fp32, fp16 and bf16 outputs share one loop) and checks the word count once per row
// (a row takes at most 32 words); only the last rows of a chunk take the checked path. On x86-64
// CPUs with AVX2 (the level of l2c/simd.h) full rows decode 8 lanes per vector with gathers. The
// encoder replaces the divide by an exact reciprocal and emits words without branches.
#pragma once
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include <atomic>
#include <new>
#include <vector>

#include "l2c/rans_core.h"
#include "l2c/simd.h"
#include "l2c/threads.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#define L2C_RANS_X86_SIMD 1
#include <immintrin.h>
#else
#define L2C_RANS_X86_SIMD 0
#endif

namespace l2c {
namespace rans {
namespace cpu {

inline int resolve_threads(int32_t threads) { return (int)requested_threads(threads); }

// --- SIMD selection ---------------------------------------------------------------------------
// The coder uses the one process-wide level of l2c/simd.h (shared with the transform and counter
// kernels): its AVX2 decode runs at simd::kAvx2 and above (AVX-512 adds nothing here).

// --- encoder ----------------------------------------------------------------------------------

// Everything the encoder needs for one symbol, in one 16-byte load.
struct EncodeSymbol {
    uint32_t x_max;      // a state above this must shed a word first: (f << (32-P)) - 1, capped
    uint32_t rcp;        // enc_reciprocal(f).mul
    uint32_t cum;        // c[s]
    uint16_t cmpl_freq;  // 2^P - f (f >= 1, so below 2^16)
    uint8_t sh1, sh2;    // enc_reciprocal shifts; sh2 == kUncodable marks f == 0 or s >= A
};
constexpr uint8_t kUncodable = 0xFF;

// Per-symbol table sized to every value the symbol type can hold, so that one test rejects both
// symbols >= A and symbols of zero frequency.
inline void build_encode_table(const int32_t* freqs, int32_t alphabet, int32_t prec,
                               std::vector<EncodeSymbol>& table, size_t capacity) {
    EncodeSymbol none = {0, 0, 0, 0, 0, kUncodable};
    table.assign(capacity, none);
    uint32_t c = 0;
    for (int32_t s = 0; s < alphabet && (size_t)s < capacity; s++) {
        const uint32_t f = (uint32_t)freqs[s];
        if (f > 0) {
            const uint64_t limit = (uint64_t)f << (32 - prec);
            const EncReciprocal r = enc_reciprocal(f);
            EncodeSymbol& e = table[s];
            e.x_max = limit > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)(limit - 1);
            e.rcp = r.mul;
            e.cum = c;
            e.cmpl_freq = (uint16_t)((1u << prec) - f);
            e.sh1 = (uint8_t)r.sh1;
            e.sh2 = (uint8_t)r.sh2;
        }
        c += f;
    }
}

// Encodes one chunk of n symbols so that its bytes end at slot_end (words are written backwards
// from there, then the 32 states in front of them). The slot is at least 128 + 2n bytes, so the
// speculative word store just below p always lands inside it (in the space the states overwrite
// at the end). Returns kOk and the chunk size in *bytes, or kErrSymbol with the offending chunk
// position in *err_pos.
template <class Sym>
int32_t encode_chunk(const Sym* sym, int64_t n, const EncodeSymbol* table, uint8_t* slot_end,
                     int64_t* bytes, int64_t* err_pos) {
    uint32_t x[kLanes];
    for (uint32_t l = 0; l < kLanes; l++) x[l] = kStateLow;
    uint8_t* p = slot_end;
    const int64_t rows = (n + kLanes - 1) / kLanes;
    for (int64_t r = rows - 1; r >= 0; r--) {
        const int64_t base = r * kLanes;
        const int64_t here = n - base < (int64_t)kLanes ? n - base : (int64_t)kLanes;
        for (int64_t l = here - 1; l >= 0; l--) {
            const EncodeSymbol e = table[sym[base + l]];
            if (e.sh2 == kUncodable) {
                // Report the first bad position in the chunk, as the GPU encoder does.
                int64_t first = 0;
                while (table[sym[first]].sh2 != kUncodable) first++;
                *err_pos = first;
                return kErrSymbol;
            }
            uint32_t xs = x[l];
            // Whether a word goes out is a coin flip for the branch predictor: store it always,
            // keep it only when needed.
            const bool shed = xs > e.x_max;
            store_le16(p - 2, xs & 0xFFFFu);
            p -= shed ? 2 : 0;
            xs = shed ? xs >> kWordBits : xs;
            x[l] = enc_put_quotient(xs, enc_div(xs, e.rcp, e.sh1, e.sh2), e.cmpl_freq, e.cum);
        }
    }
    p -= kChunkHeaderBytes;
    for (uint32_t l = 0; l < kLanes; l++) store_le32(p + 4 * l, x[l]);
    *bytes = slot_end - p;
    return kOk;
}

// Encodes n symbols into payload (capacity bytes, at least 128 * chunks + 2n) and writes
// chunks+1 offsets. Each chunk is first coded at the end of its worst-case slot, in parallel,
// then the chunks are moved down in order (a chunk never moves right, so memmove in order is
// safe). On kErrSymbol, *err_pos is the stream position of the first bad symbol.
template <class Sym>
int32_t encode_stream(const Sym* sym, int64_t n, const int32_t* freqs, int32_t alphabet,
                      int32_t prec, int32_t chunk_symbols, uint8_t* payload, int64_t capacity,
                      int64_t* offsets, int32_t threads, int64_t* err_pos) {
    if (n < 0 || (n > 0 && sym == nullptr) || payload == nullptr || offsets == nullptr ||
        err_pos == nullptr || !valid_chunk_symbols(chunk_symbols))
        return kErrArgument;
    *err_pos = -1;
    int32_t st = check_table(freqs, alphabet, prec, nullptr);
    if (st != kOk) return st;
    const int64_t chunks = chunk_count(n, chunk_symbols);
    if (capacity < kChunkHeaderBytes * chunks + 2 * n) return kErrCapacity;
    try {
        std::vector<EncodeSymbol> table;
        build_encode_table(freqs, alphabet, prec, table, (size_t)1 << (8 * sizeof(Sym)));
        std::vector<int64_t> sizes(chunks), bad(chunks, -1);
        const int64_t slot_stride = chunk_max_bytes(chunk_symbols);
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads))
        for (int64_t i = 0; i < chunks; i++) {
            const int64_t len = chunk_length(n, chunk_symbols, i);
            uint8_t* slot_end = payload + i * slot_stride + chunk_max_bytes(len);
            int64_t pos = -1;
            if (encode_chunk(sym + i * chunk_symbols, len, table.data(), slot_end, &sizes[i], &pos) != kOk)
                bad[i] = i * (int64_t)chunk_symbols + pos;
        }
        for (int64_t i = 0; i < chunks; i++) {
            if (bad[i] >= 0) {
                *err_pos = bad[i];
                return kErrSymbol;
            }
        }
        int64_t out = 0;
        for (int64_t i = 0; i < chunks; i++) {
            const int64_t len = chunk_length(n, chunk_symbols, i);
            const uint8_t* start = payload + i * slot_stride + chunk_max_bytes(len) - sizes[i];
            memmove(payload + out, start, (size_t)sizes[i]);
            offsets[i] = out;
            out += sizes[i];
        }
        offsets[chunks] = out;
        return kOk;
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
}

// --- decoder ----------------------------------------------------------------------------------

// Per-slot decoder tables: entry[slot] = dec_pack(f, slot - c) and out[slot] = the element
// written for the slot's symbol. `out` has 4 bytes of slack so a 32-bit gather at the last slot
// stays inside the allocation.
template <class Out>
struct DecodeTable {
    const uint32_t* entry;
    const Out* out;
    uint32_t prec;
};

// sym_out: alphabet entries, the element to write for each symbol. Table passed check_table.
template <class Out>
void build_slot_tables(const int32_t* freqs, int32_t alphabet, int32_t prec, const Out* sym_out,
                       std::vector<uint32_t>& entry, std::vector<Out>& out) {
    const size_t slots = (size_t)1 << prec;
    entry.assign(slots, 0);
    out.assign(slots + 4, Out(0));
    uint32_t slot = 0;
    for (int32_t s = 0; s < alphabet; s++) {
        const uint32_t f = (uint32_t)freqs[s];
        for (uint32_t k = 0; k < f; k++, slot++) {
            entry[slot] = dec_pack(f, k);
            out[slot] = sym_out[s];
        }
    }
}

// Stores one output element; outputs may sit at any alignment (views into mapped files).
template <class Out>
inline void store_out(uint8_t* base, int64_t i, Out v) {
    memcpy(base + i * (int64_t)sizeof(Out), &v, sizeof(Out));
}

// Decodes lanes [0, lanes) of one row, checking every word read. kOk or kErrTruncated.
template <class Out>
inline int32_t decode_row_checked(uint32_t* x, int64_t lanes, const DecodeTable<Out>& t,
                                  const uint8_t* words, int64_t total_words, int64_t* wi,
                                  uint8_t* o) {
    const uint32_t mask = (1u << t.prec) - 1;
    for (int64_t l = 0; l < lanes; l++) {
        const uint32_t slot = x[l] & mask;
        store_out<Out>(o, l, t.out[slot]);
        uint32_t xs = dec_advance(x[l], t.entry[slot], t.prec);
        if (dec_needs_word(xs)) {
            if (*wi >= total_words) return kErrTruncated;
            xs = dec_take_word(xs, load_le16(words + 2 * (*wi)++));
        }
        x[l] = xs;
    }
    return kOk;
}

// Decodes one full row; the caller has checked that at least 32 words remain. The symbol step
// runs over all lanes first (32 independent chains), then the renormalization walks the lanes
// in order with a branch-free select, since whether a lane needs a word is unpredictable.
template <class Out>
inline void decode_row_unchecked(uint32_t* x, const DecodeTable<Out>& t, const uint8_t* words,
                                 int64_t* wi, uint8_t* o) {
    const uint32_t mask = (1u << t.prec) - 1;
    Out v[kLanes];
    for (uint32_t l = 0; l < kLanes; l++) {
        const uint32_t slot = x[l] & mask;
        v[l] = t.out[slot];
        x[l] = dec_advance(x[l], t.entry[slot], t.prec);
    }
    memcpy(o, v, sizeof(v));
    const uint8_t* w = words + 2 * *wi;
    for (uint32_t l = 0; l < kLanes; l++) {
        const uint32_t need = dec_needs_word(x[l]);
        const uint32_t word = load_le16(w);
        x[l] = need ? dec_take_word(x[l], word) : x[l];
        w += 2 * need;
    }
    *wi = (w - words) / 2;
}

#if L2C_RANS_X86_SIMD
// For each 8-bit mask of lanes that need a word: the index of that lane's word among the 8
// words loaded from the read position (the k-th needing lane takes word k).
struct ExpandIndex {
    alignas(32) int32_t idx[256][8];
    ExpandIndex() {
        for (int m = 0; m < 256; m++) {
            int k = 0;
            for (int j = 0; j < 8; j++) idx[m][j] = (m >> j) & 1 ? k++ : 0;
        }
    }
};

inline const ExpandIndex& expand_index() {
    static const ExpandIndex table;
    return table;
}

#define L2C_AVX2 __attribute__((target("avx2,popcnt")))

// Gathers the output element of 8 slots, zero-extended to 32 bits. A 1- or 2-byte element is
// read as 4 bytes and masked, which the table's slack keeps inside the allocation.
template <class Out>
L2C_AVX2 inline __m256i gather_out(const Out* out, __m256i slot) {
    if constexpr (sizeof(Out) == 1) {
        return _mm256_and_si256(_mm256_i32gather_epi32((const int*)out, slot, 1), _mm256_set1_epi32(0xFF));
    } else if constexpr (sizeof(Out) == 2) {
        return _mm256_and_si256(_mm256_i32gather_epi32((const int*)out, slot, 2), _mm256_set1_epi32(0xFFFF));
    } else {
        return _mm256_i32gather_epi32((const int*)out, slot, 4);
    }
}

// Symbol step and renormalization of 8 lanes; their output elements go to `out`. Reads 8 words
// at *wi (the caller guarantees they exist) and advances *wi by the number taken.
template <class Out>
L2C_AVX2 inline void decode_vec8(__m256i& x, const DecodeTable<Out>& t, __m256i mask, __m128i prec,
                                 const uint8_t* words, int64_t* wi, __m256i& out) {
    const __m256i slot = _mm256_and_si256(x, mask);
    const __m256i e = _mm256_i32gather_epi32((const int*)t.entry, slot, 4);
    out = gather_out<Out>(t.out, slot);
    const __m256i f = _mm256_add_epi32(_mm256_and_si256(e, _mm256_set1_epi32(0xFFFF)), _mm256_set1_epi32(1));
    const __m256i bias = _mm256_srli_epi32(e, 16);
    x = _mm256_add_epi32(_mm256_mullo_epi32(f, _mm256_srl_epi32(x, prec)), bias);
    // x < 2^16 exactly when its high half is zero.
    const __m256i need = _mm256_cmpeq_epi32(_mm256_srli_epi32(x, 16), _mm256_setzero_si256());
    const int m = _mm256_movemask_ps(_mm256_castsi256_ps(need));
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)(words + 2 * *wi)));
    w = _mm256_permutevar8x32_epi32(w, _mm256_load_si256((const __m256i*)expand_index().idx[m]));
    x = _mm256_blendv_epi8(x, _mm256_or_si256(_mm256_slli_epi32(x, 16), w), need);
    *wi += _mm_popcnt_u32((unsigned)m);
}

// Writes the 32 output elements of a row (lanes 0-7 in a, 8-15 in b, ...).
template <class Out>
L2C_AVX2 inline void store_row(uint8_t* o, __m256i a, __m256i b, __m256i c, __m256i d) {
    if constexpr (sizeof(Out) == 4) {
        _mm256_storeu_si256((__m256i*)o, a);
        _mm256_storeu_si256((__m256i*)(o + 32), b);
        _mm256_storeu_si256((__m256i*)(o + 64), c);
        _mm256_storeu_si256((__m256i*)(o + 96), d);
    } else if constexpr (sizeof(Out) == 2) {
        // packus works within 128-bit halves: [a0-3 b0-3 | a4-7 b4-7]; 0xD8 restores the order.
        _mm256_storeu_si256((__m256i*)o, _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8));
        _mm256_storeu_si256((__m256i*)(o + 32), _mm256_permute4x64_epi64(_mm256_packus_epi32(c, d), 0xD8));
    } else {
        // Bytes land as [a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7]; the dword permute restores it.
        const __m256i bytes = _mm256_packus_epi16(_mm256_packus_epi32(a, b), _mm256_packus_epi32(c, d));
        _mm256_storeu_si256((__m256i*)o,
                            _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    }
}

// Decodes full rows from row 0 while at least 32 words remain (so no read can pass the end);
// returns the number of rows done, leaving the states in x and the read position in *wi.
template <class Out>
L2C_AVX2 int64_t decode_rows_avx2(uint32_t* x, int64_t rows, const DecodeTable<Out>& t,
                                  const uint8_t* words, int64_t total_words, int64_t* wi,
                                  uint8_t* out) {
    __m256i x0 = _mm256_loadu_si256((const __m256i*)x);
    __m256i x1 = _mm256_loadu_si256((const __m256i*)(x + 8));
    __m256i x2 = _mm256_loadu_si256((const __m256i*)(x + 16));
    __m256i x3 = _mm256_loadu_si256((const __m256i*)(x + 24));
    const __m256i mask = _mm256_set1_epi32((int)((1u << t.prec) - 1));
    const __m128i prec = _mm_cvtsi32_si128((int)t.prec);
    int64_t r = 0;
    for (; r < rows && total_words - *wi >= (int64_t)kLanes; r++) {
        __m256i o0, o1, o2, o3;
        decode_vec8<Out>(x0, t, mask, prec, words, wi, o0);
        decode_vec8<Out>(x1, t, mask, prec, words, wi, o1);
        decode_vec8<Out>(x2, t, mask, prec, words, wi, o2);
        decode_vec8<Out>(x3, t, mask, prec, words, wi, o3);
        store_row<Out>(out + r * kLanes * (int64_t)sizeof(Out), o0, o1, o2, o3);
    }
    _mm256_storeu_si256((__m256i*)x, x0);
    _mm256_storeu_si256((__m256i*)(x + 8), x1);
    _mm256_storeu_si256((__m256i*)(x + 16), x2);
    _mm256_storeu_si256((__m256i*)(x + 24), x3);
    return r;
}
#undef L2C_AVX2
#endif

// Decodes one chunk of n symbols into n elements of out. Returns kOk or the chunk's error.
template <class Out>
int32_t decode_chunk(const uint8_t* chunk, int64_t bytes, int64_t n, const DecodeTable<Out>& t,
                     uint8_t* out, int32_t level) {
    uint32_t x[kLanes];
    for (uint32_t l = 0; l < kLanes; l++) {
        x[l] = load_le32(chunk + 4 * l);
        if (x[l] < kStateLow) return kErrState;
    }
    const uint8_t* words = chunk + kChunkHeaderBytes;
    const int64_t total_words = (bytes - kChunkHeaderBytes) / 2;
    int64_t wi = 0;
    const int64_t full_rows = n / kLanes;
    int64_t r = 0;
#if L2C_RANS_X86_SIMD
    if (level >= simd::kAvx2) r = decode_rows_avx2<Out>(x, full_rows, t, words, total_words, &wi, out);
#else
    (void)level;
#endif
    for (; r < full_rows; r++) {
        uint8_t* o = out + r * kLanes * (int64_t)sizeof(Out);
        if (total_words - wi >= (int64_t)kLanes) {
            decode_row_unchecked<Out>(x, t, words, &wi, o);
        } else {
            const int32_t st = decode_row_checked<Out>(x, kLanes, t, words, total_words, &wi, o);
            if (st != kOk) return st;
        }
    }
    const int64_t tail = n - full_rows * kLanes;
    const int32_t st = decode_row_checked<Out>(x, tail, t, words, total_words, &wi,
                                               out + full_rows * kLanes * (int64_t)sizeof(Out));
    if (st != kOk) return st;
    for (uint32_t l = 0; l < kLanes; l++)
        if (x[l] != kStateLow) return kErrTrailing;
    return wi == total_words ? kOk : kErrTrailing;
}

// Decodes a window of `count` chunks holding n symbols in total (all chunks full but the last).
// offsets: count+1 byte offsets into payload (payload_bytes long). out: n elements of Out.
// sym_out: alphabet entries, the element written for each symbol (the symbol itself, or a value's
// bits). chunk_status: count entries, each kOk or that chunk's error. Returns kOk or the first
// error.
template <class Out>
int32_t decode_stream(const uint8_t* payload, int64_t payload_bytes, const int64_t* offsets,
                      int64_t count, int64_t n, int32_t chunk_symbols, const int32_t* freqs,
                      int32_t alphabet, int32_t prec, const Out* sym_out, uint8_t* out,
                      int32_t threads, int32_t* chunk_status) {
    if (sym_out == nullptr) return kErrArgument;
    const int32_t st = check_decode_window(payload, payload_bytes, offsets, count, n, chunk_symbols, freqs,
                                           alphabet, prec, out, chunk_status);
    if (st != kOk) return st;
    try {
        std::vector<uint32_t> entry;
        std::vector<Out> slot_out;
        build_slot_tables<Out>(freqs, alphabet, prec, sym_out, entry, slot_out);
        const DecodeTable<Out> table = {entry.data(), slot_out.data(), (uint32_t)prec};
        const int32_t level = simd::level();
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads))
        for (int64_t i = 0; i < count; i++) {
            chunk_status[i] = decode_chunk<Out>(payload + offsets[i], offsets[i + 1] - offsets[i],
                                                chunk_length(n, chunk_symbols, i), table,
                                                out + i * (int64_t)chunk_symbols * (int64_t)sizeof(Out),
                                                level);
        }
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    for (int64_t i = 0; i < count; i++)
        if (chunk_status[i] != kOk) return chunk_status[i];
    return kOk;
}

// Counts symbols: counts[s] for s < alphabet (alphabet entries, overwritten). A symbol >= alphabet
// gives kErrSymbol with its position in *err_pos (the first such position).
inline int32_t histogram_u16(const uint16_t* sym, int64_t n, int32_t alphabet, int64_t* counts,
                             int32_t threads, int64_t* err_pos) {
    if (n < 0 || (n > 0 && sym == nullptr) || counts == nullptr || err_pos == nullptr ||
        alphabet < 1 || alphabet > kMaxAlphabet)
        return kErrArgument;
    *err_pos = -1;
    const int nt = resolve_threads(threads);
    try {
        std::vector<int64_t> local((size_t)nt * alphabet, 0);
        std::vector<int64_t> bad(nt, -1);
#pragma omp parallel num_threads(nt)
        {
            const int t = omp_get_thread_num();
            const int used = omp_get_num_threads();
            const int64_t begin = n * t / used, end = n * (t + 1) / used;
            int64_t* c = local.data() + (size_t)t * alphabet;
            for (int64_t i = begin; i < end; i++) {
                const uint32_t s = sym[i];
                if (s >= (uint32_t)alphabet) {
                    bad[t] = i;
                    break;
                }
                c[s]++;
            }
        }
        for (int t = 0; t < nt; t++) {
            if (bad[t] >= 0) {
                *err_pos = bad[t];
                return kErrSymbol;
            }
        }
        for (int32_t s = 0; s < alphabet; s++) {
            int64_t sum = 0;
            for (int t = 0; t < nt; t++) sum += local[(size_t)t * alphabet + s];
            counts[s] = sum;
        }
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

}  // namespace cpu
}  // namespace rans
}  // namespace l2c
