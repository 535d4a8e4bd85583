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
#: RMS gradient below which a whole model's gradient counts as vanished
#: (SageMaker Debugger's VanishingGradient rule default: 1e-7 mean absolute gradient).
GRAD_ABS_VANISHED = 1e-7

# --- initialization --------------------------------------------------------------
#: initial cross-entropy above this multiple of chance level ln(C) means logits are
#: mis-scaled at init (Karpathy, "A Recipe for Training Neural Networks", 2019:
#: "verify loss @ init" should be -log(1/C)).
INIT_LOSS_OVER_CHANCE = 3.0
#: per-layer activation std at step 0 above which activations explode through depth.
INIT_ACTIVATION_STD_HIGH = 1e2
#: ratio of the deepest to the first hidden layer's activation std below which
#: activations vanish through depth (two orders of magnitude).
INIT_ACTIVATION_DEPTH_RATIO_LOW = 1e-2

# --- zero_grad -------------------------------------------------------------------
#: fraction of steps whose first backward finds non-zero gradients already there.
STALE_GRAD_STEP_FRACTION = 0.9

# --- minimum evidence -------------------------------------------------------------
#: rules on trends need at least this many steps.
MIN_STEPS_FOR_TREND = 10

# --- data and loop checks (issue 4) ------------------------------------------------

# --- training dynamics checks (issue 4) ----------------------------------------------

# --- per-sample statistics (issue 5) ------------------------------------------------

# --- curvature (issue 6) ------------------------------------------------------------

# --- gradient check and batch mixing (issue 7) --------------------------------------
