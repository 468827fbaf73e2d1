/*
 * l2c.h: the C ABI of l2c, a reader of .l2c files (docs/FORMAT.md, versions 1 to 4).
 *
 * Library: target/native/libl2c.so (built by `mvn package`; link with -ll2c). Usable from C and
 * C++. The reader is a second, independent implementation of the format (src/main/c/); it
 * decodes every tensor to the same bits as the Java reader (docs/FORMAT.md, "Determinism").
 *
 * Versioning: L2C_ABI_VERSION is the version of this header. A program checks at start-up that
 * the library it loaded implements it, with l2c_check_abi() (1 when they agree). The ABI version
 * changes whenever a declaration below changes incompatibly.
 *
 * Errors: every function that can fail returns an l2c_status; L2C_OK is 0. Nothing is printed,
 * and nothing read from a file (tensor names included, which are untrusted bytes) ever is.
 *
 * Thread safety: an l2c_file is immutable once open. l2c_tensor_count, l2c_get_tensor_info,
 * l2c_find, l2c_decoded_bytes, l2c_decode and l2c_verify may be called on one l2c_file from any
 * number of threads at once (each call uses its own buffers and positional reads). l2c_close
 * must not run concurrently with any other call on the same l2c_file. l2c_abi_version,
 * l2c_version and l2c_status_message are safe from any thread at any time.
 */
#ifndef L2C_H
#define L2C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define L2C_ABI_VERSION 1

typedef enum l2c_status {
    L2C_OK = 0,
    L2C_ERR_ARGUMENT = 1,     /* a null pointer, an index out of range, an unknown dtype code */
    L2C_ERR_IO = 2,           /* the file cannot be opened or read, or shrank while being read */
    L2C_ERR_NOT_L2C = 3,      /* bad magic or too short: not an .l2c file */
    L2C_ERR_VERSION = 4,      /* a format version this library does not read */
    L2C_ERR_CORRUPT = 5,      /* a header, footer, index, layout or stream check failed */
    L2C_ERR_CRC = 6,          /* a checksum does not match */
    L2C_ERR_CONVERSION = 7,   /* the tensor cannot be decoded to the requested dtype */
    L2C_ERR_BUFFER = 8,       /* the destination buffer is smaller than l2c_decoded_bytes */
    L2C_ERR_NO_MEMORY = 9,    /* an allocation failed */
    L2C_ERR_NOT_FOUND = 10    /* no tensor of that name */
} l2c_status;

/* dtype codes, as in docs/FORMAT.md; L2C_DTYPE_ORIGINAL asks for the tensor's own type. */
enum {
    L2C_DTYPE_ORIGINAL = 0,
    L2C_DTYPE_F64 = 1, L2C_DTYPE_F32 = 2, L2C_DTYPE_F16 = 3, L2C_DTYPE_BF16 = 4,
    L2C_DTYPE_I64 = 5, L2C_DTYPE_I32 = 6, L2C_DTYPE_I16 = 7, L2C_DTYPE_I8 = 8,
    L2C_DTYPE_U64 = 9, L2C_DTYPE_U32 = 10, L2C_DTYPE_U16 = 11, L2C_DTYPE_U8 = 12,
    L2C_DTYPE_BOOL = 13
};

/* How a tensor is stored (docs/FORMAT.md, kind). */
enum { L2C_KIND_RAW = 0, L2C_KIND_QUANTIZED = 1, L2C_KIND_LOSSLESS_FLOAT = 2 };

typedef struct l2c_file l2c_file;

typedef struct l2c_tensor_info {
    const char* name;        /* name_bytes bytes of UTF-8, NUL-terminated; may itself hold a NUL */
    size_t name_bytes;
    int dtype;               /* L2C_DTYPE_* */
    int kind;                /* L2C_KIND_* */
    uint32_t rank;
    const uint64_t* dims;    /* rank entries */
    uint64_t element_count;  /* product of dims */
} l2c_tensor_info;

/* The ABI version of the loaded library. Thread-safe. */
uint32_t l2c_abi_version(void);

/* The library's version, e.g. "0.1.0-SNAPSHOT"; a static string. Thread-safe. */
const char* l2c_version(void);

/* A static English message for a status; an unknown code gets "unknown status". Thread-safe. */
const char* l2c_status_message(l2c_status status);

/* 1 when the loaded library implements this header's ABI, else 0. */
static inline int l2c_check_abi(void) { return l2c_abi_version() == L2C_ABI_VERSION; }

/*
 * Opens the .l2c file at path and checks its header, footer, index and layout (not the payload
 * CRCs: those are checked when a payload is read, and all at once by l2c_verify). On success
 * *out holds the file (close it with l2c_close); on failure *out is NULL. The file is read with
 * positional reads, never mapped. Thread-safe (distinct calls share nothing).
 */
l2c_status l2c_open_path(const char* path, l2c_file** out);

/*
 * As l2c_open_path, over size bytes at data. The bytes are not copied: they must stay valid and
 * unchanged until l2c_close returns. Thread-safe.
 */
l2c_status l2c_open_memory(const void* data, size_t size, l2c_file** out);

/* Closes a file (NULL is ignored). No other call may use the file during or after it. */
void l2c_close(l2c_file* file);

/* The file's format version (1 to 4). Thread-safe. */
uint32_t l2c_format_version(const l2c_file* file);

/* Number of tensors (0 for NULL). Thread-safe. */
size_t l2c_tensor_count(const l2c_file* file);

/*
 * Number of file attributes: string pairs recorded at compression (producer, source-file, mode,
 * ...; "folder", a JSON layout, in a file made from a model folder: docs/FORMAT.md "Model
 * folders", whose "blob" entries are the folder's other files, not model tensors). Thread-safe.
 */
size_t l2c_attribute_count(const l2c_file* file);

/*
 * Attribute index's key and value: UTF-8 bytes (key_bytes, value_bytes long), NUL-terminated,
 * valid until l2c_close. Untrusted text: escape it before printing. Thread-safe.
 */
l2c_status l2c_get_attribute(const l2c_file* file, size_t index, const char** key, size_t* key_bytes,
                             const char** value, size_t* value_bytes);

/* Tensor index's description; its pointers stay valid until l2c_close. Thread-safe. */
l2c_status l2c_get_tensor_info(const l2c_file* file, size_t index, l2c_tensor_info* out);

/* The index of the tensor named by name_bytes bytes at name, or L2C_ERR_NOT_FOUND. Thread-safe. */
l2c_status l2c_find(const l2c_file* file, const char* name, size_t name_bytes, size_t* index);

/*
 * Bytes l2c_decode writes for tensor index as out_dtype: element_count times the width of the
 * tensor's type (L2C_DTYPE_ORIGINAL or its own dtype) or of out_dtype (F32, F16 or BF16 for a
 * floating-point tensor; anything else gives L2C_ERR_CONVERSION). Thread-safe.
 */
l2c_status l2c_decoded_bytes(const l2c_file* file, size_t index, int out_dtype, uint64_t* bytes);

/*
 * Decodes tensor index into dst (little-endian elements; dst_bytes at least l2c_decoded_bytes,
 * of which exactly that many are written). Every payload CRC read on the way is checked.
 * Quantized values are computed as docs/FORMAT.md "Determinism" prescribes, and float types
 * converted as "Float conversions" does: the bits equal the Java reader's. On an error dst holds
 * unspecified bytes. Thread-safe.
 */
l2c_status l2c_decode(const l2c_file* file, size_t index, int out_dtype, void* dst, size_t dst_bytes);

/*
 * Full verification: the header, footer and index CRCs again, every payload CRC, the padding
 * between payloads zero, and every stream decoded (nothing the size of a tensor is kept).
 * L2C_OK exactly when the Java reader's `l2c verify` accepts the file. Thread-safe.
 */
l2c_status l2c_verify(const l2c_file* file);

#ifdef __cplusplus
}
#endif

#endif /* L2C_H */
