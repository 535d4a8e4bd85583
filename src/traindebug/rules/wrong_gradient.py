"""wrong_gradient: autograd disagrees with finite differences (custom backward code)."""

from __future__ import annotations

from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.store import RunData, to_float


def _label(check: dict) -> str:
    module = check["module"] or "<model>"
    return module if check["scope"] == "module" else f"{module}.{check['tensor']}".lstrip(".")


#: the smallest eps of the sweep at which a surrogate's forward must not move at all
FLAT_EPS = 5


def surrogate_functions(run: RunData) -> list[str]:
    """The user's custom Functions whose forward is locally constant (the finite difference is
    exactly 0 at the FLAT_EPS smallest eps, relative error exactly 1) while their backward is
    not: a straight-through or other surrogate gradient, which disagrees with finite
    differences by design."""
    return [
        c["module"] for c in function_checks(run)
        if c.get("verdict") != "ok" and to_float(c.get("analytic")) != 0
        and len(c.get("errors", [])) >= FLAT_EPS and all(e == 1.0 for e in c["errors"][-FLAT_EPS:])
    ]


def gradient_modifiers(run: RunData) -> list[dict]:
    """The user's custom Functions that failed the check because they pass their input through
    and scale its gradient (``gradient_scale``): gradient reversal (c < 0), gradient scaling or
    a stop (c = 0), which no forward can agree with by design."""
    return [c for c in function_checks(run) if c.get("gradient_scale") is not None]


def function_checks(run: RunData) -> list[dict]:
    """The checks of the user's custom Functions (each with the ``step`` of its record), of
    every step that checked one."""
    return [{**c, "step": record.get("step", 0)} for record in run.records("function_check")
            for c in record.get("checks", [])]


def disagreement(run: RunData) -> tuple[dict, dict, str] | None:
    """(gradcheck record, the responsible check, an observation in words) when the step-0
    finite-difference check found a module or tensor whose gradient disagrees at every eps."""
    record = run.last("gradcheck") or {}
    found = record.get("responsible")
    if not found:
        return None
    checks = record["tensors"] + record["modules"]
    wrong = [c for c in checks if c["verdict"] == "wrong"]
    agreeing = [to_float(c["rel_error"]) for c in checks if c["verdict"] == "ok"]
    noise = median(agreeing) if agreeing else None
    where = found["module"] or "<model>"
    what = "its own backward (inputs and parameters)" if found["scope"] == "module" else f"the loss along {found['tensor']}"
    observation = (
        f"At step {record.get('step', 0)} traindebug compared autograd with central finite differences on a "
        f"{record['dtype']} copy of the model, sweeping eps over {len(found['eps'])} values from {found['eps'][0]:g} to "
        f"{found['eps'][-1]:g}. For {where}, {what} along a random direction: autograd {found['analytic']:.6g}, "
        f"finite differences {found['numeric']:.6g}; relative error {fmt(to_float(found['rel_error']))} at the best "
        f"eps = {found['best_eps']:g} (tolerance {record['rtol']:g}), flat over {found['plateau_decades']:.1f} decades of eps."
    )
    if noise is not None:
        observation += (
            f" The {len(agreeing)} checks that agree reach a median relative error of {noise:.1e} at their best eps: "
            "that is the numerical noise level, so this disagreement is not round-off."
        )
    observation += " Failing checks: " + ", ".join(f"{_label(c)} ({fmt(to_float(c['rel_error']))})" for c in wrong) + "."
    return record, {**found, "where": where, "noise": noise, "wrong": [_label(c) for c in wrong]}, observation


@rule("gradcheck.wrong_gradient", "wrong_gradient", needs=("gradcheck",))
def wrong_gradient(run: RunData) -> list[Finding]:
    """A module's backward fails the finite-difference check at every eps, in a model with a
    custom autograd Function (without one, the graph is cut: ``cut_graph``)."""
    seen = disagreement(run)
    if seen is None or not run.has("function_check"):
        return []
    record, found, observation = seen
    surrogates = surrogate_functions(run)
    modifiers = gradient_modifiers(run)
    where, noise, wrong = found["where"], found["noise"], found["wrong"]
    rtol, dtype = record["rtol"], record["dtype"]
    rel = to_float(found["rel_error"])
    if surrogates:
        observation += (
            f" The model runs the custom autograd Function {', '.join(surrogates)}, whose forward does not change at all "
            "for small steps while its backward returns a gradient: a surrogate (straight-through) gradient, which "
            "cannot agree with finite differences, and neither can the gradients of the parameters before it (info)."
        )
    if modifiers:
        observation += " " + _modifier_words(modifiers) + (
            " Gradients that flow through it cannot agree with finite differences, and neither can those of the "
            "parameters before it (info).")
    deliberate = surrogates or modifiers
    return [
        Finding(
            rule="gradcheck.wrong_gradient",
            category="wrong_gradient",
            # float32 finite differences judge far fewer directions (thresholds.py): less certain
            severity="info" if deliberate else "error" if dtype == "float64" else "warning",
            confidence=0.95 if dtype == "float64" else 0.6,
            step=record.get("step", 0),
            where=where,
            title=f"gradient of {where} disagrees with finite differences (relative error {fmt(rel)})",
            observation=observation,
            hypothesis=(
                f"The backward of {where} does not compute the derivative of its forward: typically a custom "
                "torch.autograd.Function whose backward has a wrong factor, sign or missing term, or returns a "
                "gradient for the wrong input; every parameter upstream of it then receives a wrong gradient too."
            ),
            suggestion=(
                f"Derive the backward of {where} again from its forward, or test the Function alone with "
                "torch.autograd.gradcheck on float64 inputs; traindebug.gradcheck(model, loss_fn, (x, y)) repeats "
                "this check after a fix."
            ),
            evidence={
                "module": where,
                "scope": found["scope"],
                "analytic": found["analytic"],
                "numeric": found["numeric"],
                "rel_error": rel,
                "best_eps": found["best_eps"],
                "tolerance": rtol,
                "dtype": dtype,
                "noise_level": noise,
                "wrong": wrong,
            },
            caveat=(
                "Checked on one batch at step 0 along one random direction per tensor and module; an error that "
                "only appears for other inputs (a branch not taken) is not seen. A deliberate surrogate gradient "
                "(straight-through estimator, partial stop-gradient) disagrees with finite differences by design."
                + ("" if dtype == "float64" else " The model could not run in float64; in float32 round-off leaves "
                   "few usable eps, so errors of a few percent or less go unseen.")
            ),
            figures=["gradcheck_sweep"],
        )
    ]


@rule("gradcheck.wrong_function", "wrong_gradient", needs=("function_check",))
def wrong_function(run: RunData) -> list[Finding]:
    """A custom autograd Function's backward disagrees with finite differences of its forward (a
    Function that only scales the gradient of its input, ``gradient_modifiers``, is deliberate)."""
    return [
        Finding(
            rule="gradcheck.wrong_function",
            category="wrong_gradient",
            severity="error",
            confidence=0.95,
            step=c["step"],
            where=c["module"],
            title=f"the backward of the custom autograd Function {c['module']} is wrong",
            observation=(
                f"traindebug ran {c['module']}.apply on a float64 copy of the arguments of its first training call "
                f"and compared its backward with central finite differences of its forward along a random direction: "
                f"autograd {c['analytic']:.6g}, finite differences {c['numeric']:.6g}; relative error "
                f"{fmt(to_float(c['rel_error']))} at the best eps = {c['best_eps']:g}, flat over "
                f"{c['plateau_decades']:.1f} decades of eps."
            ),
            hypothesis=(
                "The hand-written backward does not compute the derivative of the forward: a sign, a transpose, a "
                "missing factor or a term of the chain rule; every update built on it goes the wrong way in part."
            ),
            suggestion=f"Run torch.autograd.gradcheck on {c['module']}.apply with float64 inputs and fix backward() "
                       "until it passes.",
            evidence={k: c[k] for k in ("analytic", "numeric", "rel_error", "best_eps", "plateau_decades")},
            caveat="A Function whose forward is random, or not smooth at the checked point, can fail without a bug; "
                   "the error staying flat over decades of eps says it is not round-off.",
        )
        for c in function_checks(run) if c.get("verdict") == "wrong" and c.get("gradient_scale") is None
    ]


def _modifier_words(modifiers: list[dict]) -> str:
    """What the gradient-modifying Functions do, in words."""
    return " ".join(
        f"The custom autograd Function {c['module']} passes its input through unchanged and multiplies the gradient "
        f"by {c['gradient_scale']:.3g} on the way back"
        + (" (gradient reversal, as in domain-adversarial training)." if c["gradient_scale"] < 0 else
           " (a stop-gradient at this point of the run)." if c["gradient_scale"] == 0 else " (gradient scaling).")
        for c in modifiers
    )


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [wrong_gradient, wrong_function]
