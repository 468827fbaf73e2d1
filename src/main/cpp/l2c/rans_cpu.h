// CPU rANS coder over whole streams: chunks spread over OpenMP threads, the bitstream and math of
// l2c/rans_core.h. Every entry point validates its inputs and returns kOk or a negative Status;
// none throws, none reads or writes outside the buffers it is given.
//
// Buffers are host memory owned by the caller, any alignment. Symbol buffers hold n elements;
// payloads are the concatenated chunks; `offsets` are byte offsets into the payload, one per
// chunk plus the end. `threads <= 0` means all available.
//
// Speed: a Decoder builds its slot tables and output elements once (packed one-word slots for
// small tables), so symbols, fp32, fp16 and bf16 outputs share one loop that allocates nothing;
// it checks the word count once per row (a row takes at most 32 words), and only the last rows
// of a chunk take the checked path. On x86-64 CPUs with AVX2 (the level of l2c/simd.h) full rows
// decode 8 lanes per vector with gathers, two chunks in lockstep; with AVX-512, 16 lanes per
// vector, and a value map of at most 64 entries is read by permutes instead of a second gather.
// The encoder replaces the divide by an exact reciprocal and emits words without branches (AVX2:
// 8 lanes per step).
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

// The AVX2 and AVX-512 paths use the one SIMD level and targets of l2c/simd.h.
#define L2C_AVX2 L2C_TARGET_AVX2
#define L2C_AVX512 L2C_TARGET_AVX512
// A 16-lane step is inlined into its row loop, which keeps the states in registers.
#define L2C_AVX512_INLINE __attribute__((always_inline)) L2C_TARGET_AVX512 inline
// Unrolls the next loop fully under GCC (so that arrays of vectors stay in registers); nvcc's front
// end, which compiles this header for the GPU check, does not know the pragma.
#if defined(__CUDACC__)
#define L2C_UNROLL(n)
#else
#define L2C_PRAGMA(x) _Pragma(#x)
#define L2C_UNROLL(n) L2C_PRAGMA(GCC unroll n)
#endif

namespace l2c {
namespace rans {
namespace cpu {

inline int resolve_threads(int32_t threads) { return (int)requested_threads(threads); }

// Threads for `items` work items: no more than there are items, since waking an idle thread for
// nothing costs more than a small stream's decode (most tensors hold a few chunks).
inline int resolve_threads(int32_t threads, int64_t items) {
    const int want = resolve_threads(threads);
    return items < want ? (int)(items > 0 ? items : 1) : want;
}

// --- SIMD selection ---------------------------------------------------------------------------
// The coder uses the one process-wide level of l2c/simd.h (shared with the transform and counter
// kernels): its encoder's vector path runs at simd::kAvx2 and above; the decoder has an AVX2 path
// (8 lanes per vector) and an AVX-512 one (16 lanes per vector, simd::kAvx512).

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

// Codes lanes [0, lanes) of one row, from the last lane down (scalar). False when a symbol
// cannot be coded.
template <class Sym>
inline bool encode_row(const Sym* sym, int64_t lanes, const EncodeSymbol* table, uint32_t* x, uint8_t** pp) {
    uint8_t* p = *pp;
    for (int64_t l = lanes - 1; l >= 0; l--) {
        const EncodeSymbol e = table[sym[l]];
        if (e.sh2 == kUncodable) return false;
        uint32_t xs = x[l];
        // Whether a word goes out is a coin flip for the branch predictor: store it always,
        // keep it only when needed.
        const bool shed = xs > e.x_max;
        store_le16(p - 2, xs & 0xFFFFu);
        p -= shed ? 2 : 0;
        xs = shed ? xs >> kWordBits : xs;
        x[l] = enc_put_quotient(xs, enc_div(xs, e.rcp, e.sh1, e.sh2), e.cmpl_freq, e.cum);
    }
    *pp = p;
    return true;
}

#if L2C_X86_SIMD
// For each 8-bit mask of lanes that shed a word: where each of the 8 word slots of a store takes
// its word from, so that the shedding lanes' words sit in lane order at the top of the 8 slots
// (the store ends at the write position; the slots below are scratch that later words overwrite).
struct CompressIndex {
    alignas(32) int32_t idx[256][8];
    CompressIndex() {
        for (int m = 0; m < 256; m++) {
            const int k = __builtin_popcount((unsigned)m);
            int at = 8 - k;
            for (int j = 0; j < 8; j++) idx[m][j] = 0;
            for (int j = 0; j < 8; j++)
                if ((m >> j) & 1) idx[m][at++] = j;
        }
    }
};

inline const CompressIndex& compress_index() {
    static const CompressIndex table;
    return table;
}

// Codes 8 lanes of a row at once (the scalar encode_row's math lane by lane). The lanes' table
// entries are loaded as 16-byte rows and transposed into x_max, rcp, cum and the packed
// cmpl_freq | sh1 << 16 | sh2 << 24. False when a symbol cannot be coded (nothing is changed).
template <class Sym>
L2C_AVX2 inline bool encode_vec8(const Sym* s, const EncodeSymbol* table, __m256i& x, uint8_t*& p,
                                 const int32_t (*compress)[8]) {
    const __m256i a = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i*)(table + s[0]))),
                                              _mm_loadu_si128((const __m128i*)(table + s[4])), 1);
    const __m256i b = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i*)(table + s[1]))),
                                              _mm_loadu_si128((const __m128i*)(table + s[5])), 1);
    const __m256i c = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i*)(table + s[2]))),
                                              _mm_loadu_si128((const __m128i*)(table + s[6])), 1);
    const __m256i d = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i*)(table + s[3]))),
                                              _mm_loadu_si128((const __m128i*)(table + s[7])), 1);
    const __m256i t0 = _mm256_unpacklo_epi32(a, b), t1 = _mm256_unpackhi_epi32(a, b);
    const __m256i t2 = _mm256_unpacklo_epi32(c, d), t3 = _mm256_unpackhi_epi32(c, d);
    const __m256i x_max = _mm256_unpacklo_epi64(t0, t2);
    const __m256i rcp = _mm256_unpackhi_epi64(t0, t2);
    const __m256i cum = _mm256_unpacklo_epi64(t1, t3);
    const __m256i misc = _mm256_unpackhi_epi64(t1, t3);
    const __m256i sh2 = _mm256_srli_epi32(misc, 24);
    if (_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(sh2, _mm256_set1_epi32(kUncodable)))) != 0)
        return false;
    // Shedding lanes (x > x_max): their low halves go out in lane order, ending at p.
    const __m256i keep = _mm256_cmpeq_epi32(_mm256_max_epu32(x, x_max), x_max);
    const int m = ~_mm256_movemask_ps(_mm256_castsi256_ps(keep)) & 0xFF;
    const __m256i words = _mm256_permutevar8x32_epi32(_mm256_and_si256(x, _mm256_set1_epi32(0xFFFF)),
                                                      _mm256_load_si256((const __m256i*)compress[m]));
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(words, words), 0x08);
    _mm_storeu_si128((__m128i*)(p - 16), _mm256_castsi256_si128(packed));
    p -= 2 * _mm_popcnt_u32((unsigned)m);
    x = _mm256_blendv_epi8(_mm256_srli_epi32(x, 16), x, keep);
    // q = x / f by the reciprocal: t = mulhi(x, rcp), q = (t + ((x - t) >> sh1)) >> sh2.
    const __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(x, rcp), 32);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(rcp, 32));
    const __m256i t = _mm256_blend_epi32(even, odd, 0xAA);
    const __m256i sh1 = _mm256_and_si256(_mm256_srli_epi32(misc, 16), _mm256_set1_epi32(0xFF));
    const __m256i q = _mm256_srlv_epi32(_mm256_add_epi32(t, _mm256_srlv_epi32(_mm256_sub_epi32(x, t), sh1)), sh2);
    const __m256i cmpl = _mm256_and_si256(misc, _mm256_set1_epi32(0xFFFF));
    x = _mm256_add_epi32(_mm256_add_epi32(x, cum), _mm256_mullo_epi32(q, cmpl));
    return true;
}

// Codes full rows [0, rows) from the last down, 8 lanes at a time (lanes 24-31 first, as the
// scalar coder goes). False when a symbol cannot be coded.
template <class Sym>
L2C_AVX2 bool encode_rows_avx2(const Sym* sym, int64_t rows, const EncodeSymbol* table, uint32_t* xs, uint8_t** pp) {
    __m256i x0 = _mm256_loadu_si256((const __m256i*)xs);
    __m256i x1 = _mm256_loadu_si256((const __m256i*)(xs + 8));
    __m256i x2 = _mm256_loadu_si256((const __m256i*)(xs + 16));
    __m256i x3 = _mm256_loadu_si256((const __m256i*)(xs + 24));
    const int32_t(*compress)[8] = compress_index().idx;
    uint8_t* p = *pp;
    bool ok = true;
    for (int64_t r = rows - 1; r >= 0 && ok; r--) {
        const Sym* s = sym + r * kLanes;
        ok = encode_vec8(s + 24, table, x3, p, compress) && encode_vec8(s + 16, table, x2, p, compress) &&
             encode_vec8(s + 8, table, x1, p, compress) && encode_vec8(s, table, x0, p, compress);
    }
    _mm256_storeu_si256((__m256i*)xs, x0);
    _mm256_storeu_si256((__m256i*)(xs + 8), x1);
    _mm256_storeu_si256((__m256i*)(xs + 16), x2);
    _mm256_storeu_si256((__m256i*)(xs + 24), x3);
    *pp = p;
    return ok;
}
#endif

// Encodes one chunk of n symbols so that its bytes end at slot_end (words are written backwards
// from there, then the 32 states in front of them). The slot is at least 128 + 2n bytes, so the
// speculative word stores below p (2 bytes scalar, 16 bytes AVX2) always land inside it (in the
// space the states overwrite at the end). Returns kOk and the chunk size in *bytes, or kErrSymbol
// with the offending chunk position in *err_pos.
template <class Sym>
int32_t encode_chunk(const Sym* sym, int64_t n, const EncodeSymbol* table, uint8_t* slot_end,
                     int64_t* bytes, int64_t* err_pos, int32_t level) {
    uint32_t x[kLanes];
    for (uint32_t l = 0; l < kLanes; l++) x[l] = kStateLow;
    uint8_t* p = slot_end;
    const int64_t full_rows = n / kLanes;
    // Rows go from last to first, so the partial row (if any) is coded first.
    bool ok = encode_row(sym + full_rows * kLanes, n - full_rows * kLanes, table, x, &p);
    int64_t r = full_rows;
#if L2C_X86_SIMD
    if (ok && level >= simd::kAvx2) {
        ok = encode_rows_avx2(sym, r, table, x, &p);
        r = 0;
    }
#else
    (void)level;
#endif
    for (r = r - 1; ok && r >= 0; r--) ok = encode_row(sym + r * kLanes, kLanes, table, x, &p);
    if (!ok) {
        // Report the first bad position in the chunk, as the GPU encoder does.
        int64_t first = 0;
        while (table[sym[first]].sh2 != kUncodable) first++;
        *err_pos = first;
        return kErrSymbol;
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
        const int32_t level = simd::level();
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads))
        for (int64_t i = 0; i < chunks; i++) {
            const int64_t len = chunk_length(n, chunk_symbols, i);
            uint8_t* slot_end = payload + i * slot_stride + chunk_max_bytes(len);
            int64_t pos = -1;
            if (encode_chunk(sym + i * chunk_symbols, len, table.data(), slot_end, &sizes[i], &pos, level) != kOk)
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

// A decoder context: the slot tables of one frequency table, built once (check_table included)
// and reused by every decode of streams coded with it. Small tables (packed_table_fits: P <= 12,
// A <= 256, what FrequencyTable picks for 8-bit symbols; no f = 2^12) get one packed word per slot, so a step
// is one load from a table that stays in L1; others get build_decode_table's two tables, the
// ones the CUDA decoder uses. Immutable once built, so threads may share it.
struct DecodeContext {
    int32_t alphabet = 0;
    int32_t prec = 0;
    bool packed = false;
    std::vector<uint32_t> entry;  // 2^P: dec_pack_small (packed) or dec_pack
    std::vector<uint16_t> sym;    // general tables only: 2^P + 2 (slack for 32-bit gathers)
};

// kOk, kErrTable for a table check_table rejects, or kErrAlloc.
inline int32_t build_context(const int32_t* freqs, int32_t alphabet, int32_t prec, DecodeContext* ctx) {
    if (ctx == nullptr) return kErrArgument;
    const int32_t st = check_table(freqs, alphabet, prec, nullptr);
    if (st != kOk) return st;
    try {
        const size_t slots = (size_t)1 << prec;
        ctx->alphabet = alphabet;
        ctx->prec = prec;
        ctx->packed = packed_table_fits(freqs, alphabet, prec);
        ctx->entry.assign(slots, 0);
        if (ctx->packed) {
            ctx->sym.clear();
            build_packed_decode_table(freqs, alphabet, ctx->entry.data());
        } else {
            ctx->sym.assign(slots + 2, 0);
            build_decode_table(freqs, alphabet, prec, ctx->entry.data(), ctx->sym.data());
        }
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

#if L2C_X86_SIMD
// GCC 12's AVX-512 headers trip -W(maybe-)uninitialized on their own undefined-vector idiom (GCC
// bug 105593), wherever the 16-lane steps below are inlined; the pop is at the end of the file.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

// What a 16-lane decode step keeps in registers across rows: the slot mask, the precision and,
// for a mapped table of at most 64 symbols, the map itself, so that the element comes from a
// permute rather than a second gather (map_regs: 1, 2 or 4 registers of 16 entries; 0: gather).
struct Wide16 {
    __m512i mask;
    __m128i p;
    __m512i map[4];
    int map_regs;
};
#endif

// How a decode step reads its slot: step() returns the next state before renormalization and
// stores the element written for the slot; step8() and step16() do the same for 8 lanes (AVX2)
// and 16 lanes (AVX-512). Three kinds:
//  * PackedSymbols<Out>: packed table, the symbol itself is written (Out = uint8_t or uint16_t);
//  * PackedMapped<Out>: packed table, map[symbol] is written (values);
//  * SlotTable<Out>: general tables, out[slot] is written (one element per slot).
template <class Out>
struct PackedSymbols {
    const uint32_t* entry;
    uint32_t prec;
    uint32_t step(uint32_t x, Out* v) const {
        const uint32_t e = entry[dec_slot(x, prec)];
        *v = (Out)dec_packed_symbol(e);
        return dec_advance_packed(x, e, prec);
    }
#if L2C_X86_SIMD
    L2C_AVX2 __m256i step8(__m256i x, __m256i mask, __m128i p, __m256i* out) const {
        const __m256i e = _mm256_i32gather_epi32((const int*)entry, _mm256_and_si256(x, mask), 4);
        *out = _mm256_srli_epi32(e, 24);
        return advance_packed8(x, e, p);
    }
    L2C_AVX2 static __m256i advance_packed8(__m256i x, __m256i e, __m128i p) {
        const __m256i low12 = _mm256_set1_epi32(0xFFF);
        const __m256i f = _mm256_and_si256(e, low12);
        const __m256i bias = _mm256_and_si256(_mm256_srli_epi32(e, 12), low12);
        return _mm256_add_epi32(_mm256_mullo_epi32(f, _mm256_srl_epi32(x, p)), bias);
    }
    L2C_AVX512_INLINE __m512i step16(__m512i x, const Wide16& w, __m512i* out) const {
        const __m512i e = _mm512_i32gather_epi32(_mm512_and_si512(x, w.mask), (const void*)entry, 4);
        *out = _mm512_srli_epi32(e, 24);
        return advance_packed16(x, e, w.p);
    }
    L2C_AVX512_INLINE static __m512i advance_packed16(__m512i x, __m512i e, __m128i p) {
        const __m512i low12 = _mm512_set1_epi32(0xFFF);
        const __m512i f = _mm512_and_si512(e, low12);
        const __m512i bias = _mm512_and_si512(_mm512_srli_epi32(e, 12), low12);
        return _mm512_add_epi32(_mm512_mullo_epi32(f, _mm512_srl_epi32(x, p)), bias);
    }
#endif
};

template <class Out>
struct PackedMapped {
    const uint32_t* entry;
    const Out* map;  // A entries + 4 bytes of slack
    uint32_t prec;
    int32_t alphabet;
    uint32_t step(uint32_t x, Out* v) const {
        const uint32_t e = entry[dec_slot(x, prec)];
        *v = map[dec_packed_symbol(e)];
        return dec_advance_packed(x, e, prec);
    }
#if L2C_X86_SIMD
    L2C_AVX2 __m256i step8(__m256i x, __m256i mask, __m128i p, __m256i* out) const;
    L2C_AVX512 __m512i step16(__m512i x, const Wide16& w, __m512i* out) const;
#endif
};

template <class Out>
struct SlotTable {
    const uint32_t* entry;
    const Out* out;  // 2^P entries + 4 bytes of slack
    uint32_t prec;
    uint32_t step(uint32_t x, Out* v) const {
        const uint32_t slot = dec_slot(x, prec);
        *v = out[slot];
        return dec_advance(x, entry[slot], prec);
    }
#if L2C_X86_SIMD
    L2C_AVX2 __m256i step8(__m256i x, __m256i mask, __m128i p, __m256i* o) const;
    L2C_AVX512 __m512i step16(__m512i x, const Wide16& w, __m512i* o) const;
#endif
};

// Stores one output element; outputs may sit at any alignment (views into mapped files).
template <class Out>
inline void store_out(uint8_t* base, int64_t i, Out v) {
    memcpy(base + i * (int64_t)sizeof(Out), &v, sizeof(Out));
}

// Decodes lanes [0, lanes) of one row, checking every word read. kOk or kErrTruncated.
template <class Out, class Table>
inline int32_t decode_row_checked(uint32_t* x, int64_t lanes, const Table& t, const uint8_t* words,
                                  int64_t total_words, int64_t* wi, uint8_t* o) {
    for (int64_t l = 0; l < lanes; l++) {
        Out v;
        uint32_t xs = t.step(x[l], &v);
        store_out<Out>(o, l, v);
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
template <class Out, class Table>
inline void decode_row_unchecked(uint32_t* x, const Table& t, const uint8_t* words, int64_t* wi, uint8_t* o) {
    Out v[kLanes];
    for (uint32_t l = 0; l < kLanes; l++) x[l] = t.step(x[l], &v[l]);
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

#if L2C_X86_SIMD
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

// Gathers 8 elements of a table at the given indices, zero-extended to 32 bits. A 1- or 2-byte
// element is read as 4 bytes and masked, which the tables' slack keeps inside their allocations.
template <class Out>
L2C_AVX2 inline __m256i gather_out(const Out* table, __m256i index) {
    if constexpr (sizeof(Out) == 1) {
        return _mm256_and_si256(_mm256_i32gather_epi32((const int*)table, index, 1), _mm256_set1_epi32(0xFF));
    } else if constexpr (sizeof(Out) == 2) {
        return _mm256_and_si256(_mm256_i32gather_epi32((const int*)table, index, 2), _mm256_set1_epi32(0xFFFF));
    } else {
        return _mm256_i32gather_epi32((const int*)table, index, 4);
    }
}

template <class Out>
L2C_AVX2 __m256i PackedMapped<Out>::step8(__m256i x, __m256i mask, __m128i p, __m256i* out) const {
    const __m256i e = _mm256_i32gather_epi32((const int*)entry, _mm256_and_si256(x, mask), 4);
    *out = gather_out<Out>(map, _mm256_srli_epi32(e, 24));
    return PackedSymbols<Out>::advance_packed8(x, e, p);
}

template <class Out>
L2C_AVX2 __m256i SlotTable<Out>::step8(__m256i x, __m256i mask, __m128i p, __m256i* o) const {
    const __m256i slot = _mm256_and_si256(x, mask);
    const __m256i e = _mm256_i32gather_epi32((const int*)entry, slot, 4);
    *o = gather_out<Out>(out, slot);
    const __m256i f = _mm256_add_epi32(_mm256_and_si256(e, _mm256_set1_epi32(0xFFFF)), _mm256_set1_epi32(1));
    return _mm256_add_epi32(_mm256_mullo_epi32(f, _mm256_srl_epi32(x, p)), _mm256_srli_epi32(e, 16));
}

// Renormalizes 8 lanes: reads 8 words at *wi (the caller guarantees they exist) and advances *wi
// by the number taken.
L2C_AVX2 inline __m256i renormalize8(__m256i x, const uint8_t* words, int64_t* wi, const int32_t (*expand)[8]) {
    // x < 2^16 exactly when its high half is zero.
    const __m256i need = _mm256_cmpeq_epi32(_mm256_srli_epi32(x, 16), _mm256_setzero_si256());
    const int m = _mm256_movemask_ps(_mm256_castsi256_ps(need));
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)(words + 2 * *wi)));
    w = _mm256_permutevar8x32_epi32(w, _mm256_load_si256((const __m256i*)expand[m]));
    *wi += _mm_popcnt_u32((unsigned)m);
    return _mm256_blendv_epi8(x, _mm256_or_si256(_mm256_slli_epi32(x, 16), w), need);
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

// --- AVX-512: 16 lanes per vector, two vectors per row ------------------------------------------

// gather_out for 16 lanes.
template <class Out>
L2C_AVX512_INLINE __m512i gather_out16(const Out* table, __m512i index) {
    if constexpr (sizeof(Out) == 1) {
        return _mm512_and_si512(_mm512_i32gather_epi32(index, (const void*)table, 1), _mm512_set1_epi32(0xFF));
    } else if constexpr (sizeof(Out) == 2) {
        return _mm512_and_si512(_mm512_i32gather_epi32(index, (const void*)table, 2), _mm512_set1_epi32(0xFFFF));
    } else {
        return _mm512_i32gather_epi32(index, (const void*)table, 4);
    }
}

// The registers of a 16-lane step at precision prec, without a map.
L2C_AVX512 inline Wide16 wide16_unmapped(uint32_t prec) {
    Wide16 w;
    w.mask = _mm512_set1_epi32((int)((1u << prec) - 1));
    w.p = _mm_cvtsi32_si128((int)prec);
    for (__m512i& m : w.map) m = _mm512_setzero_si512();
    w.map_regs = 0;
    return w;
}

// The symbol and slot tables keep no map.
template <class Table>
L2C_AVX512 inline Wide16 wide16(const Table& t) {
    return wide16_unmapped(t.prec);
}

// A mapped table of at most 64 symbols keeps its map in 1, 2 or 4 registers.
template <class Out>
L2C_AVX512 inline Wide16 wide16(const PackedMapped<Out>& t) {
    Wide16 w = wide16_unmapped(t.prec);
    if (t.alphabet >= 1 && t.alphabet <= 64) {
        alignas(64) uint32_t v[64] = {0};
        for (int32_t s = 0; s < t.alphabet; s++) v[s] = (uint32_t)t.map[s];
        for (int k = 0; k < 4; k++) w.map[k] = _mm512_load_si512((const void*)(v + 16 * k));
        w.map_regs = t.alphabet <= 16 ? 1 : t.alphabet <= 32 ? 2 : 4;
    }
    return w;
}

// map[sym] from the registers of wide16 (map_regs > 0; every sym is below the alphabet).
L2C_AVX512_INLINE __m512i map_lookup16(const Wide16& w, __m512i sym) {
    if (w.map_regs == 1) return _mm512_permutexvar_epi32(sym, w.map[0]);
    const __m512i lo = _mm512_permutex2var_epi32(w.map[0], sym, w.map[1]);
    if (w.map_regs == 2) return lo;
    const __m512i hi = _mm512_permutex2var_epi32(w.map[2], sym, w.map[3]);
    return _mm512_mask_blend_epi32(_mm512_test_epi32_mask(sym, _mm512_set1_epi32(32)), lo, hi);
}

template <class Out>
L2C_AVX512_INLINE __m512i PackedMapped<Out>::step16(__m512i x, const Wide16& w, __m512i* out) const {
    const __m512i e = _mm512_i32gather_epi32(_mm512_and_si512(x, w.mask), (const void*)entry, 4);
    const __m512i sym = _mm512_srli_epi32(e, 24);
    *out = w.map_regs != 0 ? map_lookup16(w, sym) : gather_out16<Out>(map, sym);
    return PackedSymbols<Out>::advance_packed16(x, e, w.p);
}

template <class Out>
L2C_AVX512_INLINE __m512i SlotTable<Out>::step16(__m512i x, const Wide16& w, __m512i* o) const {
    const __m512i slot = _mm512_and_si512(x, w.mask);
    const __m512i e = _mm512_i32gather_epi32(slot, (const void*)entry, 4);
    *o = gather_out16<Out>(out, slot);
    const __m512i f = _mm512_add_epi32(_mm512_and_si512(e, _mm512_set1_epi32(0xFFFF)), _mm512_set1_epi32(1));
    return _mm512_add_epi32(_mm512_mullo_epi32(f, _mm512_srl_epi32(x, w.p)), _mm512_srli_epi32(e, 16));
}

// Renormalizes 16 lanes: reads 16 words at *wi (the caller guarantees they exist) and advances
// *wi by the number taken; the k-th lane that needs a word takes word k (an expand).
L2C_AVX512_INLINE __m512i renormalize16(__m512i x, const uint8_t* words, int64_t* wi) {
    const __mmask16 need = _mm512_cmplt_epu32_mask(x, _mm512_set1_epi32((int)kStateLow));
    const __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)(words + 2 * *wi)));
    *wi += _mm_popcnt_u32((unsigned)need);
    return _mm512_mask_or_epi32(x, need, _mm512_slli_epi32(x, 16), _mm512_maskz_expand_epi32(need, w));
}

// Writes 16 output elements (each zero-extended in a 32-bit lane, so narrowing is exact).
template <class Out>
L2C_AVX512_INLINE void store16(uint8_t* o, __m512i v) {
    if constexpr (sizeof(Out) == 4) {
        _mm512_storeu_si512((void*)o, v);
    } else if constexpr (sizeof(Out) == 2) {
        _mm256_storeu_si256((__m256i*)o, _mm512_cvtepi32_epi16(v));
    } else {
        _mm_storeu_si128((__m128i*)o, _mm512_cvtepi32_epi8(v));
    }
}

#endif  // L2C_X86_SIMD

// One chunk being decoded: lane states, its words and read position, the next row.
struct ChunkCursor {
    uint32_t x[kLanes];
    const uint8_t* words;
    int64_t total_words;
    int64_t wi;
    int64_t n;
    int64_t row;
    uint8_t* out;
};

// Reads a chunk's lane states. kOk or kErrState.
inline int32_t open_chunk(const uint8_t* chunk, int64_t bytes, int64_t n, uint8_t* out, ChunkCursor* c) {
    for (uint32_t l = 0; l < kLanes; l++) {
        c->x[l] = load_le32(chunk + 4 * l);
        if (c->x[l] < kStateLow) return kErrState;
    }
    c->words = chunk + kChunkHeaderBytes;
    c->total_words = (bytes - kChunkHeaderBytes) / 2;
    c->wi = 0;
    c->n = n;
    c->row = 0;
    c->out = out;
    return kOk;
}

// Decodes the rows left from c.row, the tail, and checks the end state. kOk or the chunk's error.
template <class Out, class Table>
int32_t finish_chunk(ChunkCursor& c, const Table& t) {
    const int64_t full_rows = c.n / kLanes;
    for (; c.row < full_rows; c.row++) {
        uint8_t* o = c.out + c.row * kLanes * (int64_t)sizeof(Out);
        if (c.total_words - c.wi >= (int64_t)kLanes) {
            decode_row_unchecked<Out>(c.x, t, c.words, &c.wi, o);
        } else {
            const int32_t st = decode_row_checked<Out>(c.x, kLanes, t, c.words, c.total_words, &c.wi, o);
            if (st != kOk) return st;
        }
    }
    const int64_t tail = c.n - full_rows * kLanes;
    const int32_t st = decode_row_checked<Out>(c.x, tail, t, c.words, c.total_words, &c.wi,
                                               c.out + full_rows * kLanes * (int64_t)sizeof(Out));
    if (st != kOk) return st;
    for (uint32_t l = 0; l < kLanes; l++)
        if (c.x[l] != kStateLow) return kErrTrailing;
    return c.wi == c.total_words ? kOk : kErrTrailing;
}

#if L2C_X86_SIMD
// Decodes full rows while a full row is left and at least 32 words remain (so no read can pass
// the chunk's end); advances the cursor's row, states and read position. The four groups' symbol
// steps are independent, so they are issued together before the renormalizations, which depend
// on each other through the read position. Everything the loop touches is a local, so the states
// and the read position stay in registers.
template <class Out, class Table>
L2C_AVX2 void decode_rows_avx2(ChunkCursor& c, const Table& table) {
    const Table t = table;  // a local copy: the output stores cannot alias the table pointers
    __m256i x0 = _mm256_loadu_si256((const __m256i*)c.x);
    __m256i x1 = _mm256_loadu_si256((const __m256i*)(c.x + 8));
    __m256i x2 = _mm256_loadu_si256((const __m256i*)(c.x + 16));
    __m256i x3 = _mm256_loadu_si256((const __m256i*)(c.x + 24));
    const __m256i mask = _mm256_set1_epi32((int)((1u << t.prec) - 1));
    const __m128i p = _mm_cvtsi32_si128((int)t.prec);
    const int32_t(*expand)[8] = expand_index().idx;
    const uint8_t* words = c.words;
    int64_t wi = c.wi;
    const int64_t last_read = c.total_words - (int64_t)kLanes;  // a row may start while wi <= this
    const int64_t rows = c.n / kLanes;
    uint8_t* out = c.out + c.row * kLanes * (int64_t)sizeof(Out);
    int64_t r = c.row;
    for (; r < rows && wi <= last_read; r++) {
        __m256i o0, o1, o2, o3;
        x0 = t.step8(x0, mask, p, &o0);
        x1 = t.step8(x1, mask, p, &o1);
        x2 = t.step8(x2, mask, p, &o2);
        x3 = t.step8(x3, mask, p, &o3);
        x0 = renormalize8(x0, words, &wi, expand);
        x1 = renormalize8(x1, words, &wi, expand);
        x2 = renormalize8(x2, words, &wi, expand);
        x3 = renormalize8(x3, words, &wi, expand);
        store_row<Out>(out, o0, o1, o2, o3);
        out += kLanes * sizeof(Out);
    }
    c.row = r;
    c.wi = wi;
    _mm256_storeu_si256((__m256i*)c.x, x0);
    _mm256_storeu_si256((__m256i*)(c.x + 8), x1);
    _mm256_storeu_si256((__m256i*)(c.x + 16), x2);
    _mm256_storeu_si256((__m256i*)(c.x + 24), x3);
}

// decode_rows_avx2 for two chunks in lockstep, while both have a full row left and 32 words: one
// chunk's four groups leave the core waiting on the gathers' latency, eight keep it busy (about
// 10 % faster on MiniLM's symbols, benchmarks/README.md).
template <class Out, class Table>
L2C_AVX2 void decode_rows_avx2_pair(ChunkCursor& c, ChunkCursor& d, const Table& table) {
    const Table t = table;
    __m256i x0 = _mm256_loadu_si256((const __m256i*)c.x), x1 = _mm256_loadu_si256((const __m256i*)(c.x + 8));
    __m256i x2 = _mm256_loadu_si256((const __m256i*)(c.x + 16)), x3 = _mm256_loadu_si256((const __m256i*)(c.x + 24));
    __m256i y0 = _mm256_loadu_si256((const __m256i*)d.x), y1 = _mm256_loadu_si256((const __m256i*)(d.x + 8));
    __m256i y2 = _mm256_loadu_si256((const __m256i*)(d.x + 16)), y3 = _mm256_loadu_si256((const __m256i*)(d.x + 24));
    const __m256i mask = _mm256_set1_epi32((int)((1u << t.prec) - 1));
    const __m128i p = _mm_cvtsi32_si128((int)t.prec);
    const int32_t(*expand)[8] = expand_index().idx;
    const uint8_t* cw = c.words;
    const uint8_t* dw = d.words;
    int64_t ci = c.wi, di = d.wi;
    const int64_t c_last = c.total_words - (int64_t)kLanes, d_last = d.total_words - (int64_t)kLanes;
    const int64_t c_rows = c.n / kLanes - c.row, d_rows = d.n / kLanes - d.row;
    const int64_t rows = c_rows < d_rows ? c_rows : d_rows;
    uint8_t* co = c.out + c.row * kLanes * (int64_t)sizeof(Out);
    uint8_t* dout = d.out + d.row * kLanes * (int64_t)sizeof(Out);
    int64_t r = 0;
    for (; r < rows && ci <= c_last && di <= d_last; r++) {
        __m256i o0, o1, o2, o3, q0, q1, q2, q3;
        x0 = t.step8(x0, mask, p, &o0);
        y0 = t.step8(y0, mask, p, &q0);
        x1 = t.step8(x1, mask, p, &o1);
        y1 = t.step8(y1, mask, p, &q1);
        x2 = t.step8(x2, mask, p, &o2);
        y2 = t.step8(y2, mask, p, &q2);
        x3 = t.step8(x3, mask, p, &o3);
        y3 = t.step8(y3, mask, p, &q3);
        x0 = renormalize8(x0, cw, &ci, expand);
        y0 = renormalize8(y0, dw, &di, expand);
        x1 = renormalize8(x1, cw, &ci, expand);
        y1 = renormalize8(y1, dw, &di, expand);
        x2 = renormalize8(x2, cw, &ci, expand);
        y2 = renormalize8(y2, dw, &di, expand);
        x3 = renormalize8(x3, cw, &ci, expand);
        y3 = renormalize8(y3, dw, &di, expand);
        store_row<Out>(co, o0, o1, o2, o3);
        store_row<Out>(dout, q0, q1, q2, q3);
        co += kLanes * sizeof(Out);
        dout += kLanes * sizeof(Out);
    }
    c.row += r;
    d.row += r;
    c.wi = ci;
    d.wi = di;
    _mm256_storeu_si256((__m256i*)c.x, x0); _mm256_storeu_si256((__m256i*)(c.x + 8), x1);
    _mm256_storeu_si256((__m256i*)(c.x + 16), x2); _mm256_storeu_si256((__m256i*)(c.x + 24), x3);
    _mm256_storeu_si256((__m256i*)d.x, y0); _mm256_storeu_si256((__m256i*)(d.x + 8), y1);
    _mm256_storeu_si256((__m256i*)(d.x + 16), y2); _mm256_storeu_si256((__m256i*)(d.x + 24), y3);
}

// decode_rows_avx2 at 16 lanes per vector (a row is two vectors) for K chunks in lockstep, while
// each has a full row left and 32 words: the chunks' renormalizations are independent chains, so
// more chunks hide more of the gathers' latency.
template <int K, class Out, class Table>
L2C_AVX512 void decode_rows_avx512(ChunkCursor* const* c, const Table& table) {
    const Table t = table;
    const Wide16 w = wide16(t);
    __m512i x[2 * K];
    const uint8_t* words[K];
    int64_t wi[K], last[K];
    uint8_t* out[K];
    int64_t rows = INT64_MAX;
L2C_UNROLL(8)
    for (int k = 0; k < K; k++) {
        x[2 * k] = _mm512_loadu_si512((const void*)c[k]->x);
        x[2 * k + 1] = _mm512_loadu_si512((const void*)(c[k]->x + 16));
        words[k] = c[k]->words;
        wi[k] = c[k]->wi;
        last[k] = c[k]->total_words - (int64_t)kLanes;  // a row may start while wi <= this
        out[k] = c[k]->out + c[k]->row * kLanes * (int64_t)sizeof(Out);
        const int64_t left = c[k]->n / kLanes - c[k]->row;
        rows = left < rows ? left : rows;
    }
    int64_t r = 0;
    for (; r < rows; r++) {
        bool room = true;
L2C_UNROLL(8)
        for (int k = 0; k < K; k++) room &= wi[k] <= last[k];
        if (!room) break;
        __m512i o[2 * K];
L2C_UNROLL(16)
        for (int j = 0; j < 2 * K; j++) x[j] = t.step16(x[j], w, &o[j]);
        // Within a chunk its first vector takes words before its second; chunks alternate.
L2C_UNROLL(2)
        for (int v = 0; v < 2; v++) {
L2C_UNROLL(8)
            for (int k = 0; k < K; k++) x[2 * k + v] = renormalize16(x[2 * k + v], words[k], &wi[k]);
        }
L2C_UNROLL(8)
        for (int k = 0; k < K; k++) {
            store16<Out>(out[k], o[2 * k]);
            store16<Out>(out[k] + 16 * sizeof(Out), o[2 * k + 1]);
            out[k] += kLanes * sizeof(Out);
        }
    }
L2C_UNROLL(8)
    for (int k = 0; k < K; k++) {
        c[k]->row += r;
        c[k]->wi = wi[k];
        _mm512_storeu_si512((void*)c[k]->x, x[2 * k]);
        _mm512_storeu_si512((void*)(c[k]->x + 16), x[2 * k + 1]);
    }
}
#endif

// Opens chunk i of a window into c (its output starts at element i * chunk_symbols of out).
template <class Out>
int32_t open_window_chunk(const uint8_t* payload, const int64_t* offsets, int64_t i, int64_t n,
                          int32_t chunk_symbols, uint8_t* out, ChunkCursor* c) {
    return open_chunk(payload + offsets[i], offsets[i + 1] - offsets[i], chunk_length(n, chunk_symbols, i),
                      out + i * (int64_t)chunk_symbols * (int64_t)sizeof(Out), c);
}

// Decodes chunk i of a window; kOk or the chunk's error.
template <class Out, class Table>
int32_t decode_chunk(const uint8_t* payload, const int64_t* offsets, int64_t i, int64_t n, int32_t chunk_symbols,
                     const Table& t, uint8_t* out, int32_t level) {
    ChunkCursor c;
    const int32_t st = open_window_chunk<Out>(payload, offsets, i, n, chunk_symbols, out, &c);
    if (st != kOk) return st;
#if L2C_X86_SIMD
    ChunkCursor* one = &c;
    if (level >= simd::kAvx512) decode_rows_avx512<1, Out>(&one, t);
    else if (level >= simd::kAvx2) decode_rows_avx2<Out>(c, t);
#else
    (void)level;
#endif
    return finish_chunk<Out>(c, t);
}

// Decodes chunks i and i + 1 of a window into their statuses, in lockstep where both have rows.
template <class Out, class Table>
void decode_chunk_pair(const uint8_t* payload, const int64_t* offsets, int64_t i, int64_t n, int32_t chunk_symbols,
                       const Table& t, uint8_t* out, int32_t level, int32_t* chunk_status) {
    ChunkCursor c[2];
    for (int k = 0; k < 2; k++)
        chunk_status[i + k] = open_window_chunk<Out>(payload, offsets, i + k, n, chunk_symbols, out, &c[k]);
#if L2C_X86_SIMD
    if (level >= simd::kAvx2) {
        if (chunk_status[i] == kOk && chunk_status[i + 1] == kOk) {
            ChunkCursor* both[2] = {&c[0], &c[1]};
            if (level >= simd::kAvx512) decode_rows_avx512<2, Out>(both, t);
            else decode_rows_avx2_pair<Out>(c[0], c[1], t);
        }
        for (int k = 0; k < 2; k++) {
            ChunkCursor* one = &c[k];
            if (chunk_status[i + k] != kOk) continue;
            if (level >= simd::kAvx512) decode_rows_avx512<1, Out>(&one, t);
            else decode_rows_avx2<Out>(c[k], t);
        }
    }
#else
    (void)level;
#endif
    for (int k = 0; k < 2; k++)
        if (chunk_status[i + k] == kOk) chunk_status[i + k] = finish_chunk<Out>(c[k], t);
}

// Decodes the chunks of a window that passed check_window_args and check_offsets with one table.
template <class Out, class Table>
int32_t decode_chunks(const uint8_t* payload, const int64_t* offsets, int64_t count, int64_t n,
                      int32_t chunk_symbols, const Table& table, uint8_t* out, int32_t threads,
                      int32_t* chunk_status) {
    const int32_t level = simd::level();
    // Work items are pairs of chunks (decode_chunk_pair), the last one alone when count is odd.
    const int64_t pairs = count / 2;
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads, pairs + count % 2))
    for (int64_t k = 0; k <= pairs; k++) {
        if (k < pairs) decode_chunk_pair<Out>(payload, offsets, 2 * k, n, chunk_symbols, table, out, level, chunk_status);
        else if (count % 2 != 0) chunk_status[count - 1] = decode_chunk<Out>(payload, offsets, count - 1, n, chunk_symbols, table, out, level);
    }
    for (int64_t i = 0; i < count; i++)
        if (chunk_status[i] != kOk) return chunk_status[i];
    return kOk;
}

// The element table a decode reads besides the slot tables, built once with its decoder from
// sym_out (A elements written for the symbols; null: the symbols themselves). Under packed tables
// it is sym_out indexed by symbol; under general tables one element per slot. Empty where the
// symbols come straight from the context (packed tables, or general ones with uint16 output).
// 4 bytes of slack keep 32-bit gathers inside it.
template <class Out>
void build_output_table(const DecodeContext& ctx, const Out* sym_out, std::vector<Out>& table) {
    table.clear();
    if (ctx.packed) {
        if (sym_out == nullptr) return;
        table.assign((size_t)ctx.alphabet + 4, Out(0));
        memcpy(table.data(), sym_out, (size_t)ctx.alphabet * sizeof(Out));
        return;
    }
    if (sym_out == nullptr && sizeof(Out) == 2) return;
    const size_t slots = (size_t)1 << ctx.prec;
    table.assign(slots + 4, Out(0));
    for (size_t k = 0; k < slots; k++) table[k] = sym_out == nullptr ? (Out)ctx.sym[k] : sym_out[ctx.sym[k]];
}

// Decodes a window of `count` chunks holding n symbols in total (all chunks full but the last)
// with a built context and the element table build_output_table made for it. offsets: count+1
// byte offsets into payload (payload_bytes long). out: n elements of Out. chunk_status: count
// entries, each kOk or that chunk's error. Returns kOk or the first error. Allocates nothing.
template <class Out>
int32_t decode_stream(const DecodeContext& ctx, const std::vector<Out>& table_out, const uint8_t* payload,
                      int64_t payload_bytes, const int64_t* offsets, int64_t count, int64_t n, int32_t chunk_symbols,
                      uint8_t* out, int32_t threads, int32_t* chunk_status) {
    int32_t st = check_window_args(payload, payload_bytes, offsets, count, n, chunk_symbols, out, chunk_status);
    if (st != kOk) return st;
    if (ctx.entry.empty()) return kErrArgument;
    if ((st = check_offsets(offsets, count, payload_bytes, chunk_status)) != kOk) return st;
    const uint32_t prec = (uint32_t)ctx.prec;
    if (ctx.packed && table_out.empty()) {
        const PackedSymbols<Out> t = {ctx.entry.data(), prec};
        return decode_chunks<Out>(payload, offsets, count, n, chunk_symbols, t, out, threads, chunk_status);
    }
    if (ctx.packed) {
        const PackedMapped<Out> t = {ctx.entry.data(), table_out.data(), prec, ctx.alphabet};
        return decode_chunks<Out>(payload, offsets, count, n, chunk_symbols, t, out, threads, chunk_status);
    }
    if constexpr (sizeof(Out) == 2) {
        if (table_out.empty()) {
            const SlotTable<Out> t = {ctx.entry.data(), (const Out*)ctx.sym.data(), prec};
            return decode_chunks<Out>(payload, offsets, count, n, chunk_symbols, t, out, threads, chunk_status);
        }
    }
    if (table_out.empty()) return kErrArgument;  // no element table for this output
    const SlotTable<Out> t = {ctx.entry.data(), table_out.data(), prec};
    return decode_chunks<Out>(payload, offsets, count, n, chunk_symbols, t, out, threads, chunk_status);
}

// A decoder with its output fixed: the symbols themselves (uint8 or uint16) or each symbol's
// value as f32, f16 or bf16 bits (little-endian). What a caller holding an opened stream keeps and
// reuses; immutable once built, so threads may share it.
enum DecodeOutput : int32_t { kOutU8 = 0, kOutU16 = 1, kOutValues = 2 };

struct Decoder {
    DecodeContext ctx;
    int32_t output = kOutU16;
    int32_t value_type = kValueF32;
    // build_output_table's element table for the output: uint8 symbols, uint16 symbols or f16 /
    // bf16 values, f32 values.
    std::vector<uint8_t> table8;
    std::vector<uint16_t> table16;
    std::vector<uint32_t> table32;
};

// values: A floats for kOutValues (else ignored). kOk, kErrArgument, kErrTable or kErrAlloc.
inline int32_t build_decoder(const int32_t* freqs, int32_t alphabet, int32_t prec, int32_t output,
                             const float* values, int32_t value_type, Decoder* d) {
    if (d == nullptr || (output != kOutU8 && output != kOutU16 && output != kOutValues)) return kErrArgument;
    if (output == kOutValues && check_value_decode(values, alphabet, value_type, 0, 0) != kOk) return kErrArgument;
    const int32_t st = build_context(freqs, alphabet, prec, &d->ctx);
    if (st != kOk) return st;
    if (output == kOutU8 && alphabet > 256) return kErrArgument;
    d->output = output;
    d->value_type = value_type;
    try {
        if (output == kOutU8) {
            build_output_table<uint8_t>(d->ctx, nullptr, d->table8);
        } else if (output == kOutU16) {
            build_output_table<uint16_t>(d->ctx, nullptr, d->table16);
        } else if (value_type == kValueF32) {
            std::vector<uint32_t> bits((size_t)alphabet);
            convert_values(values, alphabet, value_type, bits.data());
            build_output_table<uint32_t>(d->ctx, bits.data(), d->table32);
        } else {
            std::vector<uint16_t> bits((size_t)alphabet);
            convert_values(values, alphabet, value_type, bits.data());
            build_output_table<uint16_t>(d->ctx, bits.data(), d->table16);
        }
    } catch (const std::bad_alloc&) {
        return kErrAlloc;
    }
    return kOk;
}

// Bytes per output element of a decoder.
inline int32_t output_bytes(const Decoder& d) {
    return d.output == kOutU8 ? 1 : d.output == kOutU16 ? 2 : value_bytes(d.value_type);
}

// Decodes a window (decode_stream's arguments) into out (out_bytes long).
inline int32_t decode(const Decoder& d, const uint8_t* payload, int64_t payload_bytes, const int64_t* offsets,
                      int64_t count, int64_t n, int32_t chunk_symbols, uint8_t* out, int64_t out_bytes,
                      int32_t threads, int32_t* chunk_status) {
    if (n < 0 || out_bytes < 0 || out_bytes / output_bytes(d) < n) return kErrCapacity;
    if (d.output == kOutU8)
        return decode_stream<uint8_t>(d.ctx, d.table8, payload, payload_bytes, offsets, count, n, chunk_symbols, out,
                                      threads, chunk_status);
    if (d.output == kOutValues && d.value_type == kValueF32)
        return decode_stream<uint32_t>(d.ctx, d.table32, payload, payload_bytes, offsets, count, n, chunk_symbols,
                                       out, threads, chunk_status);
    return decode_stream<uint16_t>(d.ctx, d.table16, payload, payload_bytes, offsets, count, n, chunk_symbols, out,
                                   threads, chunk_status);
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

#undef L2C_AVX2
#undef L2C_AVX512
#undef L2C_AVX512_INLINE
#undef L2C_UNROLL
#ifdef L2C_PRAGMA
#undef L2C_PRAGMA
#endif
#if L2C_X86_SIMD
#pragma GCC diagnostic pop
#endif
