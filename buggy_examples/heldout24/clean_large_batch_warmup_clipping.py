"""Healthy control: functional-style MLP (explicit weight tensors, F.linear/F.silu) on a
generated 4-class problem, large batches (1024), SGD with Nesterov momentum, linear
learning-rate warm-up over 40 steps to a peak of 1.6 followed by cosine decay, and
gradient clipping at max_norm=1.0.

Pattern that may fool a naive detector: a peak lr of 1.6 looks far too high, and clipping
is active in the early steps (7 of the 40 warm-up steps), which can look like exploding
gradients or over-aggressive clipping. After warm-up the gradient norm stays ~0.1-0.4 and
clipping never triggers again (0 of 200 steps).

Measured: train loss 0.92 (epoch 0) -> 0.033, val loss 0.147, val accuracy 0.963.
"""
# traindebug-expect: clean
import math
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification

torch.set_num_threads(1)
torch.manual_seed(4)

X, y = make_classification(n_samples=18000, n_features=32, n_informative=20, n_redundant=4,
                           n_classes=4, n_clusters_per_class=2, class_sep=1.2, random_state=4)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
X_tr, y_tr, X_va, y_va = X[:16000], y[:16000], X[16000:], y[16000:]
mu, sd = X_tr.mean(0), X_tr.std(0)
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.randn(fan_out, fan_in) * math.sqrt(2.0 / fan_in)
        b = torch.zeros(fan_out)
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x):
    n_layers = len(params) // 2
    for i in range(n_layers):
        x = F.linear(x, params[2 * i], params[2 * i + 1])
        if i < n_layers - 1:
            x = F.silu(x)
    return x


params = init_params([32, 128, 128, 4])
BATCH, EPOCHS, PEAK_LR, WARMUP, MAX_NORM = 1024, 15, 1.6, 40, 1.0
opt = torch.optim.SGD(params, lr=PEAK_LR, momentum=0.9, nesterov=True, weight_decay=5e-4)
steps_per_epoch = math.ceil(len(X_tr) / BATCH)
total = EPOCHS * steps_per_epoch


def lr_at(step):
    if step < WARMUP:
        return PEAK_LR * (step + 1) / WARMUP
    progress = (step - WARMUP) / max(1, total - WARMUP)
    return PEAK_LR * 0.5 * (1 + math.cos(math.pi * progress))


step = 0
clipped = {"warmup": [0, 0], "after": [0, 0]}
for epoch in range(EPOCHS):
    perm = torch.randperm(len(X_tr))
    ep_loss = 0.0
    for i in range(0, len(X_tr), BATCH):
        b = perm[i:i + BATCH]
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        loss = F.cross_entropy(forward(params, X_tr[b]), y_tr[b])
        opt.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, MAX_NORM)
        phase = "warmup" if step < WARMUP else "after"
        clipped[phase][0] += int(norm > MAX_NORM)
        clipped[phase][1] += 1
        opt.step()
        ep_loss += loss.item() * len(b)
        step += 1
    with torch.no_grad():
        logits = forward(params, X_va)
        va_loss = F.cross_entropy(logits, y_va).item()
        va_acc = (logits.argmax(1) == y_va).float().mean().item()
    if epoch % 3 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch:2d} lr {lr_at(step - 1):.3f} train_loss {ep_loss / len(X_tr):.4f} "
              f"val_loss {va_loss:.4f} val_acc {va_acc:.3f} last_grad_norm {norm:.3f}")
for k, (c, n) in clipped.items():
    print(f"clipped {c}/{n} steps during {k}")
