"""Every threshold a rule uses, in one place, each with where it comes from.

"Measured" means: measured by us on the clean controls in buggy_examples/
(see tests/test_clean_controls.py); the number is then set with a safety margin
of at least 3x beyond the worst clean value.
"""

# --- learning rate --------------------------------------------------------------
#: update-to-weight ratio (||dW|| / ||W||, weight matrices) above which steps are
#: "well above ~1e-2" (taxonomy.md; Karpathy's CS231n notes give ~1e-3 as healthy).
UPDATE_RATIO_HIGH = 1e-1
#: update-to-weight ratio below which steps are too small to make progress (taxonomy.md: ~1e-5).
UPDATE_RATIO_LOW = 1e-5
#: the loss "diverges" when its late median exceeds its initial value by this factor.
LOSS_DIVERGENCE_FACTOR = 1.5
#: lr.diverging also fires when, with large update ratios, the loss of one of the first 10 steps
#: exceeds the initial loss by this factor. Measured on the 75 clean controls of all example
#: folders (seven held-out sets included): at most 1.61x; seeded too-high learning rates: 8x to 2e11x.
LOSS_SPIKE_FACTOR = 3.0
#: with huge steps, a late loss above this fraction of the initial one counts as no progress.
LOSS_NO_PROGRESS_FRACTION = 0.9
#: the loss is "flat" when it moved by less than this fraction of its initial value.
LOSS_FLAT_FRACTION = 0.02

# --- gradient scale --------------------------------------------------------------
#: "orders of magnitude" (taxonomy.md) read as at least two: growth of the total
#: gradient norm from the first steps to its late median.
GRAD_GROWTH_FACTOR = 100.0
#: early-vs-late layer ratio of RMS gradients below which gradients vanish
#: through depth (two orders of magnitude).
GRAD_DEPTH_RATIO_LOW = 1e-2
#: ... and below which the first layers are taken not to learn at all, so that a loss stuck at the
#: label prior says nothing about the labels (own choice: twice the orders of magnitude of
#: GRAD_DEPTH_RATIO_LOW; heldout33's seeded sigmoid PointNet: 3e-7)
GRAD_DEPTH_RATIO_FAILED = GRAD_DEPTH_RATIO_LOW**2
#: an adaptive optimizer made up for a small first-layer gradient when the first matrix's RMS step
#: per entry is at least this fraction of the last one's (within an order of magnitude) ...
#: Measured on the 36 stored runs below GRAD_DEPTH_RATIO_LOW: Adam and RMSprop runs 0.5-2.6 (a
#: healthy heatmap CNN at 1.19, its first layer's relative update 0.78 of the last's only
#: because fan-in 9 gives it larger weights), SGD and eps-bound Adam runs of the seeded deep
#: sigmoid stacks at most 0.08.
ADAPTIVE_STEP_PARITY = 0.1
#: ... and the loss fell to at most half its initial value (the measure of FAR_BELOW_BOTH_PROGRESS):
#: two seeded sigmoid stacks trained with Adam (a PointNet, a GCN) take equal steps per entry and
#: learn nothing (progress -0.01 and 0.01); the healthy heatmap CNN fell by 0.995.
COMPENSATED_PROGRESS = 0.5
#: and above which they explode through depth or time (an RNN's input weights collect the
#: product of its recurrent Jacobians): two orders of magnitude the other way. Measured
#: (first 10 steps): the 40 clean controls of the six example folders with 3+ weight matrices
#: at most 0.91, seeded
#: scripts of other categories up to 34 (a GRU head initialised too large), the seeded
#: chaotic RNN 2e8
GRAD_DEPTH_RATIO_HIGH = 1e2
#: a recurrent module's input gradient at its first time step over that at its last (the
#: backward signal of the last output after T-1 recurrent steps; probes/recurrence.py) above
#: which it explodes through time: one order of magnitude of growth. At initialization
#: gradients fade with distance in time: 19 scripts of the example folders with an RNN, LSTM
#: or GRU and a healthy recurrence (clean, or seeded with another bug) measure 1e-13 to 0.024,
#: an IRNN with gain-1 recurrent init 0.84; seeded exploding RNNs 26 (an IRNN with gain
#: sqrt 2), 2e4 and 5e9.
GRAD_TIME_GROWTH = 10.0
#: RMS gradient below which a whole model's gradient counts as vanished
#: (SageMaker Debugger's VanishingGradient rule default: 1e-7 mean absolute gradient).
GRAD_ABS_VANISHED = 1e-7

# --- initialization --------------------------------------------------------------
#: initial cross-entropy above this multiple of chance level ln(C) means logits are
#: mis-scaled at init (Karpathy, "A Recipe for Training Neural Networks", 2019:
#: "verify loss @ init" should be -log(1/C)). Measured: clean controls (main + held-out)
#: start at most 1.32x ln(C), an excess of 0.32 ln(C); 2.0 is 3x that excess (a head
#: initialised at std 5 starts at 2.27x).
INIT_LOSS_OVER_CHANCE = 2.0
#: a regression model's output RMS at its first training loss call above this multiple of the
#: targets' RMS means the output is mis-scaled at init (the regression counterpart of
#: INIT_LOSS_OVER_CHANCE). Measured in the thirteenth session over the stored runs of every
#: example folder (158 runs with a regression loss): clean runs at most 1.29; runs of other
#: categories at most 2.05 (a custom softplus with a wrong backward), except scale bugs
#: (input_scale, exploding and bad_init_scale runs: 3.6 to 1.9e5). Twice the largest clean ratio.
INIT_OUTPUT_OVER_TARGET = 2.5
#: per-layer activation std at step 0 above which activations explode through depth.
INIT_ACTIVATION_STD_HIGH = 1e2
#: ratio of the deepest to the first hidden layer's activation std below which
#: activations vanish through depth (two orders of magnitude).
INIT_ACTIVATION_DEPTH_RATIO_LOW = 1e-2

# --- zero_grad -------------------------------------------------------------------
#: fraction of steps whose first backward finds non-zero gradients already there.
#: Measured: no run of the 190 healthy or other-category runs of the example folders
#: had a single such step; seeded runs had 0.88-1.0 (a reset once per epoch of 8
#: iterations leaves 7 in 8). Half the steps is the pattern of a reset every other step.
STALE_GRAD_STEP_FRACTION = 0.5

# --- minimum evidence -------------------------------------------------------------
#: rules on trends need at least this many steps.
MIN_STEPS_FOR_TREND = 10

# --- data and loop checks (issue 4) ------------------------------------------------
#: loss-input checks look at this many training loss calls from the start (cheap: a
#: few reductions each; our choice, the mismatches are visible from the first call).
LOSS_INPUT_CALLS = 3
#: rows of a classifier's input count as probabilities when every row sums to 1
#: within this tolerance (float32 softmax rows sum to 1 within ~1e-6).
PROBABILITY_ROW_TOL = 1e-3
#: NLL input counts as log-probabilities when every row's logsumexp is 0 within this.
LOG_PROBABILITY_TOL = 1e-2
#: integer-valued regression targets with at most this many distinct values (and at
#: least 3, starting at 0) look like class indices (own choice: typical class counts).
CLASS_INDEX_MAX_DISTINCT = 20
#: imbalance ratio (most / least frequent class) counted as extreme: SageMaker
#: Debugger ClassImbalance rule default threshold_imbalance=10.
CLASS_IMBALANCE_RATIO = 10.0
#: frozen_or_unoptimized: backward passes without a single optimizer step after which "the
#: optimizer never steps" is said (own choice: twice the longest gradient accumulation in
#: the examples and held-out sets, 16 micro-batches).
NEVER_STEPPED_BACKWARDS = 32
#: "stuck at chance": late training loss at or above this fraction of the loss of
#: predicting the label prior. Measured (300 steps): clean classification controls
#: 0.002-0.34 (0.72 once, a frozen-backbone fine-tune whose loss was still falling);
#: seeded shuffled/misaligned-label runs 0.998-0.999. A 10 % margin below "no decrease".
LABEL_NO_SIGNAL_LOSS_FRACTION = 0.9
#: ... over at least this many steps (a few epochs of the small examples)
LABEL_NO_SIGNAL_MIN_STEPS = 100
#: the backpropagated loss counts as the label loss itself while its median ratio to the loss
#: function's own value stays within this of 1 (own choice: a small penalty or auxiliary term
#: keeps it; a prior term or a data-set-size factor, as in SG-Langevin, does not)
LOSS_SCALE_TOLERANCE = 0.1
#: nearest-neighbour label agreement is "at chance" below this z-score (one-sided, 97.7 %).
#: Measured (probes/label_neighbours.py, up to 1024 samples) on all six example folders: clean
#: classification controls 3.5 (a GRU on zero-padded sequences), then 4.2 and above; seeded
#: shuffled, misaligned or separately split labels -1.1 to 1.5, and 2.7 once (breast-cancer
#: features and labels drawn by two random_splits: missed)
LABEL_NEIGHBOUR_Z = 2.0
#: ... and it counts as evidence only when the late training loss also stayed above this
#: fraction of the label-prior loss: labels memorised sample by sample bring the loss down
#: slowly (0.81 on the seeded run), while a task whose labels are simple in some other space
#: than the raw inputs gets far below it (clean controls 0.002-0.34, 0.72 once; see above)
LABEL_UNRELATED_LOSS_FRACTION = 0.5
#: and on enough labelled samples for the z-score to mean something
LABEL_NEIGHBOUR_MIN_SAMPLES = 100
#: labels of later batches go with their inputs far less than those of the first batches when
#: the chance-corrected neighbour agreement of the late window keeps less than this fraction of
#: the first window's. Measured (probes/label_neighbours.py, 300-step runs): 106 healthy runs with
#: both windows on enough samples and labels that go with the inputs at first kept 0.62-3.6
#: (0.62: a parity task that plateaus then drops; 0.70: a frozen backbone; 0.79 and above
#: otherwise); the active-learning loops of heldout33 and heldout28, which label queried samples
#: wrongly, kept 0.16 and 0.12. Half the lowest healthy value, rounded down.
LABEL_AGREEMENT_KEPT = 0.3
#: updates count as healthy (not lr_too_low) above this median update-to-weight ratio
#: (an order of magnitude above taxonomy.md's ~1e-5 "too small").
HEALTHY_UPDATE_RATIO = 1e-4
#: mean per-batch label entropy below this fraction of the entropy expected for a
#: randomly drawn batch of the same size means ordered batches. Measured: shuffled
#: loaders of 16 clean controls 0.91-1.03; class-sorted seeded examples 0.0 and 0.074.
BATCH_ENTROPY_FRACTION = 0.5
#: the same for targets that are not class labels: a batch holding less than this share of
#: the variance of the targets around it (rules/unshuffled_data.target_batch_share). Measured
#: (100-step runs): the 55 healthy runs of all folders with such targets 0.87 (a GRU trained by truncated
#: backpropagation through time, in order by design) to 1.0; seeded runs of other categories
#: with such targets (34 forecasters and other ordered-looking ones) 0.96 and above; rows sorted
#: by their target and never shuffled 0.05-0.07. Was 0.3; heldout34's panel of six series cut
#: into windows one series after another and never shuffled holds 0.37, inside the gap, so the bar
#: is now its middle (0.07 to 0.87): 0.5. Over the 172 stored runs of the sixteenth and
#: seventeenth sessions with such targets, nothing else lies below 0.86.
TARGET_BATCH_SHARE = 0.5
#: ... judged over at least this many stretches of consecutive steps
TARGET_MIN_WINDOWS = 2
#: first-layer inputs: some feature's RMS above this is "badly scaled" (unit scale is
#: the norm: LeCun et al. "Efficient BackProp" 1998, Karpathy's recipe). Measured:
#: clean controls at most 5.5 (digits pixels 0-16 unscaled); seeded raw 0-255 pixels 125,
#: raw physical units 2.1e4.
INPUT_RMS_HIGH = 20.0
#: every input feature's RMS below this: inputs scaled to almost nothing.
INPUT_RMS_LOW = 1e-3
#: fraction of input features constant over every observed batch above which ("most of
#: them") it counts as a broken input pipeline. Measured: clean controls at most 0.125
#: (always-zero border pixels of load_digits). Exactly half is the masked input of a
#: coupling layer (RealNVP: x * mask, half the features zero by design; two such flows in
#: heldout30 and heldout31 sat at 0.5), so the bar is strict.
INPUT_CONSTANT_FRACTION = 0.5
#: regression targets with RMS above this are two orders of magnitude off unit scale
#: (measured: clean controls at most 1.3; seeded raw diabetes targets 175).
TARGET_RMS_HIGH = 100.0
#: ... and count as a problem only while the late MSE is above this fraction of the
#: targets' variance (training R^2 below 0.3). Own measurement: a well-fitted MLP on
#: load_diabetes, the noisiest sklearn regression set, explains 50-60 % (0.4-0.5
#: unexplained); the seeded raw-target example stays at 1.06 (not even the mean learned).
TARGET_UNEXPLAINED_FRACTION = 0.7
#: input_scale: the smallest non-zero per-feature std of the first layer's input below this
#: fraction of the largest, in every measured batch (three orders of magnitude; own choice).
#: Measured over all example folders (438 runs, least squeezed early batch): clean runs 0.0071
#: and above (an RNN on digit rows); seeded runs of other categories 0.0070 and above, except
#: a tanh net saturated by unscaled wine features (0.00037); 10 of the 12 seeded input_scale runs
#: with per-feature statistics 1.6e-8 to 0.00031 (the other two 0.0025 and 0.018).
SQUEEZED_FEATURE_RATIO = 1e-3
#: a hand-written loss's residual (prediction - target) at step 0 is the target's own scale
#: only when the model's first predictions are this many times smaller (own choice: one
#: order of magnitude; a residual the size of the predictions is the model's scale)
TARGET_OVER_PREDICTION = 10.0
#: fraction of training steps with mode-sensitive modules in eval mode (one forgotten
#: model.train() after validation). Measured: clean controls 0 steps; seeded 262 of 300.
EVAL_MODE_STEP_FRACTION = 0.1
#: weight matrices shrunk below this fraction of their initial norm (own choice).
WEIGHT_SHRINK_FRACTION = 0.3
#: coupled weight decay (SGD, Adam, RMSprop, Adagrad...: lambda * theta added to the gradient)
#: dominates when lambda * |W| is at least this fraction of the data gradient |g| of the
#: weight matrices in the first steps, where the data gradient is at its largest (taxonomy:
#: "decay term vs gradient term"; at a minimum of the regularized loss the two are equal).
#: Measured (median over the first 10 steps of the median over dense weight matrices, those whose
#: gradient has not vanished below GRAD_DEPTH_RATIO_LOW of the largest): clean runs with coupled
#: decay 0.0001-0.037; seeded runs of other categories at most 0.37, and 12 once (a MobileNet trained
#: in eval mode, its wrong_mode finding ranked first), a sigmoid stack with vanishing
#: gradients 1.21 before its vanished matrices were left out, 0.005 after; 10 seeded
#: over-regularization runs 0.71-38.8. Also used for an L2 penalty written into the
#: loss (c * sum of squares: decay 2c); the gradient is then that of the whole loss, penalty included,
#: so the ratio nears 1 where the penalty dominates (seeded: 0.83 and 0.97; no clean run has one).
DECAY_GRADIENT_RATIO = 0.5
#: without weight decay in the optimizer (an L2 penalty in the loss), weights count as
#: collapsed below this fraction of their initial norm. Measured in the twelfth session over
#: the stored runs of every example folder: clean runs without weight decay end at 0.92x at least (a
#: Bayes-by-backprop net; most above 1.02x); runs of other categories at least 0.10x (linear
#: models fitted to a near-zero optimum: 0.10 and 0.14); seeded penalties 1e-4 to 0.43. Half
#: the lowest value of another category's run.
WEIGHT_COLLAPSE_FRACTION = 5e-2
#: collapsed weights whose norm still fell below this fraction of its value a quarter of the
#: run before, at the end, are still being pulled toward zero (own choice: a fifth per quarter).
WEIGHT_STILL_SHRINKING = 0.8
#: loss counts as not improving above this fraction of its initial value.
LOSS_NOT_IMPROVING_FRACTION = 0.8
#: clipping "far below" the gradient norm: median total_norm / max_norm above this
#: (an order of magnitude) on at least CLIP_ACTIVE_FRACTION of steps. Measured:
#: clean_rnn_clipping (max_norm 1) active on 66 % of steps at a median 1.26x; seeded 222x.
CLIP_RATIO_HIGH = 10.0
CLIP_ACTIVE_FRACTION = 0.9
#: dropout probability above which dropout dominates (Srivastava et al. 2014 use
#: p=0.5 for hidden units, 0.2 for inputs; the brief says ~0.8).
DROPOUT_P_HIGH = 0.8

# --- training dynamics checks (issue 4) ----------------------------------------------
#: lr_too_low: the loss counts as making no progress when it fell by less than this
#: fraction of its initial value over the run (SageMaker Debugger's LossNotDecreasing
#: wants >= 0.1 % per 10 steps, i.e. >= 3 % over 300 steps; we ask for 5 % over the run).
LR_LOW_LOSS_PROGRESS = 0.05
#: ... with updates below taxonomy.md's ~1e-5 (UPDATE_RATIO_LOW; the weights move < 0.3 %
#: in 300 steps) a loss that fell less than this fraction still counts as no progress:
#: small-batch loss noise alone moves the late median by 5-10 %. Measured: no clean control
#: (main + held-out) comes near the 1e-5 bar (lowest median update ratio 1.7e-3); seeded
#: lr_too_low runs below it progressed at most 0.074.
LR_LOW_TINY_STEP_PROGRESS = 0.2
#: lr_too_low: gradients count as healthy when the median gradient-to-weight norm ratio
#: of the weight matrices is above this (measured: clean controls 1e-3 .. 1; a network
#: whose gradients vanish through depth at init shows ~1e-6).
LR_LOW_HEALTHY_GRAD_RATIO = 1e-4
#: lr.steps_aligned: the learning rate counts as too small when at least this fraction of the
#: gradients taken right after a measured update (after the dense phase) still point along it
#: (probes/updates.py, ``step_alignment`` > 0). Measured with the whole gradient on the stored
#: scripts (nineteenth session): 35 of 39 seeded lr_too_low runs at 0.86 or more; 35 of 37 healthy
#: runs 0.01-0.81 (two steadily descending taggers 1.0); 12 seeded underfitting runs 0.35-0.78.
LR_LOW_ALIGNED_FRACTION = 0.85
#: ... judged on at least this many such steps (own choice: 7 of 8 aligned by chance, p = 0.035)
LR_LOW_ALIGNED_MIN_PAIRS = 8
#: lr_too_low: a learning-rate schedule has "decayed to ~0" below this fraction of its
#: peak (4 orders of magnitude: a step schedule 0.1x three times stays above it;
#: cosine-to-zero passes it only in its last 1 % of steps).
LR_DECAYED_FRACTION = 1e-4
#: ... and that counts as "early" when it holds for at least this fraction of the run
#: (own choice; a healthy schedule reaches ~0 only at its very end).
LR_DECAYED_RUN_FRACTION = 0.25
#: lr_too_low: a scheduler that never brought the rate above this fraction of the rate it
#: was built on (``initial_lr``) kept it an order of magnitude too small for the whole run
#: (a warmup ends at 1x, OneCycleLR starts at 1x and rises to 25x, cosine starts at 1x);
#: reported only with a loss that did not improve (learning_rate.not_improving). Measured: no clean
#: run of the example folders reaches below 0.3; the seeded warmups that never end reach 0.015 and 0.07.
LR_SCHEDULE_REACHED_FRACTION = 0.1
#: stability.above_bound is info, not a warning, when the loss ended below its value before the
#: rise and the rate ended at least this many times lower than where it crossed the bound (an
#: order of magnitude; own choice). Measured: a clean one-cycle CNN (max_lr 1.0) crossed at lr 0.41
#: and ended at 4e-6 with its loss at 0.08 (0.85 before); every seeded run reported by the rule
#: kept its rate or raised it.
STABILITY_RECOVERY_LR_DROP = 10.0
#: dead_units: a layer is reported when more than this fraction of its ReLU units is zero
#: for every sample of the batch (SageMaker Debugger DeadRelu rule: threshold_layer = 50 %).
DEAD_UNITS_LAYER_FRACTION = 0.5
#: ... and it is a warning while the loss still falls only when at least this fraction is
#: dead, at the first check and at the last two (else info: capacity is wasted, training
#: works). Measured on the example folders: healthy models with a falling loss keep up to 62 %
#: of a ReLU layer dead on a batch of 32 (a dense-adjacency GCN's readout, a VAE encoder); the
#: seeded dead layers whose loss still falls are 87-100 % dead, and 94-100 % at the first check.
#: Over the stored runs of the fourteenth to eighteenth sessions, layers that died during a
#: run whose loss falls were at most 62 % dead at the first check (a healthy spatial
#: transformer's localisation layer: 22 % at step 0, 91 % at the end; the rest symptoms of
#: other seeded bugs).
DEAD_UNITS_SEVERE_FRACTION = 0.75
#: dead_units / saturated_units: a unit statistic needs at least this many samples
#: (rows of the batch times positions) to call a unit "never active" (own choice).
UNIT_MIN_SAMPLES = 16
#: saturated_units: a tanh/sigmoid layer is reported when more than this fraction of its
#: outputs is within 1e-3 of the bounds (taxonomy.md margin; SageMaker Debugger
#: SaturatedActivation rule: threshold_layer = 50 %).
SATURATED_LAYER_FRACTION = 0.5
#: ... and saturation that is there at step 0 already comes from the initialization, not from
#: training: measured at step 0 on the healthy runs of all folders (about 200), no tanh/sigmoid
#: layer had more than 2 % of its outputs at the bounds; seeded saturated runs 24-62 %.
SATURATED_AT_INIT_FRACTION = 0.1
#: symmetric_init: the units of a weight matrix count as identical when their spread (std
#: across units / mean |w|) is below this. Random inits give ~1; identically computed units
#: differ by float32 round-off, which training can amplify: a zero-initialised functional
#: MLP's units drifted to 1.1e-3 in 250 steps. Measured on the stored runs of all example
#: folders: zero-initialised layers of clean controls (residual branches, output layers)
#: end at 1.08 or more, two orders above this.
SYMMETRY_SPREAD = 1e-2
#: ... and their spread at the first check after step 0 (step 50) stays at round-off level, below
#: this (about 100 float32 epsilons): identical units get identical gradients. Measured on the
#: stored seeded runs: at most 9.7e-7 at step 50. A constant-initialised Bayes-by-backprop
#: log-std matrix (rho = -5, scaling per-weight noise, so each unit gets its own gradient) was
#: at 8e-4 and 4.7e-3 there, while still below SYMMETRY_SPREAD at step 200.
SYMMETRY_ROUNDOFF = 1e-5
#: init.constant_weights: at least this share of the weight matrices start as one non-zero
#: constant (own choice: "most of the model", an init function applied to every layer). Measured
#: on the stored runs of 809 earlier scripts: constant non-zero matrices in healthy or
#: other-category runs are single tensors or a few of many (Bayes-by-backprop rho, S4D state
#: parameters, FiLM gains, Snake frequencies); the rule fires on none of them.
CONSTANT_INIT_SHARE = 0.5
#: overfitting: generalization loss GL = eval_loss / min(eval_loss) - 1 above which the
#: held-out loss has clearly risen from its minimum (Prechelt 1998, "Early stopping --
#: but when?": stopping criteria GL_alpha with alpha = 1..5 %; we ask for 2x the largest).
OVERFIT_GENERALIZATION_LOSS = 0.10
#: overfitting: evaluations needed to see a minimum and a rise after it (own choice).
OVERFIT_MIN_EVALS = 5
#: fit.overfitting is info, not a warning, when the script ended by itself at most this many
#: evaluations after the minimum (and within the second half of them): the pattern of early
#: stopping. Patience in common use is 3 (Lightning's EarlyStopping default) to 10. On the example
#: folders, seeded overfitting runs go on for 13-146 evaluations past the minimum (87-98 % of them);
#: clean runs with early stopping stop 2-5 after it.
EARLY_STOP_PATIENCE_MAX = 10
#: overfitting, a smaller but sustained rise: GL above Prechelt's GL_2 while the held-out loss
#: stayed above its minimum for more evaluations than any common early-stopping patience
#: (EARLY_STOP_PATIENCE_MAX). Measured over the stored runs of every example folder: no clean
#: run stays more than 7 evaluations past its minimum (that one at GL 0.004; clean runs with GL
#: 0.01-0.2 stop 2-5 evaluations after it); a matrix-factorisation model memorising rating noise rose
#: 4.5 % over 13 evaluations, every one of them above the last.
OVERFIT_SUSTAINED_GL = 0.02
#: wrong_mode: forwards without gradients in training mode count as evaluation only when they
#: happen between at most this fraction of the steps (own choice: evaluation runs every epoch,
#: of at least two steps; a GAN's generator or a teacher runs without gradients on every step).
#: Measured over every example folder: the five seeded runs that evaluate in training mode do
#: so between 1.7-3.3 % of their steps; no clean run has such forwards at all.
EVAL_FORWARD_MAX_FRACTION = 0.5
#: ... and forwards without gradients in training mode that take one and the same input tensor
#: at least this many times in a row are Monte-Carlo dropout's passes over one prediction, not an
#: evaluation that forgot model.eval() (own choice: MC dropout averages 10 to 100 passes, Gal and
#: Ghahramani 2016; a forward repeated two or three times for separate metrics stays below).
MC_DROPOUT_PASSES = 5
#: underfitting: training steps needed before a plateau can be called (own choice: the
#: first 100 steps of the clean controls are still in their fast phase).
UNDERFIT_MIN_STEPS = 100
#: underfitting: the loss "plateaus" when its median over the last quarter of the run is
#: less than this fraction below the median of the third quarter (SageMaker Debugger
#: LossNotDecreasing: diff_percent 0.1 % per 10 steps -> ~2 % per 75 steps, doubled).
UNDERFIT_PLATEAU_PROGRESS = 0.05
#: underfitting: a classification plateau is "far above zero" above this fraction of the
#: chance-level loss ln(C): the model removed less than half of the uncertainty of a
#: uniform guess (own choice; clean classification controls end at 0.00-0.47 x ln(C)).
UNDERFIT_LOSS_FRACTION = 0.5
#: ... and is a warning only above this fraction: below it, label noise alone can explain the
#: plateau. A perfectly fitted binary classifier on labels with a flip rate r ends at the binary
#: entropy H(r): H(0.15) = 0.61 ln 2, H(0.2) = 0.72 ln 2, H(0.25) = 0.81 ln 2 - so 0.8 asks for
#: more than ~25 % label noise. Measured: a clean tabular task with logistic label noise
#: plateaus at 0.65 x ln 2; seeded capacity bugs (a linear model on circles) at ~1.0.
UNDERFIT_WARNING_FRACTION = 0.8
#: underfitting of a model whose weighted layers compose to one linear map (probes/loss_graph.py):
#: its plateau counts from a quarter of the way to chance or baseline (own choice). Of the 91
#: clean controls of the example folders one is such a model, a deep linear network on a linear
#: problem, whose loss falls to ~0 (no plateau); seeded missing activations plateau at 0.39 ln 2
#: (moons) and ~1.0 ln 2 (circles).
UNDERFIT_LINEAR_FRACTION = 0.25
#: underfitting: for regression the reference is the loss of predicting the targets' mean
#: (their variance for MSE; else the initial loss) and the bar is higher, because noisy
#: targets have an irreducible loss: above 0.9 the model explains < 10 % of the variance.
#: Measured over all example folders (plateaus without a linear-map finding): clean regression
#: runs at most 0.81 (a quantile regression of heteroscedastic targets; then 0.56, a ranker on
#: noisy clicks); the seeded underfitting regression 0.96 (0.8 until the fourteenth held-out set,
#: whose quantile regression was the first clean run above it).
UNDERFIT_REGRESSION_FRACTION = 0.9

# --- per-sample statistics (issue 5) ------------------------------------------------
#: norm test constant theta (Byrd, Chin, Nocedal & Wu 2012, "Sample size selection in
#: optimization methods for machine learning", Math. Program. 134; theta in (0, 1), with
#: theta = 0.9 used in Bollapragada, Byrd & Nocedal 2018's experiments).
NORM_TEST_THETA = 0.9
#: inner-product test constant theta (Bollapragada, Byrd & Nocedal 2018, "Adaptive sampling
#: strategies for stochastic optimization", SIAM J. Optim. 28(4); theta = 0.9 in their experiments).
INNER_TEST_THETA = 0.9
#: orthogonality test constant nu (same paper: nu = tan(80 deg) = 5.67, i.e. the sampled
#: gradient may deviate up to 80 degrees from the true one).
ORTHO_TEST_NU = 5.67
#: alpha above which a step lands higher on the fitted parabola than it started (Schneider et al.
#: 2021, Cockpit, sec. 3.1: alpha > 1 overshoots "to the other side" and uphill); measured on 8
#: clean controls (alpha every 2nd step): highest clean run median 0.10.
ALPHA_HIGH = 1.0
#: alpha below which a step covers less than 2.5% of the way to the parabola's minimum
#: (Cockpit: alpha = -1 is "no step"); measured on the same 8 clean controls: lowest clean run
#: median -0.74 (clean_plateau_then_fall).
ALPHA_LOW = -0.95
#: ... and it is a warning only while the late training loss stays above this fraction of the
#: initial one: a clean full-batch memorisation of 24 points (Adam, 3e-3) had alpha medians of
#: -0.97 to -0.98 in the economy and full presets while its loss fell from 1.1 to 0.002
ALPHA_LOW_PROGRESS = 0.5
#: alpha verdicts need at least this many convex fits (a single alpha mixes two mini-batches).
ALPHA_MIN_MEASUREMENTS = 10
#: gradient-noise verdicts need at least this many measurements in the early phase.
NOISE_MIN_MEASUREMENTS = 5
#: the norm test's batch (McCandlish et al. 2018's noise scale at theta = 1) this many times the
#: batch used, in the early phase, means noise dominates the steps; measured on 9 clean controls:
#: largest clean early-phase median 1.4x (clean_torch_func), largest single clean value 9x.
NOISE_BATCH_FACTOR = 10.0
#: a layer "vanishes" when this fraction of its nonzero gradient elements is below GRAD_ABS_VANISHED
#: (the SageMaker Debugger threshold above) while the last layer's is below 1 - this fraction.
HIST_VANISHED_FRACTION = 0.9

# --- curvature (issue 6) ------------------------------------------------------------
#: lr * lambda_max counts as "above the bound" when it exceeds the optimizer's stability bound
#: times this factor: 1 (Cohen et al. 2021: gradient descent is stable only while
#: lr * lambda_max < 2; 2(1+beta) with heavy-ball momentum).
STABILITY_ABOVE_FRACTION = 1.0
#: "persistently above": at least this many curvature estimates above the bound (one alone can
#: be a noisy mini-batch; own choice).
STABILITY_MIN_ESTIMATES_ABOVE = 2
#: the loss "rises" after the first estimate above the bound when its smoothed value (trailing
#: median over this many steps; own choice, removes single-batch outliers) exceeds its lowest
#: value before that estimate by LOSS_DIVERGENCE_FACTOR.
STABILITY_LOSS_WINDOW = 5
#: "far below the bound": lr * lambda_max under this fraction of the bound on every estimate,
#: i.e. the rate could grow 100x before the sharpest direction turns unstable (own choice:
#: two orders of magnitude, as for the other "orders of magnitude" thresholds here).
STABILITY_FAR_BELOW_FRACTION = 1e-2
#: ... and with both the curvature (below 1 / (2 x steps) of the bound) and the update sizes
#: (median below HEALTHY_UPDATE_RATIO) saying the steps are small, the loss counts as flat while
#: it has not halved (own choice; the minibatch loss of a seq2seq forecaster at 2e-3 of the bound
#: wandered between 0.6 and 0.95 and its late median was 20 % below its start, heldout31).
#: Measured over 173 stored runs with curvature estimates (125 of clean controls, some run
#: with --max-steps 100; seeded runs of the twenty-eighth to thirty-first sets): the only runs
#: below 1 / (2 x steps) with updates below 1e-4 are two seeded lr_too_low runs (progress
#: 0.015 and 0.20).
FAR_BELOW_BOTH_PROGRESS = 0.5
#: progressive sharpening: late lambda_max at least this factor above the first estimate
#: (Cohen et al. 2021 observe growth by an order of magnitude or more; 2x is a clear rise) ...
SHARPENING_FACTOR = 2.0
#: ... and reported only once lr * lambda_max reached this fraction of the bound (the run is
#: near the edge of stability, where sharpening stops and the loss starts to oscillate).
SHARPENING_NEAR_BOUND_FRACTION = 0.5
#: lr-find: the loss diverges once its smoothed value exceeds this multiple of its minimum
#: (fastai's LR finder stops at 4x the best smoothed loss; Smith 2017, "Cyclical learning rates").
LR_FIND_DIVERGENCE_FACTOR = 4.0
#: lr-find: the loss is smoothed by a trailing median over this many steps (own choice, as
#: STABILITY_LOSS_WINDOW: removes single-batch outliers with 2 steps of lag; fastai's EMA with
#: beta = 0.98 lags by ~50 steps, over a decade of lr in a 100-step test).
LR_FIND_WINDOW = 5

# --- gradient check and batch mixing (issue 7) --------------------------------------
#: relative tolerance of the finite-difference check in float64: twice torch.autograd.gradcheck's
#: default rtol (1e-3). Measured: worst error of a correct check 9.2e-7 on the clean zoo of
#: benchmarks/gradcheck_tolerance.py (310 checks), 2.5e-4 on a 10-layer sigmoid MLP and 4.2e-4
#: on the exploding ReLU RNN of buggy_examples/ (x4.8 margin); a 1 % error in a backward is 5x above.
GRADCHECK_RTOL_FLOAT64 = 2e-3
#: an eps is usable when round-off, truncation and kink errors stay below half of min(rtol, this)
#: relative: a few float32 floors ((eps32)^(2/3) ~ 2e-5, times the ~1e3 condition of a deep
#: net's loss), so that float32 checks get usable eps at all.
GRADCHECK_USABLE_TOL = 3e-2
#: relative tolerance in float32 (models that cannot run in float64). Measured on the same clean
#: zoo forced to float32: worst clean error 0.0144 (x3.5 margin); 222 of 310 checks had no usable
#: eps, so a float32 check sees errors of several percent at best.
GRADCHECK_RTOL_FLOAT32 = 5e-2
#: round-off bound of one evaluation, in ulps of the summed terms: the usable eps need
#: ulps * machine_eps * |loss| / eps well below the tolerance. Measured: the float32 loss of the
#: clean models differs from its float64 value by at most 0.96 ulps; 100 leaves room for the
#: amplification in deep and recurrent models.
GRADCHECK_NOISE_ULPS = 100.0
#: output i "depends" on input j != i when |d out_i/d x_j| exceeds this fraction of
#: |d out_i/d x_i|: autograd gives exact zeros for independent samples, and no clean control
#: in buggy_examples/ gave a non-zero off-diagonal entry (max 0.0 on all of them).
BATCH_MIXING_RATIO = 1e-6
#: a dependency above this fraction is far beyond any float32 round-off (eps 1.2e-7): error severity.
BATCH_MIXING_CLEAR = 1e-3

#: regularization.loss_penalty: a term added to the loss by hand is "dominant" when it makes up at
#: least half of the backpropagated loss (as large as the data term: a definition, not a fit), and
#: it is an L2 penalty when its ratio to the sum of squared parameters varies by at most 10 % (the
#: sampled parameter norms are within 2 % of the exact ones, probes/updates.py)
PENALTY_SHARE_HIGH = 0.5
L2_PENALTY_SPREAD = 1.1
