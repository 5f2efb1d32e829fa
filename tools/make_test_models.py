#!/usr/bin/python3
"""Derives test variants of the demo model (models/rkyolo-shapes.onnx) for the
NPU backend tests, by editing the ONNX graph (python3-onnx, no training):

  shapes-596.onnx    input 1x3x596x596, padded to 608 inside the graph with the
                     letterbox grey (114/255): a width no NPU target aligns
                     (w_stride 608 on RK3588, 600 on RK3566); grids 76/38/19.
  shapes-1class.onnx only class 0 ("circle") kept: cls outputs (1, 1, H, W), so
                     NC1HWC2 outputs carry 15 (C2 16) or 7 (C2 8) padding channels.

usage: make_test_models.py DEMO.onnx OUT_DIR
"""
import copy
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def set_meta(model, key, value):
    for p in model.metadata_props:
        if p.key == key:
            p.value = value
            return
    p = model.metadata_props.add()
    p.key, p.value = key, value


def set_output_dims(model, name, dims):
    for o in model.graph.output:
        if o.name == name:
            shape = o.type.tensor_type.shape
            for d, v in zip(shape.dim, dims):
                d.ClearField("dim_param")
                d.dim_value = v


def padded_variant(src, width):
    """Input width x width, padded right/bottom to the next multiple of 32."""
    m = copy.deepcopy(src)
    g = m.graph
    padded = (width + 31) // 32 * 32
    old_in = g.input[0]
    internal = old_in.name + "_padded"
    for node in g.node:
        for i, name in enumerate(node.input):
            if name == old_in.name:
                node.input[i] = internal
    pads = numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 0, padded - width, padded - width], dtype=np.int64), "pad_amounts")
    value = numpy_helper.from_array(np.array(114.0 / 255.0, dtype=np.float32), "pad_value")
    g.initializer.extend([pads, value])
    g.node.insert(0, helper.make_node("Pad", [old_in.name, "pad_amounts", "pad_value"], [internal], mode="constant"))
    dims = old_in.type.tensor_type.shape.dim
    dims[2].dim_value = width
    dims[3].dim_value = width
    del g.value_info[:]
    for o in g.output:
        s = o.type.tensor_type.shape.dim
        stride = 640 // s[2].dim_value
        s[2].dim_value = padded // stride
        s[3].dim_value = padded // stride
    set_meta(m, "imgsz", repr([width, width]))
    set_meta(m, "description", "rkyolo demo detector, input %d padded to %d in the graph (test variant)" % (width, padded))
    return m


def one_class_variant(src):
    """Keeps class 0: slices the class convolutions and the score_sum convolution."""
    m = copy.deepcopy(src)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    cls_outputs = [o.name for o in g.output if o.name.startswith("cls")]
    assert cls_outputs, "no cls outputs found"

    def slice_init(name, axis):
        arr = numpy_helper.to_array(inits[name])
        sl = [slice(None)] * arr.ndim
        sl[axis] = slice(0, 1)
        new = numpy_helper.from_array(np.ascontiguousarray(arr[tuple(sl)]), name)
        inits[name].CopyFrom(new)

    for out in cls_outputs:
        sig = producer[out]
        assert sig.op_type == "Sigmoid", sig.op_type
        conv = producer[sig.input[0]]
        assert conv.op_type == "Conv", conv.op_type
        slice_init(conv.input[1], 0)  # weight (nc, c, k, k) -> (1, c, k, k)
        if len(conv.input) > 2:
            slice_init(conv.input[2], 0)  # bias (nc,) -> (1,)
        for user in consumers.get(out, []):  # the score_sum 1x1 conv: weight (1, nc, 1, 1)
            if user.op_type == "Conv":
                slice_init(user.input[1], 1)
        o = [x for x in g.output if x.name == out][0]
        dims = [d.dim_value for d in o.type.tensor_type.shape.dim]
        set_output_dims(m, out, [dims[0], 1, dims[2], dims[3]])
    del g.value_info[:]
    set_meta(m, "names", repr({0: "circle"}))
    set_meta(m, "nc", "1")
    set_meta(m, "description", "rkyolo demo detector reduced to class 0 (test variant)")
    return m


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    src = onnx.load(sys.argv[1])
    out_dir = sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    for name, model in (("shapes-596.onnx", padded_variant(src, 596)), ("shapes-1class.onnx", one_class_variant(src))):
        onnx.checker.check_model(model)
        path = os.path.join(out_dir, name)
        onnx.save(model, path + ".tmp")
        os.replace(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
