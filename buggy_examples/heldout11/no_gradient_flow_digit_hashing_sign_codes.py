"""
Seeded bug (no_gradient_flow): deep supervised hashing for image retrieval on
sklearn digits. The encoder output is binarised with torch.sign() inside the
training forward pass, and the pairwise similarity loss is computed on the
binary codes. sign() has zero derivative almost everywhere, so every encoder
parameter gets an all-zero gradient on every step; only the learnable
similarity scale (applied after the codes) is updated. The encoder stays at
its random initialisation. (The usual remedy is to train on the relaxed tanh
codes or use a straight-through estimator, and binarise only for indexing.)

Measured (this script vs. a copy that passes the gradient straight through
sign()): encoder gradient norm exactly 0 on every step vs 0.12-0.26;
train loss 1.76 -> 1.52 (only the scale moves) vs 0.90 -> 0.53; test
precision@10 with Hamming ranking 0.516 (random-projection codes) vs 0.907
(228 Adam steps).
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

X, y = load_digits(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

N_BITS = 32


class HashNet(nn.Module):
    def __init__(self, d_in, n_bits):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, 128), nn.ReLU(),
            nn.Linear(128, 128), nn.ReLU(),
            nn.Linear(128, n_bits),
        )
        # temperature for turning Hamming affinity into a logit
        self.log_scale = nn.Parameter(torch.tensor(0.0))

    def forward(self, x):
        h = torch.tanh(self.encoder(x))
        return torch.sign(h)


def pair_loss(codes, labels, log_scale):
    sim = codes @ codes.t() / codes.shape[1]            # in [-1, 1]
    same = (labels[:, None] == labels[None, :]).float()
    logits = sim * log_scale.exp() * 5.0
    mask = ~torch.eye(len(labels), dtype=torch.bool)
    return F.binary_cross_entropy_with_logits(logits[mask], same[mask])


@torch.no_grad()
def precision_at_k(model, k=10):
    model.eval()
    q = model(X_te)
    db = model(X_tr)
    ham = 0.5 * (N_BITS - q @ db.t())
    nn_idx = ham.argsort(dim=1, stable=True)[:, :k]
    model.train()
    return (y_tr[nn_idx] == y_te[:, None]).float().mean().item()


model = HashNet(X_tr.shape[1], N_BITS)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)

BATCH, EPOCHS = 64, 12
step = 0
for epoch in range(EPOCHS):
    perm = torch.randperm(len(X_tr))
    losses = []
    for s in range(0, len(perm) - BATCH + 1, BATCH):
        idx = perm[s:s + BATCH]
        codes = model(X_tr[idx])
        loss = pair_loss(codes, y_tr[idx], model.log_scale)
        opt.zero_grad()
        loss.backward()
        enc_gn = torch.norm(torch.stack([p.grad.norm() for p in model.encoder.parameters()]))
        opt.step()
        losses.append(loss.item())
        step += 1
    if epoch % 3 == 2 or epoch == 0:
        print(f"epoch {epoch:2d}  loss {np.mean(losses):.4f}  encoder grad norm {enc_gn:.3g}")

print(f"steps {step}  test precision@10 (Hamming) {precision_at_k(model):.3f}")
