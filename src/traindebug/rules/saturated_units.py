"""saturated_units: hidden tanh/sigmoid units stuck in their flat regions."""

from __future__ import annotations

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, median, rule
from traindebug.rules.dead_units import describe_layers, persistent_layers
from traindebug.rules.learning_rate import not_improving
from traindebug.store import RunData


def _saturated_after_fit(run: RunData, layer: dict) -> bool:
    """Whether the loss just before the first check that found the layer saturated (the steps up to
    it, at most 5 before) was already below UNDERFIT_LOSS_FRACTION of the loss at the start (medians
    of a few steps). Not the steps after it: units saturated by the first update (heldout37's
    policy, 0 % at step 0 and 86 % at step 1) came before whatever fit followed."""
    steps, losses = run.floats("loss")
    first = next((s for s, v in zip(layer["steps"], layer["values"]) if v > T.SATURATED_LAYER_FRACTION), None)
    if first is None or first == 0 or len(losses) < 3:
        return False
    around = [v for s, v in zip(steps, losses) if first - 5 <= s <= first]
    return median(around) < T.UNDERFIT_LOSS_FRACTION * median(losses[:3])


@rule("units.saturated", "saturated_units", needs=("unit_health",))
def saturated(run: RunData) -> list[Finding]:
    """More than half of a hidden tanh/sigmoid layer's outputs sit at the bounds, check after check."""
    layers = persistent_layers(run, "saturated", T.SATURATED_LAYER_FRACTION)
    if not layers:
        return []
    worst = max(layers, key=lambda l: l["values"][-1])
    detail = describe_layers(layers)
    # units that saturate only once the loss has come down by more than half (UNDERFIT_LOSS_FRACTION):
    # training made them confident (an attention or gate that learned to select) after the model
    # fit; saturation that comes first starves the fit of gradient, and so does saturation that the
    # initialization put there (a loss that first falls by shrinking a mis-scaled output is no fit)
    stuck, loss = not_improving(run)
    at_init = [l for l in layers if l["steps"][0] == 0 and l["values"][0] >= T.SATURATED_AT_INIT_FRACTION]
    learned = not stuck and not at_init and all(_saturated_after_fit(run, l) for l in layers)
    return [
        Finding(
            rule="units.saturated",
            category="saturated_units",
            severity="info" if learned else "warning",
            confidence=0.75,
            step=worst["steps"][0],
            where=worst["name"],
            title=f"{100 * worst['values'][-1]:.0f} % of the outputs of {worst['name']} are saturated",
            observation=(
                f"Fraction of hidden tanh/sigmoid outputs within 1e-3 of the bounds, per check: {detail}. "
                f"More than {100 * T.SATURATED_LAYER_FRACTION:.0f} % were saturated at the last two checks"
                + (f"; {loss}." if loss else ".")
                + (" They saturated only after the loss had fallen below half its start: training made them "
                   "confident once the model fit (info)." if learned else "")
                + (f" {', '.join(l['name'] for l in at_init)} had {100 * at_init[0]['values'][0]:.0f} % saturated at "
                   f"step 0 already (healthy runs: at most 2 %): the initialization put them there." if at_init else "")
            ),
            hypothesis=(
                "Saturated units pass almost no gradient (tanh' and sigmoid' are ~0 there): the pre-activations are "
                "too large, from weights initialized too large for tanh/sigmoid, unnormalized inputs, or a scaling factor."
            ),
            suggestion=(
                "Initialize tanh/sigmoid layers with Xavier/Glorot (nn.init.xavier_normal_), normalize the inputs, "
                "add normalization before the activation, or switch to ReLU-family activations."
            ),
            evidence={"layers": {l["name"]: l["values"] for l in layers}, "steps": worst["steps"]},
            caveat="Gates that are meant to be near 0 or 1 (attention masks, hard gating) saturate by design.",
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [saturated]
