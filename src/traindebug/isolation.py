"""Run extra computations on the user's model without changing the user's run.

A probe that needs its own forward or backward pass (per-sample gradients,
curvature, finite differences) wraps it in ``isolated(model)``: on exit the
global RNG state, every parameter's ``.grad``, every buffer (BatchNorm running
statistics) and every module's train/eval flag are exactly as before.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch
from torch import nn


@contextlib.contextmanager
def isolated(model: nn.Module, eval_mode: bool = False) -> Iterator[nn.Module]:
    """Yield ``model`` with grads, buffers, modes and RNG restored afterwards.

    With ``eval_mode`` the model runs in eval mode inside the block (no dropout,
    BatchNorm uses running statistics). Parameters must not be modified in place
    inside the block; use ``torch.autograd.grad`` rather than ``.backward()``
    where possible (``.backward()`` is allowed: grads are restored).
    """
    params = list(model.parameters())
    grads = [p.grad for p in params]
    buffers = [(b, b.detach().clone()) for b in model.buffers()]
    modes = [(m, m.training) for m in model.modules()]
    devices = _cuda_devices(params)
    with torch.random.fork_rng(devices=devices, enabled=True), torch.enable_grad():
        for p in params:
            p.grad = None
        if eval_mode:
            model.eval()
        try:
            yield model
        finally:
            for p, g in zip(params, grads):
                p.grad = g
            with torch.no_grad():
                for b, saved in buffers:
                    b.copy_(saved)
            for m, mode in modes:
                m.training = mode


def _cuda_devices(params: list[torch.Tensor]) -> list[int]:
    return sorted({p.device.index or 0 for p in params if p.device.type == "cuda"})


@contextlib.contextmanager
def rng_preserved() -> Iterator[None]:
    """Restore the global CPU (and CUDA, if initialised) RNG state on exit."""
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    with torch.random.fork_rng(devices=devices, enabled=True):
        yield
