// Native GPU check of the rANS codec (no Java): CUDA encode/decode bit-exact against the CPU
// coder over a matrix of sizes, chunk sizes, alphabets, precisions and skews; fused value decode;
// histogram; per-chunk status on corrupted streams; then decode throughput on a 256 MiB stream.
// Fused dequantization of every transform type to f32, f16 and bf16: the CPU (every SIMD level)
// and the GPU against the value table, bit for bit. The transform kernels' forward pass (codes,
// symbols, dequantized weights) CUDA against CPU bit for bit, per tensor and per channel; their
// backward pass and the counter within 1e-5 relative (sums in another order); and throughput.
// Built and run by scripts/gpu-check.sh. Exit status 0 only when every check passes.
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <chrono>
#include <cmath>
#include <vector>

#include "l2c/rans_cpu.h"
#include "l2c_cpu.h"
#include "l2c_cuda.h"

using namespace l2c;
using namespace l2c::rans;

namespace {

int g_failures = 0;

void fail(const char* what, const char* label) {
    g_failures++;
    printf("FAIL %-28s %s\n", what, label);
}

struct Rng {  // xorshift64*: fast, reproducible, independent streams per seed
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint64_t next() {
        s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
        return s * 0x2545F4914F6CDD1Dull;
    }
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
};

enum Source { kUniform, kLaplacian, kSkewed };
const char* source_name(Source s) { return s == kUniform ? "uniform" : s == kLaplacian ? "laplace" : "skew.999"; }

template <class Sym>
void generate(Source src, int64_t n, int32_t alphabet, uint64_t seed, Sym* out) {
#pragma omp parallel
    {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        Rng r(seed * 1000 + t);
        const double scale = alphabet / 16.0 > 1.0 ? alphabet / 16.0 : 1.0;
        for (int64_t i = n * t / nt; i < n * (t + 1) / nt; i++) {
            int64_t v;
            if (src == kUniform) {
                v = (int64_t)(r.next() % (uint64_t)alphabet);
            } else if (src == kLaplacian) {
                int64_t mag = (int64_t)std::llround(-scale * std::log(1.0 - r.uniform()));
                v = alphabet / 2 + ((r.next() & 1) ? mag : -mag);
            } else {
                v = r.uniform() < 0.999 ? alphabet / 2 : (int64_t)(r.next() % (uint64_t)alphabet);
            }
            out[i] = (Sym)(v < 0 ? 0 : v >= alphabet ? alphabet - 1 : v);
        }
    }
}

// A valid (not necessarily optimal) table at precision >= the present-symbol count needs.
std::vector<int32_t> normalize(const std::vector<int64_t>& counts, int32_t* prec) {
    int64_t total = 0, present = 0;
    for (int64_t c : counts) { total += c; present += c > 0; }
    while (((int64_t)1 << *prec) < present) (*prec)++;
    const int64_t target = (int64_t)1 << *prec;
    std::vector<int32_t> f(counts.size(), 0);
    if (total == 0) { f[0] = (int32_t)target; return f; }
    int64_t sum = 0, big = 0;
    for (size_t s = 0; s < counts.size(); s++) {
        if (counts[s] == 0) continue;
        f[s] = (int32_t)std::max<int64_t>(1, counts[s] * target / total);
        sum += f[s];
        if (counts[s] > counts[big]) big = (int64_t)s;
    }
    while (sum > target) {  // take back from the largest frequencies
        size_t m = 0;
        for (size_t s = 0; s < f.size(); s++) if (f[s] > f[m]) m = s;
        int64_t take = std::min<int64_t>(sum - target, f[m] - 1);
        f[m] -= (int32_t)take; sum -= take;
    }
    f[big] += (int32_t)(target - sum);
    return f;
}

struct Encoded {
    std::vector<uint8_t> payload;
    std::vector<int64_t> offsets;
    int status = 0;
};

template <class Sym>
Encoded encode(bool gpu, const std::vector<Sym>& sym, const std::vector<int32_t>& f, int32_t prec, int32_t chunk) {
    Encoded e;
    const int64_t n = (int64_t)sym.size(), chunks = chunk_count(n, chunk);
    e.payload.resize(kChunkHeaderBytes * chunks + 2 * n + 1);
    e.offsets.resize(chunks + 1);
    int64_t err = 0;
    if (gpu)
        e.status = cuda::encode_host(sym.data(), n, f.data(), (int32_t)f.size(), prec, chunk, e.payload.data(),
                                     (int64_t)e.payload.size(), e.offsets.data(), &err);
    else
        e.status = cpu::encode_stream(sym.data(), n, f.data(), (int32_t)f.size(), prec, chunk, e.payload.data(),
                                      (int64_t)e.payload.size(), e.offsets.data(), 0, &err);
    if (e.status == kOk) e.payload.resize(e.offsets[chunks]);
    return e;
}

void check_case(int64_t n, int32_t chunk, int32_t alphabet, int32_t prec, Source src, uint64_t seed) {
    char label[160];
    snprintf(label, sizeof label, "n=%lld chunk=%d A=%d P=%d %s", (long long)n, chunk, alphabet, prec, source_name(src));
    std::vector<uint16_t> sym(n);
    generate(src, n, alphabet, seed, sym.data());
    std::vector<int64_t> counts(alphabet), gcounts(alphabet);
    int64_t err = 0;
    if (cpu::histogram_u16(sym.data(), n, alphabet, counts.data(), 0, &err) != kOk) fail("cpu histogram", label);
    if (cuda::histogram_host(sym.data(), n, alphabet, gcounts.data(), &err) != kOk || gcounts != counts)
        fail("gpu histogram", label);
    std::vector<int32_t> f = normalize(counts, &prec);
    Encoded c = encode(false, sym, f, prec, chunk), g = encode(true, sym, f, prec, chunk);
    if (c.status != kOk || g.status != kOk || c.payload != g.payload || c.offsets != g.offsets) {
        fail("encode gpu == cpu", label);
        return;
    }
    const int64_t chunks = (int64_t)c.offsets.size() - 1;
    std::vector<int32_t> st(chunks), cst(chunks);
    std::vector<uint16_t> back(n);
    if (l2c_rans_cuda_decode_u16(c.payload.data(), (int64_t)c.payload.size(), c.offsets.data(), chunks, n, chunk,
                                 f.data(), alphabet, prec, back.data(), n, st.data()) != kOk || back != sym)
        fail("gpu decode u16", label);
    if (alphabet <= 256) {
        std::vector<uint8_t> sym8(sym.begin(), sym.end()), back8(n);
        Encoded g8 = encode(true, sym8, f, prec, chunk);
        if (g8.status != kOk || g8.payload != c.payload) fail("gpu encode u8 == cpu u16", label);
        if (l2c_rans_cuda_decode_u8(c.payload.data(), (int64_t)c.payload.size(), c.offsets.data(), chunks, n, chunk,
                                    f.data(), alphabet, prec, back8.data(), n, st.data()) != kOk || back8 != sym8)
            fail("gpu decode u8", label);
    }
    std::vector<float> values(alphabet);
    Rng r(seed);
    for (auto& v : values) {
        uint32_t bits = (uint32_t)r.next();
        memcpy(&v, &bits, 4);
        if (r.next() & 1) v = (float)((r.uniform() - 0.5) * 0.1);
    }
    for (int type = kValueF32; type <= kValueBF16; type++) {
        const int64_t bytes = n * value_bytes(type);
        std::vector<uint8_t> a(bytes + 1), b(bytes + 1);
        int s1 = l2c_rans_cpu_decode_values(c.payload.data(), (int64_t)c.payload.size(), c.offsets.data(), chunks, n,
                                            chunk, f.data(), alphabet, prec, values.data(), type, a.data(), bytes, 0,
                                            cst.data());
        int s2 = l2c_rans_cuda_decode_values(c.payload.data(), (int64_t)c.payload.size(), c.offsets.data(), chunks, n,
                                             chunk, f.data(), alphabet, prec, values.data(), type, b.data(), bytes,
                                             st.data());
        if (s1 != kOk || s2 != kOk || a != b) fail(type == 0 ? "fused f32" : type == 1 ? "fused f16" : "fused bf16", label);
    }
    // Corruption: flip bytes; the GPU must report exactly the CPU's per-chunk status.
    if (c.payload.size() > 0) {
        for (int k = 0; k < 4; k++) {
            std::vector<uint8_t> bad = c.payload;
            bad[r.next() % bad.size()] ^= (uint8_t)(1u << (r.next() % 8));
            std::vector<uint16_t> o1(n), o2(n);
            int s1 = l2c_rans_cpu_decode_u16(bad.data(), (int64_t)bad.size(), c.offsets.data(), chunks, n, chunk,
                                             f.data(), alphabet, prec, o1.data(), n, 0, cst.data());
            int s2 = l2c_rans_cuda_decode_u16(bad.data(), (int64_t)bad.size(), c.offsets.data(), chunks, n, chunk,
                                              f.data(), alphabet, prec, o2.data(), n, st.data());
            if (s1 != s2 || cst != st) fail("corrupt status gpu == cpu", label);
        }
        std::vector<int64_t> cut = c.offsets;
        cut[chunks] -= 2;  // truncated last chunk
        std::vector<uint16_t> o(n);
        int s2 = l2c_rans_cuda_decode_u16(c.payload.data(), cut[chunks], cut.data(), chunks, n, chunk, f.data(),
                                          alphabet, prec, o.data(), n, st.data());
        if (s2 == kOk) fail("truncation detected", label);
    }
    printf("ok   %-60s %10lld bytes\n", label, (long long)c.payload.size());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

#define CUDA_OK(x) do { if ((x) != cudaSuccess) { printf("CUDA error: %s\n", #x); return 1; } } while (0)

int throughput() {
    const int64_t n = 256ll << 20;
    const int32_t alphabet = 256, chunk = 65536;
    std::vector<uint8_t> sym(n);
    generate(kLaplacian, n, alphabet, 42, sym.data());
    std::vector<int64_t> counts(alphabet, 0);
    for (int64_t i = 0; i < n; i++) counts[sym[i]]++;
    double h = 0;
    for (int64_t c : counts) if (c) h -= (double)c / n * std::log2((double)c / n);
    int32_t prec = 12;
    std::vector<int32_t> f = normalize(counts, &prec);
    auto t0 = std::chrono::steady_clock::now();
    Encoded e = encode(false, sym, f, prec, chunk);
    const double cpu_enc = seconds_since(t0);
    if (e.status != kOk) { fail("throughput encode", "256 MiB"); return 1; }
    const int64_t chunks = (int64_t)e.offsets.size() - 1, bytes = (int64_t)e.payload.size();
    printf("\n256 MiB stream: %lld symbols, A=%d, P=%d, entropy %.3f b/sym, coded %.3f b/sym (%lld bytes)\n",
           (long long)n, alphabet, prec, h, 8.0 * bytes / n, (long long)bytes);

    std::vector<uint32_t> entry((size_t)1 << prec);
    std::vector<uint16_t> slot_sym((size_t)1 << prec);
    build_decode_table(f.data(), alphabet, prec, entry.data(), slot_sym.data());
    std::vector<uint16_t> half(alphabet);
    for (int32_t s = 0; s < alphabet; s++) half[s] = f32_to_f16_bits((s - 128) * 0.01f);
    cuda::DeviceBuffer d_pay, d_off, d_entry, d_sym, d_half, d_out8, d_out16, d_status;
    if (!cuda::upload(d_pay, e.payload.data(), bytes) ||
        !cuda::upload(d_off, e.offsets.data(), e.offsets.size() * 8) ||
        !cuda::upload(d_entry, entry.data(), entry.size() * 4) ||
        !cuda::upload(d_sym, slot_sym.data(), slot_sym.size() * 2) || !cuda::upload(d_half, half.data(), half.size() * 2) ||
        !d_out8.alloc(n) || !d_out16.alloc(2 * n) || !d_status.alloc(chunks * 4)) {
        fail("device allocation", "256 MiB");
        return 1;
    }
    cudaEvent_t a, b;
    CUDA_OK(cudaEventCreate(&a));
    CUDA_OK(cudaEventCreate(&b));
    const int reps = 10;
    float ms8 = 0, ms16 = 0;
    for (int pass = 0; pass < 2; pass++) {  // pass 0 warms up
        CUDA_OK(cudaEventRecord(a));
        for (int i = 0; i < reps; i++)
            cuda::launch_decode<uint8_t, false>(d_pay.as<uint8_t>(), bytes, d_off.as<int64_t>(), chunks, n, chunk,
                                                d_entry.as<uint32_t>(), d_sym.as<uint16_t>(), prec, nullptr,
                                                d_out8.as<uint8_t>(), d_status.as<int32_t>(), 0);
        CUDA_OK(cudaEventRecord(b));
        CUDA_OK(cudaEventSynchronize(b));
        CUDA_OK(cudaEventElapsedTime(&ms8, a, b));
        CUDA_OK(cudaEventRecord(a));
        for (int i = 0; i < reps; i++)
            cuda::launch_decode<uint16_t, true>(d_pay.as<uint8_t>(), bytes, d_off.as<int64_t>(), chunks, n, chunk,
                                                d_entry.as<uint32_t>(), d_sym.as<uint16_t>(), prec,
                                                d_half.as<uint16_t>(), d_out16.as<uint16_t>(),
                                                d_status.as<int32_t>(), 0);
        CUDA_OK(cudaEventRecord(b));
        CUDA_OK(cudaEventSynchronize(b));
        CUDA_OK(cudaEventElapsedTime(&ms16, a, b));
    }
    std::vector<uint8_t> back(n);
    std::vector<int32_t> status(chunks);
    CUDA_OK(cudaMemcpy(back.data(), d_out8.ptr, n, cudaMemcpyDeviceToHost));
    CUDA_OK(cudaMemcpy(status.data(), d_status.ptr, chunks * 4, cudaMemcpyDeviceToHost));
    for (int32_t s : status) if (s != kOk) { fail("gpu decode status", "256 MiB"); break; }
    if (back != sym) fail("gpu decode == input", "256 MiB");

    std::vector<int32_t> cst(chunks);
    std::vector<uint8_t> cpu_out(n);
    double cpu_dec[2] = {0, 0};
    const int thread_counts[2] = {1, omp_get_max_threads()};
    for (int k = 0; k < 2; k++) {
        t0 = std::chrono::steady_clock::now();
        int st = l2c_rans_cpu_decode_u8(e.payload.data(), bytes, e.offsets.data(), chunks, n, chunk, f.data(), alphabet,
                                        prec, cpu_out.data(), n, thread_counts[k], cst.data());
        cpu_dec[k] = seconds_since(t0);
        if (st != kOk || cpu_out != sym) fail("cpu decode == input", "256 MiB");
    }
    const double s8 = ms8 / 1e3 / reps, s16 = ms16 / 1e3 / reps;
    printf("\n%-34s %12s %16s %16s\n", "decode (256 Mi symbols)", "time ms", "output GB/s", "compressed GB/s");
    printf("%-34s %12.3f %16.2f %16.2f\n", "GPU -> uint8 symbols", s8 * 1e3, n / s8 / 1e9, bytes / s8 / 1e9);
    printf("%-34s %12.3f %16.2f %16.2f\n", "GPU -> fp16 values (fused)", s16 * 1e3, 2.0 * n / s16 / 1e9, bytes / s16 / 1e9);
    for (int k = 0; k < 2; k++) {
        char name[64];
        snprintf(name, sizeof name, "CPU -> uint8, %d thread%s", thread_counts[k], thread_counts[k] > 1 ? "s" : "");
        printf("%-34s %12.3f %16.2f %16.2f\n", name, cpu_dec[k] * 1e3, n / cpu_dec[k] / 1e9, bytes / cpu_dec[k] / 1e9);
    }
    printf("%-34s %12.3f %16.2f\n", "CPU encode, all threads", cpu_enc * 1e3, n / cpu_enc / 1e9);
    return 0;
}

// --- transform and counter kernels ---------------------------------------------------------------

// The value of symbol q under transform `kind` with one parameter set: the decoder formula of
// docs/FORMAT.md ("Determinism"), in double, rounded once to float.
float transform_value(int32_t kind, const float* params, int32_t q) {
    using namespace l2c::transform;
    const Params p = load_params(kind, params, 1, 0);
    const double x = (double)q;
    return (float)(kind == kUniform ? decode_k<kUniform>(p, x)
                   : kind == kEdgeScale ? decode_k<kEdgeScale>(p, x) : decode_k<kPiecewise>(p, x));
}

// Fused dequantization of every transform type: a value table from the transform's decoder,
// symbols decoded to f32, f16 and bf16 by the CPU (at every SIMD level the CPU runs) and by the
// GPU; every output must equal the table's value converted on its own, bit for bit.
void check_transform_values() {
    const int64_t n = 1000003;
    const int32_t chunk = 65536, alphabet = 4001, zero = 2000;  // q = -2000..2000
    std::vector<uint16_t> sym(n);
    generate(kLaplacian, n, alphabet, 91, sym.data());
    std::vector<int64_t> counts(alphabet, 0);
    for (uint16_t v : sym) counts[v]++;
    int32_t prec = 12;
    std::vector<int32_t> f = normalize(counts, &prec);
    Encoded c = encode(false, sym, f, prec, chunk);
    if (c.status != kOk) { fail("transform values encode", "cpu"); return; }
    const int64_t chunks = (int64_t)c.offsets.size() - 1;
    const float params[3][4] = {{0.0123f}, {0.011f, 0.0067f}, {0.011f, 0.0067f, 0.061f, 0.017f}};
    const char* kinds[3] = {"uniform", "edge-scale", "piecewise"};
    const int32_t best = l2c::simd::set_limit(l2c::simd::kAvx512);
    for (int32_t kind = 0; kind < 3; kind++) {
        std::vector<float> values(alphabet);
        for (int32_t k = 0; k < alphabet; k++) values[k] = transform_value(kind, params[kind], k - zero);
        for (int type = kValueF32; type <= kValueBF16; type++) {
            char label[96];
            snprintf(label, sizeof label, "%s to %s", kinds[kind], type == 0 ? "f32" : type == 1 ? "f16" : "bf16");
            const int64_t width = value_bytes(type), bytes = n * width;
            std::vector<uint8_t> want(bytes), got(bytes);
            for (int64_t i = 0; i < n; i++) {
                const float v = values[sym[i]];
                if (type == kValueF32) { const uint32_t b = f32_bits(v); memcpy(&want[i * 4], &b, 4); }
                else { const uint16_t b = type == kValueF16 ? f32_to_f16_bits(v) : f32_to_bf16_bits(v); memcpy(&want[i * 2], &b, 2); }
            }
            std::vector<int32_t> st(chunks);
            for (int32_t level = l2c::simd::kScalar; level <= best; level++) {
                l2c::simd::set_limit(level);
                int s1 = l2c_rans_cpu_decode_values(c.payload.data(), (int64_t)c.payload.size(), c.offsets.data(), chunks, n,
                                                    chunk, f.data(), alphabet, prec, values.data(), type, got.data(), bytes, 0,
                                                    st.data());
                if (s1 != kOk || got != want) fail("transform values cpu", label);
            }
            l2c::simd::set_limit(l2c::simd::kAvx512);
            std::fill(got.begin(), got.end(), 0);
            int s2 = l2c_rans_cuda_decode_values(c.payload.data(), (int64_t)c.payload.size(), c.offsets.data(), chunks, n,
                                                 chunk, f.data(), alphabet, prec, values.data(), type, got.data(), bytes,
                                                 st.data());
            if (s2 != kOk || got != want) fail("transform values gpu == cpu", label);
        }
    }
}

bool close_rel(double a, double b, double rel, double abs_floor) {
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + abs_floor;
}

void laplace_codes(int64_t n, double scale, uint64_t seed, std::vector<float>& out) {
    out.resize(n);
    Rng r(seed);
    for (int64_t i = 0; i < n; i++) {
        const double m = -scale * std::log(1.0 - r.uniform());
        out[i] = (float)((r.next() & 1) ? m : -m);
    }
}

void check_transforms() {
    const int64_t n = 1000003;
    std::vector<float> w, gwhat, gc;
    laplace_codes(n, 0.02, 77, w);
    laplace_codes(n, 1.0, 78, gwhat);
    laplace_codes(n, 0.01, 79, gc);
    for (int32_t kind = 0; kind < 3; kind++) {
        for (int32_t count : {1, 7}) {
            char label[96];
            snprintf(label, sizeof label, "kind %d, %d channel(s)", kind, count);
            const int32_t np = l2c::transform::params_per_channel(kind);
            std::vector<float> params((size_t)np * count);
            for (int32_t ch = 0; ch < count; ch++) {
                const float f = 1.0f + 0.1f * ch;
                const float one[4] = {kind == 0 ? 0.007f * f : 0.011f * f, 0.0067f * f, 0.061f * f, 0.017f * f};
                for (int32_t k = 0; k < np; k++) params[(size_t)k * count + ch] = one[k];
            }
            const int64_t inner = count == 1 ? n : 1000;
            std::vector<float> c1(n), c2(n), h1(n), h2(n), g1(n), g2(n), p1(np * count, 0.f), p2(np * count, 0.f);
            std::vector<int32_t> q1(n), q2(n);
            int64_t e1, e2;
            int s1 = l2c_transform_cpu_forward(kind, w.data(), n, count, inner, params.data(), c1.data(), q1.data(), h1.data(), 0, &e1);
            int s2 = l2c_transform_cuda_forward(kind, w.data(), n, count, inner, params.data(), c2.data(), q2.data(), h2.data(), &e2);
            if (s1 != 0 || s2 != 0) { fail("transform forward status", label); continue; }
            // Built without contraction (--fmad=false, -ffp-contract=off), both run the same IEEE
            // operations: codes, symbols and dequantized weights agree bit for bit.
            if (memcmp(c1.data(), c2.data(), n * sizeof(float)) != 0 || q1 != q2 ||
                memcmp(h1.data(), h2.data(), n * sizeof(float)) != 0)
                fail("transform forward cuda == cpu (bits)", label);
            bool ok;
            s1 = l2c_transform_cpu_backward(kind, w.data(), n, count, inner, params.data(), gwhat.data(), gc.data(), 0.37, g1.data(), p1.data(), 0, &e1);
            s2 = l2c_transform_cuda_backward(kind, w.data(), n, count, inner, params.data(), gwhat.data(), gc.data(), 0.37, g2.data(), p2.data(), &e2);
            if (s1 != 0 || s2 != 0) { fail("transform backward status", label); continue; }
            double gmax = 0;
            for (int64_t i = 0; i < n; i++) gmax = fmax(gmax, fabs(g1[i]));
            ok = true;
            for (int64_t i = 0; i < n; i++) ok = ok && close_rel(g1[i], g2[i], 1e-5, 1e-9 * gmax);
            for (size_t k = 0; k < p1.size(); k++) ok = ok && close_rel(p1[k], p2[k], 1e-5, 1e-9);
            if (!ok) fail("transform backward cuda == cpu", label);
        }
    }
    std::vector<float> bad = w;
    bad[12345] = NAN;
    const float p[2] = {0.01f, 0.02f};
    int64_t e = -1;
    if (l2c_transform_cuda_forward(1, bad.data(), n, 1, n, p, nullptr, nullptr, nullptr, &e) !=
            l2c::kErrNonFinite || e != 12345)
        fail("transform NaN position", "cuda");
}

void check_counter() {
    for (int64_t n : {1, 2, 1000, 100003, 2359296}) {
        for (double scale : {0.5, 4.0, 300.0}) {
            std::vector<float> c;
            laplace_codes(n, scale, (uint64_t)(n * 7 + scale * 10), c);
            for (int32_t kernel = 0; kernel < 3; kernel++) {
                for (int32_t res : {8, 64}) {
                    char label[96];
                    snprintf(label, sizeof label, "n=%lld scale=%g kernel %d res %d", (long long)n, scale, kernel, res);
                    std::vector<double> pr1(1 << 16), pr2(1 << 16);
                    double b1 = 0, b2 = 0;
                    int64_t m1 = 0, m2 = 0, k1 = 0, k2 = 0, e1, e2;
                    int s1 = l2c_counter_cpu_forward(c.data(), n, kernel, res, &b1, &m1, pr1.data(), pr1.size(), &k1, 0, &e1);
                    int s2 = l2c_counter_cuda_forward(c.data(), n, kernel, res, &b2, &m2, pr2.data(), pr2.size(), &k2, &e2);
                    if (s1 != 0 || s2 != 0 || m1 != m2 || k1 != k2) { fail("counter forward status", label); continue; }
                    bool ok = close_rel(b1, b2, 1e-5, 1e-9);
                    for (int64_t k = 0; k < k1; k++) ok = ok && close_rel(pr1[k], pr2[k], 1e-5, 1e-300);
                    if (!ok) fail("counter forward cuda == cpu", label);
                    std::vector<float> g1(n), g2(n);
                    s1 = l2c_counter_cpu_backward(c.data(), n, kernel, res, 1.0f, g1.data(), 0, &e1);
                    s2 = l2c_counter_cuda_backward(c.data(), n, kernel, res, 1.0f, g2.data(), &e2);
                    if (s1 != 0 || s2 != 0) { fail("counter backward status", label); continue; }
                    double gmax = 0;
                    for (int64_t i = 0; i < n; i++) gmax = fmax(gmax, fabs(g1[i]));
                    ok = true;
                    for (int64_t i = 0; i < n; i++) ok = ok && close_rel(g1[i], g2[i], 1e-5, 1e-7 * gmax);
                    if (!ok) fail("counter backward cuda == cpu", label);
                    double b3 = 0;
                    int64_t m3 = 0, k3 = 0, e3;
                    std::vector<float> g3(n);
                    s2 = l2c_counter_cuda_forward_backward(c.data(), n, kernel, res, &b3, &m3, pr2.data(), pr2.size(),
                                                           &k3, 1.0f, g3.data(), &e3);
                    ok = s2 == 0 && m3 == m1 && k3 == k1 && close_rel(b1, b3, 1e-5, 1e-9);
                    for (int64_t i = 0; ok && i < n; i++) ok = close_rel(g1[i], g3[i], 1e-5, 1e-7 * gmax);
                    if (!ok) fail("counter forward_backward cuda == cpu", label);
                }
            }
        }
    }
    std::vector<float> bad(1000, 1.0f);
    bad[777] = INFINITY;
    double b;
    int64_t m, k, e = -1;
    double pr[8];
    if (l2c_counter_cuda_forward(bad.data(), 1000, 0, 64, &b, &m, pr, 8, &k, &e) != l2c::kErrNonFinite || e != 777)
        fail("counter inf position", "cuda");
}

// Host-API calls (copies included) against the CPU kernels on one and on all threads.
void kernel_throughput() {
    const int64_t n = 2359296;
    std::vector<float> c, g(n), w, gw(n), cc(n), wh(n);
    std::vector<int32_t> q(n);
    laplace_codes(n, 4.0, 5, c);
    laplace_codes(n, 0.02, 6, w);
    printf("\n%-44s %16s %16s %16s\n", "kernels at N = 2,359,296 (M elements/s)", "CPU 1 thread", "CPU all", "CUDA (host API)");
    const int reps = 5;
    for (int32_t kernel = 0; kernel < 3; kernel++) {
        double rate[3];
        for (int which = 0; which < 3; which++) {
            const int threads = which == 0 ? 1 : 0;
            auto t0 = std::chrono::steady_clock::now();
            for (int r = 0; r < reps; r++) {
                double bits, pr[4096];
                int64_t m, k, e;
                if (which < 2)
                    l2c_counter_cpu_forward_backward(c.data(), n, kernel, 64, &bits, &m, pr, 4096, &k, 1.0f, g.data(),
                                                     threads, &e);
                else
                    l2c_counter_cuda_forward_backward(c.data(), n, kernel, 64, &bits, &m, pr, 4096, &k, 1.0f, g.data(),
                                                      &e);
            }
            rate[which] = n * reps / seconds_since(t0) / 1e6;
        }
        char name[64];
        snprintf(name, sizeof name, "counter fwd+bwd, kernel %s", kernel == 0 ? "cos" : kernel == 1 ? "tri" : "lin");
        printf("%-44s %16.1f %16.1f %16.1f\n", name, rate[0], rate[1], rate[2]);
    }
    for (int32_t kind = 0; kind < 3; kind++) {
        const float params[4] = {kind == 0 ? 0.007f : 0.011f, 0.0067f, 0.061f, 0.017f};
        double rate[3];
        for (int which = 0; which < 3; which++) {
            const int threads = which == 0 ? 1 : 0;
            auto t0 = std::chrono::steady_clock::now();
            for (int r = 0; r < reps; r++) {
                float gp[4] = {0, 0, 0, 0};
                int64_t e;
                if (which < 2) {
                    l2c_transform_cpu_forward(kind, w.data(), n, 1, n, params, cc.data(), q.data(), wh.data(), threads, &e);
                    l2c_transform_cpu_backward(kind, w.data(), n, 1, n, params, wh.data(), nullptr, 1.0, gw.data(), gp, threads, &e);
                } else {
                    l2c_transform_cuda_forward(kind, w.data(), n, 1, n, params, cc.data(), q.data(), wh.data(), &e);
                    l2c_transform_cuda_backward(kind, w.data(), n, 1, n, params, wh.data(), nullptr, 1.0, gw.data(), gp, &e);
                }
            }
            rate[which] = n * reps / seconds_since(t0) / 1e6;
        }
        char name[64];
        snprintf(name, sizeof name, "transform fwd+bwd, kind %s", kind == 0 ? "uniform" : kind == 1 ? "edge-scale" : "piecewise");
        printf("%-44s %16.1f %16.1f %16.1f\n", name, rate[0], rate[1], rate[2]);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (l2c_cuda_device_count() == 0) {
        printf("gpu_check: no CUDA device\n");
        return 2;
    }
    cudaDeviceProp prop;
    cudaGetDeviceProperties(&prop, 0);
    printf("device: %s (sm_%d%d), CPU threads: %d\n\n", prop.name, prop.major, prop.minor, omp_get_max_threads());
    const int64_t sizes[] = {0, 1, 31, 32, 33, 4095, 4096, 4097, 100003, 1000003};
    const int32_t chunks[] = {32, 4096, 65536};
    const int32_t alphabets[] = {1, 2, 256, 4000, 65536};
    const int32_t precisions[] = {1, 12, 16};
    uint64_t seed = 1;
    for (int64_t n : sizes)
        for (int32_t chunk : chunks) {
            if (chunk == 32 && n > 100003) continue;
            for (int32_t a : alphabets)
                for (int32_t p : precisions)
                    for (Source src : {kUniform, kLaplacian, kSkewed}) {
                        if (p == 1 && a > 2) continue;
                        check_case(n, chunk, a, p, src, seed++);
                    }
        }
    check_transform_values();
    check_transforms();
    check_counter();
    if (!quick && throughput() != 0) g_failures++;
    if (!quick) kernel_throughput();
    printf("\n%s: %d failure(s)\n", g_failures ? "FAILED" : "PASSED", g_failures);
    return g_failures ? 1 : 0;
}
