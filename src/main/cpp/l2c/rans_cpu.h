// CPU rANS coder over whole streams: chunks spread over OpenMP threads, the bitstream and math of
// l2c/rans_core.h. Every entry point validates its inputs and returns kOk or a negative Status;
// none throws, none reads or writes outside the buffers it is given.
//
// Buffers are host memory owned by the caller, any alignment. Symbol buffers hold n elements;
// payloads are the concatenated chunks; `offsets` are byte offsets into the payload, one per
// chunk plus the end. `threads <= 0` means all available.
#pragma once
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include <new>
#include <vector>

#include "l2c/rans_core.h"

namespace l2c {
namespace rans {
namespace cpu {

inline int resolve_threads(int32_t threads) { return threads > 0 ? threads : omp_get_max_threads(); }

// Per-symbol encoder table, sized to every value the symbol type can hold, so that one test
// (f == 0) rejects both symbols >= A and symbols of zero frequency.
struct EncodeTable {
    std::vector<uint32_t> freq, cum;
    EncodeTable(const int32_t* freqs, int32_t alphabet, size_t capacity)
        : freq(capacity, 0), cum(capacity, 0) {
        uint32_t c = 0;
        for (int32_t s = 0; s < alphabet && (size_t)s < capacity; s++) {
            freq[s] = (uint32_t)freqs[s];
            cum[s] = c;
            c += (uint32_t)freqs[s];
        }
    }
};

// Encodes one chunk of n symbols so that its bytes end at slot_end (words are written backwards
// from there, then the 32 states in front of them). Returns kOk and the chunk size in *bytes,
// or kErrSymbol with the offending chunk position in *err_pos.
template <class Sym>
int32_t encode_chunk(const Sym* sym, int64_t n, const uint32_t* freq, const uint32_t* cum,
                     uint32_t prec, uint8_t* slot_end, int64_t* bytes, int64_t* err_pos) {
    uint32_t x[kLanes];
    for (uint32_t l = 0; l < kLanes; l++) x[l] = kStateLow;
    uint8_t* p = slot_end;
    const int64_t rows = (n + kLanes - 1) / kLanes;
    for (int64_t r = rows - 1; r >= 0; r--) {
        const int64_t base = r * kLanes;
        const int64_t here = n - base < (int64_t)kLanes ? n - base : (int64_t)kLanes;
        for (int64_t l = here - 1; l >= 0; l--) {
            const uint32_t s = sym[base + l];
            const uint32_t f = freq[s];
            if (f == 0) {
                // Report the first bad position in the chunk, as the GPU encoder does.
                int64_t first = 0;
                while (freq[sym[first]] != 0) first++;
                *err_pos = first;
                return kErrSymbol;
            }
            uint32_t xs = x[l];
            if (enc_needs_word(xs, f, prec)) {
                p -= 2;
                store_le16(p, xs & 0xFFFFu);
                xs >>= kWordBits;
            }
            x[l] = enc_put(xs, f, cum[s], prec);
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
        EncodeTable table(freqs, alphabet, (size_t)1 << (8 * sizeof(Sym)));
        std::vector<int64_t> sizes(chunks), bad(chunks, -1);
        const int64_t slot_stride = chunk_max_bytes(chunk_symbols);
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads))
        for (int64_t i = 0; i < chunks; i++) {
            const int64_t len = chunk_length(n, chunk_symbols, i);
            uint8_t* slot_end = payload + i * slot_stride + chunk_max_bytes(len);
            int64_t pos = -1;
            if (encode_chunk(sym + i * chunk_symbols, len, table.freq.data(), table.cum.data(),
                             (uint32_t)prec, slot_end, &sizes[i], &pos) != kOk)
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

// Stores one output element; outputs may sit at any alignment (views into mapped files).
template <class Out>
inline void store_out(uint8_t* base, int64_t i, Out v) {
    memcpy(base + i * (int64_t)sizeof(Out), &v, sizeof(Out));
}

// Decodes one chunk of n symbols; element i of out (type Out) = emit(symbol i).
// Returns kOk or the chunk's error.
template <class Out, class Emit>
int32_t decode_chunk(const uint8_t* chunk, int64_t bytes, int64_t n, const uint32_t* slot_entry,
                     const uint16_t* slot_sym, uint32_t prec, uint8_t* out, Emit emit) {
    uint32_t x[kLanes];
    for (uint32_t l = 0; l < kLanes; l++) {
        x[l] = load_le32(chunk + 4 * l);
        if (x[l] < kStateLow) return kErrState;
    }
    const uint8_t* words = chunk + kChunkHeaderBytes;
    const int64_t total_words = (bytes - kChunkHeaderBytes) / 2;
    const uint32_t mask = (1u << prec) - 1;
    int64_t wi = 0;
    const int64_t full_rows = n / kLanes;
    for (int64_t r = 0; r < full_rows; r++) {
        uint8_t* o = out + r * kLanes * (int64_t)sizeof(Out);
        if (total_words - wi >= (int64_t)kLanes) {
            // At most 32 words are taken in a row, so every load below is in bounds. The symbol
            // step runs over all lanes first (32 independent chains), then the renormalization
            // walks the lanes in order with a branch-free select, since whether a lane needs a
            // word is unpredictable.
            for (uint32_t l = 0; l < kLanes; l++) {
                const uint32_t slot = x[l] & mask;
                store_out<Out>(o, l, emit(slot_sym[slot]));
                x[l] = dec_advance(x[l], slot_entry[slot], prec);
            }
            for (uint32_t l = 0; l < kLanes; l++) {
                const uint32_t w = load_le16(words + 2 * wi);
                const uint32_t need = dec_needs_word(x[l]);
                x[l] = need ? dec_take_word(x[l], w) : x[l];
                wi += need;
            }
        } else {
            for (uint32_t l = 0; l < kLanes; l++) {
                const uint32_t slot = x[l] & mask;
                store_out<Out>(o, l, emit(slot_sym[slot]));
                uint32_t xs = dec_advance(x[l], slot_entry[slot], prec);
                if (dec_needs_word(xs)) {
                    if (wi >= total_words) return kErrTruncated;
                    xs = dec_take_word(xs, load_le16(words + 2 * wi++));
                }
                x[l] = xs;
            }
        }
    }
    const int64_t tail = n - full_rows * kLanes;
    uint8_t* o = out + full_rows * kLanes * (int64_t)sizeof(Out);
    for (int64_t l = 0; l < tail; l++) {
        const uint32_t slot = x[l] & mask;
        store_out<Out>(o, l, emit(slot_sym[slot]));
        uint32_t xs = dec_advance(x[l], slot_entry[slot], prec);
        if (dec_needs_word(xs)) {
            if (wi >= total_words) return kErrTruncated;
            xs = dec_take_word(xs, load_le16(words + 2 * wi++));
        }
        x[l] = xs;
    }
    for (uint32_t l = 0; l < kLanes; l++)
        if (x[l] != kStateLow) return kErrTrailing;
    return wi == total_words ? kOk : kErrTrailing;
}

// Decodes a window of `count` chunks holding n symbols in total (all chunks full but the last).
// offsets: count+1 byte offsets into payload (payload_bytes long). out: n elements of Out.
// chunk_status: count entries, each kOk or that chunk's error. Returns kOk or the first error.
template <class Out, class Emit>
int32_t decode_stream(const uint8_t* payload, int64_t payload_bytes, const int64_t* offsets,
                      int64_t count, int64_t n, int32_t chunk_symbols, const int32_t* freqs,
                      int32_t alphabet, int32_t prec, uint8_t* out, int32_t threads,
                      int32_t* chunk_status, Emit emit) {
    if (count < 0 || n < 0 || offsets == nullptr || chunk_status == nullptr ||
        (payload == nullptr && payload_bytes != 0) || payload_bytes < 0 ||
        (n > 0 && out == nullptr) || !valid_chunk_symbols(chunk_symbols) ||
        chunk_count(n, chunk_symbols) != count)
        return kErrArgument;
    for (int64_t i = 0; i < count; i++) chunk_status[i] = kOk;
    int32_t st = check_table(freqs, alphabet, prec, nullptr);
    if (st != kOk) return st;
    st = check_offsets(offsets, count, payload_bytes, chunk_status);
    if (st != kOk) return st;
    try {
        std::vector<uint32_t> slot_entry((size_t)1 << prec);
        std::vector<uint16_t> slot_sym((size_t)1 << prec);
        build_decode_table(freqs, alphabet, prec, slot_entry.data(), slot_sym.data());
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads))
        for (int64_t i = 0; i < count; i++) {
            chunk_status[i] = decode_chunk<Out>(payload + offsets[i], offsets[i + 1] - offsets[i],
                                           chunk_length(n, chunk_symbols, i), slot_entry.data(),
                                           slot_sym.data(), (uint32_t)prec,
                                           out + i * (int64_t)chunk_symbols * (int64_t)sizeof(Out),
                                           emit);
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
