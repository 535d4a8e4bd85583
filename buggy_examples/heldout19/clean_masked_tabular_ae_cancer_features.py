"""Clean control: a masked autoencoder on the 30 standardised breast-cancer features.
Per row ~40% of the features are replaced by a learned mask token (per-feature embedding),
and the reconstruction loss is computed ONLY on the masked positions. Patterns a naive
detector might flag: the decoder outputs for visible positions never enter the loss (their
per-element gradient is exactly zero every step), the mask-token parameter only receives
gradient through masked entries, and each row's loss is normalised by its own mask count.
After pre-training, a frozen-encoder linear probe checks the representation.
Measured healthy numbers (seed 0, 300 AdamW steps): masked-feature batch MSE 1.084 ->
0.195; full-set masked MSE 0.263 train / 0.301 held-out (mean-imputation baseline 1.039);
linear probe on the frozen 16-d code: held-out acc 0.958.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)

X, y = load_breast_cancer(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
N_FEAT = Xtr.shape[1]


class MaskedTabularAE(nn.Module):
    def __init__(self, n_feat, d_code=16, hidden=96):
        super().__init__()
        self.mask_token = nn.Parameter(torch.zeros(n_feat))
        self.encoder = nn.Sequential(nn.Linear(2 * n_feat, hidden), nn.GELU(),
                                     nn.Linear(hidden, d_code))
        self.decoder = nn.Sequential(nn.Linear(d_code, hidden), nn.GELU(), nn.Linear(hidden, n_feat))

    def encode(self, x, mask):
        x_in = torch.where(mask, self.mask_token.expand_as(x), x)
        return self.encoder(torch.cat([x_in, mask.float()], dim=1))

    def forward(self, x, mask):
        return self.decoder(self.encode(x, mask))


def masked_mse(pred, target, mask):
    m = mask.float()
    per_row = ((pred - target) ** 2 * m).sum(1) / m.sum(1).clamp_min(1.0)
    return per_row.mean()


model = MaskedTabularAE(N_FEAT)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
g = torch.Generator().manual_seed(0)
MASK_RATE = 0.4

for step in range(1, 301):
    idx = torch.randint(0, len(Xtr), (64,), generator=g)
    xb = Xtr[idx]
    mask = torch.rand(xb.shape, generator=g) < MASK_RATE
    loss = masked_mse(model(xb, mask), xb, mask)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step == 1 or step % 100 == 0:
        print(f"step {step:3d}  masked mse {loss.item():.4f}")

model.eval()
with torch.no_grad():
    gm = torch.Generator().manual_seed(1)
    m_tr = torch.rand(Xtr.shape, generator=gm) < MASK_RATE
    m_te = torch.rand(Xte.shape, generator=gm) < MASK_RATE
    tr_mse = masked_mse(model(Xtr, m_tr), Xtr, m_tr).item()
    te_mse = masked_mse(model(Xte, m_te), Xte, m_te).item()
    mean_impute = masked_mse(torch.zeros_like(Xte), Xte, m_te).item()
    no_mask = torch.zeros_like(Xtr, dtype=torch.bool)
    ztr = model.encode(Xtr, no_mask).numpy()
    zte = model.encode(Xte, torch.zeros_like(Xte, dtype=torch.bool)).numpy()
probe = LogisticRegression(max_iter=2000).fit(ztr, ytr)
print(f"masked mse train {tr_mse:.4f}  held-out {te_mse:.4f}  (mean-impute {mean_impute:.4f})")
print(f"linear probe held-out acc {probe.score(zte, yte):.3f}")
