"""Curvature estimators against exact values: Lanczos vs power iteration, trace estimators.

Two models on random data:

- ``small``: a tanh MLP 20-40-40-5 (2 685 parameters), batch 256; the exact Hessian
  from ``torch.autograd.functional.hessian`` in float64, eigenvalues by ``eigvalsh``.
- ``mlp784``: the ReLU MLP 784-500-400-10 (596 910 parameters), batch 128; reference
  lambda_max from Lanczos run to a 1e-8 residual, exact trace from BackPACK's DiagHessian.

Both methods start from the same random vectors (one per seed). Per case one JSON line
with ``name``, ``hvps``, ``rel_err`` and ``seconds`` (``hvps``: mean over the starts;
``rel_err``: median relative error to the exact value; ``over_1pct``: starts that ended
more than 1 % off):

- ``*/lanczos`` and ``*/power_residual``: the same stopping rule at the same tolerance,
  the residual ``||H v - value v|| <= 1 %`` of the value (for a symmetric matrix some
  eigenvalue then lies within 1 % of the estimate); ``*/hvp_ratio_same_rule``;
- ``*/power``, ``*/power_tol1e-3``: PyHessian's own rule (relative change of the
  estimate between two products <= tol), at 1 % and at its default 0.1 %;
- ``*/lanczos_to_1pct``, ``*/power_to_1pct`` (and ``0.1pct``): products until the estimate
  stays within 1 % of the exact value (the same accuracy for both, no stopping rule),
  with ``*/hvp_ratio_to_1pct`` (ratio of the means, and of the medians);
- ``*/lambda_max_estimate``: one full estimate (gradient graph + Lanczos at 1 %), wall and
  process CPU time, each the minimum over repeats;
- ``*/hutchinson_N``: Hutchinson's trace with N Rademacher samples; ``*/backpack_trace``:
  the exact DiagHessian trace.

Run: ``python benchmarks/curvature.py [--seeds 40] [--threads N]`` (``--threads 0``: torch's
default, which follows ``OMP_NUM_THREADS``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any, Callable

import torch
from torch import nn
from torch.func import functional_call

from traindebug.curvature import HessianOperator, diag_hessian_trace, hutchinson_trace, lanczos, power_iteration

TOL = 1e-2
TO_TOL = {"to_1pct": 1e-2, "to_0.1pct": 1e-3}  # accuracies for the products-to-accuracy rows


def make_case(name: str) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """The model and its random batch."""
    torch.manual_seed(0)
    if name == "small":
        model = nn.Sequential(nn.Linear(20, 40), nn.Tanh(), nn.Linear(40, 40), nn.Tanh(), nn.Linear(40, 5))
        return model, torch.randn(256, 20), torch.randint(0, 5, (256,))
    model = nn.Sequential(nn.Linear(784, 500), nn.ReLU(), nn.Linear(500, 400), nn.ReLU(), nn.Linear(400, 10))
    return model, torch.randn(128, 784), torch.randint(0, 10, (128,))


def exact_hessian(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The full Hessian in float64 (small models only)."""
    model64 = _double(model)
    params = list(model64.parameters())
    names = [n for n, _ in model64.named_parameters()]

    def loss(flat: torch.Tensor) -> torch.Tensor:
        parts = flat.split([p.numel() for p in params])
        tensors = {n: t.view_as(p) for n, t, p in zip(names, parts, params)}
        return nn.functional.cross_entropy(functional_call(model64, tensors, (X.double(),)), y)

    flat = torch.cat([p.detach().reshape(-1) for p in params])
    return torch.autograd.functional.hessian(loss, flat, vectorize=True)


def _double(model: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(model).double()


def operator(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> HessianOperator:
    return HessianOperator(lambda: nn.functional.cross_entropy(model(X), y), list(model.parameters()))


def steps_to_tolerance(history: list[float], exact: float, tol: float) -> int | None:
    """Products after which every later estimate is within ``tol`` (relative) of ``exact``."""
    for i in range(len(history)):
        if all(abs(v - exact) <= tol * abs(exact) for v in history[i:]):
            return i + 1
    return None


def run_rule(method: Callable[..., Any], op: HessianOperator, seed: int, exact: float, **kwargs: Any) -> dict[str, float]:
    """One estimate with the method's stopping rule: products, error, time."""
    op.hvps = 0
    est = method(op, generator=torch.Generator().manual_seed(seed), **kwargs)
    return {"hvps": est.hvps, "rel_err": abs(est.value - exact) / abs(exact), "seconds": est.seconds}


def run_history(method: Callable[..., Any], op: HessianOperator, seed: int, exact: float, max_iter: int) -> dict[str, float]:
    """Products until the estimate stays within 1 % and 0.1 % of ``exact``.

    The method runs until its residual is below 1e-4 of the value (every later estimate
    then stays within about 1e-8 of an eigenvalue) or ``max_iter`` products.
    """
    history: list[float] = []
    kwargs = {"rule": "residual"} if method is power_iteration else {}
    method(op, tol=1e-4, max_iter=max_iter, generator=torch.Generator().manual_seed(seed),
           progress=lambda k, value, residual: history.append(value), **kwargs)
    return {key: steps_to_tolerance(history, exact, tol) or float("nan") for key, tol in TO_TOL.items()}



def summary(rows: list[dict[str, float]]) -> dict[str, Any]:
    """Mean and median products, median and worst error over the starts."""
    hvps = [r["hvps"] for r in rows]
    errors = [r["rel_err"] for r in rows]
    return {
        "hvps": statistics.mean(hvps),
        "hvps_median": statistics.median(hvps),
        "hvps_max": max(hvps),
        "rel_err": statistics.median(errors),
        "max_rel_err": max(errors),
        "over_1pct": sum(e > 1e-2 for e in errors),
        "seconds": statistics.median(r["seconds"] for r in rows),
        "seeds": len(rows),
    }


def time_estimate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, exact: float, repeats: int = 7) -> dict[str, Any]:
    """One full lambda_max estimate (gradient graph + Lanczos at 1 %), best of ``repeats``.

    Wall time on a shared machine includes waiting for a core; process CPU time does not
    (it adds up the threads' time). Both are reported, each the minimum over the repeats.
    """
    walls, cpus, hvps, errors = [], [], [], []
    for seed in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        est = lanczos(operator(model, X, y), tol=TOL, generator=torch.Generator().manual_seed(seed))
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        hvps.append(est.hvps)
        errors.append(abs(est.value - exact) / abs(exact))
    return {"hvps": statistics.mean(hvps), "rel_err": max(errors), "seconds": min(walls), "cpu_seconds": min(cpus),
            "median_seconds": statistics.median(walls), "repeats": repeats, "threads": torch.get_num_threads()}


def emit(name: str, **fields: Any) -> None:
    print(json.dumps({"name": name, **{k: (round(v, 6) if isinstance(v, float) else v) for k, v in fields.items()}}))


def bench(case: str, seeds: int) -> None:
    model, X, y = make_case(case)
    n = sum(p.numel() for p in model.parameters())
    op = operator(model, X, y)
    if case == "small":
        t0 = time.perf_counter()
        H = exact_hessian(model, X, y)
        eig = torch.linalg.eigvalsh(H)
        exact_max, exact_trace = float(eig[-1]), float(torch.trace(H))
        emit(f"{case}/exact_hessian", params=n, hvps=0, rel_err=0.0, seconds=time.perf_counter() - t0,
             lambda_max=exact_max, trace=exact_trace)
        max_iter = 1000
    else:
        ref = lanczos(op, tol=1e-8, max_iter=150, generator=torch.Generator().manual_seed(123))
        exact_max = ref.value
        t0 = time.perf_counter()
        exact_trace = diag_hessian_trace(model, nn.CrossEntropyLoss(), X, y).value
        emit(f"{case}/reference", params=n, hvps=ref.hvps, rel_err=0.0, seconds=time.perf_counter() - t0,
             lambda_max=exact_max, residual=ref.residual, trace=exact_trace,
             note="lambda_max: Lanczos to a 1e-8 residual; trace: BackPACK DiagHessian")
        max_iter = 400
    methods: dict[str, tuple[Callable[..., Any], dict[str, Any], str]] = {
        "lanczos": (lanczos, {"tol": TOL, "max_iter": 100}, "residual <= 1% of value"),
        "power_residual": (power_iteration, {"tol": TOL, "max_iter": max_iter, "rule": "residual"},
                           "residual <= 1% of value (the rule of lanczos)"),
        "power": (power_iteration, {"tol": TOL, "max_iter": max_iter},
                  "relative change <= 1% (PyHessian's rule at tol 1e-2)"),
        "power_tol1e-3": (power_iteration, {"tol": 1e-3, "max_iter": max_iter},
                          "relative change <= 0.1% (PyHessian's rule at its default tol)"),
    }
    results = {name: [run_rule(method, op, seed, exact_max, **kw) for seed in range(seeds)]
               for name, (method, kw, _) in methods.items()}
    for name, rows in results.items():
        emit(f"{case}/{name}", params=n, **summary(rows), stopping_rule=methods[name][2])
    lanczos_hvps, power_hvps = (statistics.mean(r["hvps"] for r in results[m]) for m in ("lanczos", "power_residual"))
    emit(f"{case}/hvp_ratio_same_rule", hvps=power_hvps / lanczos_hvps, rel_err=TOL, seconds=None,
         note="mean products, power iteration over Lanczos, both stopped at residual <= 1% of the value")
    histories = {name: [run_history(method, op, seed, exact_max, limit) for seed in range(seeds)]
                 for name, method, limit in (("lanczos", lanczos, 100), ("power", power_iteration, max_iter))}
    for key, tol in TO_TOL.items():
        means, medians = {}, {}
        for name, rows in histories.items():
            per_seed = [r[key] for r in rows]
            means[name], medians[name] = statistics.mean(per_seed), statistics.median(per_seed)
            emit(f"{case}/{name}_{key}", params=n, hvps=means[name], hvps_median=medians[name], per_seed=per_seed,
                 rel_err=tol, seconds=None, note="products until every later estimate is within tol of the exact value")
        emit(f"{case}/hvp_ratio_{key}", hvps=means["power"] / means["lanczos"],
             median_ratio=medians["power"] / medians["lanczos"], rel_err=tol, seconds=None,
             note="mean products, power iteration over Lanczos, to the same accuracy")
    emit(f"{case}/lambda_max_estimate", **time_estimate(model, X, y, exact_max))
    for samples in (10, 100, 1000) if case == "small" else (10, 100):
        op.hvps = 0
        est = hutchinson_trace(op, samples, torch.Generator().manual_seed(0))
        emit(f"{case}/hutchinson_{samples}", hvps=est.hvps, rel_err=abs(est.value - exact_trace) / abs(exact_trace),
             seconds=est.seconds, trace=est.value, stderr=est.stderr, samples=samples)
    if case != "small":
        return  # there the BackPACK trace is the reference
    est = diag_hessian_trace(model, nn.CrossEntropyLoss(), X, y)
    emit(f"{case}/backpack_trace", hvps=0, rel_err=abs(est.value - exact_trace) / abs(exact_trace),
         seconds=est.seconds, trace=est.value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40, help="random start vectors (the same for every method)")
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    parser.add_argument("--cases", default="small,mlp784")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    emit("setup", threads=torch.get_num_threads(), torch=torch.__version__, hvps=0, rel_err=0.0, seconds=0.0)
    for case in args.cases.split(","):
        bench(case, args.seeds)


if __name__ == "__main__":
    main()
