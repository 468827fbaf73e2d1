// The C ABI of include/l2c.h: a reader of .l2c files (docs/FORMAT.md, versions 1 to 4), written
// from the format document as a second implementation beside the Java reader
// (src/main/java/dev/l2c/format). It shares with the native kernels the arithmetic (the rANS
// lane step, the table checks and the f32 narrowing of src/main/cpp/l2c/rans_core.h), the loop
// that decodes rANS chunks (src/main/cpp/l2c/rans_cpu.h, on one thread) and the join of lossless
// byte planes (src/main/cpp/l2c/planes.h). Parsing and validation
// are its own. Every value read from a file is checked before it sizes an allocation
// or an index; a bad file gives a status, never a crash. Built with -ffp-contract=off: the
// quantized values are computed in binary64 exactly as the format's "Determinism" section says.
#include "l2c.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>
#include <string>
#include <unordered_set>
#include <vector>

#include "l2c/planes.h"
#include "l2c/rans_core.h"
#include "l2c/rans_cpu.h"

#ifndef L2C_VERSION_STRING
#define L2C_VERSION_STRING "unknown"
#endif

namespace {

namespace rans = l2c::rans;

// --- limits of the format (docs/FORMAT.md) ---------------------------------------------------

constexpr uint64_t kHeaderBytes = 64;
constexpr uint64_t kFooterBytes = 32;
constexpr uint32_t kMaxVersion = 4;
constexpr uint64_t kMaxIndexBytes = 2147483647ull - 8;  // as the Java reader: Integer.MAX_VALUE - 8
constexpr uint64_t kMaxRank = 64;
constexpr uint64_t kMaxAlphabet = 1u << 16;
constexpr uint64_t kMaxElements = 1ull << 62;
constexpr uint64_t kMaxCrcBlock = 1u << 24;
constexpr uint64_t kMaxChunkSymbols = 1u << 24;
constexpr uint64_t kMaxSmallStream = 1u << 16;
constexpr uint64_t kAlignedPayload = 4096;
constexpr uint64_t kDeflateExpansion = 1032;
constexpr uint8_t kMagic[8] = {0x89, 'L', '2', 'C', '\r', '\n', 0x1a, '\n'};

enum Coding : uint8_t { kRaw = 0, kRans = 1, kPacked = 2, kSingleLane = 3 };
enum Kind : int { kKindRaw = 0, kKindQuantized = 1, kKindLossless = 2 };
enum TransformType : int { kNone = 0, kUniform = 1, kEdgeScale = 2, kPiecewise = 3 };

// Internal errors travel as exceptions to the ABI boundary, which turns them into a status.
struct Fail {
    l2c_status status;
};
[[noreturn]] void fail(l2c_status s) { throw Fail{s}; }
[[noreturn]] void corrupt() { fail(L2C_ERR_CORRUPT); }

int dtype_bytes(int dtype) {
    static const int bytes[14] = {0, 8, 4, 2, 2, 8, 4, 2, 1, 8, 4, 2, 1, 1};
    return dtype >= 1 && dtype <= 13 ? bytes[dtype] : 0;
}
bool is_float(int dtype) { return dtype >= L2C_DTYPE_F64 && dtype <= L2C_DTYPE_BF16; }

// --- CRC32C (Castagnoli, reflected): the SSE4.2 instruction, or tables sliced by 8 -------------

struct CrcTables {
    uint32_t t[8][256];
    CrcTables() {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
            t[0][i] = c;
        }
        for (uint32_t i = 0; i < 256; i++)
            for (int s = 1; s < 8; s++) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
};
const CrcTables kCrc;

uint32_t crc32c_table(const uint8_t* p, uint64_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n >= 8) {
        const uint32_t lo = c ^ rans::load_le32(p), hi = rans::load_le32(p + 4);
        c = kCrc.t[7][lo & 0xFF] ^ kCrc.t[6][(lo >> 8) & 0xFF] ^ kCrc.t[5][(lo >> 16) & 0xFF] ^ kCrc.t[4][lo >> 24] ^
            kCrc.t[3][hi & 0xFF] ^ kCrc.t[2][(hi >> 8) & 0xFF] ^ kCrc.t[1][(hi >> 16) & 0xFF] ^ kCrc.t[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n-- > 0) c = (c >> 8) ^ kCrc.t[0][(c ^ *p++) & 0xFF];
    return c ^ 0xFFFFFFFFu;
}

#if L2C_X86_SIMD
// SSE4.2's crc32 instruction computes this same CRC (Castagnoli, reflected), 8 bytes per step:
// about three times the table's speed, which mattered since every payload byte is checked on load.
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const uint8_t* p, uint64_t n) {
    uint64_t c = 0xFFFFFFFFu;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
    }
    uint32_t c32 = (uint32_t)c;
    for (; n > 0; p++, n--) c32 = _mm_crc32_u8(c32, *p);
    return c32 ^ 0xFFFFFFFFu;
}

bool has_sse42() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}
#endif

uint32_t crc32c(const uint8_t* p, uint64_t n) {
#if L2C_X86_SIMD
    static const bool hardware = has_sse42();
    if (hardware) return crc32c_sse42(p, n);
#endif
    return crc32c_table(p, n);
}

uint64_t load_le64(const uint8_t* p) { return rans::load_le32(p) | ((uint64_t)rans::load_le32(p + 4) << 32); }

// --- the parsed index -------------------------------------------------------------------------

struct Stream {
    uint8_t coding = 0;
    uint8_t width = 0;
    uint64_t count = 0;   // decoded elements
    uint64_t offset = 0;  // payload
    uint64_t length = 0;
    uint64_t crc_block = 0;            // RAW
    std::vector<uint32_t> crcs;        // per block (RAW), chunk (RANS), or the one payload CRC
    uint32_t precision = 0;            // RANS, SINGLE_LANE_RANS; PACKED: the symbol bits
    std::vector<int32_t> freqs;        // RANS, SINGLE_LANE_RANS
    uint64_t chunk_symbols = 0;        // RANS
    std::vector<uint64_t> chunk_ends;  // RANS: offset of chunk c's end in the payload, c = 0..
};

struct Tensor {
    std::string name;
    int dtype = 0;
    int kind = 0;
    std::vector<uint64_t> dims;
    uint64_t count = 0;
    int transform = kNone;
    int64_t axis = -1;
    std::vector<float> params;
    std::vector<int32_t> alphabet;
    std::vector<Stream> streams;
};

struct Range {
    uint64_t offset, end;
};

}  // namespace

struct l2c_file {
    int fd = -1;
    const uint8_t* mem = nullptr;
    uint64_t size = 0;
    uint32_t version = 0;
    uint64_t index_offset = 0;
    std::vector<std::pair<std::string, std::string>> attributes;  // the file's, in index order
    std::vector<Tensor> tensors;
    std::vector<Range> payloads;  // non-empty payloads by offset

    ~l2c_file() {
        if (fd >= 0) close(fd);
    }
};

namespace {

// The bytes [offset, offset + length) of the file: a view into the caller's memory, or read
// into buf with positional reads. A file that is shorter than it was at open gives L2C_ERR_IO.
const uint8_t* bytes_at(const l2c_file* f, uint64_t offset, uint64_t length, std::vector<uint8_t>& buf) {
    if (offset > f->size || length > f->size - offset) fail(L2C_ERR_IO);
    if (f->mem != nullptr) return f->mem + offset;
    buf.resize(length);
    uint64_t done = 0;
    while (done < length) {
        const ssize_t n = pread(f->fd, buf.data() + done, length - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail(L2C_ERR_IO);
        done += (uint64_t)n;
    }
    return buf.data();
}

// --- index records ----------------------------------------------------------------------------

class Reader {
public:
    Reader(const uint8_t* p, uint64_t n) : p_(p), n_(n) {}
    uint64_t left() const { return n_ - pos_; }
    uint8_t u8() {
        need(1);
        return p_[pos_++];
    }
    uint32_t u32() {
        need(4);
        const uint32_t v = rans::load_le32(p_ + pos_);
        pos_ += 4;
        return v;
    }
    // LEB128 of at most 9 bytes: below 2^63.
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            const uint8_t b = u8();
            v |= (uint64_t)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        corrupt();
    }
    // n items of at least min_bytes each must fit in what is left, before anything is allocated.
    uint64_t count(uint64_t n, uint64_t min_bytes) {
        if (n > left() / min_bytes) corrupt();
        return n;
    }
    std::string string() {
        const uint64_t n = count(varint(), 1);
        std::string s((const char*)p_ + pos_, (size_t)n);
        pos_ += n;
        if (!valid_utf8((const uint8_t*)s.data(), s.size())) corrupt();
        return s;
    }

private:
    void need(uint64_t n) {
        if (left() < n) corrupt();
    }
    // Well-formed UTF-8 (Unicode table 3-7): no overlong forms, surrogates or values above U+10FFFF.
    static bool valid_utf8(const uint8_t* s, size_t n) {
        size_t i = 0;
        while (i < n) {
            const uint8_t b = s[i];
            if (b < 0x80) {
                i++;
                continue;
            }
            size_t len;
            uint8_t lo = 0x80, hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) len = 2;
            else if (b >= 0xE0 && b <= 0xEF) {
                len = 3;
                if (b == 0xE0) lo = 0xA0;
                if (b == 0xED) hi = 0x9F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                len = 4;
                if (b == 0xF0) lo = 0x90;
                if (b == 0xF4) hi = 0x8F;
            } else {
                return false;
            }
            if (n - i < len) return false;
            if (s[i + 1] < lo || s[i + 1] > hi) return false;
            for (size_t k = 2; k < len; k++)
                if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
            i += len;
        }
        return true;
    }

    const uint8_t* p_;
    uint64_t n_;
    uint64_t pos_ = 0;
};

std::vector<std::pair<std::string, std::string>> attributes(Reader& in) {
    const uint64_t n = in.count(in.varint(), 2);
    std::unordered_set<std::string> keys;
    std::vector<std::pair<std::string, std::string>> out;
    for (uint64_t i = 0; i < n; i++) {
        std::string key = in.string();
        std::string value = in.string();
        if (!keys.insert(key).second) corrupt();
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

// The frequency-table rules the index itself states (docs/FORMAT.md, RANS).
void table_fields(Reader& in, Stream& s) {
    s.precision = in.u8();
    const uint64_t a = in.count(in.varint(), 1);
    if (a > kMaxAlphabet) corrupt();
    s.freqs.resize(a);
    for (uint64_t i = 0; i < a; i++) {
        const uint64_t f = in.varint();
        if (f > (1u << 16)) corrupt();
        s.freqs[i] = (int32_t)f;
    }
    if (s.width != 1 && s.width != 2) corrupt();
    if (s.precision < 1 || s.precision > 16) corrupt();
    if (a > (1ull << (8 * s.width))) corrupt();
    if (a == 0 && s.count > 0) corrupt();
    for (int32_t f : s.freqs)
        if ((uint64_t)f > (1ull << s.precision)) corrupt();
}

void stream(Reader& in, uint32_t version, Stream& s) {
    s.coding = in.u8();
    if (s.coding > kSingleLane) corrupt();
    if ((s.coding == kPacked || s.coding == kSingleLane) && version < 4) corrupt();
    s.width = in.u8();
    s.count = in.varint();
    s.offset = in.varint();
    s.length = in.varint();
    switch (s.coding) {
        case kRaw: {
            s.crc_block = in.varint();
            if (s.crc_block < 1 || s.crc_block > kMaxCrcBlock) corrupt();
            const uint64_t pieces = in.count(s.length / s.crc_block + (s.length % s.crc_block != 0), 4);
            s.crcs.resize(pieces);
            for (auto& c : s.crcs) c = in.u32();
            if (s.width != 1 && s.width != 2 && s.width != 4 && s.width != 8) corrupt();
            if (s.count > kMaxElements / s.width || s.length != s.count * s.width) corrupt();
            return;
        }
        case kPacked: {
            s.precision = in.u8();
            if (s.length > 0) s.crcs.push_back(in.u32());
            if (s.width != 1 && s.width != 2) corrupt();
            if (s.count > kMaxSmallStream) corrupt();
            if (s.precision > std::min<uint32_t>(16, 8u * s.width)) corrupt();
            if (s.length != (s.count * s.precision + 7) / 8) corrupt();
            return;
        }
        case kSingleLane: {
            table_fields(in, s);
            if (s.length > 0) s.crcs.push_back(in.u32());
            if (s.count > kMaxSmallStream) corrupt();
            const uint64_t max = s.count == 0 ? 0 : 4 + 2 * s.count;
            if ((s.count > 0 && s.length < 4) || s.length > max || s.length % 2 != 0) corrupt();
            return;
        }
        default: {
            table_fields(in, s);
            s.chunk_symbols = in.varint();
            if (s.chunk_symbols < rans::kLanes || s.chunk_symbols % rans::kLanes != 0 ||
                s.chunk_symbols > kMaxChunkSymbols)
                corrupt();
            const uint64_t chunks = in.count(in.varint(), 5);
            // ceil(count / chunk_symbols) without overflow.
            const uint64_t need = s.count / s.chunk_symbols + (s.count % s.chunk_symbols != 0);
            if (chunks != need) corrupt();
            s.chunk_ends.resize(chunks);
            s.crcs.resize(chunks);
            const uint64_t max_chunk = 4 * rans::kLanes + 2 * s.chunk_symbols;
            uint64_t end = 0;
            for (uint64_t c = 0; c < chunks; c++) {
                const uint64_t bytes = in.varint();
                if (bytes > max_chunk) corrupt();
                end += bytes;  // at most 2^32 chunks of under 2^26 bytes: no overflow
                s.chunk_ends[c] = end;
                s.crcs[c] = in.u32();
            }
            if (end != s.length) corrupt();
            return;
        }
    }
}

bool finite_positive(float v) { return v > 0 && std::isfinite(v); }

void tensor(Reader& in, uint32_t version, Tensor& t) {
    t.name = in.string();
    if (t.name.empty()) corrupt();
    t.dtype = in.u8();
    if (dtype_bytes(t.dtype) == 0) corrupt();
    const uint64_t rank = in.count(in.varint(), 1);
    if (rank > kMaxRank) corrupt();
    t.dims.resize(rank);
    bool zero = false;
    for (auto& d : t.dims) {
        d = in.varint();
        zero |= d == 0;
    }
    // The element count, below 2^62 bytes in all.
    uint64_t n = 1;
    if (zero) {
        n = 0;
    } else {
        for (uint64_t d : t.dims) {
            if (n > (kMaxElements - 1) / d) corrupt();
            n *= d;
        }
    }
    if (n >= kMaxElements / (uint64_t)dtype_bytes(t.dtype)) corrupt();
    t.count = n;
    t.kind = in.u8();
    if (t.kind > kKindLossless) corrupt();

    t.transform = in.u8();
    if (t.transform > kPiecewise) corrupt();
    const uint64_t axis_plus1 = in.varint();
    if (axis_plus1 > rank) corrupt();
    t.axis = (int64_t)axis_plus1 - 1;
    const uint64_t np = in.count(in.varint(), 4);
    t.params.resize(np);
    for (auto& p : t.params) {
        const uint32_t bits = in.u32();
        memcpy(&p, &bits, 4);
    }
    static const uint64_t per_channel[4] = {0, 1, 2, 4};
    const uint64_t per = per_channel[t.transform];
    const uint64_t channels = t.axis < 0 ? 1 : t.dims[(size_t)t.axis];
    if (per == 0 ? np != 0 : (np % per != 0 || np / per != channels)) corrupt();
    for (float p : t.params)
        if (!finite_positive(p)) corrupt();
    if (t.transform == kPiecewise) {
        const uint64_t c_n = np / 4;
        for (uint64_t c = 0; c < c_n; c++)
            if (t.params[2 * c_n + c] < t.params[c]) corrupt();
    }

    const uint64_t a = in.count(in.varint(), 1);
    if (a > kMaxAlphabet) corrupt();
    t.alphabet.resize(a);
    int64_t previous = 0;
    for (auto& v : t.alphabet) {
        const uint64_t z = in.varint();  // below 2^63
        const int64_t delta = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
        const int64_t value = previous + delta;  // |previous| < 2^31, |delta| < 2^62
        if (value < INT32_MIN || value > INT32_MAX) corrupt();
        v = (int32_t)value;
        previous = value;
    }
    attributes(in);
    const uint64_t streams = in.count(in.varint(), 6);
    t.streams.resize(streams);
    for (auto& s : t.streams) stream(in, version, s);

    for (const Stream& s : t.streams) {
        const bool small = s.coding == kPacked || s.coding == kSingleLane;
        if (small && (t.kind != kKindQuantized || t.streams.size() != 1 || s.count != t.count)) corrupt();
    }
    if (t.kind == kKindRaw) {
        if (t.streams.size() != 1 || t.streams[0].coding != kRaw) corrupt();
        if (t.streams[0].length != t.count * (uint64_t)dtype_bytes(t.dtype)) corrupt();
    }
}

// Inflates a raw DEFLATE body to exactly `length` bytes that end the stream and the body.
std::vector<uint8_t> inflate_index(const uint8_t* body, uint64_t body_bytes, uint64_t length) {
    if (length > kDeflateExpansion * body_bytes + 64) corrupt();
    std::vector<uint8_t> out((size_t)length + 1);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) fail(L2C_ERR_NO_MEMORY);
    z.next_in = const_cast<Bytef*>(body);
    z.avail_in = (uInt)body_bytes;  // the index is below 2^31 bytes
    z.next_out = out.data();
    z.avail_out = (uInt)out.size();
    int rc = Z_OK;
    while (rc == Z_OK) {
        const uInt before_in = z.avail_in, before_out = z.avail_out;
        rc = inflate(&z, Z_FINISH);
        if (rc == Z_BUF_ERROR || (rc == Z_OK && z.avail_in == before_in && z.avail_out == before_out)) break;
    }
    const bool ok = rc == Z_STREAM_END && z.total_out == length && z.avail_in == 0;
    inflateEnd(&z);
    if (!ok) corrupt();
    out.resize((size_t)length);
    return out;
}

void check_header(const l2c_file* f) {
    std::vector<uint8_t> buf;
    if (f->size < 8 || memcmp(bytes_at(f, 0, 8, buf), kMagic, 8) != 0) fail(L2C_ERR_NOT_L2C);
    if (f->size < kHeaderBytes + kFooterBytes) fail(L2C_ERR_NOT_L2C);
    const uint8_t* h = bytes_at(f, 0, kHeaderBytes, buf);
    if (crc32c(h, 60) != rans::load_le32(h + 60)) fail(L2C_ERR_CRC);
    const uint32_t version = rans::load_le32(h + 8);
    if (version < 1 || version > kMaxVersion) fail(L2C_ERR_VERSION);
    if (rans::load_le32(h + 12) != 0) corrupt();
    for (int i = 16; i < 60; i++)
        if (h[i] != 0) corrupt();
}

// Checks the footer and the index section's CRC; returns the section and its offset.
std::vector<uint8_t> check_footer_and_index(const l2c_file* f, uint64_t* index_offset) {
    std::vector<uint8_t> buf;
    const uint8_t* t = bytes_at(f, f->size - kFooterBytes, kFooterBytes, buf);
    uint8_t footer[32];
    memcpy(footer, t, 32);
    if (memcmp(footer + 24, kMagic, 8) != 0) corrupt();
    if (crc32c(footer, 20) != rans::load_le32(footer + 20)) fail(L2C_ERR_CRC);
    const uint64_t offset = load_le64(footer), length = load_le64(footer + 8);
    const uint64_t index_end = f->size - kFooterBytes;
    if (offset < kHeaderBytes || offset > index_end) corrupt();
    if (length != index_end - offset || length > kMaxIndexBytes) corrupt();
    *index_offset = offset;
    std::vector<uint8_t> section;
    const uint8_t* s = bytes_at(f, offset, length, section);
    if (crc32c(s, length) != rans::load_le32(footer + 16)) fail(L2C_ERR_CRC);
    if (f->mem != nullptr) section.assign(s, s + length);
    return section;
}

// Version 3 framing: coding byte, varint length, body stored or raw DEFLATE.
std::vector<uint8_t> unframe(const std::vector<uint8_t>& section) {
    Reader in(section.data(), section.size());
    const uint8_t coding = in.u8();
    const uint64_t length = in.varint();
    const uint64_t body = in.left();
    const uint8_t* p = section.data() + (section.size() - body);
    if (length > kMaxIndexBytes) corrupt();
    if (coding == 0) {
        if (length != body) corrupt();
        return std::vector<uint8_t>(p, p + body);
    }
    if (coding == 1) return inflate_index(p, body, length);
    corrupt();
}

void check_layout(l2c_file* f) {
    std::vector<Range> ranges;
    for (const Tensor& t : f->tensors) {
        for (const Stream& s : t.streams) {
            if (s.length == 0) {
                if (s.offset != 0) corrupt();
                continue;
            }
            if (s.offset < kHeaderBytes) corrupt();
            const bool aligned = f->version < 2 || s.length >= kAlignedPayload;
            if (aligned && s.offset % 64 != 0) corrupt();
            if (s.offset > f->index_offset || s.length > f->index_offset - s.offset) corrupt();
            ranges.push_back({s.offset, s.offset + s.length});
        }
    }
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.offset < b.offset; });
    for (size_t i = 1; i < ranges.size(); i++)
        if (ranges[i].offset < ranges[i - 1].end) corrupt();
    f->payloads = std::move(ranges);
}

void open_file(l2c_file* f) {
    check_header(f);
    {
        std::vector<uint8_t> buf;
        f->version = rans::load_le32(bytes_at(f, 8, 4, buf));
    }
    std::vector<uint8_t> section = check_footer_and_index(f, &f->index_offset);
    std::vector<uint8_t> index = f->version >= 3 ? unframe(section) : std::move(section);
    Reader in(index.data(), index.size());
    f->attributes = attributes(in);
    const uint64_t count = in.count(in.varint(), 1);
    f->tensors.resize(count);
    std::unordered_set<std::string> names;
    uint64_t total = 0;
    for (Tensor& t : f->tensors) {
        tensor(in, f->version, t);
        if (!names.insert(t.name).second) corrupt();
        total += t.count * (uint64_t)dtype_bytes(t.dtype);
        if (total >= kMaxElements) corrupt();
    }
    if (in.left() != 0) corrupt();
    check_layout(f);
}

// --- streams ----------------------------------------------------------------------------------

void check_crc(const uint8_t* p, uint64_t n, uint32_t expected) {
    if (crc32c(p, n) != expected) fail(L2C_ERR_CRC);
}

// The elements of a RAW stream, each `width` bytes, handed to sink(first, bytes, count) block by
// block after each block's CRC check (an element split by a block boundary is carried over).
template <class Sink>
void raw_elements(const l2c_file* f, const Stream& s, uint64_t width, Sink sink) {
    std::vector<uint8_t> buf, carry;
    uint64_t element = 0;
    for (uint64_t b = 0; b < s.crcs.size(); b++) {
        const uint64_t from = b * s.crc_block;
        const uint64_t bytes = std::min(s.crc_block, s.length - from);
        const uint8_t* p = bytes_at(f, s.offset + from, bytes, buf);
        check_crc(p, bytes, s.crcs[b]);
        uint64_t at = 0;
        if (!carry.empty()) {
            const uint64_t take = std::min<uint64_t>(width - carry.size(), bytes);
            carry.insert(carry.end(), p, p + take);
            at = take;
            if (carry.size() == width) {
                sink(element++, carry.data(), (uint64_t)1);
                carry.clear();
            }
        }
        const uint64_t whole = (bytes - at) / width;
        if (whole > 0) sink(element, p + at, whole);
        element += whole;
        at += whole * width;
        carry.insert(carry.end(), p + at, p + bytes);
    }
}

// The slot tables of a SINGLE_LANE_RANS stream, checked as the codec does (sum exactly 2^P, at
// least one symbol).
struct DecodeTable {
    std::vector<uint16_t> symbol;
    std::vector<uint32_t> cum;
};

DecodeTable decode_table(const Stream& s) {
    DecodeTable t;
    const int32_t prec = (int32_t)s.precision;
    t.cum.resize(std::max<size_t>(1, s.freqs.size()));
    if (rans::check_table(s.freqs.data(), (int32_t)s.freqs.size(), prec, t.cum.data()) != l2c::kOk) corrupt();
    std::vector<uint32_t> entry((size_t)1 << prec);
    t.symbol.resize((size_t)1 << prec);
    rans::build_decode_table(s.freqs.data(), (int32_t)s.freqs.size(), prec, entry.data(), t.symbol.data());
    return t;
}

// A RANS stream's table check (sum exactly 2^P, at least one symbol), before anything is decoded.
void check_rans_table(const Stream& s) {
    if (rans::check_table(s.freqs.data(), (int32_t)s.freqs.size(), (int32_t)s.precision, nullptr) != l2c::kOk)
        corrupt();
}

// The decoder of a RANS stream: the kernels' CPU decoder (src/main/cpp/l2c/rans_cpu.h, the one the
// Java reader runs), with `output` kOutU8 / kOutU16 symbols or kOutValues: values[symbol] as
// value_type. Sharing it costs the reader its independence in the chunk loop only: the bitstream
// math is rans_core.h's either way, and the container, its checks and everything around the
// chunks stay this reader's own. It is what makes decoding as fast as reading (issue 14).
rans::cpu::Decoder rans_decoder(const Stream& s, int32_t output, const float* values, int32_t value_type) {
    rans::cpu::Decoder d;
    const int32_t st = rans::cpu::build_decoder(s.freqs.data(), (int32_t)s.freqs.size(), (int32_t)s.precision,
                                                output, values, value_type, &d);
    if (st == l2c::kErrAlloc) fail(L2C_ERR_NO_MEMORY);
    if (st != l2c::kOk) corrupt();
    return d;
}

// Decodes a RANS stream with decoder d in windows of whole chunks (at most kWindowBytes of payload,
// at least one chunk), each chunk's CRC checked before its window is decoded, on one thread:
// target(first, n) gives where the window's n elements from element `first` go,
// done(first, n) is called once they are there.
constexpr uint64_t kWindowBytes = 8u << 20;

template <class Target, class Done>
void rans_windows(const l2c_file* f, const Stream& s, const rans::cpu::Decoder& d, Target target, Done done) {
    std::vector<uint8_t> buf;
    std::vector<int64_t> offsets;
    std::vector<int32_t> status;
    const uint64_t chunks = s.chunk_ends.size();
    const uint64_t out_bytes = (uint64_t)rans::cpu::output_bytes(d);
    for (uint64_t c = 0; c < chunks;) {
        const uint64_t start = c == 0 ? 0 : s.chunk_ends[c - 1];
        uint64_t e = c + 1;
        while (e < chunks && s.chunk_ends[e] - start <= kWindowBytes) e++;
        const uint64_t bytes = s.chunk_ends[e - 1] - start;
        const uint8_t* p = bytes_at(f, s.offset + start, bytes, buf);
        offsets.assign(1, 0);
        for (uint64_t k = c; k < e; k++) {
            const uint64_t from = (uint64_t)offsets.back();
            const uint64_t to = s.chunk_ends[k] - start;
            check_crc(p + from, to - from, s.crcs[k]);
            offsets.push_back((int64_t)to);
        }
        const uint64_t first = c * s.chunk_symbols;
        const uint64_t n = std::min(s.count - first, (e - c) * s.chunk_symbols);
        status.assign(e - c, 0);
        uint8_t* out = target(first, n);
        const int32_t st = rans::cpu::decode(d, p, (int64_t)bytes, offsets.data(), (int64_t)(e - c), (int64_t)n,
                                             (int32_t)s.chunk_symbols, out, (int64_t)(n * out_bytes), 1, status.data());
        if (st != l2c::kOk) corrupt();
        done(first, n);
        c = e;
    }
}

// The symbols of a RANS stream, window by window: sink(first, symbols, count).
template <class Sink>
void rans_symbols(const l2c_file* f, const Stream& s, Sink sink) {
    const rans::cpu::Decoder d = rans_decoder(s, rans::cpu::kOutU16, nullptr, 0);
    std::vector<uint16_t> symbols;
    rans_windows(
        f, s, d,
        [&](uint64_t, uint64_t n) {
            symbols.resize(n);
            return (uint8_t*)symbols.data();
        },
        [&](uint64_t first, uint64_t n) { sink(first, symbols.data(), n); });
}

// The dense symbols of a PACKED or SINGLE_LANE_RANS stream (at most 2^16), each below alphabet.
std::vector<uint16_t> small_symbols(const l2c_file* f, const Stream& s, uint64_t alphabet) {
    std::vector<uint8_t> buf;
    const uint8_t* p = nullptr;
    if (s.length > 0) {
        p = bytes_at(f, s.offset, s.length, buf);
        check_crc(p, s.length, s.crcs[0]);
    }
    std::vector<uint16_t> out(s.count);
    if (s.coding == kPacked) {
        const uint32_t bits = s.precision;
        const uint64_t mask = (1u << bits) - 1;
        uint64_t acc = 0, at = 0;
        uint32_t held = 0;
        for (uint64_t i = 0; i < s.count; i++) {
            while (held < bits) {
                acc |= (uint64_t)p[at++] << held;  // the length was checked against count and bits
                held += 8;
            }
            const uint64_t v = acc & mask;
            acc >>= bits;
            held -= bits;
            if (v >= alphabet) corrupt();
            out[i] = (uint16_t)v;
        }
        if (acc != 0) corrupt();
        return out;
    }
    const DecodeTable t = decode_table(s);
    if (s.freqs.size() != alphabet) corrupt();
    if (s.count == 0 && s.length == 0) return out;
    if (s.length < 4 || (s.length - 4) % 2 != 0) corrupt();
    uint64_t x = rans::load_le32(p);
    if (x < rans::kStateLow) corrupt();
    const uint64_t words = (s.length - 4) / 2;
    uint64_t w = 0;
    const uint32_t prec = s.precision;
    for (uint64_t i = 0; i < s.count; i++) {
        const uint32_t slot = (uint32_t)(x & ((1u << prec) - 1));
        const uint16_t sym = t.symbol[slot];
        x = (uint64_t)s.freqs[sym] * (x >> prec) + slot - t.cum[sym];
        if (x < rans::kStateLow) {
            if (w >= words) corrupt();
            x = (x << 16) | rans::load_le16(p + 4 + 2 * w++);
        }
        out[i] = sym;
    }
    if (x != rans::kStateLow || w != words) corrupt();
    return out;
}

// --- values -----------------------------------------------------------------------------------

// The value of symbol value q in channel c of `count` (docs/FORMAT.md, Determinism): binary64,
// each operation rounded on its own, then rounded once to binary32.
float quantized_value(const Tensor& t, uint64_t count, uint64_t c, int32_t q) {
    const float* p = t.params.data();
    if (t.transform == kUniform) return (float)((double)q * (double)p[c]);
    if (q == 0) return 0.0f;
    const double m = std::fabs((double)q);
    double magnitude;
    if (t.transform == kEdgeScale) {
        const double e = p[c], s = p[count + c];
        magnitude = e + (m - 0.5) * s;
    } else {
        const double e = p[c], s1 = p[count + c], b = p[2 * count + c], s2 = p[3 * count + c];
        const double r = 1 / s1;
        const double knee = 0.5 + (b - e) * r;
        magnitude = m <= knee ? e + (m - 0.5) * s1 : b + (m - knee) * s2;
    }
    return (float)(q < 0 ? -magnitude : magnitude);
}

uint32_t f32_bits(float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    return u;
}
float bits_f32(uint32_t u) {
    float v;
    memcpy(&v, &u, 4);
    return v;
}

// Widening and f64 narrowing with quiet NaNs that keep sign and payload (docs/FORMAT.md, Float
// conversions), spelled out on the bits rather than left to the CPU.
float f16_to_f32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1Fu, man = h & 0x3FFu;
    if (exp == 0x1F) return bits_f32(sign | 0x7F800000u | (man << 13) | (man != 0 ? 0x00400000u : 0));
    if (exp != 0) return bits_f32(sign | ((exp - 15 + 127) << 23) | (man << 13));
    const float magnitude = (float)man * 0x1p-24f;  // exact
    return sign != 0 ? -magnitude : magnitude;
}
float bf16_to_f32(uint16_t b) {
    const uint32_t u = (uint32_t)b << 16;
    return bits_f32((u & 0x7FFFFFFFu) > 0x7F800000u ? u | 0x00400000u : u);
}
float f64_to_f32(uint64_t bits) {
    double d;
    memcpy(&d, &bits, 8);
    if (!std::isnan(d)) return (float)d;
    const uint32_t sign = (uint32_t)(bits >> 63) << 31;
    return bits_f32(sign | 0x7F800000u | 0x00400000u | (uint32_t)((bits >> 29) & 0x7FFFFFu));
}
uint64_t f32_to_f64_bits(float v) {
    const uint32_t u = f32_bits(v);
    if (std::isnan(v)) {
        return ((uint64_t)(u >> 31) << 63) | 0x7FF0000000000000ull | 0x0008000000000000ull |
               ((uint64_t)(u & 0x7FFFFFu) << 29);
    }
    const double d = v;
    uint64_t out;
    memcpy(&out, &d, 8);
    return out;
}

// Stores float v as element i of dst in type `to` (F64, F32, F16 or BF16).
void store_value(uint8_t* dst, uint64_t i, int to, float v) {
    switch (to) {
        case L2C_DTYPE_F64: {
            const uint64_t b = f32_to_f64_bits(v);
            for (int k = 0; k < 8; k++) dst[8 * i + k] = (uint8_t)(b >> (8 * k));
            return;
        }
        case L2C_DTYPE_F32: rans::store_le32(dst + 4 * i, f32_bits(v)); return;
        case L2C_DTYPE_F16: rans::store_le16(dst + 2 * i, rans::f32_to_f16_bits(v)); return;
        default: rans::store_le16(dst + 2 * i, rans::f32_to_bf16_bits(v)); return;
    }
}

// Element p of a little-endian float type `from` as f32.
float load_float(const uint8_t* p, int from) {
    switch (from) {
        case L2C_DTYPE_F64: return f64_to_f32(load_le64(p));
        case L2C_DTYPE_F32: return bits_f32(rans::load_le32(p));
        case L2C_DTYPE_F16: return f16_to_f32((uint16_t)rans::load_le16(p));
        default: return bf16_to_f32((uint16_t)rans::load_le16(p));
    }
}

// --- tensors ----------------------------------------------------------------------------------

bool host_symbols(const Tensor& t) {
    return t.streams.size() == 1 && t.streams[0].coding != kRans;
}

// The checks the Java decoder makes of a quantized tensor's transform and stream, before symbols.
void check_quantized(const l2c_file* f, const Tensor& t) {
    if (t.streams.size() != 1) corrupt();
    if (t.transform == kNone) corrupt();  // a quantized tensor needs a transform
    const Stream& s = t.streams[0];
    if (s.count != t.count) corrupt();
    if (host_symbols(t)) {
        if (s.width != 1 && s.width != 2) corrupt();
        if (s.coding == kRaw && f->version < 2) corrupt();
        if (s.coding == kRaw && t.count * s.width > kMaxIndexBytes) corrupt();  // as the Java reader
    } else {
        check_rans_table(s);
        if (s.freqs.size() != t.alphabet.size()) corrupt();
    }
}

// The dense symbols of a quantized tensor, batch by batch: sink(first, symbols, count).
template <class Sink>
void quantized_symbols(const l2c_file* f, const Tensor& t, Sink sink) {
    check_quantized(f, t);
    const Stream& s = t.streams[0];
    const uint64_t a = t.alphabet.size();
    if (s.coding == kRans) {
        rans_symbols(f, s, sink);
    } else if (s.coding == kRaw) {
        std::vector<uint16_t> symbols;
        raw_elements(f, s, s.width, [&](uint64_t first, const uint8_t* p, uint64_t n) {
            symbols.resize(n);
            for (uint64_t i = 0; i < n; i++) {
                const uint32_t k = s.width == 1 ? p[i] : rans::load_le16(p + 2 * i);
                if (k >= a) corrupt();
                symbols[i] = (uint16_t)k;
            }
            sink(first, symbols.data(), n);
        });
    } else {
        const std::vector<uint16_t> symbols = small_symbols(f, s, a);
        sink(0, symbols.data(), (uint64_t)symbols.size());
    }
}

// Byte planes of a lossless tensor (src/main/java/dev/l2c/codec/FloatPlaneCodec.java): F32
// exponent | sign + mantissa 22..16 | mantissa 15..8 | mantissa 7..0; BF16 exponent | sign +
// mantissa; F16 and F64 plain bytes, most significant first. This is the layout code of
// l2c/planes.h for a lossless tensor's type.
int32_t plane_layout(int dtype) {
    return dtype == L2C_DTYPE_F32 ? l2c::planes::kF32Exponent
           : dtype == L2C_DTYPE_BF16 ? l2c::planes::kBf16Exponent
           : dtype == L2C_DTYPE_F64 ? l2c::planes::kBytes8 : l2c::planes::kBytes2;
}

int plane_count(int dtype) { return l2c::planes::plane_count(plane_layout(dtype)); }

void check_lossless(const Tensor& t) {
    const int planes = plane_count(t.dtype);
    if ((int64_t)t.streams.size() != planes) corrupt();
    for (const Stream& s : t.streams) {
        if (s.width != 1 || s.count != t.count) corrupt();
        if (s.coding == kRans) check_rans_table(s);
    }
}

// Decodes every plane of a lossless tensor, one after another, into a buffer of its bytes, and
// joins them into out (t.count elements of its type).
void lossless_join(const l2c_file* f, const Tensor& t, uint8_t* out) {
    check_lossless(t);
    // Not zeroed: every byte is written below before the join reads it.
    std::unique_ptr<uint8_t[]> planes(new uint8_t[t.count * (uint64_t)plane_count(t.dtype)]);
    for (size_t p = 0; p < t.streams.size(); p++) {
        const Stream& s = t.streams[p];
        uint8_t* plane = planes.get() + p * t.count;
        if (s.coding == kRaw) {
            raw_elements(f, s, 1, [&](uint64_t first, const uint8_t* b, uint64_t n) { memcpy(plane + first, b, n); });
        } else {
            const rans::cpu::Decoder d = rans_decoder(s, rans::cpu::kOutU8, nullptr, 0);
            rans_windows(f, s, d, [&](uint64_t first, uint64_t) { return plane + first; }, [](uint64_t, uint64_t) {});
        }
    }
    if (l2c::planes::join(plane_layout(t.dtype), planes.get(), (int64_t)t.count, out) != l2c::kOk) corrupt();
}

// The type a tensor decodes to for the requested dtype, or a failure.
int target_type(const Tensor& t, int requested) {
    if (requested == L2C_DTYPE_ORIGINAL || requested == t.dtype) return t.dtype;
    if (requested < 1 || requested > 13) fail(L2C_ERR_ARGUMENT);
    if (!is_float(t.dtype) || (requested != L2C_DTYPE_F32 && requested != L2C_DTYPE_F16 && requested != L2C_DTYPE_BF16))
        fail(L2C_ERR_CONVERSION);
    return requested;
}

void check_kind(const Tensor& t) {
    if (t.kind != kKindRaw && !is_float(t.dtype)) corrupt();
}

// dst[i] = table[sym[i]] for elements of W bytes.
template <int W>
void copy_values(const uint8_t* table, const uint16_t* sym, uint64_t n, uint8_t* dst) {
    for (uint64_t i = 0; i < n; i++) memcpy(dst + i * W, table + (uint64_t)sym[i] * W, W);
}

void decode_tensor(const l2c_file* f, const Tensor& t, int to, uint8_t* dst) {
    check_kind(t);
    const int out_width = dtype_bytes(to);
    if (t.kind == kKindQuantized) {
        // Quantized values are f32; an F64 tensor widens them, the others narrow them.
        check_quantized(f, t);
        const uint64_t a = t.alphabet.size();
        if (t.axis < 0) {
            std::vector<float> values(a);
            for (uint64_t k = 0; k < a; k++) values[k] = quantized_value(t, 1, 0, t.alphabet[k]);
            if (t.streams[0].coding == kRans && to != L2C_DTYPE_F64) {
                // The decoder writes each symbol's value itself (rans_core.h narrows as store_value).
                const int32_t type = to == L2C_DTYPE_F32 ? rans::kValueF32 : to == L2C_DTYPE_F16 ? rans::kValueF16 : rans::kValueBF16;
                const rans::cpu::Decoder d = rans_decoder(t.streams[0], rans::cpu::kOutValues, values.data(), type);
                rans_windows(f, t.streams[0], d, [&](uint64_t first, uint64_t) { return dst + first * out_width; },
                             [](uint64_t, uint64_t) {});
                return;
            }
            std::vector<uint8_t> table(a * out_width);
            for (uint64_t k = 0; k < a; k++) store_value(table.data(), k, to, values[k]);
            quantized_symbols(f, t, [&](uint64_t first, const uint16_t* sym, uint64_t n) {
                switch (out_width) {  // fixed-size copies the compiler inlines
                    case 2: copy_values<2>(table.data(), sym, n, dst + first * 2); break;
                    case 4: copy_values<4>(table.data(), sym, n, dst + first * 4); break;
                    default: copy_values<8>(table.data(), sym, n, dst + first * 8); break;
                }
            });
        } else {
            const uint64_t count = t.dims[(size_t)t.axis];
            uint64_t inner = 1;
            for (size_t d = (size_t)t.axis + 1; d < t.dims.size(); d++) inner *= t.dims[d];  // < 2^62 when count > 0
            if (inner == 0) inner = 1;
            // Element i is in channel (i / inner) % count; runs of `inner` elements share a channel.
            // A run at least as long as the alphabet gets its channel's value table (the same
            // values, computed once per symbol instead of once per element).
            std::vector<uint8_t> table(inner >= a ? a * out_width : 0);
            uint64_t table_channel = UINT64_MAX;
            quantized_symbols(f, t, [&](uint64_t first, const uint16_t* sym, uint64_t n) {
                for (uint64_t i = 0; i < n;) {
                    const uint64_t at = first + i;
                    const uint64_t c = (at / inner) % count;
                    const uint64_t run = std::min(n - i, inner - at % inner);
                    if (table.empty()) {
                        for (uint64_t k = 0; k < run; k++)
                            store_value(dst, at + k, to, quantized_value(t, count, c, t.alphabet[sym[i + k]]));
                    } else {
                        if (c != table_channel) {
                            for (uint64_t k = 0; k < a; k++) store_value(table.data(), k, to, quantized_value(t, count, c, t.alphabet[k]));
                            table_channel = c;
                        }
                        switch (out_width) {
                            case 2: copy_values<2>(table.data(), sym + i, run, dst + at * 2); break;
                            case 4: copy_values<4>(table.data(), sym + i, run, dst + at * 4); break;
                            default: copy_values<8>(table.data(), sym + i, run, dst + at * 8); break;
                        }
                    }
                    i += run;
                }
            });
        }
        return;
    }
    const int width = dtype_bytes(t.dtype);
    if (t.kind == kKindLossless) {
        // Joined in the original type (in dst when no conversion is asked), then converted.
        std::vector<uint8_t> joined;
        uint8_t* out = dst;
        if (to != t.dtype) {
            joined.resize(t.count * width);
            out = joined.data();
        }
        lossless_join(f, t, out);
        if (to != t.dtype)
            for (uint64_t i = 0; i < t.count; i++) store_value(dst, i, to, load_float(out + i * width, t.dtype));
        return;
    }
    raw_elements(f, t.streams[0], width, [&](uint64_t first, const uint8_t* b, uint64_t n) {
        if (to == t.dtype) {
            memcpy(dst + first * width, b, n * width);
        } else {
            for (uint64_t i = 0; i < n; i++) store_value(dst, first + i, to, load_float(b + i * width, t.dtype));
        }
    });
}

// Every CRC of the file and the zero padding (Java: L2cReader.verifyChecksums).
void verify_checksums(const l2c_file* f) {
    check_header(f);
    uint64_t index_offset = 0;
    check_footer_and_index(f, &index_offset);
    if (index_offset != f->index_offset) corrupt();
    std::vector<uint8_t> buf;
    for (const Tensor& t : f->tensors) {
        for (const Stream& s : t.streams) {
            for (uint64_t k = 0; k < s.crcs.size(); k++) {
                uint64_t from, to;
                if (s.coding == kRaw) {
                    from = k * s.crc_block;
                    to = std::min(from + s.crc_block, s.length);
                } else if (s.coding == kRans) {
                    from = k == 0 ? 0 : s.chunk_ends[k - 1];
                    to = s.chunk_ends[k];
                } else {
                    from = 0;
                    to = s.length;
                }
                check_crc(bytes_at(f, s.offset + from, to - from, buf), to - from, s.crcs[k]);
            }
        }
    }
    auto zero = [&](uint64_t from, uint64_t to) {
        constexpr uint64_t kPiece = 1u << 20;
        for (uint64_t at = from; at < to; at += kPiece) {
            const uint64_t n = std::min(kPiece, to - at);
            const uint8_t* p = bytes_at(f, at, n, buf);
            for (uint64_t i = 0; i < n; i++)
                if (p[i] != 0) corrupt();
        }
    };
    uint64_t previous = kHeaderBytes;
    for (const Range& r : f->payloads) {
        zero(previous, r.offset);
        previous = r.end;
    }
    zero(previous, f->index_offset);
}

void verify_tensor(const l2c_file* f, const Tensor& t) {
    check_kind(t);
    if (t.kind == kKindQuantized) {
        quantized_symbols(f, t, [](uint64_t, const uint16_t*, uint64_t) {});
    } else if (t.kind == kKindLossless) {
        check_lossless(t);
        for (const Stream& s : t.streams)
            if (s.coding == kRans) rans_symbols(f, s, [](uint64_t, const uint16_t*, uint64_t) {});
    }
    // RAW tensors: their stream was checked at open and its CRCs by verify_checksums.
}

const Tensor* tensor_at(const l2c_file* f, size_t index) {
    if (f == nullptr || index >= f->tensors.size()) fail(L2C_ERR_ARGUMENT);
    return &f->tensors[index];
}

template <class Body>
l2c_status guarded(Body body) {
    try {
        body();
        return L2C_OK;
    } catch (const Fail& e) {
        return e.status;
    } catch (const std::bad_alloc&) {
        return L2C_ERR_NO_MEMORY;
    } catch (const std::length_error&) {
        return L2C_ERR_NO_MEMORY;
    } catch (...) {
        return L2C_ERR_CORRUPT;
    }
}

l2c_status open_with(l2c_file* f, l2c_file** out) {
    const l2c_status st = guarded([&] { open_file(f); });
    if (st != L2C_OK) {
        delete f;
        return st;
    }
    *out = f;
    return L2C_OK;
}

}  // namespace

extern "C" {

uint32_t l2c_abi_version(void) { return L2C_ABI_VERSION; }

const char* l2c_version(void) { return L2C_VERSION_STRING; }

const char* l2c_status_message(l2c_status status) {
    switch (status) {
        case L2C_OK: return "ok";
        case L2C_ERR_ARGUMENT: return "invalid argument";
        case L2C_ERR_IO: return "cannot open or read the file (or it shrank while being read)";
        case L2C_ERR_NOT_L2C: return "not an .l2c file (bad magic or too short)";
        case L2C_ERR_VERSION: return "unsupported format version";
        case L2C_ERR_CORRUPT: return "file corrupt (a header, footer, index, layout or stream check failed)";
        case L2C_ERR_CRC: return "CRC mismatch (file corrupt)";
        case L2C_ERR_CONVERSION: return "the tensor cannot be decoded to that type";
        case L2C_ERR_BUFFER: return "the destination buffer is too small";
        case L2C_ERR_NO_MEMORY: return "out of memory";
        case L2C_ERR_NOT_FOUND: return "no tensor of that name";
    }
    return "unknown status";
}

l2c_status l2c_open_path(const char* path, l2c_file** out) {
    if (out == nullptr) return L2C_ERR_ARGUMENT;
    *out = nullptr;
    if (path == nullptr) return L2C_ERR_ARGUMENT;
    l2c_file* f = new (std::nothrow) l2c_file();
    if (f == nullptr) return L2C_ERR_NO_MEMORY;
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) {
        delete f;
        return L2C_ERR_IO;
    }
    const off_t end = lseek(f->fd, 0, SEEK_END);
    if (end < 0) {
        delete f;
        return L2C_ERR_IO;
    }
    f->size = (uint64_t)end;
    return open_with(f, out);
}

l2c_status l2c_open_memory(const void* data, size_t size, l2c_file** out) {
    if (out == nullptr) return L2C_ERR_ARGUMENT;
    *out = nullptr;
    if (data == nullptr && size != 0) return L2C_ERR_ARGUMENT;
    l2c_file* f = new (std::nothrow) l2c_file();
    if (f == nullptr) return L2C_ERR_NO_MEMORY;
    static const uint8_t kEmpty = 0;
    f->mem = data != nullptr ? (const uint8_t*)data : &kEmpty;
    f->size = size;
    return open_with(f, out);
}

void l2c_close(l2c_file* file) { delete file; }

uint32_t l2c_format_version(const l2c_file* file) { return file == nullptr ? 0 : file->version; }

size_t l2c_tensor_count(const l2c_file* file) { return file == nullptr ? 0 : file->tensors.size(); }

size_t l2c_attribute_count(const l2c_file* file) { return file == nullptr ? 0 : file->attributes.size(); }

l2c_status l2c_get_attribute(const l2c_file* file, size_t index, const char** key, size_t* key_bytes, const char** value,
                             size_t* value_bytes) {
    if (file == nullptr || key == nullptr || key_bytes == nullptr || value == nullptr || value_bytes == nullptr ||
        index >= file->attributes.size()) {
        return L2C_ERR_ARGUMENT;
    }
    const auto& a = file->attributes[index];
    *key = a.first.c_str();
    *key_bytes = a.first.size();
    *value = a.second.c_str();
    *value_bytes = a.second.size();
    return L2C_OK;
}

l2c_status l2c_get_tensor_info(const l2c_file* file, size_t index, l2c_tensor_info* out) {
    if (out == nullptr) return L2C_ERR_ARGUMENT;
    return guarded([&] {
        const Tensor* t = tensor_at(file, index);
        out->name = t->name.c_str();
        out->name_bytes = t->name.size();
        out->dtype = t->dtype;
        out->kind = t->kind;
        out->rank = (uint32_t)t->dims.size();
        out->dims = t->dims.data();
        out->element_count = t->count;
    });
}

l2c_status l2c_find(const l2c_file* file, const char* name, size_t name_bytes, size_t* index) {
    if (file == nullptr || index == nullptr || (name == nullptr && name_bytes != 0)) return L2C_ERR_ARGUMENT;
    for (size_t i = 0; i < file->tensors.size(); i++) {
        const std::string& n = file->tensors[i].name;
        if (n.size() == name_bytes && (name_bytes == 0 || memcmp(n.data(), name, name_bytes) == 0)) {
            *index = i;
            return L2C_OK;
        }
    }
    return L2C_ERR_NOT_FOUND;
}

l2c_status l2c_decoded_bytes(const l2c_file* file, size_t index, int out_dtype, uint64_t* bytes) {
    if (bytes == nullptr) return L2C_ERR_ARGUMENT;
    return guarded([&] {
        const Tensor* t = tensor_at(file, index);
        *bytes = t->count * (uint64_t)dtype_bytes(target_type(*t, out_dtype));  // below 2^63
    });
}

l2c_status l2c_decode(const l2c_file* file, size_t index, int out_dtype, void* dst, size_t dst_bytes) {
    return guarded([&] {
        const Tensor* t = tensor_at(file, index);
        const int to = target_type(*t, out_dtype);
        const uint64_t need = t->count * (uint64_t)dtype_bytes(to);
        if (need > dst_bytes) fail(L2C_ERR_BUFFER);
        if (dst == nullptr && need > 0) fail(L2C_ERR_ARGUMENT);
        uint8_t none = 0;
        decode_tensor(file, *t, to, dst != nullptr ? (uint8_t*)dst : &none);
    });
}

l2c_status l2c_verify(const l2c_file* file) {
    if (file == nullptr) return L2C_ERR_ARGUMENT;
    return guarded([&] {
        verify_checksums(file);
        for (const Tensor& t : file->tensors) verify_tensor(file, t);
    });
}

}  // extern "C"
