"""
Soft mixture-of-experts classifier on the 8x8 digits (sklearn load_digits, standardised 64
features): 4 experts (64 -> 32 -> 10 MLPs, each returning class probabilities) mixed by a softmax
gate, p(y|x) = sum_k g_k(x) p_k(y|x). SGD momentum 0.9, lr 0.05, batch 64, 10 epochs (220 steps),
hand-written batching loop; test NLL / accuracy evaluated on log of the mixture probabilities.

Seeded bug: the model returns mixture *probabilities* (the correct way to mix experts), but the
training loss is nn.CrossEntropyLoss, which expects unnormalised logits and applies log_softmax
again. The loss becomes -log softmax(p), bounded below by ~1.46 and with tiny, badly conditioned
gradients, so training crawls. Realistic: CrossEntropyLoss is the reflex choice for
classification, and the author forgot that the MoE head already outputs probabilities (the fix
is nll_loss(log(p)), as used in the evaluation code).

Measured (seed 0, 1 thread): buggy final train loss 1.630 (CE on probabilities), test NLL 0.476,
test accuracy 0.853; fixed copy (nll_loss on log probabilities) train NLL 0.068, test NLL 0.153,
test accuracy 0.969. Runtime ~9 s CPU.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class Expert(nn.Module):
    def __init__(self, d_in, d_hidden, n_classes):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, d_hidden), nn.ReLU(), nn.Linear(d_hidden, n_classes))

    def forward(self, x):
        return self.net(x).softmax(dim=-1)


class MixtureOfExperts(nn.Module):
    """Soft MoE: p(y|x) = sum_k g_k(x) p_k(y|x)."""

    def __init__(self, d_in, n_classes, n_experts=4, d_hidden=32):
        super().__init__()
        self.experts = nn.ModuleList([Expert(d_in, d_hidden, n_classes) for _ in range(n_experts)])
        self.gate = nn.Linear(d_in, n_experts)

    def forward(self, x):
        g = self.gate(x).softmax(dim=-1)                           # (B, K)
        p = torch.stack([e(x) for e in self.experts], dim=1)       # (B, K, C)
        return (g.unsqueeze(-1) * p).sum(dim=1)                    # (B, C)


X, y = load_digits(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr)
y_te = torch.tensor(y_te)

model = MixtureOfExperts(64, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()

batch_size = 64
n_epochs = 10
step = 0
for epoch in range(n_epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    running = 0.0
    for i in range(0, len(X_tr), batch_size):
        idx = perm[i:i + batch_size]
        probs = model(X_tr[idx])
        loss = criterion(probs, y_tr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
        step += 1
    model.eval()
    with torch.no_grad():
        p_te = model(X_te)
        test_nll = nn.functional.nll_loss(torch.log(p_te + 1e-8), y_te).item()
        test_acc = (p_te.argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch + 1:2d} step {step:4d} train_loss {running / len(X_tr):.4f} "
          f"test_nll {test_nll:.4f} test_acc {test_acc:.4f}")

print(f"final: test_nll {test_nll:.4f} test_acc {test_acc:.4f}")
