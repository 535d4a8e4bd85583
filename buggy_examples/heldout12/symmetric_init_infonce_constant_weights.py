"""SimCLR-style contrastive learning (InfoNCE, tau = 0.2) of a small MLP encoder on sklearn digits with
noise/feature-dropout views, evaluated with a logistic-regression linear probe on the backbone features.

Seeded bug: the module init hook uses nn.init.constant_(weight, 0.02) (zero biases) for every Linear
layer. All hidden units of each layer compute the same function and receive identical gradients, so the
symmetry is never broken: every image maps to the same normalised embedding, all pair similarities are
equal, and the loss sits exactly at log(batch) for the whole run.
Measured: InfoNCE 4.8520 = log(128) at every logged step (300 steps); linear-probe val acc 0.126.
With kaiming_uniform_ init (fixed copy): InfoNCE 2.70 at step 50 -> 2.14 at step 300, probe acc 0.970.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

Xn, yn = load_digits(return_X_y=True)
Xn = (Xn / 16.0).astype(np.float32)
X = torch.tensor(Xn)
perm = torch.randperm(len(X))
tr, va = perm[:1400], perm[1400:]


def augment(x):
    # pixel noise + random feature dropout as cheap views of the same image
    x = x + 0.1 * torch.randn_like(x)
    return x * (torch.rand_like(x) > 0.2).float()


class Encoder(nn.Module):
    def __init__(self, d_in=64, hidden=128, d_emb=32):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.proj = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, d_emb))
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.02)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        h = self.backbone(x)
        return h, F.normalize(self.proj(h), dim=1)


def info_nce(z1, z2, tau=0.2):
    logits = z1 @ z2.t() / tau
    labels = torch.arange(z1.shape[0])
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


enc = Encoder()
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
for step in range(300):
    idx = tr[torch.randint(0, len(tr), (128,))]
    xb = X[idx]
    _, z1 = enc(augment(xb))
    _, z2 = enc(augment(xb))
    loss = info_nce(z1, z2)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if (step + 1) % 50 == 0:
        print(f"step {step + 1:4d}  infonce {loss.item():.4f}")

# linear probe on frozen backbone features
with torch.no_grad():
    htr = enc(X[tr])[0].numpy()
    hva = enc(X[va])[0].numpy()
probe = LogisticRegression(max_iter=2000).fit(htr, yn[tr.numpy()])
print(f"linear-probe val acc {probe.score(hva, yn[va.numpy()]):.3f}")
