"""
Multi-label sound-event tagger on synthetic spectrograms (1 x 24 frequency bins x 32 frames).
Each clip contains any subset of five event types (low hum, high whistle, up-chirp, broadband
click train, mid-band noise burst), each present with probability 0.35, over background
noise. Small 2-D CNN: three Conv2d-BatchNorm-ReLU blocks with max pooling and Dropout2d,
global average pooling, Dropout(0.5), linear head to 5 logits; BCEWithLogitsLoss, AdamW
lr 2e-3, batch 32, 960 training clips, 8 epochs (240 steps). After every epoch a validation
pass computes loss and macro-F1, and the final test set is scored with the same function.

Seeded bug: evaluate() wraps the forward pass in torch.no_grad() but never calls
model.eval(), on the common misunderstanding that no_grad also switches off dropout and
batch-norm updates. All validation and test numbers are therefore computed in train mode:
Dropout(0.5)/Dropout2d randomly drop features at test time, BatchNorm normalises with the
statistics of each evaluation batch (and overwrites its running statistics with them), so
the reported metrics are noisy and systematically worse than what the trained network does.

Measured (seed 0, 1 thread): buggy final val loss 0.247, test macro-F1 0.878, exact match
0.665; fixed copy (model.eval() in evaluate, model.train() at the start of each epoch): val
loss 0.144, test macro-F1 0.979, exact match 0.935 (training losses are identical).
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

F_BINS, FRAMES, N_EVENTS = 24, 32, 5


def render_clip(labels):
    s = rng.normal(0, 0.5, size=(F_BINS, FRAMES))
    t = np.arange(FRAMES)
    if labels[0]:
        b = rng.integers(1, 4)
        s[b:b + 2, :] += rng.uniform(1.0, 2.0)
    if labels[1]:
        b = rng.integers(18, 22)
        t0 = rng.integers(0, 16)
        s[b, t0:t0 + 14] += rng.uniform(1.5, 2.5)
    if labels[2]:
        t0 = rng.integers(0, 12)
        for k in range(16):
            s[min(4 + k, F_BINS - 1), min(t0 + k, FRAMES - 1)] += rng.uniform(1.5, 2.5)
    if labels[3]:
        for tc in range(rng.integers(0, 6), FRAMES, rng.integers(6, 10)):
            s[:, tc] += rng.uniform(0.8, 1.4)
    if labels[4]:
        t0 = rng.integers(0, 20)
        s[9:15, t0:t0 + 10] += rng.normal(1.2, 0.6, size=(6, min(10, FRAMES - t0)))
    return s


def make_split(n):
    y = (rng.random((n, N_EVENTS)) < 0.35).astype(np.float32)
    x = np.stack([render_clip(row) for row in y]).astype(np.float32)[:, None]
    return torch.from_numpy(x), torch.from_numpy(y)


def conv_block(c_in, c_out):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout2d(0.1),
    )


model = nn.Sequential(
    conv_block(1, 16), conv_block(16, 32), conv_block(32, 48),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(48, N_EVENTS),
)


def macro_f1(pred, target):
    tp = (pred * target).sum(0)
    fp = (pred * (1 - target)).sum(0)
    fn = ((1 - pred) * target).sum(0)
    return (2 * tp / (2 * tp + fp + fn).clamp(min=1)).mean().item()


def evaluate(model, loader, criterion):
    losses, preds, targets = [], [], []
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            losses.append(criterion(logits, yb).item() * len(yb))
            preds.append((logits > 0).float())
            targets.append(yb)
    p, t = torch.cat(preds), torch.cat(targets)
    exact = (p == t).all(1).float().mean().item()
    return sum(losses) / len(t), macro_f1(p, t), exact


X_tr, Y_tr = make_split(960)
X_va, Y_va = make_split(320)
X_te, Y_te = make_split(480)
train_loader = DataLoader(TensorDataset(X_tr, Y_tr), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(X_va, Y_va), batch_size=32)
test_loader = DataLoader(TensorDataset(X_te, Y_te), batch_size=32)

criterion = nn.BCEWithLogitsLoss()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)

model.train()
for epoch in range(8):
    running = 0.0
    for xb, yb in train_loader:
        loss = criterion(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item() * len(yb)
    val_loss, val_f1, _ = evaluate(model, val_loader, criterion)
    print(f"epoch {epoch + 1}  train loss {running / len(X_tr):.4f}  val loss {val_loss:.4f}  "
          f"val macro-F1 {val_f1:.3f}")

test_loss, test_f1, test_exact = evaluate(model, test_loader, criterion)
print(f"final: val loss {val_loss:.4f}  test loss {test_loss:.4f}  test macro-F1 {test_f1:.3f}  "
      f"exact match {test_exact:.3f}")
