// The one status enum of every native kernel family (rans, transform, counter) on CPU and CUDA,
// and its one message table. 0 is success, errors are negative, and each code means one thing
// everywhere. Java reads the message through l2c_status_message (dev.l2c.nativelib.NativeStatus),
// so there is no second table to fall out of step.
#pragma once

#include <stdint.h>

#include "l2c/hd.h"

namespace l2c {

enum Status : int32_t {
    kOk = 0,
    kErrArgument = -1,    // a size, pointer, count, kind or layout is invalid
    kErrTable = -2,       // rANS: precision, alphabet or frequencies invalid (sum != 2^P, f < 0, ...)
    kErrSymbol = -3,      // rANS: a symbol is >= A or has frequency 0 (err_pos: its index)
    kErrOffsets = -4,     // rANS: chunk offsets outside the payload, decreasing, or a chunk < 128 B / odd
    kErrTruncated = -5,   // rANS: the decoder would read past the chunk's words
    kErrTrailing = -6,    // rANS: at a chunk's end a lane state != L or words are left over
    kErrState = -7,       // rANS: a stored lane state is below L
    kErrCapacity = -8,    // an output buffer is too small
    kErrDevice = -9,      // CUDA runtime failure (allocation, copy, launch)
    kErrAlloc = -10,      // host allocation failed
    kErrParams = -11,     // transform: a parameter is not finite, not > 0, or b < e (PIECEWISE)
    kErrNonFinite = -12,  // transform, counter: a weight or code is NaN or infinite (err_pos: its index)
    kErrCodeRange = -13,  // transform: |c| >= 2^30, the step is too small for the weight (err_pos: index)
    kErrBinRange = -14,   // counter: the codes span more than 2^20 symbols
};

// The message of a status code; an unknown code gets a message that says so.
inline const char* status_message(int32_t status) {
    switch (status) {
        case kOk: return "ok";
        case kErrArgument: return "invalid argument";
        case kErrTable: return "invalid frequency table";
        case kErrSymbol: return "symbol outside the alphabet or of frequency 0";
        case kErrOffsets: return "chunk offsets outside the payload, decreasing, or a chunk under 128 bytes or of odd size";
        case kErrTruncated: return "corrupt data: the chunk ends before its symbols do (truncated)";
        case kErrTrailing: return "corrupt data: the lane states do not return to their start or words are left over";
        case kErrState: return "corrupt data: a stored lane state is out of range";
        case kErrCapacity: return "output buffer too small";
        case kErrDevice: return "CUDA runtime error";
        case kErrAlloc: return "out of native memory";
        case kErrParams: return "invalid parameters (each must be finite and > 0, and b >= e for piecewise)";
        case kErrNonFinite: return "a value is NaN or infinite";
        case kErrCodeRange: return "a code exceeds 2^30 in magnitude (the step is too small for the weights)";
        case kErrBinRange: return "the codes span more than 2^20 symbols";
        default: return "unknown status";
    }
}

}  // namespace l2c
