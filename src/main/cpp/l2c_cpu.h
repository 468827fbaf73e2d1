// Entry points bound by dev.l2c.nativelib.CpuKernels. Each kernel family has its own header;
// this one only gathers them for the JavaCPP build.
#pragma once
#include <omp.h>

inline int l2c_cpu_max_threads() { return omp_get_max_threads(); }
