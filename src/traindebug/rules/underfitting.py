"""underfitting: the training loss plateaus far above zero although the updates are healthy."""

from __future__ import annotations

import math

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, alternating_updates, fmt, late, late_quarters, median, rule
from traindebug.rules.learning_rate import update_ratios
from traindebug.store import RunData, to_float


def baseline_loss(run: RunData, loss_name: str | None, initial: float) -> tuple[float, str]:
    """The loss of predicting the targets' mean (regression), else the initial loss, with a label.

    MSE of the mean prediction is the target variance; L1/Huber losses are at most the
    target standard deviation. Target statistics come from the ``loss_input`` records.
    """
    stds = [to_float(r.get("target_std")) for r in run.records("loss_input") if r.get("target_std") is not None]
    std = median(stds)
    if math.isfinite(std) and std > 0 and loss_name == "mse_loss":
        return std**2, f"the targets' variance {fmt(std**2)} (the loss of predicting their mean)"
    if math.isfinite(std) and std > 0 and loss_name in ("l1_loss", "smooth_l1_loss", "huber_loss"):
        return std, f"the targets' standard deviation {fmt(std)} (an upper bound of the loss of predicting their mean)"
    return initial, f"the initial loss {fmt(initial)}"


def logged_scale(logged: float, call: float) -> float:
    """Factor between the logged training loss and the loss function's output at the first step.

    It is 1 when the script backpropagates the loss call itself; 1/k for a loss divided by k
    accumulation steps, 1/B for a summed loss divided by the batch size afterwards. Chance
    level and floor refer to the loss call and are rescaled by it.
    """
    if not (math.isfinite(logged) and math.isfinite(call)) or logged <= 0 or call <= 0:
        return 1.0
    return logged / call


def label_noise_bound(run: RunData, classes: int | None) -> float | None:
    """An upper bound, in nats per sample, of the cross-entropy that label noise leaves to a
    perfect model, from the nearest-neighbour label agreement of the measured batches
    (``probes/label_neighbours.py``; of its windows, the noisier); None without that record.

    The 1-NN error R bounds the Bayes error from above (Cover & Hart 1967: R* <= R_NN,
    asymptotically; neighbours within one batch are farther, so R is larger still), and a
    Bayes error e bounds the labels' conditional entropy H(Y|X) <= H_b(e) + e ln(C - 1)
    (Fano's inequality), which is the lowest cross-entropy any model can reach. R is taken
    at two standard errors above its estimate.
    """
    if not classes or classes < 2:
        return None
    bounds = [
        fano_bound(float(record["hits"]), float(record["samples"]), classes)
        for record in run.records("label_neighbours") if record.get("samples")
    ]
    return max(bounds) if bounds else None


def fano_bound(hits: float, samples: float, classes: int) -> float:
    """Fano's bound on H(Y|X) from a 1-NN error of ``hits`` out of ``samples`` (see above)."""
    error = 1.0 - hits / samples
    error = min(0.5, error + 2 * math.sqrt(2 * max(error * (1 - error), 1 / samples) / samples))  # mutual pairs: doubled variance
    entropy = -error * math.log(error) - (1 - error) * math.log(1 - error) if 0 < error < 1 else 0.0
    return entropy + error * math.log(classes - 1)


@rule("fit.underfitting", "underfitting", needs=("loss", "update_ratio"))
def underfitting(run: RunData) -> list[Finding]:
    """Loss flat over the last half of the run (or a model that is one linear map), still high,
    while steps are of a healthy size."""
    steps, losses = run.floats("loss")
    if len(losses) < T.UNDERFIT_MIN_STEPS or not all(math.isfinite(v) for v in losses):
        return []
    quarter = len(losses) // 4
    third, fourth = late_quarters(losses)
    initial = median(losses[:3])
    # stacked weighted layers with no nonlinearity between them (probes/loss_graph.py): one linear
    # map, which no number of further steps takes below the best linear fit, so its loss need
    # not have levelled off yet to be judged
    linear = int((run.last("loss_graph") or {}).get("linear_layers") or 0)
    linear = linear if linear >= 2 else 0
    plateau = third > 0 and (third - fourth) / third < T.UNDERFIT_PLATEAU_PROGRESS
    if third <= 0 or not (plateau or linear):
        return []
    info = run.last("loss_fn") or {}
    chance = info.get("chance_loss")
    floor, scale = 0.0, 1.0
    if chance:
        scale = logged_scale(losses[0], to_float(info.get("initial_loss")))
        reference, floor = chance * scale, to_float(info.get("floor_loss") or 0.0) * scale
        fraction, what = T.UNDERFIT_LOSS_FRACTION, (
            f"the way from the best reachable loss {fmt(floor)} to the chance level {fmt(reference)} "
            f"(a uniform prediction over {info.get('classes')} classes)"
        )
    else:
        reference, what = baseline_loss(run, info.get("name"), initial)
        fraction = T.UNDERFIT_REGRESSION_FRACTION
    # a loss that rose is another problem (divergence), unless it only stayed at chance level
    if fourth > (max(initial, reference) if chance else initial):
        return []
    if not math.isfinite(floor) or floor >= reference:
        floor = 0.0
    if linear:
        fraction = T.UNDERFIT_LINEAR_FRACTION
    if fourth - floor <= fraction * (reference - floor) or alternating_updates(run):
        return []
    ratio_steps, ratios = update_ratios(run)
    late_ratio = median(late(ratio_steps, ratios, fraction=0.5))
    if not late_ratio >= T.HEALTHY_UPDATE_RATIO:
        return []
    params = sum(math.prod(s) for s in (run.last("tensors") or {}).get("shapes", []))
    # a classification plateau that label noise in the data could explain is only worth a note,
    # unless the model cannot represent anything but a linear map, or the inputs' nearest
    # neighbours show labels too consistent for that much noise
    noise = label_noise_bound(run, info.get("classes")) if chance else None
    noise_cannot_explain = noise is not None and fourth - floor > noise * scale
    noisy_data_could_explain = (chance and not linear and not noise_cannot_explain
                                and fourth - floor <= T.UNDERFIT_WARNING_FRACTION * (reference - floor))
    # a loss written by hand (no torch loss function seen) has no known floor: a Cox partial
    # likelihood or a pinball loss of noisy quantiles plateaus far above 0 when it fits
    unknown_floor = not info and not linear
    return [
        Finding(
            rule="fit.underfitting",
            category="underfitting",
            severity="info" if noisy_data_could_explain or unknown_floor else "warning",
            confidence=0.55,
            step=steps[2 * quarter],
            title=f"training loss {'plateaus' if plateau else 'stays'} at {fmt(fourth)}, {fmt(fourth / reference)}x "
                  f"{'chance level' if chance else 'its baseline'}",
            observation=(
                f"Over the last half of the run the training loss went from {fmt(third)} to {fmt(fourth)} (medians of the "
                f"third and fourth quarter, {'less than' if plateau else 'more than'} {100 * T.UNDERFIT_PLATEAU_PROGRESS:.0f} % "
                f"progress), which is more than "
                f"{100 * fraction:.0f} % of {what}. The updates were of a healthy size "
                f"(median update-to-weight ratio {fmt(late_ratio)}); the model has {params} trainable parameters."
                + (f" Its {linear} weighted layers have no nonlinearity between them (only additions, scalings, "
                   "reshapes and pooling): together they are one linear map." if linear else "")
                + (f" Nearest neighbours among the inputs share labels so often that label noise leaves at most "
                   f"{fmt(noise * scale)} of loss to a perfect model." if noise_cannot_explain and noise is not None else "")
            ),
            hypothesis=(
                "The model is linear: an activation function is missing between its layers (defined but not applied, "
                "or replaced by an identity), so depth adds no capacity for a non-linear problem." if linear else
                "The model cannot fit the training data: too little capacity (too few or too narrow layers, a bottleneck, "
                "a linear model for a non-linear problem) or too few steps for the problem."
            ),
            suggestion=(
                "Check that a bigger model (wider/deeper, a hidden layer with a non-linearity) fits a small subset of the "
                "training data to near-zero loss; if it does not, look for a bug in the model or the data instead."
            ),
            evidence={"third_quarter_loss": third, "last_quarter_loss": fourth, "reference_loss": reference, "floor_loss": floor,
                      "update_ratio": late_ratio, "parameters": params, "linear_layers": linear, "label_noise_bound": noise},
            caveat=(
                "Noisy targets have an irreducible loss; a plateau above zero is expected there. Unless the inputs' nearest "
                "neighbours bound the label noise, this rule cannot tell the two apart, and reports a classification plateau below "
                f"{100 * T.UNDERFIT_WARNING_FRACTION:.0f} % of the way to chance level (reachable with ~25 % label noise) as info only; "
                "so is a plateau of a loss written by hand, whose lowest reachable value is unknown."
            ),
            figures=["loss"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [underfitting]
