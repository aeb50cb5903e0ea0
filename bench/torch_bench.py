"""PyTorch's side of `npm run bench`: times each shape of shapes.json and each whole model of
MODELS with Debian's torch, and exports each to ONNX for onnxruntime-node.

For a whole model it also saves the state_dict (`model_NAME.safetensors`), an input and
PyTorch's eval output for it (`model_NAME_io.safetensors`, `x` and `y`), and times both eager PyTorch and TorchScript
optimised for inference (`optimize_for_inference(freeze(script(m)))`): Debian's eager build sends
1×1 convolutions at batch 1 to a slow fallback, so eager alone misleads.

Usage: /usr/bin/python3 bench/torch_bench.py OUT_DIR   (prints JSON to stdout)
"""
import json
import os
import statistics
import struct
import sys
import time

import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ["mobilenet_v2", "resnet18", "resnext50_32x4d", "shufflenet_v2_x1_0"]


def block(c):
    """A DepthWiseConv-style block: depthwise 3x3, pointwise, BatchNorm (eval), ReLU."""
    return nn.Sequential(nn.Conv2d(c, c, 3, padding=1, groups=c), nn.Conv2d(c, c, 1), nn.BatchNorm2d(c), nn.ReLU())


def build(s):
    if s["kind"] == "blocks":
        return nn.Sequential(*[block(s["cin"]) for _ in range(s["blocks"])]).eval()
    return nn.Conv2d(s["cin"], s["cout"], s["k"], padding=s["padding"], groups=s["groups"]).eval()


def median_ms(fn, min_reps=10, budget=1.0):
    for _ in range(3):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or (time.perf_counter() - start < budget and len(times) < 200):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def save_safetensors(tensors, path):
    """The safetensors format, written here: Debian has no `safetensors` package."""
    header, blobs, offset = {}, [], 0
    for key, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        header[key] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def randomised_stats(model):
    """Running statistics away from their initial 0 and 1, so folding BatchNorm is really exercised."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)


def whole_model(name, out_dir):
    torch.manual_seed(0)
    model = torchvision.models.get_model(name).eval()
    with torch.no_grad():
        randomised_stats(model)
        x = torch.rand(1, 3, 224, 224)
        y = model(x)
        save_safetensors(model.state_dict(), os.path.join(out_dir, f"model_{name}.safetensors"))
        save_safetensors({"x": x, "y": y}, os.path.join(out_dir, f"model_{name}_io.safetensors"))
        eager = median_ms(lambda: model(x), min_reps=5, budget=3.0)
        scripted = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(model)))
        script = median_ms(lambda: scripted(x), min_reps=10, budget=3.0)
        torch.onnx.export(model, x, os.path.join(out_dir, f"model_{name}.onnx"), opset_version=13, input_names=["x"], output_names=["y"])
    return {"eager": eager, "script": script}


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    shapes = json.load(open(os.path.join(HERE, "shapes.json")))
    results = {"threads": torch.get_num_threads(), "version": torch.__version__, "medians": {}, "models": {}}
    torch.manual_seed(0)
    for i, s in enumerate(shapes):
        model = build(s)
        x = torch.rand(s["n"], s["cin"], s["size"], s["size"])
        with torch.no_grad():
            results["medians"][s["name"]] = median_ms(lambda: model(x))
            torch.onnx.export(model, x, os.path.join(out_dir, f"{i}.onnx"), opset_version=13, input_names=["x"], output_names=["y"])
    for name in MODELS:
        results["models"][name] = whole_model(name, out_dir)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
