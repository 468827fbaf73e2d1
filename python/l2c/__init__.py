"""Read .l2c files from Python: a thin ctypes layer over l2c's C ABI (include/l2c.h, libl2c.so).

    import l2c
    weights = l2c.load("model.l2c")             # {name: numpy array}, bf16 as uint16 bit patterns
    weights = l2c.load("model.l2c", bf16="float32")   # bf16 widened to float32 (exact)
    print(l2c.info("model.l2c"))                 # format version and every tensor's dtype, kind, shape
    l2c.to_safetensors("model.l2c", "model.safetensors")   # every tensor in its own dtype

The library is found through $L2C_LIB, else target/native/libl2c.so of the l2c checkout this
package lies in (built by `mvn package`). Needs numpy. Errors are L2cError with the C ABI's status
and message; nothing here prints.
"""
import ctypes
import json
import os
import struct

import numpy as np

ABI_VERSION = 1
__all__ = ["L2cError", "L2cFile", "load", "info", "to_safetensors", "save_safetensors", "read_safetensors"]

# dtype codes of docs/FORMAT.md and include/l2c.h
_DTYPES = {1: "F64", 2: "F32", 3: "F16", 4: "BF16", 5: "I64", 6: "I32", 7: "I16", 8: "I8",
           9: "U64", 10: "U32", 11: "U16", 12: "U8", 13: "BOOL"}
_CODES = {v: k for k, v in _DTYPES.items()}
_NUMPY = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
          "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}
_KINDS = {0: "raw", 1: "quantized", 2: "lossless"}


class L2cError(Exception):
    """An error from the C ABI: .status is its l2c_status code."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class _TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("name_bytes", ctypes.c_size_t), ("dtype", ctypes.c_int),
                ("kind", ctypes.c_int), ("rank", ctypes.c_uint32), ("dims", ctypes.POINTER(ctypes.c_uint64)),
                ("element_count", ctypes.c_uint64)]


_lib = None


def _library():
    global _lib
    if _lib is not None:
        return _lib
    path = os.environ.get("L2C_LIB") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "native", "libl2c.so")
    if not os.path.exists(path):
        raise L2cError(-1, "%s: libl2c.so not found (build it with `mvn package`, or set L2C_LIB)" % path)
    lib = ctypes.CDLL(path)
    lib.l2c_abi_version.restype = ctypes.c_uint32
    lib.l2c_version.restype = ctypes.c_char_p
    lib.l2c_status_message.restype = ctypes.c_char_p
    lib.l2c_status_message.argtypes = [ctypes.c_int]
    lib.l2c_open_path.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.l2c_open_path.restype = ctypes.c_int
    lib.l2c_open_memory.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p)]
    lib.l2c_open_memory.restype = ctypes.c_int
    lib.l2c_close.argtypes = [ctypes.c_void_p]
    lib.l2c_close.restype = None
    lib.l2c_format_version.argtypes = [ctypes.c_void_p]
    lib.l2c_format_version.restype = ctypes.c_uint32
    lib.l2c_tensor_count.argtypes = [ctypes.c_void_p]
    lib.l2c_tensor_count.restype = ctypes.c_size_t
    lib.l2c_attribute_count.argtypes = [ctypes.c_void_p]
    lib.l2c_attribute_count.restype = ctypes.c_size_t
    lib.l2c_get_attribute.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p),
                                      ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_char_p),
                                      ctypes.POINTER(ctypes.c_size_t)]
    lib.l2c_get_attribute.restype = ctypes.c_int
    lib.l2c_get_tensor_info.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(_TensorInfo)]
    lib.l2c_get_tensor_info.restype = ctypes.c_int
    lib.l2c_decoded_bytes.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.POINTER(ctypes.c_uint64)]
    lib.l2c_decoded_bytes.restype = ctypes.c_int
    lib.l2c_decode.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
    lib.l2c_decode.restype = ctypes.c_int
    lib.l2c_verify.argtypes = [ctypes.c_void_p]
    lib.l2c_verify.restype = ctypes.c_int
    if lib.l2c_abi_version() != ABI_VERSION:
        raise L2cError(-1, "%s implements C ABI %d, this package needs %d" % (path, lib.l2c_abi_version(), ABI_VERSION))
    _lib = lib
    return lib


def _check(status, where):
    if status != 0:
        message = _library().l2c_status_message(status).decode("utf-8", "replace")
        raise L2cError(status, "%s: %s" % (where, message))


class L2cFile:
    """An open .l2c file (a context manager). Its methods may be called from several threads."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self._lib = _library()
        handle = ctypes.c_void_p()
        _check(self._lib.l2c_open_path(self.path.encode(), ctypes.byref(handle)), self.path)
        self._handle = handle
        self.attributes = {}  # the file's attributes (producer, source-file, mode, ...)
        for i in range(self._lib.l2c_attribute_count(handle)):
            k, kb, v, vb = ctypes.c_char_p(), ctypes.c_size_t(), ctypes.c_char_p(), ctypes.c_size_t()
            _check(self._lib.l2c_get_attribute(handle, i, ctypes.byref(k), ctypes.byref(kb), ctypes.byref(v), ctypes.byref(vb)),
                   self.path)
            self.attributes[ctypes.string_at(k, kb.value).decode("utf-8")] = ctypes.string_at(v, vb.value).decode("utf-8")
        # A file made from a model folder also holds the folder's other files ("blobs",
        # docs/FORMAT.md "Model folders"): they are not model tensors.
        layout = self.attributes.pop("folder", None)
        self.is_folder = layout is not None
        blobs = {f["blob"] for f in json.loads(layout)["files"]} if layout else set()
        # A file made from an ONNX model holds its graph without the weights (docs/FORMAT.md "ONNX
        # graphs"); the Java API rebuilds the model from it. Kept aside, as Java keeps it out of
        # the attributes.
        self.onnx_graph = self.attributes.pop("onnx-graph", None)
        self.tensors = []  # [(name, dtype, kind, shape)] in file order
        self._index = {}
        for i in range(self._lib.l2c_tensor_count(handle)):
            t = _TensorInfo()
            _check(self._lib.l2c_get_tensor_info(handle, i, ctypes.byref(t)), self.path)
            name = ctypes.string_at(t.name, t.name_bytes).decode("utf-8")
            if name in blobs:
                continue
            shape = tuple(t.dims[d] for d in range(t.rank))
            self._index[name] = i
            self.tensors.append((name, _DTYPES[t.dtype], _KINDS.get(t.kind, str(t.kind)), shape))
        self._position = {t[0]: k for k, t in enumerate(self.tensors)}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._handle:
            self._lib.l2c_close(self._handle)
            self._handle = None

    @property
    def format_version(self):
        return self._lib.l2c_format_version(self._handle)

    def decode(self, name, dtype=None):
        """Tensor `name` as a numpy array of its shape: in its own dtype (None), or "F32", "F16" or
        "BF16" for a floating-point tensor. BF16 comes as uint16 bit patterns (numpy has no bf16)."""
        if self._handle is None:
            raise L2cError(-1, "%s is closed" % self.path)
        if name not in self._index:
            raise KeyError("%s: no tensor named %r" % (self.path, name))
        i = self._index[name]
        _, own, _, shape = self.tensors[self._position[name]]
        code = 0 if dtype is None else _CODES[dtype]
        size = ctypes.c_uint64()
        _check(self._lib.l2c_decoded_bytes(self._handle, i, code, ctypes.byref(size)), "%s: tensor %r" % (self.path, name))
        out = np.empty(size.value, dtype=np.uint8)
        _check(self._lib.l2c_decode(self._handle, i, code, out.ctypes.data_as(ctypes.c_void_p), out.nbytes),
               "%s: tensor %r" % (self.path, name))
        return out.view(_NUMPY[dtype or own]).reshape(shape)

    def verify(self):
        """Checks every checksum and decodes every stream; raises L2cError at the first damage."""
        _check(self._lib.l2c_verify(self._handle), self.path)


def _bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def load(path, bf16="uint16"):
    """Every tensor of the .l2c file at `path`, {name: numpy array} in file order. bf16 tensors as
    uint16 bit patterns (bf16="uint16") or widened exactly to float32 (bf16="float32")."""
    if bf16 not in ("uint16", "float32"):
        raise ValueError("bf16 must be 'uint16' or 'float32', got %r" % (bf16,))
    out = {}
    with L2cFile(path) as f:
        for name, dtype, _, _ in f.tensors:
            a = f.decode(name)
            out[name] = _bf16_to_f32(a) if dtype == "BF16" and bf16 == "float32" else a
    return out


def info(path):
    """{"version": format version, "attributes": {...}, "folder": made from a model folder,
    "onnx_graph": holds an ONNX model's graph, "tensors": [{"name", "dtype", "kind", "shape"}, ...]}."""
    with L2cFile(path) as f:
        return {"version": f.format_version, "attributes": dict(f.attributes), "folder": f.is_folder,
                "onnx_graph": f.onnx_graph is not None,
                "tensors": [{"name": n, "dtype": d, "kind": k, "shape": list(s)} for n, d, k, s in f.tensors]}


def save_safetensors(path, tensors, dtypes=None, metadata=None):
    """Writes {name: numpy array} as a safetensors file, in order; `dtypes` names a tensor's
    safetensors dtype where the array's own does not say it (e.g. "BF16" for uint16 bit patterns).
    Written to a temporary name and renamed, so a failure leaves no partial file."""
    dtypes = dtypes or {}
    header = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    offset = 0
    arrays = []
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        dtype = dtypes.get(name) or next((k for k, v in _NUMPY.items() if np.dtype(v) == a.dtype and k != "BF16"), None)
        if dtype is None:
            raise ValueError("tensor %r: numpy dtype %s has no safetensors dtype" % (name, a.dtype))
        if a.dtype.byteorder == ">":
            a = a.byteswap().view(a.dtype.newbyteorder("<"))
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        arrays.append(a)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for a in arrays:
                f.write(a.tobytes())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def to_safetensors(l2c_path, out_path):
    """Decodes the .l2c file into a safetensors file, every tensor in its own dtype."""
    with L2cFile(l2c_path) as f:
        tensors = {n: f.decode(n) for n, _, _, _ in f.tensors}
        dtypes = {n: d for n, d, _, _ in f.tensors}
    save_safetensors(out_path, tensors, dtypes)


def read_safetensors(path):
    """{name: (dtype, numpy array)} of a safetensors file (bf16 as uint16 bit patterns)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        out[name] = (e["dtype"], np.frombuffer(data[b:end], dtype=_NUMPY[e["dtype"]]).reshape(e["shape"]))
    return out
