// Byte planes of lossless floats (docs/FORMAT.md, LOSSLESS_FLOAT; dev.l2c.codec.FloatPlaneCodec):
// joins a tensor's decoded planes back into its little-endian elements. Shared by the JNI kernels
// and the C reader (src/main/c/l2c_reader.cpp). Header-only; no allocation, no threads.
//
// Layouts (plane 0 first):
//  * kF32Exponent: exponent | sign + mantissa[22:16] | mantissa[15:8] | mantissa[7:0];
//  * kBf16Exponent: exponent | sign + mantissa[6:0];
//  * kBytes2, kBytes8: the element's bytes, most significant first (fp16, fp64).
#pragma once
#include <stdint.h>
#include <string.h>

#include "l2c/simd.h"
#include "l2c/status.h"

namespace l2c {
namespace planes {

enum Layout : int32_t { kF32Exponent = 0, kBf16Exponent = 1, kBytes2 = 2, kBytes8 = 3 };

// Planes of a layout, which is also its bytes per element (a plane per byte); 0 for a code that
// is none.
inline int32_t plane_count(int32_t layout) {
    switch (layout) {
        case kF32Exponent: return 4;
        case kBf16Exponent: return 2;
        case kBytes2: return 2;
        case kBytes8: return 8;
        default: return 0;
    }
}

inline void put_le16(uint8_t* p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint16_t w = (uint16_t)v;
    memcpy(p, &w, 2);
#else
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
#endif
}

inline void put_le32(uint8_t* p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 4);
#else
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
#endif
}

// The loops of join for a layout that passed its checks. Each step is one independent element,
// so the compiler vectorizes them (at -O3; join_avx2 compiles them again for AVX2).
L2C_ALWAYS_INLINE void join_body(int32_t layout, const uint8_t* planes, int64_t count, uint8_t* out) {
    const uint8_t* __restrict p0 = planes;
    const uint8_t* __restrict p1 = planes + count;
    uint8_t* __restrict o = out;
    switch (layout) {
        case kF32Exponent: {
            const uint8_t* __restrict p2 = planes + 2 * count;
            const uint8_t* __restrict p3 = planes + 3 * count;
            for (int64_t i = 0; i < count; i++) {
                const uint32_t s = p1[i];
                put_le32(o + 4 * i, ((s >> 7) << 31) | ((uint32_t)p0[i] << 23) | ((s & 0x7Fu) << 16) |
                                        ((uint32_t)p2[i] << 8) | p3[i]);
            }
            break;
        }
        case kBf16Exponent:
            for (int64_t i = 0; i < count; i++) {
                const uint32_t s = p1[i];
                put_le16(o + 2 * i, ((s >> 7) << 15) | ((uint32_t)p0[i] << 7) | (s & 0x7Fu));
            }
            break;
        case kBytes2:
            for (int64_t i = 0; i < count; i++) put_le16(o + 2 * i, ((uint32_t)p0[i] << 8) | p1[i]);
            break;
        default:  // kBytes8: plane b is byte 7 - b of the element
            for (int64_t i = 0; i < count; i++)
                for (int b = 0; b < 8; b++) o[8 * i + 7 - b] = planes[b * count + i];
            break;
    }
}

#if L2C_X86_SIMD
L2C_TARGET_AVX2 inline void join_avx2(int32_t layout, const uint8_t* planes, int64_t count, uint8_t* out) {
    join_body(layout, planes, count, out);
}
#endif

// Joins plane_count(layout) planes of count bytes each, laid out one after another in `planes`
// (plane p at planes + p * count), into count elements at out (any alignment; it must not
// overlap the planes), at the SIMD level of l2c/simd.h. kOk, or kErrArgument for an unknown
// layout, a negative count or a null buffer.
inline int32_t join(int32_t layout, const uint8_t* planes, int64_t count, uint8_t* out) {
    if (plane_count(layout) == 0 || count < 0 || (count > 0 && (planes == nullptr || out == nullptr)))
        return kErrArgument;
#if L2C_X86_SIMD
    if (simd::level() >= simd::kAvx2) {
        join_avx2(layout, planes, count, out);
        return kOk;
    }
#endif
    join_body(layout, planes, count, out);
    return kOk;
}

}  // namespace planes
}  // namespace l2c
