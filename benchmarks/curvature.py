"""Curvature estimators against exact values: Lanczos vs power iteration, trace estimators.

Two models on random data:

- ``small``: a tanh MLP 20-40-40-5 (2 685 parameters), batch 256; the exact Hessian
  from ``torch.autograd.functional.hessian`` in float64, eigenvalues by ``eigvalsh``.
- ``mlp784``: the ReLU MLP 784-500-400-10 (596 910 parameters), batch 128; reference
  lambda_max from Lanczos run to a 1e-8 residual, exact trace from BackPACK's DiagHessian.

Per case one JSON line with ``name``, ``hvps``, ``rel_err`` and ``seconds``:

- ``*/lanczos``, ``*/power``: each method with its own stopping rule at a 1 % tolerance
  (Lanczos: residual <= 1 % of the value; power iteration: PyHessian's relative change
  <= 1 %), median over start vectors;
- ``*/lanczos_to_1pct``, ``*/power_to_1pct``: Hessian-vector products until the estimate
  stays within 1 % of the exact value (the same accuracy for both), median over start vectors;
- ``*/hutchinson_N``: Hutchinson's trace with N Rademacher samples; ``*/backpack_trace``:
  the exact DiagHessian trace.

Run: ``python benchmarks/curvature.py [--seeds 5] [--threads N]``.
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


def run_method(
    method: Callable[..., Any], op: HessianOperator, seed: int, exact: float, tol: float = TOL, **kwargs: Any
) -> dict[str, float]:
    g = torch.Generator().manual_seed(seed)
    op.hvps = 0
    t0 = time.perf_counter()
    est = method(op, tol=tol, generator=g, **kwargs)
    seconds = time.perf_counter() - t0
    history: list[float] = []
    g = torch.Generator().manual_seed(seed)
    method(op, tol=0.0, generator=g, progress=lambda k, v: history.append(v), **kwargs)
    return {
        "hvps": est.hvps,
        "rel_err": abs(est.value - exact) / abs(exact),
        "seconds": seconds,
        "to_1pct": steps_to_tolerance(history, exact, 1e-2) or float("nan"),
        "to_0.1pct": steps_to_tolerance(history, exact, 1e-3) or float("nan"),
    }


def time_estimate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, repeats: int = 5) -> dict[str, Any]:
    """One full lambda_max estimate (gradient graph + Lanczos at 1 %), best of ``repeats``.

    Wall time on a shared machine includes waiting for a core; process CPU time does not
    (with one thread it is the compute time). Both are reported, each the best of the repeats.
    """
    walls, cpus, hvps = [], [], 0
    for seed in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        est = lanczos(operator(model, X, y), tol=TOL, max_iter=100, generator=torch.Generator().manual_seed(seed))
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        hvps = est.hvps
    return {"hvps": hvps, "rel_err": None, "seconds": min(walls), "cpu_seconds": min(cpus),
            "median_seconds": statistics.median(walls), "repeats": repeats}


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
        max_iter = {"lanczos": 100, "power": 1000}
    else:
        ref = lanczos(op, tol=1e-8, max_iter=150, generator=torch.Generator().manual_seed(123))
        exact_max = ref.value
        t0 = time.perf_counter()
        exact_trace = diag_hessian_trace(model, nn.CrossEntropyLoss(), X, y).value
        emit(f"{case}/reference", params=n, hvps=ref.hvps, rel_err=0.0, seconds=time.perf_counter() - t0,
             lambda_max=exact_max, residual=ref.residual, trace=exact_trace,
             note="lambda_max: Lanczos to a 1e-8 residual; trace: BackPACK DiagHessian")
        max_iter = {"lanczos": 100, "power": 400}
    rules = {
        "lanczos": "residual <= 1% of value",
        "power": "relative change <= 1% (PyHessian's rule at tol 1e-2)",
        "power_tol1e-3": "relative change <= 0.1% (PyHessian's default tol)",
    }
    results: dict[str, list[dict[str, float]]] = {name: [] for name in rules}
    for seed in range(seeds):
        results["lanczos"].append(run_method(lanczos, op, seed, exact_max, max_iter=max_iter["lanczos"]))
        results["power"].append(run_method(power_iteration, op, seed, exact_max, max_iter=max_iter["power"]))
        results["power_tol1e-3"].append(
            run_method(power_iteration, op, seed, exact_max, tol=1e-3, max_iter=max_iter["power"]))
    for method, rows in results.items():
        emit(
            f"{case}/{method}",
            params=n,
            hvps=statistics.median(r["hvps"] for r in rows),
            rel_err=statistics.median(r["rel_err"] for r in rows),
            max_rel_err=max(r["rel_err"] for r in rows),
            seconds=statistics.median(r["seconds"] for r in rows),
            stopping_rule=rules[method],
            seeds=seeds,
        )
    for key, tol in (("to_1pct", 1e-2), ("to_0.1pct", 1e-3)):
        medians = {}
        for method in ("lanczos", "power"):
            per_seed = [r[key] for r in results[method]]
            medians[method] = statistics.median(per_seed)
            emit(f"{case}/{method}_{key}", params=n, hvps=medians[method], per_seed=per_seed, rel_err=tol,
                 seconds=None, note="products until every later estimate is within tol of the exact value")
        emit(f"{case}/hvp_ratio_power_over_lanczos_{key}", hvps=medians["power"] / medians["lanczos"],
             rel_err=tol, seconds=None)
    emit(f"{case}/lambda_max_estimate", **time_estimate(model, X, y))
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
    parser.add_argument("--seeds", type=int, default=5, help="start vectors per method")
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
