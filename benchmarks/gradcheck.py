"""traindebug.gradcheck vs torch.autograd.gradcheck on a model with a 1 % wrong backward.

The model is the MLP of seeds/003 (784-500-400-10, 596,910 parameters) whose two hidden
activations (modules "1" and "3") apply one custom ``torch.autograd.Function`` (ReLU); in the
buggy variant its backward multiplies the gradient by 1.01. Both tools check the gradient of the
cross-entropy on one batch of 32 random inputs with respect to all parameters, in float64.

- traindebug: ``traindebug.gradcheck(model, loss_fn, (x, y))`` (default eps sweep, per tensor
  and per module);
- torch fast mode: ``torch.autograd.gradcheck(f, params, fast_mode=True)`` at its default
  tolerances (atol 1e-5, rtol 1e-3), ``f`` the loss as a function of the parameters;
- torch slow mode is measured on a small model of the same shape family (784-12-10-10) and
  extrapolated to the large one by parameter count (slow mode perturbs one parameter at a
  time, two function evaluations each); as the large model's forward is slower than the small
  one's, ``2 * P * t_forward`` (measured forward time) is printed too, a lower bound.

Prints one JSON line per case: tool, model, seconds, detected (and extras).
Run: ``python benchmarks/gradcheck.py`` (about a minute on one CPU core).
"""

from __future__ import annotations

import json
import time

import torch
from torch import nn
from torch.func import functional_call

import traindebug


class ReLUFunction(torch.autograd.Function):
    """ReLU with a hand-written backward, wrong by the factor ``1 + error``."""

    @staticmethod
    def forward(ctx, x, error):
        ctx.save_for_backward(x)
        ctx.error = error
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x > 0).to(grad_output.dtype) * (1 + ctx.error), None


class CustomReLU(nn.Module):
    def __init__(self, error: float) -> None:
        super().__init__()
        self.error = error

    def forward(self, x):
        return ReLUFunction.apply(x, self.error)


def mlp(sizes: tuple[int, ...], error: float) -> nn.Sequential:
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(CustomReLU(error))
    return nn.Sequential(*layers)


def params_function(model: nn.Module, x: torch.Tensor, y: torch.Tensor):
    """The loss as a function of the parameters (what torch.autograd.gradcheck checks)."""
    names = [n for n, _ in model.named_parameters()]

    def f(*params):
        return nn.functional.cross_entropy(functional_call(model, dict(zip(names, params)), (x,)), y)

    params = tuple(p.detach().double().requires_grad_() for p in model.parameters())
    return f, params


def torch_gradcheck(model: nn.Module, x, y, fast: bool) -> tuple[float, bool]:
    model = model.double()
    f, params = params_function(model, x.double(), y)
    start = time.perf_counter()
    passed = torch.autograd.gradcheck(f, params, fast_mode=fast, raise_exception=False)
    return time.perf_counter() - start, not passed


def forward_seconds(model: nn.Module, x, y, repeats: int = 20) -> float:
    model = model.double()
    f, params = params_function(model, x.double(), y)
    with torch.no_grad():
        f(*params)
        start = time.perf_counter()
        for _ in range(repeats):
            f(*params)
    return (time.perf_counter() - start) / repeats


def emit(**fields) -> None:
    print(json.dumps(fields), flush=True)


def main() -> None:
    big, small = (784, 500, 400, 10), (784, 12, 10, 10)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(32, 784, generator=g)
    y = torch.randint(0, 10, (32,), generator=g)
    for error, label in ((0.01, "backward wrong by 1%"), (0.0, "correct backward")):
        model = mlp(big, error)
        count = sum(p.numel() for p in model.parameters())
        name = f"MLP 784-500-400-10 ({count} params), custom ReLU Function, {label}"
        before = {k: v.clone() for k, v in model.state_dict().items()}
        start = time.perf_counter()
        result = traindebug.gradcheck(model, nn.CrossEntropyLoss(), (x, y))
        seconds = time.perf_counter() - start
        found = result.responsible
        untouched = all(torch.equal(before[k], v) for k, v in model.state_dict().items())
        wrong_modules = sorted({c.module for c in result.modules if c.verdict == "wrong"})
        emit(tool="traindebug.gradcheck", model=name, seconds=round(seconds, 3), detected=found is not None,
             where=found.module if found else None, rel_error=found.rel_error if found else None,
             wrong_modules=wrong_modules, model_untouched=untouched)
        seconds, detected = torch_gradcheck(mlp(big, error), x, y, fast=True)
        emit(tool="torch.autograd.gradcheck fast_mode", model=name, seconds=round(seconds, 3), detected=detected)

    model = mlp(small, 0.01)
    count_small = sum(p.numel() for p in model.parameters())
    seconds, detected = torch_gradcheck(model, x, y, fast=False)
    emit(tool="torch.autograd.gradcheck slow mode", model=f"MLP 784-12-10-10 ({count_small} params), backward wrong by 1%",
         seconds=round(seconds, 3), detected=detected, extrapolated=False)
    count_big = sum(p.numel() for p in mlp(big, 0.01).parameters())
    two_p_forwards = 2 * count_big * forward_seconds(mlp(big, 0.01), x, y)
    emit(tool="torch.autograd.gradcheck slow mode", model=f"MLP 784-500-400-10 ({count_big} params), backward wrong by 1%",
         seconds=round(seconds * count_big / count_small, 1), detected=detected, extrapolated=True,
         forward_bound_s=round(two_p_forwards, 1),
         note="not run: the small model's measured time x parameter ratio; forward_bound_s = 2 x parameters x "
              "the large model's measured float64 forward time (slow mode needs at least that); detected is the "
              "small model's verdict")

if __name__ == "__main__":
    main()
