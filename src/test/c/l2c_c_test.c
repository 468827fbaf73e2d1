/*
 * Test driver of the C ABI (include/l2c.h), run by dev.l2c.cabi.CAbiTest. Compiled as C.
 *
 *   l2c-c-test [-m] info FILE                     tensors, one line each (names as hex)
 *   l2c-c-test [-m] decode FILE INDEX DTYPE OUT   tensor INDEX as DTYPE (0: its own) into OUT
 *   l2c-c-test [-m] decode-all FILE DTYPE PREFIX  every tensor into PREFIX.INDEX
 *   l2c-c-test [-m] verify FILE...                open + l2c_verify of each file
 *   l2c-c-test example FILE                       the README's example
 *
 * -m reads each file into memory and opens it with l2c_open_memory. Results go to stdout as
 * lines of words; a refusal prints "refused STEP CODE" and, on stderr, the status message; the
 * exit status is 1 when anything was refused, 2 on a usage error. Names from files are never
 * printed as text, only as hex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2c.h"

static int use_memory = 0;

/* What an open file needs kept: the file and, for -m, its bytes. */
typedef struct {
    l2c_file* file;
    void* bytes;
} opened;

static void* read_all(const char* path, size_t* size) {
    FILE* in = fopen(path, "rb");
    if (in == NULL) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char* buf = malloc(cap);
    for (;;) {
        if (buf == NULL) break;
        n += fread(buf + n, 1, cap - n, in);
        if (n < cap) break;
        cap *= 2;
        unsigned char* grown = realloc(buf, cap);
        if (grown == NULL) free(buf);
        buf = grown;
    }
    fclose(in);
    *size = n;
    return buf;
}

static l2c_status open_file(const char* path, opened* o) {
    o->file = NULL;
    o->bytes = NULL;
    if (!use_memory) return l2c_open_path(path, &o->file);
    size_t size = 0;
    o->bytes = read_all(path, &size);
    if (o->bytes == NULL) return L2C_ERR_IO;
    return l2c_open_memory(o->bytes, size, &o->file);
}

static void close_file(opened* o) {
    l2c_close(o->file);
    free(o->bytes);
}

static int refused(const char* step, l2c_status st) {
    printf("refused %s %d\n", step, (int)st);
    fprintf(stderr, "l2c-c-test: %s: %s\n", step, l2c_status_message(st));
    return 1;
}

static int info(const char* path) {
    opened o;
    l2c_status st = open_file(path, &o);
    if (st != L2C_OK) return refused("open", st);
    size_t n = l2c_tensor_count(o.file);
    printf("version %u\ntensors %zu\n", l2c_format_version(o.file), n);
    for (size_t i = 0; i < n; i++) {
        l2c_tensor_info t;
        st = l2c_get_tensor_info(o.file, i, &t);
        if (st != L2C_OK) {
            close_file(&o);
            return refused("info", st);
        }
        size_t found = (size_t)-1;
        if (l2c_find(o.file, t.name, t.name_bytes, &found) != L2C_OK || found != i) {
            close_file(&o);
            return refused("find", L2C_ERR_NOT_FOUND);
        }
        printf("tensor %zu %d %d %llu ", i, t.dtype, t.kind, (unsigned long long)t.element_count);
        for (size_t k = 0; k < t.name_bytes; k++) printf("%02x", (unsigned char)t.name[k]);
        printf(" %u", t.rank);
        for (uint32_t d = 0; d < t.rank; d++) printf(" %llu", (unsigned long long)t.dims[d]);
        printf("\n");
    }
    size_t na = l2c_attribute_count(o.file);
    for (size_t i = 0; i < na; i++) {
        const char *key, *value;
        size_t kb, vb;
        st = l2c_get_attribute(o.file, i, &key, &kb, &value, &vb);
        if (st != L2C_OK) {
            close_file(&o);
            return refused("attribute", st);
        }
        printf("attribute ");
        for (size_t k = 0; k < kb; k++) printf("%02x", (unsigned char)key[k]);
        printf(" ");
        for (size_t k = 0; k < vb; k++) printf("%02x", (unsigned char)value[k]);
        printf("\n");
    }
    close_file(&o);
    return 0;
}

/* Decodes tensor index as dtype into out; prints "decoded INDEX BYTES" or a refusal. */
static int decode_one(l2c_file* f, size_t index, int dtype, const char* out) {
    uint64_t bytes = 0;
    l2c_status st = l2c_decoded_bytes(f, index, dtype, &bytes);
    if (st != L2C_OK) return refused("size", st);
    void* dst = malloc(bytes > 0 ? (size_t)bytes : 1);
    if (dst == NULL) return refused("alloc", L2C_ERR_NO_MEMORY);
    /* A buffer one byte short is refused. */
    if (bytes > 0 && l2c_decode(f, index, dtype, dst, (size_t)bytes - 1) != L2C_ERR_BUFFER) {
        free(dst);
        return refused("short-buffer", L2C_ERR_ARGUMENT);
    }
    st = l2c_decode(f, index, dtype, dst, (size_t)bytes);
    if (st != L2C_OK) {
        free(dst);
        return refused("decode", st);
    }
    FILE* o = fopen(out, "wb");
    if (o == NULL || fwrite(dst, 1, (size_t)bytes, o) != (size_t)bytes) {
        if (o != NULL) fclose(o);
        free(dst);
        return refused("write", L2C_ERR_IO);
    }
    fclose(o);
    free(dst);
    printf("decoded %zu %llu\n", index, (unsigned long long)bytes);
    return 0;
}

static int decode(const char* path, const char* index, const char* dtype, const char* out) {
    opened o;
    l2c_status st = open_file(path, &o);
    if (st != L2C_OK) return refused("open", st);
    int rc = decode_one(o.file, (size_t)strtoull(index, NULL, 10), atoi(dtype), out);
    close_file(&o);
    return rc;
}

static int decode_all(const char* path, const char* dtype, const char* prefix) {
    opened o;
    l2c_status st = open_file(path, &o);
    if (st != L2C_OK) return refused("open", st);
    int rc = 0;
    size_t n = l2c_tensor_count(o.file);
    size_t len = strlen(prefix) + 32;
    char* out = malloc(len);
    for (size_t i = 0; i < n && out != NULL; i++) {
        snprintf(out, len, "%s.%zu", prefix, i);
        rc |= decode_one(o.file, i, atoi(dtype), out);
    }
    free(out);
    close_file(&o);
    return rc;
}

static int verify(int count, char** paths) {
    int rc = 0;
    for (int i = 0; i < count; i++) {
        opened o;
        l2c_status st = open_file(paths[i], &o);
        if (st == L2C_OK) st = l2c_verify(o.file);
        if (st == L2C_OK) {
            printf("verify %d ok\n", i);
        } else {
            printf("verify %d refused %d\n", i, (int)st);
            rc = 1;
        }
        close_file(&o);
    }
    return rc;
}

/* The README's example ("C ABI"), word for word. */
static int example(const char* path) {
    if (!l2c_check_abi()) return 1;
    l2c_file* f;
    l2c_status st = l2c_open_path(path, &f);
    if (st != L2C_OK) {
        fprintf(stderr, "%s\n", l2c_status_message(st));
        return 1;
    }
    for (size_t i = 0; i < l2c_tensor_count(f); i++) {
        l2c_tensor_info t;
        l2c_get_tensor_info(f, i, &t);
        int as = t.dtype <= L2C_DTYPE_BF16 ? L2C_DTYPE_F32 : L2C_DTYPE_ORIGINAL; /* floats as f32 */
        uint64_t bytes;
        l2c_decoded_bytes(f, i, as, &bytes);
        void* dst = malloc(bytes ? bytes : 1);
        st = l2c_decode(f, i, as, dst, bytes);
        if (st != L2C_OK) fprintf(stderr, "tensor %zu: %s\n", i, l2c_status_message(st));
        free(dst);
    }
    st = l2c_verify(f);
    l2c_close(f);
    printf("example %s %s\n", l2c_version(), l2c_status_message(st));
    return st == L2C_OK ? 0 : 1;
}

int main(int argc, char** argv) {
    int a = 1;
    if (a < argc && strcmp(argv[a], "-m") == 0) {
        use_memory = 1;
        a++;
    }
    if (!l2c_check_abi()) {
        fprintf(stderr, "l2c-c-test: library ABI %u, header %d\n", l2c_abi_version(), L2C_ABI_VERSION);
        return 2;
    }
    if (argc - a == 2 && strcmp(argv[a], "info") == 0) return info(argv[a + 1]);
    if (argc - a == 5 && strcmp(argv[a], "decode") == 0) return decode(argv[a + 1], argv[a + 2], argv[a + 3], argv[a + 4]);
    if (argc - a == 4 && strcmp(argv[a], "decode-all") == 0) return decode_all(argv[a + 1], argv[a + 2], argv[a + 3]);
    if (argc - a >= 2 && strcmp(argv[a], "verify") == 0) return verify(argc - a - 1, argv + a + 1);
    if (argc - a == 2 && strcmp(argv[a], "example") == 0) return example(argv[a + 1]);
    fprintf(stderr, "usage: l2c-c-test [-m] info FILE | decode FILE INDEX DTYPE OUT | decode-all FILE DTYPE PREFIX"
                    " | verify FILE... | example FILE\n");
    return 2;
}
