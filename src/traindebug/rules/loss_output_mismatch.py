"""loss_output_mismatch: the loss does not fit what the model outputs.

Reads the ``loss_input`` records (first training calls of each loss function: a
multi-task model's losses are judged one by one) and flags:
probabilities fed to a loss that applies its own softmax/log (cross-entropy,
NLL) or expects log-probabilities (KL divergence), sigmoid outputs fed to BCE-with-logits, raw logits fed to NLL,
elementwise losses on silently broadcast shapes, and regression losses on
class indices.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Callable

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, rule
from traindebug.store import RunData, to_float

REGRESSION = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")
#: torch's message when BCELoss gets values outside [0, 1] (raw logits)
BCE_OUTSIDE_UNIT = re.compile(r"all elements of input should be between 0 and 1")
ELEMENTWISE = REGRESSION + ("binary_cross_entropy", "binary_cross_entropy_with_logits")


#: autograd nodes of ops whose outputs are unbounded (linear layers, convolutions, sums): the
#: loss input they made is not a sigmoid's or softmax's output, whatever its range
UNBOUNDED_OPS = {"AddmmBackward0", "MmBackward0", "BmmBackward0", "ConvolutionBackward0", "AddBackward0", "SubBackward0"}


def loss_inputs(run: RunData) -> tuple[str, list[dict[str, Any]]]:
    """(name, records) of the first observed training loss function's input records."""
    groups = loss_input_groups(run)
    return next(iter(groups.items()), ("", []))


def loss_input_groups(run: RunData) -> dict[str, list[dict[str, Any]]]:
    """The input records of each training loss function, by name, in the order first seen."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in run.records("loss_input"):
        groups.setdefault(r["name"], []).append(r)
    return groups


def each_loss_function(judge: Callable[[str, list[dict[str, Any]]], list[Finding]]) -> Callable[[RunData], list[Finding]]:
    """A rule that applies ``judge(name, records)`` to every training loss function seen."""

    @functools.wraps(judge)
    def judge_all(run: RunData) -> list[Finding]:
        return [f for name, records in loss_input_groups(run).items() for f in judge(name, records)]

    return judge_all


def _all(records: list[dict[str, Any]], test: Any) -> bool:
    return bool(records) and all(test(r) for r in records)


def _value(r: dict[str, Any], key: str) -> float:
    return to_float(r.get(key))


def _is_probability(r: dict[str, Any]) -> bool:
    return _value(r, "input_min") >= 0 and _value(r, "row_sum_dev") <= T.PROBABILITY_ROW_TOL


def _calls(records: list[dict[str, Any]]) -> str:
    steps = sorted({int(r.get("step", 0)) for r in records})
    return f"{len(records)} inspected training calls (steps {', '.join(map(str, steps))})"


def _finding(kind: str, title: str, observation: str, hypothesis: str, suggestion: str, caveat: str, *,
             severity: str = "error", confidence: float = 0.9, evidence: dict[str, Any] | None = None) -> Finding:
    return Finding(
        rule=f"loss_output.{kind}",
        category="loss_output_mismatch",
        severity=severity,
        confidence=confidence,
        step=0,
        title=title,
        observation=observation,
        hypothesis=hypothesis,
        suggestion=suggestion,
        caveat=caveat,
        evidence=evidence or {},
        figures=["loss"],
    )


BROADCAST_HYPOTHESIS = (
    "A trailing dimension of size 1 (e.g. Linear(..., 1) output vs a 1-D target): the loss becomes the mean "
    "over all prediction/target pairs, so the best the model can do is predict the batch mean."
)
BROADCAST_SUGGESTION = "Make the shapes equal: output.squeeze(-1) or target.unsqueeze(-1)"
BROADCAST_CAVEAT = "Deliberate broadcasting (comparing each prediction with a whole set) is legal but rare in a training loss."


@rule("loss_output.normalised_twice", "loss_output_mismatch", needs=("loss_input",))
@each_loss_function
def normalised_twice(name: str, records: list[dict[str, Any]]) -> list[Finding]:
    """Probabilities or sigmoid outputs fed to a loss that normalises its input itself."""
    first = records[0] if records else {}
    low = min((_value(r, "input_min") for r in records), default=math.nan)
    high = max((_value(r, "input_max") for r in records), default=math.nan)
    span = f"values from {fmt(low)} to {fmt(high)}"
    if name == "cross_entropy" and _all(records, _is_probability):
        return [
            _finding(
                "softmax_before_cross_entropy",
                "cross-entropy gets probabilities: softmax is applied twice",
                f"In {_calls(records)} of cross_entropy every row of the input (shape {first['input_shape']}) "
                f"was non-negative and summed to 1 (largest deviation {fmt(_value(first, 'row_sum_dev'))}; {span}).",
                "The model ends with a softmax and CrossEntropyLoss applies log_softmax again: the loss is squashed "
                "into a narrow range near ln(C), its gradients are tiny, and training barely moves.",
                "Remove the final softmax (nn.Softmax / F.softmax) and feed raw logits to CrossEntropyLoss; "
                "apply softmax only for predictions.",
                "Only a few calls were inspected; a model that outputs probabilities on purpose should use NLLLoss on their log.",
                evidence={"row_sum_dev": _value(first, "row_sum_dev"), "input_min": _value(first, "input_min")},
            )
        ]
    if name == "nll_loss" and _all(records, _is_probability):
        return [
            _finding(
                "probabilities_to_nll",
                "NLL loss gets probabilities instead of log-probabilities",
                f"In {_calls(records)} of nll_loss the input rows were non-negative and summed to 1 ({span}).",
                "NLLLoss expects log-probabilities; on probabilities it minimises -p[y], which is bounded and has poor gradients.",
                "Use log_softmax instead of softmax before NLLLoss (or drop both and use CrossEntropyLoss on logits).",
                "Only a few calls were inspected.",
            )
        ]
    if name == "ctc_loss" and _all(records, _is_probability):
        return [
            _finding(
                "probabilities_to_ctc",
                "CTC loss gets probabilities instead of log-probabilities",
                f"In {_calls(records)} of ctc_loss the input's class vectors (last dimension) were non-negative and "
                f"summed to 1 ({span}).",
                "ctc_loss reads its input as log-probabilities and sums exp(input) over alignments: fed probabilities, "
                "every frame's scores exponentiate to more than a distribution allows, the loss can go negative, and "
                "lowering it does not make the right sequence more likely.",
                "Apply F.log_softmax(logits, dim=-1) before ctc_loss (nn.CTCLoss), not softmax.",
                "Only a few calls were inspected.",
            )
        ]
    if name == "kl_div" and _all(records, _is_probability):
        return [
            _finding(
                "probabilities_to_kl_div",
                "kl_div gets probabilities instead of log-probabilities",
                f"In {_calls(records)} of kl_div the input rows were non-negative and summed to 1 ({span}); "
                "log-probabilities are never positive.",
                "F.kl_div (nn.KLDivLoss) takes the model's log-probabilities as its first argument. Fed probabilities, "
                "it computes target x (log target - p), which is minimised by pushing p up where the target is large: "
                "not a divergence, it can go negative, and the model does not learn the target distribution.",
                "Pass F.log_softmax(logits, dim=1) as the first argument (the target stays probabilities, or "
                "log-probabilities with log_target=True).",
                "Only a few calls were inspected.",
            )
        ]
    if name == "nll_loss" and _all(records, lambda r: _value(r, "row_logsumexp_dev") > T.LOG_PROBABILITY_TOL):
        return [
            _finding(
                "logits_to_nll",
                "NLL loss gets raw scores, not log-probabilities",
                f"In {_calls(records)} of nll_loss the rows' logsumexp was up to "
                f"{fmt(_value(first, 'row_logsumexp_dev'))} away from 0 ({span}); log-probabilities have logsumexp 0.",
                "log_softmax is missing before NLLLoss: the loss is unbounded below and the model can lower it "
                "by inflating every score.",
                "Apply F.log_softmax(logits, dim=1) before NLLLoss, or use CrossEntropyLoss on the raw logits.",
                "Only a few calls were inspected; a deliberately unnormalised NLL would be unusual.",
            )
        ]
    # an input made by a linear layer or convolution is not a sigmoid output: a range in (0, 1) is chance
    unbounded = any(r.get("input_op") in UNBOUNDED_OPS for r in records)
    # a sigmoid's output saturates to exactly 0 or 1 in float once the model pushes its logits far out
    made_by_sigmoid = _all(records, lambda r: r.get("input_op") == "SigmoidBackward0")
    inside_unit = not unbounded and _all(records, lambda r: _value(r, "input_min") > 0 and _value(r, "input_max") < 1)
    if name == "binary_cross_entropy_with_logits" and (made_by_sigmoid or inside_unit):
        seen = "was made by a sigmoid, autograd node SigmoidBackward0" if made_by_sigmoid else "lay strictly between 0 and 1"
        return [
            _finding(
                "sigmoid_before_bce_with_logits",
                "BCE-with-logits gets values in (0, 1): sigmoid is applied twice",
                f"In {_calls(records)} of binary_cross_entropy_with_logits every input {seen} "
                f"({span}); raw logits take both signs.",
                "The model already ends with a sigmoid and BCEWithLogitsLoss applies another one: predictions can "
                "only reach sigmoid(0..1) = 0.5..0.73, so the loss cannot fall much and gradients are weak.",
                "Remove the final sigmoid (or use BCELoss on the sigmoid output; BCEWithLogitsLoss on logits is more stable).",
                "Logits of a fresh model can lie in (0, 1) by chance; all inspected calls, early and later in training, had to agree. A run shorter than 10 steps has only early calls.",
            )
        ]
    return []


@rule("loss_output.broadcast", "loss_output_mismatch", needs=("loss_input",))
@each_loss_function
def broadcast(name: str, records: list[dict[str, Any]]) -> list[Finding]:
    """Elementwise loss whose input and target shapes broadcast to a larger shape."""
    if name not in ELEMENTWISE:
        return []
    bad = [
        r for r in records
        if r.get("broadcast_shape") and math.prod(r["broadcast_shape"]) > min(math.prod(r["input_shape"]), math.prod(r.get("target_shape") or [0]))
    ]
    if not bad:
        return []
    r = bad[0]
    return [
        _finding(
            "broadcast",
            f"{name} compares shapes {r['input_shape']} and {r['target_shape']}: broadcast to {r['broadcast_shape']}",
            f"The model output has shape {r['input_shape']} and the target {r['target_shape']}; {name} broadcasts "
            f"them to {r['broadcast_shape']} and compares every prediction with every target "
            f"({len(bad)} of {_calls(records)}).",
            BROADCAST_HYPOTHESIS,
            BROADCAST_SUGGESTION + " (torch warns about this in its loss functions, in a UserWarning that is easy to miss).",
            BROADCAST_CAVEAT,
            evidence={"input_shape": r["input_shape"], "target_shape": r["target_shape"], "broadcast_shape": r["broadcast_shape"]},
        )
    ]


@rule("loss_output.broadcast_by_hand", "loss_output_mismatch", needs=("loss_graph",))
def broadcast_by_hand(run: RunData) -> list[Finding]:
    """A hand-written loss combines an (N, 1) model tensor with a tensor without gradient into (N, N)."""
    found = [b for r in run.records("loss_graph") for b in r.get("broadcasts", [])]
    if not found:
        return []
    b = found[0]
    return [
        _finding(
            "broadcast_by_hand",
            f"the loss combines a {b['input_shape']} model tensor with a target into {b['output_shape']}",
            f"In the graph of the first backward, an elementwise operation ({b['op'].removesuffix('Backward0')}) takes a "
            f"tensor computed from the model with shape {b['input_shape']} and a tensor without gradient (the target), "
            f"and its result has shape {b['output_shape']}: every prediction is compared with every target.",
            BROADCAST_HYPOTHESIS,
            BROADCAST_SUGGESTION + " in the hand-written loss.",
            BROADCAST_CAVEAT,
            evidence={"op": b["op"], "input_shape": b["input_shape"], "output_shape": b["output_shape"]},
        )
    ]


@rule("loss_output.softmax_twice_by_hand", "loss_output_mismatch", needs=("loss_graph",))
def softmax_twice_by_hand(run: RunData) -> list[Finding]:
    """The graph of the loss applies softmax or log_softmax straight to a softmax's output."""
    found = [d for r in run.records("loss_graph") for d in r.get("softmax_twice") or []]
    # cross_entropy on a softmax output shows the same in its graph: said once, by normalised_twice
    if not found or normalised_twice.fn(run):
        return []
    d = found[0]
    return [
        _finding(
            "softmax_twice_by_hand",
            f"{d['op']} is applied to the output of a softmax",
            f"In the graph of the first backward, a {d['op']} takes its input straight from a {d['input_op']}: "
            "probabilities in (0, 1), which a second normalisation squeezes toward a uniform distribution (the "
            "largest probability it can give is e / (e + C - 1) for C classes).",
            "The model already ends in a softmax (nn.Softmax or F.softmax in forward) and the loss normalises again "
            "(log_softmax, cross_entropy written by hand): the loss cannot get near 0 and its gradients are flattened.",
            "Return logits from the model and normalise once, in the loss; apply softmax only to report probabilities.",
            "A deliberate second softmax over probabilities is not a use we know of.",
            evidence=d,
        )
    ]


def _looks_like_class_indices(r: dict[str, Any]) -> bool:
    distinct = int(r.get("target_distinct") or 0)
    return (
        _value(r, "target_integral") == 1
        and _value(r, "target_min") == 0
        and 3 <= distinct
        and _value(r, "target_max") < T.CLASS_INDEX_MAX_DISTINCT
    )


@rule("loss_output.regression_on_classes", "loss_output_mismatch", needs=("loss_input",))
@each_loss_function
def regression_on_classes(name: str, records: list[dict[str, Any]]) -> list[Finding]:
    """A regression loss (MSE, L1, Huber) whose targets are class indices."""
    if name not in REGRESSION or not _all(records, _looks_like_class_indices):
        return []
    r = records[0]
    integer_dtype = not str(r.get("target_dtype", "float")).startswith(("float", "bfloat", "half"))
    classes = int(max(_value(x, "target_max") for x in records)) + 1
    return [
        _finding(
            "regression_on_classes",
            f"{name} on targets that look like class indices 0..{classes - 1}",
            f"In {_calls(records)} of {name} the targets were whole numbers from 0 to "
            f"{classes - 1} ({int(r['target_distinct'])} distinct values in the first batch, dtype {r.get('target_dtype')}); "
            f"the model output had shape {r['input_shape']}.",
            "Class labels are treated as numbers on a line: the model is pushed to predict the mean class index, "
            "neighbouring classes count as 'almost right', and the loss plateaus far above zero.",
            "For classification, output one logit per class and use CrossEntropyLoss with the integer labels.",
            "If the target really is a count or an ordinal score, a regression loss is legitimate and this can be ignored.",
            severity="warning",
            confidence=0.8 if integer_dtype else 0.6,
            evidence={"classes": classes, "target_dtype": r.get("target_dtype"), "input_shape": r["input_shape"]},
        )
    ]


@rule("loss_output.rate_as_log_rate", "loss_output_mismatch", needs=("loss_input",))
@each_loss_function
def rate_as_log_rate(name: str, records: list[dict[str, Any]]) -> list[Finding]:
    """poisson_nll_loss with log_input=True fed an output that is never negative, already at the
    first step: a rate (Softplus, ReLU, exp) read as a log-rate. Not where a linear layer or a
    convolution made the output: its sign at initialization is the bias's chance."""
    first = [r for r in records if int(r.get("step", 0)) == 0]
    if name != "poisson_nll_loss" or not first or not all(r.get("log_input") for r in first):
        return []
    if not _all(first, lambda r: _value(r, "input_min") >= 0) or any(r.get("input_op") in UNBOUNDED_OPS for r in first):
        return []
    low = min(_value(r, "input_min") for r in first)
    return [
        _finding(
            "rate_as_log_rate",
            "poisson_nll_loss reads the output as a log-rate (log_input=True), but the output is never negative",
            f"At the first step every input of poisson_nll_loss was ≥ 0 (smallest {fmt(low)}; "
            f"{_calls(first)}), although the loss is called with log_input=True (PoissonNLLLoss's default), "
            f"which takes exp(input) as the rate. An output layer that is linear at initialization gives "
            f"values of both signs; one that cannot go below 0 is a rate.",
            "The model ends in Softplus, ReLU or exp, so it outputs the rate itself, and the loss exponentiates it "
            "once more: the network learns log(rate) through an activation made for rates, can never predict a rate "
            "below exp(0) = 1, and whoever reads its output as the rate is off by an exponential.",
            "Either keep the positive output and pass log_input=False (PoissonNLLLoss(log_input=False)), or drop the "
            "final Softplus/exp and keep log_input=True (the usual, more stable choice).",
            "A log-rate head that happens to output only positive values at initialization (a large positive bias) "
            "gives the same first-step signal.",
            severity="warning",
            confidence=0.7,
            evidence={"input_min": low, "log_input": True},
        )
    ]


@rule("loss_output.logits_to_bce", "loss_output_mismatch", needs=("script_error",))
def logits_to_bce(run: RunData) -> list[Finding]:
    """The script crashed because BCELoss got raw logits (values outside [0, 1])."""
    error = run.last("script_error") or {}
    if not BCE_OUTSIDE_UNIT.search(str(error.get("message", ""))):
        return []
    found = _finding(
        "logits_to_bce",
        "binary cross-entropy got raw scores instead of probabilities",
        f"The run stopped at step {error.get('step')} with {error.get('type')}: {error.get('message')}",
        "BCELoss (F.binary_cross_entropy) expects probabilities in [0, 1], but the model outputs raw logits: the final sigmoid is missing.",
        "Use BCEWithLogitsLoss on the raw logits (numerically stabler), or add a sigmoid before BCELoss.",
        "The values may also leave [0, 1] because of NaNs or a custom output layer; see the traceback.",
    )
    found.step = error.get("step")
    return [found]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [normalised_twice, broadcast, broadcast_by_hand, softmax_twice_by_hand, regression_on_classes, rate_as_log_rate, logits_to_bce]
