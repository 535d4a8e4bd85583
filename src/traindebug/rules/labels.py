"""label_problem: labels that are constant, out of range, extremely imbalanced,
or carry no usable signal about the inputs."""

from __future__ import annotations

import math
import re

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, alternating_updates, fmt, late, matrix_tensors, median, model_of, per_tensor, rule
from traindebug.rules.learning_rate import loss_trend
from traindebug.rules.loss_output_mismatch import loss_inputs
from traindebug.rules.lr_too_low import schedule_reach
from traindebug.store import RunData, to_float

#: torch's messages for class targets outside [0, C) (CPU and CUDA)
OUT_OF_RANGE = re.compile(r"Target -?\d+ is out of bounds|t >= 0 && t < n_classes|cur_target >= 0 && cur_target < n_classes")


def label_counts(run: RunData) -> list[float]:
    """Label counts over the whole run (empty if no classification loss was seen)."""
    info = run.last("labels") or {}
    return [to_float(c) for c in info.get("counts", [])]


def made_targets(run: RunData) -> bool:
    """Targets made per call (GAN real/fake batches), not labels read from a dataset."""
    info = run.last("labels") or {}
    return to_float(info.get("made_steps", 0)) >= 0.25 * max(to_float(info.get("steps", 1)), 1)


def batch_label_entropies(run: RunData) -> tuple[list[float], list[float]]:
    """(label entropy, number of labels) of each training step's batch, in step order."""
    entropy: list[float] = []
    sizes: list[float] = []
    for record in run.records("label_steps"):
        entropy += [to_float(e) for e in record.get("entropy", [])]
        sizes += [to_float(n) for n in record.get("n", [])]
    return entropy, sizes


def label_entropy(counts: list[float]) -> float:
    """Entropy (nats) of a label histogram."""
    total = sum(counts)
    return -sum(c / total * math.log(c / total) for c in counts if c > 0) if total else 0.0


def prior_loss(run: RunData) -> float:
    """The training loss of predicting the label frequencies and nothing else: their
    entropy, or with class weights the weighted loss of the best constant prediction
    (for a weighted mean of cross-entropies, the entropy of the weight-scaled frequencies)."""
    counts = label_counts(run)
    info = run.last("labels") or {}
    weights = [to_float(w) for w in info.get("class_weights") or []]
    if len(weights) != len(counts) or not all(math.isfinite(w) and w >= 0 for w in weights):
        return label_entropy(counts)
    scaled = [w * c for w, c in zip(weights, counts)]
    total = sum(scaled)
    if not total > 0:
        return label_entropy(counts)
    loss = -sum(a * math.log(a / total) for a in scaled if a > 0)
    return loss / (total if info.get("weights_normalise") else sum(counts))


def combined_losses(run: RunData) -> bool:
    """Most backward passes followed several classification loss calls (heads, mixup pairs):
    the logged loss sums several label losses, so no single label prior bounds it."""
    info = run.last("labels") or {}
    return to_float(info.get("combined_steps", 0)) >= 0.5 * max(to_float(info.get("steps", 1)), 1)


def late_update_ratio(run: RunData) -> float:
    """Median over the last fifth of steps of the median update ratio of weight matrices, those
    of the models the step trained: a sweep or k-fold loop that builds a new model per trial
    leaves the earlier models' tensors in the rows, no longer updated."""
    idx, names = matrix_tensors(run), run.tensor_names
    steps, rows = per_tensor(run, "update_ratio")
    ratios = []
    for row in late(steps, rows):
        kept = [i for i in (idx or range(len(row))) if i < len(row)]
        trained = {model_of(names[i]) for i in kept if i < len(names) and row[i] > 0}
        ratios.append(median([row[i] for i in kept if i >= len(names) or not trained or model_of(names[i]) in trained]))
    return median(ratios)


@rule("labels.identical", "label_problem", needs=("labels",))
def identical(run: RunData) -> list[Finding]:
    """Every label seen in training is the same class."""
    counts = label_counts(run)
    present = [i for i, c in enumerate(counts) if c > 0]
    if len(present) != 1 or sum(counts) < 2:
        return []
    return [
        Finding(
            rule="labels.identical",
            category="label_problem",
            severity="error",
            confidence=0.9,
            step=0,
            title=f"every training label is class {present[0]}",
            observation=f"All {int(sum(counts))} labels seen by the training loss over {len(run.steps)} steps were class {present[0]} (of {len(counts)} classes).",
            hypothesis="The labels are constant: the wrong column or tensor is used as target, a label map collapsed, or the data was filtered to one class.",
            suggestion="Print the label histogram of the dataset and of one batch (torch.bincount(y)); check how targets are built.",
            evidence={"counts": counts},
            caveat="A run stopped early on a class-sorted dataset sees only the first class; see unshuffled_data.",
        )
    ]


@rule("labels.imbalance", "label_problem", needs=("labels",))
def imbalance(run: RunData) -> list[Finding]:
    """The most frequent class outnumbers the least frequent one by >= CLASS_IMBALANCE_RATIO."""
    info = run.last("labels") or {}
    counts = label_counts(run)
    present = [c for c in counts if c > 0]
    if len(present) < 2 or sum(present) < 10 * len(counts) or info.get("dense"):
        return []  # per-token / per-pixel labels: skewed class frequencies are the norm
    if info.get("masked"):
        return []  # a choice among each sample's candidates (masked scores): positions, not categories
    ratio = max(present) / min(present)
    if ratio < T.CLASS_IMBALANCE_RATIO:
        return []
    weighted = bool(info.get("weighted"))
    shares = ", ".join(f"{i}: {c / sum(counts):.1%}" for i, c in enumerate(counts) if c > 0)
    return [
        Finding(
            rule="labels.imbalance",
            category="label_problem",
            severity="info" if weighted else "warning",
            confidence=0.7,
            step=0,
            title=f"classes are imbalanced {fmt(ratio)}:1",
            observation=(
                f"Over {int(sum(counts))} training labels the most frequent class appeared {fmt(ratio)}x as often as the "
                f"least frequent one (shares {shares})" + ("; the loss has class weights." if weighted else "; the loss has no class weights.")
            ),
            hypothesis="With an unweighted loss the model can reach a low loss by predicting the majority class; minority classes get little gradient.",
            suggestion="Pass class weights to the loss (weight= / pos_weight=), resample with WeightedRandomSampler, and track per-class recall rather than accuracy.",
            evidence={"counts": counts, "ratio": ratio, "weighted": weighted},
            caveat="Imbalance that reflects the true class frequencies is not a bug; whether it matters depends on the metric you care about.",
        )
    ]


@rule("labels.out_of_range", "label_problem", needs=("loss_input",))
def out_of_range(run: RunData) -> list[Finding]:
    """Binary targets outside [0, 1], or class targets torch rejected as out of bounds."""
    name, records = loss_inputs(run)
    bad = [
        r for r in records
        if name.startswith("binary_cross_entropy") and (to_float(r.get("target_min")) < 0 or to_float(r.get("target_max")) > 1)
    ]
    error = run.last("script_error") or {}
    crashed = bool(OUT_OF_RANGE.search(str(error.get("message", ""))))
    if not bad and not crashed:
        return []
    if bad:
        r = bad[0]
        observation = (
            f"{name} got targets from {fmt(to_float(r['target_min']))} to {fmt(to_float(r['target_max']))} "
            f"({int(r.get('target_distinct') or 0)} distinct values in the first batch); binary targets must lie in [0, 1]."
        )
        hypothesis = "Multi-class labels (0..C-1) were fed to a binary loss, or the targets are not the 0/1 labels intended."
    else:
        observation = f"The run stopped with {error.get('type')}: {error.get('message')}"
        hypothesis = "A class target is outside [0, C): labels numbered from 1, a class count that is one too small, or a padding value in the targets."
    return [
        Finding(
            rule="labels.out_of_range",
            category="label_problem",
            severity="error",
            confidence=0.9,
            step=error.get("step", 0) if crashed and not bad else 0,
            title="labels outside the range the loss accepts",
            observation=observation,
            hypothesis=hypothesis,
            suggestion="Check min/max of the targets against the loss: class indices in [0, C) for cross-entropy, 0/1 for binary cross-entropy (use CrossEntropyLoss for C > 2 classes).",
            evidence={"name": name, "crashed": crashed},
            caveat="Soft binary targets (label smoothing) lie inside [0, 1] and are fine.",
        )
    ]


def other_scale(run: RunData) -> bool:
    """The backpropagated loss is not the label loss's mean: the loss function sums over the
    batch, or the loss that is backpropagated differs from the mean value of the loss function's
    calls by more than LOSS_SCALE_TOLERANCE (a prior or penalty term added, a factor such as the
    data-set size or 1 / accumulation steps) in most steps, so no label prior bounds it."""
    if (run.last("loss_fn") or {}).get("reduction") == "sum":
        return True
    # per step: the mean backpropagated loss against the mean value of the loss function's calls
    ratios = [to_float(s["loss"]) * to_float(s["loss_fn_calls"]) / to_float(s["loss_fn_value"])
              for s in run.steps if "loss" in s and to_float(s.get("loss_fn_value", 0)) > 0 and s.get("loss_fn_calls")]
    ratios = [r for r in ratios if math.isfinite(r)]
    return bool(ratios) and abs(median(ratios) - 1) > T.LOSS_SCALE_TOLERANCE


def loss_against_prior(run: RunData) -> tuple[dict[str, float], float] | None:
    """(loss trend, label-prior loss) when the logged loss is one label loss that can be held
    against its prior: a finite run of enough steps, not a GAN-style objective or a sum of
    several label losses or a loss on another scale (``other_scale``), labels not all of one
    class; else None."""
    if made_targets(run) or alternating_updates(run) or combined_losses(run) or other_scale(run):
        return None
    trend, prior = loss_trend(run), prior_loss(run)
    if trend is None or prior < 0.1 or len(run.steps) < T.LABEL_NO_SIGNAL_MIN_STEPS or trend["non_finite_step"] >= 0:
        return None
    return trend, prior


@rule("labels.no_signal", "label_problem", needs=("loss", "labels", "update_ratio"))
def no_signal(run: RunData) -> list[Finding]:
    """The loss stays at the label-prior level although the weights move at a healthy rate."""
    judged = loss_against_prior(run)
    if judged is None:
        return []
    trend, prior = judged
    counts = label_counts(run)
    ratio = late_update_ratio(run)
    fraction = trend["late"] / prior
    if fraction < T.LABEL_NO_SIGNAL_LOSS_FRACTION or not ratio >= T.HEALTHY_UPDATE_RATIO:
        return []
    reached = schedule_reach(run)
    if reached is not None and reached < T.LR_SCHEDULE_REACHED_FRACTION:
        return []  # the rate never came near its configured value: that explains a loss at the prior
    neighbours = neighbour_z(run)
    if neighbours is not None and neighbours[0] >= T.LABEL_NEIGHBOUR_Z:
        return []  # similar inputs share labels: the labels carry signal, the model does not pick it up
    # measured both ways: nothing learnt, and nothing to learn from the inputs' neighbourhoods
    corroborated = neighbours is not None
    chance = math.log(len(counts)) if len(counts) > 1 else prior
    neighbour_text = (
        f" {batches_phrase(neighbours[1])}, nearest neighbours among the inputs shared their label no more often than random pairs "
        f"(z = {fmt(neighbours[0])}, below {T.LABEL_NEIGHBOUR_Z:g})." if corroborated else ""
    )
    return [
        Finding(
            rule="labels.no_signal",
            category="label_problem",
            severity="error" if corroborated else "warning",
            confidence=0.8 if corroborated else 0.6,
            step=0,
            title="the loss stays at the level of guessing from label frequencies",
            observation=(
                f"After {len(run.steps)} steps the training loss is {fmt(trend['late'])} (late median; initial "
                f"{fmt(trend['initial'])}, best {fmt(trend['minimum'])}). Predicting only the label frequencies gives "
                f"{fmt(prior)}{' with the loss’s class weights' if (run.last('labels') or {}).get('class_weights') else ''} "
                f"(uniform guessing: ln {len(counts)} = {fmt(chance)}). The weights still move at a healthy rate "
                f"(median update-to-weight ratio {fmt(ratio)} late in the run).{neighbour_text}"
            ),
            hypothesis=(
                "The labels carry no information the model can use about the inputs: labels shuffled or misaligned "
                "with the inputs (separate shuffling of X and y, an off-by-one in indexing, a sort applied to one of them)."
            ),
            suggestion=(
                "Plot a few inputs with their labels; check that X and y are indexed with the same permutation; "
                "overfit a single small batch: a model that cannot fit 10 examples with correct labels points at the pipeline."
            ),
            evidence={"late_loss": trend["late"], "prior_entropy": prior, "late_update_ratio": ratio,
                      "neighbour_z": neighbours[0] if neighbours is not None else None, "labels_unrelated": corroborated},
            caveat="A model without the capacity for the task, or a problem that is genuinely hard, gives the same curve; other findings (underfitting, over-regularization, a loss/output mismatch) explain it first when present.",
            figures=["loss"],
        )
    ]


def neighbour_windows(run: RunData) -> dict[str, dict[str, float]]:
    """The nearest-neighbour agreement records by window ("first", "late"), those on enough samples."""
    found = {}
    for record in run.records("label_neighbours"):
        values = {k: to_float(record.get(k, 0)) for k in ("hits", "expected", "variance", "samples", "first_step", "last_step")}
        if values["samples"] >= T.LABEL_NEIGHBOUR_MIN_SAMPLES and values["variance"] > 0:
            found[str(record.get("window", "first"))] = values
    return found


def agreement_z(counts: dict[str, float]) -> float:
    """How many standard deviations neighbours agree above chance."""
    return (counts["hits"] - counts["expected"]) / math.sqrt(counts["variance"])


def agreement_kappa(counts: dict[str, float]) -> float:
    """Chance-corrected agreement (Cohen's kappa form): 0 at chance, 1 when every neighbour agrees."""
    return (counts["hits"] - counts["expected"]) / max(counts["samples"] - counts["expected"], 1e-12)


def neighbour_z(run: RunData) -> tuple[float, dict[str, float]] | None:
    """(z-score of nearest-neighbour label agreement over its chance level, the record's
    numbers) of the measured window (first steps, late steps) where labels go least with
    the inputs, or None."""
    found = [(agreement_z(counts), counts) for counts in neighbour_windows(run).values()]
    return min(found, key=lambda item: item[0]) if found else None


def batches_phrase(counts: dict[str, float]) -> str:
    """Where a neighbour window was measured, for a finding's text."""
    return f"In batches of steps {int(counts['first_step'])}-{int(counts['last_step'])}"


@rule("labels.unrelated_to_inputs", "label_problem", needs=("loss", "labels", "label_neighbours"))
def unrelated_to_inputs(run: RunData) -> list[Finding]:
    """Similar inputs have labels no more alike than random pairs, and the loss fell only
    part of the way from the label prior (memorising, not learning)."""
    judged, neighbours = loss_against_prior(run), neighbour_z(run)
    if judged is None or neighbours is None:
        return []
    trend, prior = judged
    fraction = trend["late"] / prior
    z, counts = neighbours
    if z >= T.LABEL_NEIGHBOUR_Z or not T.LABEL_UNRELATED_LOSS_FRACTION <= fraction < T.LABEL_NO_SIGNAL_LOSS_FRACTION:
        return []  # at or above 0.9 of the prior, labels.no_signal speaks
    samples = int(counts["samples"])
    return [
        Finding(
            rule="labels.unrelated_to_inputs",
            category="label_problem",
            severity="warning",
            confidence=0.6,
            step=int(counts["first_step"]),
            title="labels do not go with the inputs: similar inputs are labelled no more alike than random pairs",
            observation=(
                f"{batches_phrase(counts)}, {fmt(counts['hits'])} of {samples} samples shared the label of their nearest "
                f"neighbour among the batch's inputs; random pairs from the same batches would share it "
                f"{fmt(counts['expected'])} times (z = {fmt(z)}, below {T.LABEL_NEIGHBOUR_Z:g}). The training loss "
                f"fell only to {fmt(trend['late'])} (late median), {fmt(fraction)} of the {fmt(prior)} that predicting "
                f"the label frequencies gives."
            ),
            hypothesis=(
                "Labels are misaligned with the inputs (X and y shuffled or split separately, an indexing off-by-one), "
                "so the model can only memorise them one by one: a loss creeping down from the prior, with nothing learnt "
                "that carries to new data."
            ),
            suggestion=(
                "Check that X and y go through the same permutation and split (one train_test_split call on both, "
                "one index for both); look at a few inputs with their labels."
            ),
            evidence={"neighbour_z": z, **counts, "late_loss": trend["late"], "prior_entropy": prior, "labels_unrelated": True},
            caveat=("Neighbours are taken in the raw input space: a task whose labels depend on the inputs in a way "
                    "distances do not show (parity, positions in a sequence) can also agree at chance there, which is "
                    "why the slow loss is required as well."),
            figures=["loss"],
        )
    ]


@rule("labels.changed_during_run", "label_problem", needs=("loss", "labels", "label_neighbours"))
def changed_during_run(run: RunData) -> list[Finding]:
    """Labels went with the inputs in the first batches and far less in later ones, and the
    loss stayed near the label prior: labels that a later stage of the pipeline gets wrong."""
    judged, windows = loss_against_prior(run), neighbour_windows(run)
    if judged is None or "first" not in windows or "late" not in windows:
        return []
    trend, prior = judged
    first, later = windows["first"], windows["late"]
    fraction = trend["late"] / prior
    kept = agreement_kappa(later) / agreement_kappa(first) if agreement_kappa(first) > 0 else 1.0
    if agreement_z(first) < T.LABEL_NEIGHBOUR_Z or kept >= T.LABEL_AGREEMENT_KEPT or fraction < T.LABEL_UNRELATED_LOSS_FRACTION:
        return []
    return [
        Finding(
            rule="labels.changed_during_run",
            category="label_problem",
            severity="warning",
            confidence=0.55,
            step=int(later["first_step"]),
            title="labels of later batches go with their inputs far less than those of the first batches",
            observation=(
                f"Nearest neighbours among a batch's inputs shared their label {fmt(agreement_kappa(first))} of the way "
                f"from chance to always in steps {int(first['first_step'])}-{int(first['last_step'])} "
                f"({fmt(first['hits'])} of {int(first['samples'])} samples), but only {fmt(agreement_kappa(later))} in steps "
                f"{int(later['first_step'])}-{int(later['last_step'])} ({fmt(later['hits'])} of {int(later['samples'])}; "
                f"{fmt(kept)} of the first, below {T.LABEL_AGREEMENT_KEPT:g}). The training loss stayed at "
                f"{fmt(trend['late'])} (late median), {fmt(fraction)} of the {fmt(prior)} that predicting the label "
                f"frequencies gives."
            ),
            hypothesis=(
                "The labels that enter training later are attached to the wrong samples (an index into a subset used "
                "as an index into the whole set, pseudo-labels or queried labels stored out of order), so the model is "
                "fitting noise that grows with the run."
            ),
            suggestion=(
                "Check the labels added after the start (new rounds, pseudo-labels, a second data source) against "
                "their inputs: look at a few, and compare the indices used for inputs and labels."
            ),
            evidence={"kappa_first": agreement_kappa(first), "kappa_late": agreement_kappa(later), "kept": kept,
                      "late_loss": trend["late"], "prior_entropy": prior, "labels_unrelated": True},
            caveat=("A run whose data legitimately change (a curriculum moving to harder samples, a new task) can "
                    "also lower the agreement; so can inputs whose raw distances carry less of the label later on."),
            figures=["loss"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [identical, imbalance, out_of_range, no_signal, unrelated_to_inputs, changed_during_run]
