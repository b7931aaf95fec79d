"""PyTorch eager baseline for the @pal/backend-onnx benchmark.

Trains the same PAL-B model (item MLP f, K prompt MLPs g_k, user mixture logits, clamped CLIP-style logit
scale, logistic loss, AdamW with PAL's parameter groups) on the minibatches the Node benchmark wrote, the
way the authors' PyTorch code feeds them: one dense prompt / left / right row per comparison. Prints one
JSON line with the timing, the FLOPs it executed and its peak RSS.

Usage: python3 pytorch-bench.py DATA_FILE THREADS
"""

import json
import math
import resource
import struct
import sys
import time

import numpy as np
import torch


def read_scenario(path):
    with open(path, "rb") as handle:
        (header_length,) = struct.unpack("<I", handle.read(4))
        header = json.loads(handle.read(header_length).decode("utf-8"))
        blob = handle.read()
    batches = []
    for entry in header["batches"]:
        arrays = {}
        for name, (offset, dtype, shape) in entry.items():
            count = int(np.prod(shape)) if shape else 1
            arrays[name] = np.frombuffer(blob, dtype=dtype, count=count, offset=offset).reshape(shape)
        batches.append(arrays)
    return header, batches


def mlp(in_dim, latent_dim, hidden_layers):
    layers = []
    for layer in range(hidden_layers):
        layers += [torch.nn.Linear(in_dim if layer == 0 else latent_dim, latent_dim), torch.nn.Dropout(0.0), torch.nn.GELU()]
    layers.append(torch.nn.Linear(in_dim if hidden_layers == 0 else latent_dim, latent_dim))
    return torch.nn.Sequential(*layers)


class PalB(torch.nn.Module):
    def __init__(self, header):
        super().__init__()
        d, hidden, k = header["latentDim"], header["hiddenLayers"], header["numPrototypes"]
        self.item = mlp(header["itemDim"], d, hidden)
        self.prompts = torch.nn.ModuleList([mlp(header["promptDim"], d, hidden) for _ in range(k)])
        self.user_logits = torch.nn.Parameter(torch.randn(header["numUsers"], k))
        self.log_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, prompt, left, right, user):
        w = torch.softmax(self.user_logits[user], dim=-1)
        z = sum(w[:, k : k + 1] * g(prompt) for k, g in enumerate(self.prompts))
        z = torch.nn.functional.normalize(z, dim=-1)
        f_left = torch.nn.functional.normalize(self.item(left), dim=-1)
        f_right = torch.nn.functional.normalize(self.item(right), dim=-1)
        scale = self.log_scale.clamp(max=math.log(100)).exp()
        return scale * ((f_left * z).sum(-1) - (f_right * z).sum(-1))


def mlp_flops(rows, in_dim, latent_dim, hidden_layers):
    """Forward 2 r i o per Linear, backward 2 r i o for dW and 2 r i o for dX except the first layer."""
    total = 0
    for layer in range(hidden_layers + 1):
        width = in_dim if layer == 0 else latent_dim
        total += 2 * rows * width * latent_dim * (3 if layer > 0 else 2)
    return total


def main():
    header, batches = read_scenario(sys.argv[1])
    threads = int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = PalB(header)
    optimizer = torch.optim.AdamW(
        [
            {"params": list(model.item.parameters()) + list(model.prompts.parameters()), "lr": 1e-4, "weight_decay": 0.01},
            {"params": [model.user_logits], "lr": 5e-3, "weight_decay": 0.0},
            {"params": [model.log_scale], "lr": 0.1, "weight_decay": 0.0},
        ]
    )
    dense = []
    for batch in batches:
        dense.append(
            (
                torch.from_numpy(batch["prompts"][batch["promptIndex"]].copy()),
                torch.from_numpy(batch["items"][batch["leftIndex"]].copy()),
                torch.from_numpy(batch["items"][batch["rightIndex"]].copy()),
                torch.from_numpy(batch["user"].astype(np.int64)),
                torch.from_numpy(np.where(batch["label"] == 1, 1.0, -1.0).astype(np.float32)),
            )
        )

    def step(index):
        prompt, left, right, user, sign = dense[index % len(dense)]
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.softplus(-sign * model(prompt, left, right, user)).mean()
        loss.backward()
        optimizer.step()
        return loss.item()

    for index in range(header["warmupSteps"]):
        step(index)
    start = time.perf_counter()
    for index in range(header["timedSteps"]):
        step(header["warmupSteps"] + index)
    seconds = time.perf_counter() - start
    count = header["batchSize"]
    d, hidden, k = header["latentDim"], header["hiddenLayers"], header["numPrototypes"]
    flops = mlp_flops(2 * count, header["itemDim"], d, hidden) + k * mlp_flops(count, header["promptDim"], d, hidden)
    step_seconds = seconds / header["timedSteps"]
    print(
        json.dumps(
            {
                "engine": f"pytorch {torch.__version__}",
                "threads": threads,
                "stepMs": step_seconds * 1000,
                "comparisonsPerSecond": count / step_seconds,
                "gflopPerStep": flops / 1e9,
                "gflops": flops / 1e9 / step_seconds,
                "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
