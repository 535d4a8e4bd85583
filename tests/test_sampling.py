"""Sampled entries (probes/sampling.py) and the update norms estimated from them (probes/updates.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
import torch
from torch import nn

from traindebug.probes.base import RunContext, Settings, StepContext
from traindebug.probes.sampling import plan_sample, random_index
from traindebug.probes import updates
from traindebug.probes.updates import BLOCK, BLOCKS, UpdateProbe


@pytest.mark.parametrize("shape", [(500, 784), (400, 500), (50000, 64), (128, 64, 3, 3), (1024, 1024)])
def test_runs_stay_inside_never_overlap_and_visit_every_column(shape: tuple[int, ...]) -> None:
    sample = plan_sample(torch.Size(shape), BLOCKS, BLOCK, seed=3)
    numel = torch.Size(shape).numel()
    entries = sample.view(torch.arange(numel)).reshape(-1)
    assert entries.numel() == BLOCKS * BLOCK
    assert int(entries.max()) < numel and entries.unique().numel() == entries.numel()
    assert (entries % shape[-1]).unique().numel() == shape[-1]  # no column left out


def test_small_tensors_are_read_whole() -> None:
    sample = plan_sample(torch.Size((10, 400)), BLOCKS, BLOCK, seed=0)
    assert sample.view(torch.arange(4000)).reshape(-1).tolist() == list(range(4000))


def test_random_index_leaves_the_global_rng_alone() -> None:
    state = torch.get_rng_state()
    first = random_index(10_000, 64, torch.device("cpu"), seed=1)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(first, random_index(10_000, 64, torch.device("cpu"), seed=1))
    assert torch.equal(first, first.sort().values)


def _one_step(model: nn.Module, blocks: int, lr: float = 1e-3) -> dict[str, torch.Tensor]:
    run = RunContext(Path("."), Settings())
    run.params = list(model.named_parameters())
    probe = UpdateProbe(blocks)
    probe.setup(run)
    ctx = StepContext(run, 0, lambda record: None)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    batch = torch.Generator().manual_seed(1)  # the same batch on every call
    x = torch.randn(128, 784, generator=batch).to(next(model.parameters()).dtype)
    nn.functional.cross_entropy(model(x), torch.randint(0, 10, (128,), generator=batch)).backward()
    probe.before_step(ctx)
    optimizer.step()
    probe.after_step(ctx)
    return ctx.record_data


def _same_step_twice(first: int, second: int, between: Callable[[], None] = lambda: None) -> tuple[dict, dict, nn.Module]:
    """The records of one step of the same model from the same state, with ``first`` and then
    ``second`` sample blocks (``between`` runs in between), and the model after the second."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 500), nn.ReLU(), nn.Linear(500, 10))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    one = _one_step(model, first)
    model.load_state_dict(state)
    model.zero_grad()
    between()
    return one, _one_step(model, second), model


def test_sampled_norms_are_close_to_the_exact_ones() -> None:
    sampled, exact, model = _same_step_twice(BLOCKS, 0)
    for key in ("param_norms", "update_norms", "update_grad_norms"):
        assert torch.allclose(sampled[key], exact[key], rtol=0.05), key
    assert not torch.equal(sampled["param_norms"], exact["param_norms"])  # the large weight was sampled
    grads = torch.stack([p.grad.norm() for p in model.parameters()])
    assert torch.allclose(exact["update_grad_norms"], grads, rtol=1e-3)  # float32 sums of squares


def test_padded_and_segmented_buffers_give_the_same_norms(monkeypatch: pytest.MonkeyPatch) -> None:
    never_pad = lambda: monkeypatch.setattr(updates, "MAX_PADDING", 0)  # noqa: E731 - one flat row, segment sums
    padded, segmented, _ = _same_step_twice(BLOCKS, BLOCKS, between=never_pad)
    for key in ("param_norms", "update_norms", "update_grad_norms"):
        assert torch.allclose(padded[key], segmented[key], rtol=1e-4), key  # float32 sums in other orders


def test_float64_updates_below_float32_resolution_are_not_zero() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 10)).double()
    record = _one_step(model, BLOCKS, lr=1e-12)  # Adam moves every entry by ~1e-12
    assert bool((record["update_norms"] > 0).all())
