"""Fixed samples of a tensor's entries, for probes that cannot afford to read every entry.

Two kinds, both drawn once and never from the global RNG:

- ``random_index``: sorted random entry indices, read with ``index_select``
  (histograms: any entry equally likely);
- ``plan_sample``: runs of consecutive entries a prime distance apart, read as one
  strided view (update norms: every step, so reads must be cheap; consecutive
  entries cost about half what scattered ones do).
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

import torch


def random_index(numel: int, size: int, device: torch.device, seed: int) -> torch.Tensor:
    """``size`` sorted random indices below ``numel`` (a private generator seeded by ``seed``)."""
    generator = torch.Generator(device).manual_seed(seed)
    return torch.randint(numel, (size,), generator=generator, device=device).sort().values


def _is_prime(n: int) -> bool:
    return n >= 2 and all(n % d for d in range(2, math.isqrt(n) + 1))


class Sample(NamedTuple):
    """Which entries of a flattened tensor are read: ``blocks`` runs of ``block``, ``stride`` apart."""

    offset: int
    stride: int
    blocks: int
    block: int

    @property
    def size(self) -> int:
        return self.blocks * self.block

    def view(self, flat: torch.Tensor) -> torch.Tensor:
        """The sampled entries of a flat contiguous tensor, as a (blocks, block) view."""
        return flat.as_strided((self.blocks, self.block), (self.stride, 1), flat.storage_offset() + self.offset)


def plan_sample(shape: torch.Size, blocks: int, block: int, seed: int) -> Sample:
    """The sample of a tensor of ``shape`` (the whole tensor when it is small or blocks is 0)."""
    numel = math.prod(shape)
    if not blocks or numel <= 2 * blocks * block:
        return Sample(0, max(numel, 1), 1, numel)
    trailing = [math.prod(shape[k:]) for k in range(1, len(shape))]
    stride = (numel - block) // (blocks - 1)
    while not _is_prime(stride) or any(t % stride == 0 for t in trailing):
        stride -= 1
    offset = random.Random(seed).randrange(numel - block - (blocks - 1) * stride + 1)
    return Sample(offset, stride, blocks, block)
