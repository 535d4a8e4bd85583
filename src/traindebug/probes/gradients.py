"""Per-tensor and total gradient norms, gradient presence, stale gradients.

Records in each step record:
- ``grad_norm``: total L2 norm of all observed gradients (the optimizer's view,
  after clipping and unscaling).
- ``grad_norms``: per-tensor L2 norms (0 for tensors without a gradient), on
  the steps of ``schedule.PER_TENSOR``.
- ``grad_missing``: indices of trainable tensors whose ``.grad`` is None.
- ``stale_grad``: the total norm of the gradients that were already present at
  the step's first backward, over the tensors the step then updated (nonzero
  means gradients were not reset since the last update), with ``stale_scope``,
  the index of the first tensor the step updated: steps that alternate between
  parts of a model (a GAN's discriminator and generator) are judged part by part.
"""

from __future__ import annotations

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext, dense_grads
from traindebug.schedule import PER_TENSOR


def stack_norms(values: list[torch.Tensor] | tuple[torch.Tensor, ...], device: torch.device) -> torch.Tensor:
    """0-d norms (possibly of several devices and dtypes) as one float32 vector on ``device``."""
    if all(v.device == device for v in values):
        return torch.stack(list(values)).float()
    return torch.stack([v.to(device, torch.float32) for v in values])


def grad_norms(ctx: StepContext) -> tuple[torch.Tensor, list[int]]:
    """(per-tensor norms on the params' device, indices of tensors without grad)."""
    grads = dense_grads(ctx.params)
    device = ctx.run.device
    missing = [i for i, g in enumerate(grads) if g is None]
    if not missing:
        return stack_norms(torch._foreach_norm(grads), device), missing  # type: ignore[arg-type]
    given = [g for g in grads if g is not None]
    present = iter(torch._foreach_norm(given) if given else [])  # type: ignore[arg-type]
    zero = torch.zeros((), device=device)  # no index_put: it would copy an index to the device
    return stack_norms([zero if g is None else next(present) for g in grads], device), missing


class GradientProbe(Probe):
    """Gradient norms per tensor, every step (one fused reduction)."""

    name = "gradients"
    cost = Cost.CHEAP

    def __init__(self) -> None:
        #: at the step's first backward: (indices of tensors holding a .grad, their norms, all versions)
        self._stale: tuple[list[int], list[torch.Tensor], list[int]] | None = None

    def before_backward(self, ctx: StepContext) -> None:
        if ctx.backward_count == 0 and ctx.params:
            grads = dense_grads(ctx.params)
            present = [i for i, g in enumerate(grads) if g is not None]
            norms = torch._foreach_norm([grads[i].detach() for i in present]) if present else []  # type: ignore[union-attr]
            self._stale = (present, list(norms), [p._version for _, p in ctx.params])

    def before_step(self, ctx: StepContext) -> None:
        if ctx.backward_count > 0:  # closure optimizers (L-BFGS) are read after the step
            self._record(ctx)

    def after_step(self, ctx: StepContext) -> None:
        if "grad_norm" not in ctx.record_data:  # recorded every step (grad_norms only on PER_TENSOR steps)
            self._record(ctx)
        self._record_stale(ctx)

    def _record_stale(self, ctx: StepContext) -> None:
        """Norm of the old gradients of the tensors this step updated (their version changed).

        Tensors that kept an old .grad but were not updated (frozen after training, or the
        other network of a GAN, zeroed before its own backward) do not count.
        """
        if self._stale is None:
            return
        present, norms, versions = self._stale
        self._stale = None
        updated = {i for i, (_, p) in enumerate(ctx.params[: len(versions)]) if p._version != versions[i]}
        stepped = [n for i, n in zip(present, norms) if i in updated]
        ctx.record("stale_grad", stack_norms(stepped, ctx.run.device).norm() if stepped else 0.0)
        ctx.record("stale_scope", min(updated, default=-1))

    def _record(self, ctx: StepContext) -> None:
        if not ctx.params:
            return
        norms, missing = grad_norms(ctx)
        if PER_TENSOR.due(ctx.step):
            ctx.record("grad_norms", norms)
        ctx.record("grad_norm", norms.norm())
        ctx.record("grad_missing", missing)


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [GradientProbe()]
