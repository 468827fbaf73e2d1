// l2c's CPU rANS decoder against htscodecs' rANS 4x16 order-0 with its 32-way AVX2 path (Debian
// libhtscodecs-dev), on the same bytes in one process: the MiniLM 8-bit symbols that
// dev.l2c.bench.SymbolDump writes, each tensor with the frequency table l2c builds for it.
//
//   scripts/bench-peer.sh                 builds this program and the symbol file, then runs it
//   rans_peer SYMBOL_FILE [reps]          reps: timed decodes per codec (best is reported)
//
// l2c decodes tensor by tensor with one decoder context per tensor, built before timing (what a
// reader holding an opened file does); htscodecs decodes the whole buffer in one call (its best
// case: one table, no per-call cost) and, second, tensor by tensor. Every decode is checked
// against the input before any figure is printed. MB/s = 10^6 decoded bytes per second.
#include <htscodecs/rANS_static4x16.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <string>
#include <vector>

#include "l2c/rans_cpu.h"

namespace {

struct Tensor {
    uint32_t n = 0, prec = 0;
    std::vector<int32_t> freqs;
    std::vector<uint8_t> sym;
    // l2c encoding
    std::vector<uint8_t> payload;
    std::vector<int64_t> offsets;
    std::vector<int32_t> status;
    l2c::rans::cpu::Decoder dec;
    // htscodecs encoding of this tensor alone
    std::vector<uint8_t> hts;
};

[[noreturn]] void die(const std::string& what) {
    fprintf(stderr, "rans_peer: %s\n", what.c_str());
    exit(1);
}

uint32_t read_u32(FILE* f, const char* path) {
    uint8_t b[4];
    if (fread(b, 1, 4, f) != 4) die(std::string(path) + ": truncated");
    return l2c::rans::load_le32(b);
}

std::vector<Tensor> read_symbols(const char* path) {
    FILE* f = fopen(path, "rb");
    if (f == nullptr) die(std::string(path) + ": cannot open");
    char magic[8];
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "L2CSYM1\0", 8) != 0) die(std::string(path) + ": not a symbol file");
    const uint32_t count = read_u32(f, path);
    if (count > 100000) die(std::string(path) + ": tensor count out of range");
    std::vector<Tensor> out(count);
    for (Tensor& t : out) {
        t.n = read_u32(f, path);
        t.prec = read_u32(f, path);
        const uint32_t alphabet = read_u32(f, path);
        if (t.n > (1u << 30) || alphabet < 1 || alphabet > 256 || t.prec < 1 || t.prec > 16)
            die(std::string(path) + ": tensor header out of range");
        t.freqs.resize(alphabet);
        for (uint32_t s = 0; s < alphabet; s++) t.freqs[s] = (int32_t)read_u32(f, path);
        t.sym.resize(t.n);
        if (t.n > 0 && fread(t.sym.data(), 1, t.n, f) != t.n) die(std::string(path) + ": truncated");
    }
    fclose(f);
    return out;
}

double now_s(clockid_t clock) {
    timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct Timing {
    double wall = 1e30, cpu = 1e30;  // best of the repetitions, seconds
};

template <class F>
Timing best_of(int reps, F&& body) {
    Timing t;
    for (int r = 0; r < reps; r++) {
        const double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
        body();
        const double w1 = now_s(CLOCK_MONOTONIC), c1 = now_s(CLOCK_THREAD_CPUTIME_ID);
        if (w1 - w0 < t.wall) t.wall = w1 - w0;
        if (c1 - c0 < t.cpu) t.cpu = c1 - c0;
    }
    return t;
}

constexpr int32_t kChunk = 65536;  // EncodedStream.DEFAULT_CHUNK_SYMBOLS

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) die("usage: rans_peer SYMBOL_FILE [reps]");
    const int reps = argc == 3 ? atoi(argv[2]) : 15;
    if (reps < 1 || reps > 10000) die("reps must be in [1, 10000]");
    std::vector<Tensor> tensors = read_symbols(argv[1]);
    // L2C_SIMD caps l2c's SIMD level as it does for the JVM (0 scalar, 1 AVX2, 2 AVX-512).
    if (const char* cap = getenv("L2C_SIMD")) l2c::simd::set_limit(atoi(cap));
    int64_t total = 0;
    for (const Tensor& t : tensors) total += t.n;
    std::vector<uint8_t> all;
    all.reserve((size_t)total);
    for (const Tensor& t : tensors) all.insert(all.end(), t.sym.begin(), t.sym.end());

    // --- l2c: encode each tensor with its own table ---
    int64_t l2c_bytes = 0;
    auto l2c_encode = [&]() {
        for (Tensor& t : tensors) {
            int64_t err = 0;
            if (l2c::rans::cpu::encode_stream<uint8_t>(t.sym.data(), t.n, t.freqs.data(), (int32_t)t.freqs.size(),
                                                       (int32_t)t.prec, kChunk, t.payload.data(),
                                                       (int64_t)t.payload.size(), t.offsets.data(), 1, &err) != l2c::kOk)
                die("l2c encode failed");
        }
    };
    for (Tensor& t : tensors) {
        const int64_t chunks = l2c::rans::chunk_count(t.n, kChunk);
        t.payload.resize((size_t)(l2c::rans::kChunkHeaderBytes * chunks + 2 * (int64_t)t.n + 16));
        t.offsets.resize((size_t)chunks + 1);
        t.status.resize((size_t)chunks);
        int64_t err = 0;
        const int32_t st = l2c::rans::cpu::encode_stream<uint8_t>(
                t.sym.data(), t.n, t.freqs.data(), (int32_t)t.freqs.size(), (int32_t)t.prec, kChunk,
                t.payload.data(), (int64_t)t.payload.size(), t.offsets.data(), 1, &err);
        if (st != l2c::kOk) die("l2c encode failed: " + std::to_string(st));
        l2c_bytes += t.offsets[chunks];
        if (l2c::rans::cpu::build_decoder(t.freqs.data(), (int32_t)t.freqs.size(), (int32_t)t.prec,
                                          l2c::rans::cpu::kOutU8, nullptr, 0, &t.dec) != l2c::kOk)
            die("l2c decoder failed");
    }
    std::vector<uint8_t> out((size_t)total + 64);
    auto l2c_decode = [&](int threads) {
        int64_t at = 0;
        for (Tensor& t : tensors) {
            const int64_t chunks = (int64_t)t.status.size();
            const int32_t st = l2c::rans::cpu::decode(t.dec, t.payload.data(), t.offsets[chunks], t.offsets.data(),
                                                      chunks, t.n, kChunk, out.data() + at, t.n, threads,
                                                      t.status.data());
            if (st != l2c::kOk) die("l2c decode failed: " + std::to_string(st));
            at += t.n;
        }
    };
    l2c_decode(1);
    if (memcmp(out.data(), all.data(), (size_t)total) != 0) die("l2c round trip differs");

    // --- htscodecs: whole buffer, and tensor by tensor; order 0, 32 ways, AVX2 forced ---
    rans_set_cpu(RANS_CPU_ENC_AVX2 | RANS_CPU_DEC_AVX2);
    const int order = 0 | RANS_ORDER_X32;
    unsigned int hts_size = rans_compress_bound_4x16((unsigned)total, order);
    std::vector<uint8_t> hts(hts_size);
    if (rans_compress_to_4x16(all.data(), (unsigned)total, hts.data(), &hts_size, order) == nullptr)
        die("htscodecs compress failed");
    hts.resize(hts_size);
    int64_t hts_tensor_bytes = 0;
    for (Tensor& t : tensors) {
        unsigned int sz = rans_compress_bound_4x16(t.n, order);
        t.hts.resize(sz);
        if (rans_compress_to_4x16(t.sym.data(), t.n, t.hts.data(), &sz, order) == nullptr)
            die("htscodecs compress failed");
        t.hts.resize(sz);
        hts_tensor_bytes += sz;
    }
    auto hts_whole = [&]() {
        unsigned int got = (unsigned)total;
        if (rans_uncompress_to_4x16(hts.data(), (unsigned)hts.size(), out.data(), &got) == nullptr || got != total)
            die("htscodecs decode failed");
    };
    auto hts_tensors = [&]() {
        int64_t at = 0;
        for (Tensor& t : tensors) {
            unsigned int got = t.n;
            if (rans_uncompress_to_4x16(t.hts.data(), (unsigned)t.hts.size(), out.data() + at, &got) == nullptr ||
                got != t.n)
                die("htscodecs decode failed");
            at += t.n;
        }
    };
    memset(out.data(), 0, (size_t)total);
    hts_whole();
    if (memcmp(out.data(), all.data(), (size_t)total) != 0) die("htscodecs round trip differs");
    memset(out.data(), 0, (size_t)total);
    hts_tensors();
    if (memcmp(out.data(), all.data(), (size_t)total) != 0) die("htscodecs per-tensor round trip differs");

    // Interleave the codecs' repetitions so that load on a shared machine hits them alike.
    Timing enc = best_of(reps, l2c_encode);
    Timing l2c1, l2c2, hw, ht;
    for (int r = 0; r < reps; r++) {
        Timing a = best_of(1, [&] { l2c_decode(1); });
        Timing b = best_of(1, [&] { l2c_decode(2); });
        Timing c = best_of(1, hts_whole);
        Timing d = best_of(1, hts_tensors);
        auto keep = [](Timing& into, const Timing& t) {
            if (t.wall < into.wall) into.wall = t.wall;
            if (t.cpu < into.cpu) into.cpu = t.cpu;
        };
        keep(l2c1, a); keep(l2c2, b); keep(hw, c); keep(ht, d);
    }
    const double mb = (double)total / 1e6;
    printf("# rANS decode, %lld MiniLM 8-bit symbols in %zu tensors, best of %d (1 thread unless said)\n",
           (long long)total, tensors.size(), reps);
    printf("| decoder | size (bits/symbol) | MB/s wall | MB/s per CPU second |\n|---|---:|---:|---:|\n");
    printf("| l2c, table per tensor | %.4f | %.1f | %.1f |\n", 8.0 * l2c_bytes / total, mb / l2c1.wall, mb / l2c1.cpu);
    printf("| l2c, table per tensor, 2 threads | %.4f | %.1f | |\n", 8.0 * l2c_bytes / total, mb / l2c2.wall);
    printf("| htscodecs 4x16 o0 X32 AVX2, one call | %.4f | %.1f | %.1f |\n", 8.0 * hts.size() / total, mb / hw.wall,
           mb / hw.cpu);
    printf("| htscodecs 4x16 o0 X32 AVX2, per tensor | %.4f | %.1f | %.1f |\n", 8.0 * hts_tensor_bytes / total,
           mb / ht.wall, mb / ht.cpu);
    printf("| l2c encode, table per tensor (native, no copies) | | %.1f | %.1f |\n", mb / enc.wall, mb / enc.cpu);
    printf("\nl2c / htscodecs one call (1 thread, wall): %.3f\n", hw.wall / l2c1.wall);
    printf("l2c 2 threads / 1 thread (wall): %.3f\n", l2c1.wall / l2c2.wall);
    printf("(l2c size is payload only, without its per-chunk index entries or table)\n");
    return 0;
}
