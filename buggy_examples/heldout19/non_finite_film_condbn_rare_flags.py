"""FiLM-style conditional batch norm network on synthetic multi-clinic tabular data.

Seeded bug (non_finite): the hand-written ConditionalBatchNorm normalises with
`(x - mean) * var.rsqrt()` without an epsilon. The input features include rare
binary flags (~4% positive); in a batch of 32 a flag column is often all zero, its
batch variance is exactly 0, and 0 * inf produces NaN in the forward pass, which
then propagates into the loss, the gradients and (through Adam) every parameter.
Measured: buggy train/val loss NaN from epoch 0 onward, val_acc 0.489 (constant
prediction); fixed (`(var + 1e-5).rsqrt()`) final train loss 0.267, val_loss 0.283,
val_acc 0.886.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(7)
rng = np.random.default_rng(7)

N_SITES = 4
N_DENSE = 10
N_FLAGS = 6
W_TRUE = rng.normal(size=N_DENSE)


def make_clinic_data(n):
    """Tabular records from 4 clinics: dense lab values + rare binary flags."""
    site = rng.integers(0, N_SITES, size=n)
    dense = rng.normal(size=(n, N_DENSE)) + 0.5 * site[:, None]
    flags = (rng.random((n, N_FLAGS)) < 0.04).astype(np.float64)
    score = (dense - 0.5 * site[:, None]) @ W_TRUE * 0.6 + flags @ np.array([2.0, -2.0, 1.5, 1.0, -1.0, 2.5]) \
        + np.where(site % 2 == 0, 0.8, -0.8) * dense[:, 0]
    y = (score + rng.normal(scale=0.5, size=n) > 0).astype(np.int64)
    x = np.concatenate([dense, flags], axis=1).astype(np.float32)
    return torch.tensor(x), torch.tensor(site), torch.tensor(y)


class ConditionalBatchNorm(nn.Module):
    """Batch statistics normalisation with per-condition (FiLM) scale and shift."""

    def __init__(self, num_features, num_conditions, momentum=0.1):
        super().__init__()
        self.gamma = nn.Embedding(num_conditions, num_features)
        self.beta = nn.Embedding(num_conditions, num_features)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)
        self.momentum = momentum
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x, cond):
        if self.training:
            mean = x.mean(0)
            var = x.var(0, unbiased=False)
            with torch.no_grad():
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(var, self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean) * var.rsqrt()
        return self.gamma(cond) * x_hat + self.beta(cond)


class FiLMNet(nn.Module):
    def __init__(self, d_in, hidden=48):
        super().__init__()
        self.in_norm = ConditionalBatchNorm(d_in, N_SITES)
        self.fc1 = nn.Linear(d_in, hidden)
        self.cbn1 = ConditionalBatchNorm(hidden, N_SITES)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x, site):
        h = self.in_norm(x, site)
        h = F.relu(self.cbn1(self.fc1(h), site))
        h = F.relu(self.fc2(h))
        return self.out(h).squeeze(-1)


Xtr, Str, ytr = make_clinic_data(2400)
Xva, Sva, yva = make_clinic_data(800)
loader = DataLoader(TensorDataset(Xtr, Str, ytr), batch_size=32, shuffle=True)

model = FiLMNet(N_DENSE + N_FLAGS)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)

step = 0
for epoch in range(4):
    model.train()
    running = []
    for xb, sb, yb in loader:
        logit = model(xb, sb)
        loss = F.binary_cross_entropy_with_logits(logit, yb.float())
        opt.zero_grad()
        loss.backward()
        opt.step()
        running.append(loss.item())
        step += 1
    model.eval()
    with torch.no_grad():
        lv = model(Xva, Sva)
        vloss = F.binary_cross_entropy_with_logits(lv, yva.float()).item()
        acc = ((lv > 0).long() == yva).float().mean().item()
    print(f"epoch {epoch} step {step} train_loss {np.mean(running):.4f} val_loss {vloss:.4f} val_acc {acc:.3f}")
