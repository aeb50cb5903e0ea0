"""PyTorch's side of `npm run bench`: times each shape of shapes.json with Debian's torch and
exports each model to ONNX for onnxruntime-node.

Usage: /usr/bin/python3 bench/torch_bench.py OUT_DIR   (prints JSON {name: median_ms} to stdout)
"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


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


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    shapes = json.load(open(os.path.join(HERE, "shapes.json")))
    results = {"threads": torch.get_num_threads(), "version": torch.__version__, "medians": {}}
    torch.manual_seed(0)
    for i, s in enumerate(shapes):
        model = build(s)
        x = torch.rand(s["n"], s["cin"], s["size"], s["size"])
        with torch.no_grad():
            results["medians"][s["name"]] = median_ms(lambda: model(x))
            torch.onnx.export(model, x, os.path.join(out_dir, f"{i}.onnx"), opset_version=13, input_names=["x"], output_names=["y"])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
