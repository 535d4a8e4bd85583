"""Seeded bug (non_finite): per-pixel standardisation divides by the training
std without a floor. Several 8x8 digit pixels (e.g. the image corners) are 0 in
every training image, so their std is exactly 0 and (x - mu) / sd yields 0/0 = NaN
for those input columns. The NaNs enter the first matmul of the functional MLP,
the loss is NaN from the first step, and Adagrad writes NaN into every parameter.

Measured (252 Adagrad steps): buggy train_loss nan from step 1, test_acc 0.100;
fixed (sd.clamp_min(1e-6)) final train_loss 0.016, test_loss 0.144, test_acc 0.969.
"""
# traindebug-expect: non_finite
import math
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

g = torch.Generator().manual_seed(1234)
torch.manual_seed(1234)

digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32)
y = torch.tensor(digits.target, dtype=torch.long)
idx_tr, idx_te = train_test_split(torch.arange(len(y)).numpy(), test_size=0.25,
                                  random_state=0, stratify=digits.target)
Xtr, Xte, ytr, yte = X[idx_tr], X[idx_te], y[idx_tr], y[idx_te]

# per-pixel standardisation with training statistics
mu = Xtr.mean(0, keepdim=True)
sd = Xtr.std(0, keepdim=True)
Xtr = (Xtr - mu) / sd
Xte = (Xte - mu) / sd


def glorot(fan_in, fan_out):
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return (torch.rand(fan_in, fan_out, generator=g) * 2 - 1).mul_(bound).requires_grad_()


params = {
    "W1": glorot(64, 96), "b1": torch.zeros(96, requires_grad=True),
    "W2": glorot(96, 48), "b2": torch.zeros(48, requires_grad=True),
    "W3": glorot(48, 10), "b3": torch.zeros(10, requires_grad=True),
}


def forward(p, x):
    h = F.gelu(x @ p["W1"] + p["b1"])
    h = F.layer_norm(F.gelu(h @ p["W2"] + p["b2"]), (48,))
    return h @ p["W3"] + p["b3"]


opt = torch.optim.Adagrad(params.values(), lr=0.05, initial_accumulator_value=0.1)
batch = 64
steps = 0
for epoch in range(12):
    perm = torch.randperm(len(ytr), generator=g)
    ep_loss = 0.0
    for i in range(0, len(perm) - batch + 1, batch):
        b = perm[i:i + batch]
        loss = F.cross_entropy(forward(params, Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        ep_loss += loss.item()
        steps += 1
    with torch.no_grad():
        logits = forward(params, Xte)
        acc = (logits.argmax(1) == yte).float().mean().item()
        te_loss = F.cross_entropy(logits, yte).item()
    if epoch % 3 == 0 or epoch == 11:
        print(f"epoch {epoch:2d} steps {steps}  train_loss {ep_loss / (len(perm) // batch):.4f}  "
              f"test_loss {te_loss:.4f}  test_acc {acc:.3f}")
