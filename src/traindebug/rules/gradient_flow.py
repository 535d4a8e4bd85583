"""no_gradient_flow and frozen_or_unoptimized: tensors that never learn, and forwards cut from the graph."""

from __future__ import annotations

import math
from collections import defaultdict

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, median, model_of, never_made, per_tensor, rule
from traindebug.rules.wrong_gradient import disagreement
from traindebug.store import RunData, to_float


def _module_of(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name else name


def _group_by_module(names: list[str], indices: list[int]) -> dict[str, list[int]]:
    """Tensor indices by module (indices, not names: a module registered twice, once through a
    functional_call dict and once as itself, gives two tensors of one name)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i in indices:
        groups[_module_of(names[i])].append(i)
    return groups


def last_block_side_branch(module: str, reached: set[str]) -> str | None:
    """The block (``layers.2``) when ``module`` (``layers.2.coord_mlp.0``) is a branch of the last of
    a stack of numbered blocks whose other branches get gradients, while the same branch of an
    earlier block does: the last block's side output (an EGNN's coordinate update after its last
    layer, which an invariant head never reads) is computed and left unused. A block skipped
    altogether (a loop that stops one block early) has no branch that gets a gradient."""
    parts = module.split(".")
    for k, part in enumerate(parts):
        if not part.isdigit():
            continue
        prefix, rest = ".".join(parts[:k]), ".".join(parts[k + 1:])
        if not rest:
            continue
        block = ".".join(parts[: k + 1])
        indices = {int(m.split(".")[k]) for m in reached
                   if m.startswith(prefix + ".") and len(m.split(".")) > k and m.split(".")[k].isdigit()}
        sibling_reached = any(f"{prefix}.{i}.{rest}" in reached for i in indices if i < int(part))
        block_reached = any(m.startswith(block + ".") for m in reached)
        if sibling_reached and block_reached and indices and int(part) >= max(indices):
            return block
    return None


def vanished_gradients(run: RunData) -> set[int]:
    """Tensors whose median RMS gradient is below GRAD_ABS_VANISHED.

    An SGD step that small is below float32 resolution for any weight of ordinary size
    and rounds to no change at all: such a tensor is not frozen, its gradient vanished
    (judged by the vanishing_gradients rules).
    """
    if not run.has("grad_norms"):
        return set()
    _, rows = per_tensor(run, "grad_norms")
    shapes = (run.last("tensors") or {}).get("shapes", [])
    sizes = [math.prod(s) for s in shapes]
    return {
        i for i in range(min(len(sizes), min((len(r) for r in rows), default=0)))
        if sizes[i] and median([r[i] for r in rows]) / math.sqrt(sizes[i]) < T.GRAD_ABS_VANISHED
    }


def stale_optimizer_tensors(names: list[str], in_opt: list[bool]) -> list[str]:
    """Tensors an optimizer holds that belong to no observed model, when some model tensors
    are in no optimizer: a module replaced (``model.head = nn.Linear(...)``) after the
    optimizer was built, which still holds the old module's parameters."""
    orphans = [n for n in names if model_of(n).startswith("optimizer")]
    unoptimized = [n for i, n in enumerate(names) if i < len(in_opt) and not in_opt[i] and not model_of(n).startswith(("optimizer", "leaf"))]
    return orphans if orphans and unoptimized else []


@rule("flow.no_gradient", "no_gradient_flow", needs=("grad_norms",))
def no_gradient(run: RunData) -> list[Finding]:
    """Trainable tensors whose gradient is missing or exactly zero at every step."""
    steps, rows = per_tensor(run, "grad_norms")
    if len(rows) < 3:
        return []
    names = run.tensor_names
    in_opt = (run.last("tensors") or {}).get("in_optimizer", [True] * len(names))
    n = max(len(r) for r in rows)
    # tensors found later in the run (an optimizer's parameters outside any observed model)
    # are judged over the rows that have them
    seen = [[r[i] for r in rows if len(r) > i] for i in range(n)]
    dead = [i for i in range(n) if len(seen[i]) >= 3 and all(v == 0 for v in seen[i])]
    if not dead or len(dead) == n and not any(in_opt):
        return []
    findings = []
    reached = {_module_of(names[i]) for i in range(n) if any(v != 0 for v in seen[i])}  # got a gradient at least once
    ungraded = never_made(run)  # .grad None at every step
    stale = set(stale_optimizer_tensors(names, in_opt))
    shapes = (run.last("tensors") or {}).get("shapes", [])
    for module, group in _group_by_module(names, dead).items():
        tensors = [names[i] for i in group]
        if stale.issuperset(tensors):
            continue  # the old parameters of a replaced module: flow.frozen reports the new ones
        optimized = any(in_opt[i] for i in group if i < len(in_opt))
        # the module's other tensors get gradients: the graph reaches it, and the loss is
        # invariant to these (a bias that cancels in a score difference or a normalisation);
        # a weight matrix cannot cancel so, and a functional model's tensors share one
        # pseudo-module (their optimizer group) whether or not they belong together
        partial = module in reached
        invariant = partial and all(len(shapes[i]) <= 1 for i in group if i < len(shapes))
        side = last_block_side_branch(module, reached) if ungraded.issuperset(group) else None
        findings.append(
            Finding(
                rule="flow.no_gradient",
                category="no_gradient_flow",
                severity="warning" if optimized and not invariant and not side else "info",
                confidence=0.85,
                step=0,
                where=module,
                title=f"{module} never receives a gradient" if not partial else f"{', '.join(tensors)} never get a gradient",
                observation=(
                    f"{', '.join(tensors)} require gradients{' and are handed to the optimizer' if optimized else ''}, "
                    f"but their gradient was None or exactly zero at all {len(rows)} steps"
                    + (f", while the other parameters of {module} get gradients." if partial else ".")
                    + (f" The other branches of {side}, the last of its stack of blocks, get gradients, and so does "
                       f"this branch in the earlier blocks." if side else "")
                ),
                hypothesis=(
                    f"The last block's output of this branch is computed but nothing reads it (an equivariant network's "
                    f"coordinate update after its last layer, under a head that reads only the features): by design, "
                    f"the branch's parameters in the last block only cost time." if side else
                    "The loss does not change with these parameters although it reaches their module: a bias that "
                    "cancels (a difference of two scores, as in a ranking loss; a normalisation right after the layer)."
                    if invariant else
                    "The loss does not depend on these parameters: the graph is cut (.detach(), .item(), .numpy(), "
                    "torch.no_grad() around part of the forward, a non-differentiable operation such as argmax, or one whose derivative is 0 everywhere, such as round) "
                    "or the module is defined but never used in forward."
                ),
                suggestion=f"Follow the forward pass from {module} to the loss and look for a .detach(), no_grad block or integer operation.",
                # None (never made), not zero: the graph does not reach them; no value (dead or identical
                # units) can do that, which the ranking takes into account
                evidence={"tensors": tensors, "steps": len(rows),
                          "grad_none": ungraded.issuperset(group)},
                caveat="A module that is deliberately unused (an auxiliary head) produces the same signal.",
                figures=["grad_heatmap"],
            )
        )
    return findings


@rule("flow.frozen", "frozen_or_unoptimized", needs=("update_grad_norms", "update_norms"))
def frozen(run: RunData) -> list[Finding]:
    """Tensors that have gradients but never change (both measured on the same entries)."""
    grad_steps, grads = per_tensor(run, "update_grad_norms")
    update_steps, updates = per_tensor(run, "update_norms")
    by_step = dict(zip(update_steps, updates))  # the gradient is sampled on fewer steps than the update
    rows = [(g, by_step[s]) for s, g in zip(grad_steps, grads) if s in by_step]
    if len(rows) < 3:
        return []
    names = run.tensor_names
    in_opt = (run.last("tensors") or {}).get("in_optimizer", [True] * len(names))
    # steps where nothing moved at all (an optimizer step skipped by GradScaler) say nothing,
    # unless nothing moved on any step a tensor was seen (a later phase that trains only a module
    # the optimizer does not hold)
    active = [(g, u) for g, u in rows if any(v > 0 for v in u)] or rows
    n = max(min(len(g), len(u)) for g, u in rows)
    vanished = vanished_gradients(run)

    def observed(i: int, among: list[tuple[list[float], list[float]]]) -> list[tuple[float, float]]:
        return [(g[i], u[i]) for g, u in among if i < min(len(g), len(u))]

    # a tensor observed from a later step on (unfrozen for fine-tuning) is judged on its own rows
    seen = [observed(i, active) if len(observed(i, active)) >= 3 else observed(i, rows) for i in range(n)]
    stuck = [
        i
        for i in range(n)
        if len(seen[i]) >= 3
        and sum(1 for g, _ in seen[i] if g > 0) >= T.STALE_GRAD_STEP_FRACTION * len(seen[i])
        and all(u == 0 for _, u in seen[i])
        and i not in vanished
    ]
    if not stuck:
        return []
    nothing_moves = len(stuck) == n
    stale = stale_optimizer_tensors(names, in_opt)
    findings = []
    for module, group in _group_by_module(names, stuck).items():
        tensors = [names[i] for i in group]
        outside = [names[i] for i in group if i < len(in_opt) and not in_opt[i]]
        if nothing_moves:
            why = "No parameter changed at any step although gradients were computed: the optimizer never steps (optimizer.step() missing or skipped) or its learning rate is 0."
        elif outside and stale:
            why = (f"{', '.join(outside)} are not in any optimizer's param groups, so nothing updates them; the "
                   f"optimizer holds instead {len(stale)} tensors that no model uses ({', '.join(stale[:4])}): the "
                   f"module was replaced after the optimizer was built, which still updates the old one's parameters.")
        elif outside:
            why = f"{', '.join(outside)} are not in any optimizer's param groups, so nothing updates them."
        else:
            why = "They are in an optimizer whose step never changes them (learning rate 0, or a param group that is skipped)."
        findings.append(
            Finding(
                rule="flow.frozen",
                category="frozen_or_unoptimized",
                severity="warning",
                confidence=0.85,
                step=0,
                where="all parameters" if nothing_moves else module,
                title=("no parameter ever changes" if nothing_moves else f"{module} gets gradients but never changes"),
                observation=f"{', '.join(tensors)} had non-zero gradients on {max(len(seen[i]) for i in group)} measured steps and an update of exactly 0 on every one.",
                hypothesis=why,
                suggestion="Pass model.parameters() (all of them) to the optimizer, call optimizer.step() after backward, and check the learning rate of every param group.",
                evidence={"tensors": tensors, "not_in_optimizer": outside, "stale_in_optimizer": stale, "steps": max(len(seen[i]) for i in group)},
                caveat="Parameters frozen on purpose should have requires_grad=False; then they are not reported.",
            )
        )
        if nothing_moves:
            break
    return findings


@rule("flow.never_stepped", "frozen_or_unoptimized", needs=("loss",))
def never_stepped(run: RunData) -> list[Finding]:
    """An optimizer exists, backward passes run, and the optimizer never steps."""
    end = run.last("end") or {}
    backwards = int(to_float(end.get("backward_passes", 0)))
    if not end.get("optimizers") or end.get("optimizer_stepped", True) or backwards < T.NEVER_STEPPED_BACKWARDS:
        return []
    names = ", ".join(end["optimizers"])
    return [
        Finding(
            rule="flow.never_stepped",
            category="frozen_or_unoptimized",
            severity="warning",
            confidence=0.85,
            step=0,
            title=f"the optimizer ({names}) never stepped in {backwards} backward passes",
            observation=(
                f"The script created {names} and ran {backwards} backward passes, but no optimizer step completed: "
                "the gradients were computed and the weights never changed."
            ),
            hypothesis=(
                "The condition around optimizer.step() is never true (an accumulation counter that restarts every "
                "epoch, a modulo on the wrong index), or step() is called on another optimizer than the one built."
            ),
            suggestion="Print a line next to optimizer.step() and check the condition that guards it with the loop's real indices.",
            evidence={"backward_passes": backwards, "optimizers": end["optimizers"]},
            caveat="A script that only computes gradients on purpose (saliency maps, gradient statistics) shows the same.",
        )
    ]


@rule("flow.cut_graph", "no_gradient_flow", needs=("gradcheck",))
def cut_graph(run: RunData) -> list[Finding]:
    """The step-0 finite-difference check disagrees with autograd in a model without any custom
    autograd Function: no hand-written backward can be wrong, so a path that the forward uses
    does not carry gradient (``.detach()``, ``.data``, ``torch.no_grad()`` inside the forward).
    Only an info where that forward iterates modules without gradients and then applies them with
    the graph on (a deep-equilibrium solve with a one-step gradient)."""
    seen = disagreement(run)
    if seen is None or run.has("function_check"):
        return []
    record, found, observation = seen
    solver = iterated_without_graph(run, found["where"])
    if solver:
        return [solved_without_graph(record, found, observation, solver)]
    return [
        Finding(
            rule="flow.cut_graph",
            category="no_gradient_flow",
            severity="warning",
            confidence=0.7,
            step=record.get("step", 0),
            where=found["where"],
            title=f"part of the forward of {found['where']} carries no gradient: autograd disagrees with finite differences",
            observation=observation + " The model has no custom autograd Function, so no hand-written backward is involved.",
            hypothesis=(
                "A tensor that the forward uses was cut from the graph (.detach(), .data, or a computation under "
                "torch.no_grad() inside forward, kept for logging or caching and then reused): the output depends on "
                "the parameters through it, but autograd sees no path, so the parameters before it get only part of "
                "their gradient or none."
            ),
            suggestion=(
                f"Look in the forward of {found['where']} for .detach(), .data and no_grad blocks whose result flows back "
                "into the computation; keep a detached copy only for logging."
            ),
            evidence={"module": found["where"], "rel_error": to_float(found["rel_error"]), "analytic": found["analytic"],
                      "numeric": found["numeric"], "wrong": found["wrong"]},
            caveat="A deliberate stop-gradient inside the model (a straight-through trick written with .detach(), a "
                   "target branch) disagrees with finite differences by design.",
            figures=["gradcheck_sweep"],
        )
    ]


def iterated_without_graph(run: RunData, where: str) -> list[dict]:
    """The modules inside ``where`` (the whole model for ``<model>``) that the step-0 training
    forward ran both with gradients disabled and enabled (``detached_calls``)."""
    rows = (run.last("detached_calls") or {}).get("modules", [])
    return [m for m in rows if where == "<model>" or m["module"] == where or m["module"].startswith(where + ".")]


def solved_without_graph(record: dict, found: dict, observation: str, solver: list[dict]) -> Finding:
    """The finite-difference disagreement of a forward that iterates modules under no_grad and
    then applies them with the graph on: by design, an info."""
    names = ", ".join(f"{m['module']} ({m['without_grad']} calls without gradients, {m['with_grad']} with)"
                      for m in solver[:3])
    return Finding(
        rule="flow.cut_graph",
        category="no_gradient_flow",
        severity="info",
        confidence=0.3,
        step=record.get("step", 0),
        where=found["where"],
        title=f"autograd leaves out part of the forward of {found['where']} on purpose: it iterates under torch.no_grad()",
        observation=observation + f" Inside the training forward, {names}.",
        hypothesis=(
            "A fixed-point solve (deep-equilibrium layer, refinement loop) run without a graph and then applied once "
            "with it: the gradient is the Jacobian-free (one-step, 'phantom') approximation, and finite differences, "
            "which also see the solve, differ from it by design."
        ),
        suggestion="Nothing, if the approximate gradient is intended; for the exact implicit gradient, solve the "
                   "backward fixed point (implicit differentiation) or backpropagate through the iterations.",
        evidence={"module": found["where"], "rel_error": to_float(found["rel_error"]), "iterated": solver[:3]},
        caveat="The same calls would hide a cached no_grad result reused by mistake inside the same module.",
        figures=["gradcheck_sweep"],
    )


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [no_gradient, cut_graph, frozen, never_stepped]
