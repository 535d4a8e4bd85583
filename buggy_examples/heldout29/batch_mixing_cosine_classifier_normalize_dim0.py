"""Digits CNN embedder (two convs, maxpool, Linear to a 32-d embedding) with a cosine
(normalised-softmax) classification head, logits = 16 * cos(embedding, class weight); AdamW lr
2e-3, StepLR, DataLoader batches of 32, 5 epochs (215 steps); full-set evaluation every epoch
and a final one-image-at-a-time inference pass.

Seeded bug: the head normalises the embeddings with F.normalize(z, dim=0) instead of dim=1
(a one-character slip; dim=1 is correct for the weight matrix on the next line). dim=0 divides
each embedding feature by its norm over the batch, so every sample's logits depend on the other
samples in the batch and their scale shrinks with batch size (~1/sqrt(B)): training batches of
32 give very confident logits, the full train/test set gives flat ones, and a single image gets
only the sign pattern of its embedding.

Measured (plain python, 1 thread): full-batch train loss 1.017 / test loss 0.510 / test accuracy
0.991 / single-image accuracy 0.962 buggy vs train loss 0.0074 / test loss 0.077 / test accuracy
0.982 / single-image accuracy 0.982 for the fixed copy (dim=1). Accuracy at full batch survives,
but the loss (calibration) is 7x worse and predictions change with batch composition.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)


class CosineHead(nn.Module):
    """Normalised-softmax classifier: logits = s * cos(theta) between embedding and class weight."""

    def __init__(self, dim, n_classes, scale=16.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_classes, dim))
        self.scale = scale

    def forward(self, z):
        z = F.normalize(z, dim=0)
        w = F.normalize(self.weight, dim=1)
        return self.scale * z @ w.t()


class DigitEmbedder(nn.Module):
    def __init__(self, emb_dim=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.proj = nn.Linear(32 * 4 * 4, emb_dim)

    def forward(self, x):
        return self.proj(self.conv(x).flatten(1))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = DigitEmbedder()
        self.head = CosineHead(32, 10)

    def forward(self, x):
        return self.head(self.embed(x))


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(digits.target)
idx_tr, idx_te = train_test_split(np.arange(len(y)), test_size=0.25, stratify=digits.target, random_state=3)
train_dl = DataLoader(TensorDataset(X[idx_tr], y[idx_tr]), batch_size=32, shuffle=True)

model = Classifier()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)

step = 0
for epoch in range(1, 6):
    for xb, yb in train_dl:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    sched.step()
    tr_loss, tr_acc = evaluate(model, X[idx_tr], y[idx_tr])
    te_loss, te_acc = evaluate(model, X[idx_te], y[idx_te])
    print(f"epoch {epoch}  steps {step}  last batch loss {loss.item():.4f}  "
          f"train loss {tr_loss:.4f} acc {tr_acc:.3f}  test loss {te_loss:.4f} acc {te_acc:.3f}")

# one image at a time, the way the model is queried at inference
model.eval()
with torch.no_grad():
    single = torch.cat([model(X[i:i + 1]).argmax(1) for i in idx_te])
single_acc = (single == y[idx_te]).float().mean().item()
print(f"final test loss {te_loss:.4f}  test accuracy {te_acc:.3f}  single-image accuracy {single_acc:.3f}")
