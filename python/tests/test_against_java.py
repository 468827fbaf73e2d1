"""The Python package against the Java decoder: every tensor bit for bit.

Run by PythonPackageTest (mvn verify, scripts/test.sh), which writes into $L2C_TEST_CASES, for each
case X: X.l2c, X.safetensors (Java's decode, each tensor in its own dtype) and X.f32.safetensors
(Java's decode with --dtype f32). Also runnable by hand:
    L2C_TEST_CASES=DIR PYTHONPATH=python python3 -m unittest discover -s python/tests
"""
import os
import tempfile
import unittest

import numpy as np

import l2c


def cases():
    root = os.environ["L2C_TEST_CASES"]
    names = sorted(f[:-4] for f in os.listdir(root) if f.endswith(".l2c"))
    return [os.path.join(root, n) for n in names]


class AgainstJava(unittest.TestCase):
    def test_there_are_cases(self):
        self.assertGreaterEqual(len(cases()), 3)

    def test_load_matches_java_bit_for_bit(self):
        for case in cases():
            java = l2c.read_safetensors(case + ".safetensors")
            ours = l2c.load(case + ".l2c")
            self.assertEqual(list(java), list(ours), case)
            for name, (dtype, a) in java.items():
                b = ours[name]
                self.assertEqual(a.shape, b.shape, (case, name))
                self.assertEqual(a.tobytes(), b.tobytes(), (case, name, dtype))

    def test_f32_decode_matches_java(self):
        for case in cases():
            java = l2c.read_safetensors(case + ".f32.safetensors")
            with l2c.L2cFile(case + ".l2c") as f:
                for name, dtype, _, _ in f.tensors:
                    want = java[name][1]
                    got = f.decode(name, "F32") if dtype in ("F64", "F32", "F16", "BF16") else f.decode(name)
                    self.assertEqual(want.tobytes(), got.tobytes(), (case, name))

    def test_bf16_widens_exactly(self):
        for case in cases():
            with l2c.L2cFile(case + ".l2c") as f:
                # Exact tensors only: a quantized one decodes to F32 before its rounding to bf16.
                bf = [n for n, d, k, _ in f.tensors if d == "BF16" and k != "quantized"]
            if not bf:
                continue
            wide = l2c.load(case + ".l2c", bf16="float32")
            with l2c.L2cFile(case + ".l2c") as f:
                for n in bf:
                    self.assertEqual(wide[n].dtype, np.float32)
                    self.assertEqual(f.decode(n, "F32").tobytes(), wide[n].tobytes(), (case, n))

    def test_info_and_verify(self):
        for case in cases():
            i = l2c.info(case + ".l2c")
            self.assertEqual(4, i["version"])
            self.assertEqual(list(l2c.read_safetensors(case + ".safetensors")), [t["name"] for t in i["tensors"]])
            with l2c.L2cFile(case + ".l2c") as f:
                f.verify()
                self.assertTrue(f.attributes["producer"].startswith("l2c "), f.attributes)
                self.assertEqual("folder" in os.path.basename(case), f.is_folder, case)
                self.assertNotIn("onnx-graph", f.attributes)  # kept aside, as f.onnx_graph
                self.assertEqual(f.onnx_graph is not None, i["onnx_graph"], case)

    def test_safetensors_writer_round_trips(self):
        case = cases()[0]
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "x.safetensors")
            l2c.to_safetensors(case + ".l2c", out)
            back = l2c.read_safetensors(out)
            java = l2c.read_safetensors(case + ".safetensors")
            self.assertEqual(list(java), list(back))
            for name, (dtype, a) in java.items():
                self.assertEqual(dtype, back[name][0], name)
                self.assertEqual(a.tobytes(), back[name][1].tobytes(), name)

    def test_errors_name_the_file(self):
        with tempfile.TemporaryDirectory() as d:
            junk = os.path.join(d, "junk.l2c")
            with open(junk, "wb") as f:
                f.write(b"\0" * 200)
            with self.assertRaises(l2c.L2cError) as e:
                l2c.load(junk)
            self.assertIn("junk.l2c", str(e.exception))
            self.assertNotEqual(0, e.exception.status)
        with l2c.L2cFile(cases()[0] + ".l2c") as f:
            with self.assertRaises(KeyError):
                f.decode("no such tensor")
        with self.assertRaises(ValueError):
            l2c.load(cases()[0] + ".l2c", bf16="float16")


if __name__ == "__main__":
    unittest.main()
