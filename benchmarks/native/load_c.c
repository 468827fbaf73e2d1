/*
 * Issue 14's load time through the C library: all-MiniLM-L6-v2's weights into memory as float32
 * on one thread, against reading the fp32 safetensors file from the page cache into a buffer
 * allocated once (the peer), alternated in one process. One rep = the whole model: l2c_open_path,
 * l2c_decode of every tensor as F32 into the buffer, l2c_close; or open, read to the end, close.
 * Prints the minimum and median of each and their ratio. Built and run by scripts/bench-load-c.sh.
 * With "stored" as a fourth argument, float tensors decode in their stored type instead (issue
 * 13's lossless bf16 speed, against the bf16 safetensors file).
 * Usage: load_c MODEL.l2c MODEL.safetensors REPS [stored]
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "l2c.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

/* Reads path to its end into buf (cap bytes); returns the bytes read or -1. */
static long read_file(const char* path, unsigned char* buf, size_t cap) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    size_t at = 0;
    for (;;) {
        ssize_t n = read(fd, buf + at, cap - at);
        if (n < 0) { close(fd); return -1; }
        if (n == 0) break;
        at += (size_t)n;
        if (at == cap) break;
    }
    close(fd);
    return (long)at;
}

/* Decodes every tensor of path as F32 (or its stored type) into buf, one after another; returns the bytes or -1. */
static int stored_type;
static long decode_file(const char* path, unsigned char* buf, size_t cap) {
    l2c_file* f;
    l2c_status st = l2c_open_path(path, &f);
    if (st != L2C_OK) { fprintf(stderr, "%s: %s\n", path, l2c_status_message(st)); return -1; }
    size_t at = 0;
    for (size_t i = 0; i < l2c_tensor_count(f); i++) {
        l2c_tensor_info info;
        uint64_t bytes;
        if (l2c_get_tensor_info(f, i, &info) != L2C_OK) { l2c_close(f); return -1; }
        int as = !stored_type && (info.dtype == L2C_DTYPE_F32 || info.dtype == L2C_DTYPE_F16 || info.dtype == L2C_DTYPE_BF16)
                ? L2C_DTYPE_F32 : L2C_DTYPE_ORIGINAL;
        if (l2c_decoded_bytes(f, i, as, &bytes) != L2C_OK || bytes > cap - at) { l2c_close(f); return -1; }
        st = l2c_decode(f, i, as, buf + at, (size_t)bytes);
        if (st != L2C_OK) { fprintf(stderr, "%s: %s\n", path, l2c_status_message(st)); l2c_close(f); return -1; }
        at += (size_t)bytes;
    }
    l2c_close(f);
    return (long)at;
}

int main(int argc, char** argv) {
    if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "stored") != 0) || !l2c_check_abi()) {
        fprintf(stderr, "usage: load_c MODEL.l2c MODEL.safetensors REPS [stored] (and a libl2c of this header's ABI)\n");
        return 2;
    }
    int reps = atoi(argv[3]);
    stored_type = argc == 5;
    struct stat st;
    if (reps < 1 || stat(argv[2], &st) != 0) { fprintf(stderr, "%s: cannot stat\n", argv[2]); return 2; }
    size_t cap = (size_t)st.st_size;
    unsigned char* buf = malloc(cap);
    double* dec = malloc(sizeof(double) * reps);
    double* rd = malloc(sizeof(double) * reps);
    if (!buf || !dec || !rd) return 2;
    long decoded = 0, read = 0;
    for (int r = -2; r < reps; r++) { /* two unmeasured rounds page both files in and touch buf */
        double t0 = now_ms();
        read = read_file(argv[2], buf, cap);
        double t1 = now_ms();
        decoded = decode_file(argv[1], buf, cap);
        double t2 = now_ms();
        if (read < 0 || decoded < 0) { fprintf(stderr, "load_c: a read or decode failed\n"); return 1; }
        if (r >= 0) { rd[r] = t1 - t0; dec[r] = t2 - t1; }
    }
    qsort(rd, reps, sizeof(double), by_value);
    qsort(dec, reps, sizeof(double), by_value);
    printf("| work | bytes into memory | min ms | median ms |\n|---|---:|---:|---:|\n");
    printf("| read safetensors (page cache) | %ld | %.1f | %.1f |\n", read, rd[0], rd[reps / 2]);
    printf("| C library: decode .l2c as %s, 1 thread | %ld | %.1f | %.1f |\n", stored_type ? "stored" : "F32", decoded, dec[0],
           dec[reps / 2]);
    printf("\ndecode: %.2f GB/s of output (min time)\n", decoded / dec[0] / 1e6);
    printf("decode / read: %.2fx (min), %.2fx (median); %d reps\n", dec[0] / rd[0], dec[reps / 2] / rd[reps / 2], reps);
    free(buf);
    free(dec);
    free(rd);
    return 0;
}
