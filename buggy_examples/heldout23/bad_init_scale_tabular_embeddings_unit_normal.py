"""Tabular churn-style classifier: entity embeddings for four categorical columns plus
six numeric columns, fed to an nn.Sequential MLP; RMSprop, 6 epochs.

Seeded bug (bad_init_scale): the model's _init_weights hook applies N(0, 1) to the
nn.Linear weights as well as to the embeddings (the isinstance check lists both).
With fan-in 38 and 128 the pre-activations grow by ~sqrt(fan_in) per layer, so at
step 0 the logits have std ~300 and the cross-entropy is ~260 instead of
ln 3 = 1.10.  The over-confident net spends the whole budget recovering.

Measured (282 steps): initial loss 259.9 (logit std 304); final val loss 29.5,
val accuracy 0.685.  Initialising only the embeddings with N(0, 1) and keeping the
default Linear init: initial loss 1.10, final val loss 0.528, val accuracy 0.781.
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(8)
rng = np.random.default_rng(8)

CARDINALITIES = {"region": 12, "device": 5, "plan": 4, "channel": 9}
N_NUM = 6
N_CLASSES = 3


EFFECTS = {k: rng.standard_normal((v, N_CLASSES)) for k, v in CARDINALITIES.items()}
W_NUM = rng.standard_normal((N_NUM, N_CLASSES)) * 0.8


def make_table(n):
    cats = {k: rng.integers(0, v, size=n) for k, v in CARDINALITIES.items()}
    num = rng.standard_normal((n, N_NUM)).astype(np.float32)
    logits = num @ W_NUM + 0.5 * np.maximum(num[:, :1] * num[:, 1:2], 0)
    for k in CARDINALITIES:
        logits = logits + EFFECTS[k][cats[k]]
    y = np.array([rng.choice(N_CLASSES, p=np.exp(l) / np.exp(l).sum()) for l in logits])
    cat_arr = np.stack([cats[k] for k in CARDINALITIES], 1)
    return torch.tensor(cat_arr), torch.tensor(num), torch.tensor(y)


class TabularNet(nn.Module):
    def __init__(self, emb_dim=8, hidden=128):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(card, emb_dim) for card in CARDINALITIES.values())
        d = emb_dim * len(CARDINALITIES) + N_NUM
        self.body = nn.Sequential(
            nn.Linear(d, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, N_CLASSES),
        )
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, (nn.Embedding, nn.Linear)):
            nn.init.normal_(m.weight, mean=0.0, std=1.0)
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)

    def forward(self, cat, num):
        e = [emb(cat[:, j]) for j, emb in enumerate(self.embs)]
        return self.body(torch.cat(e + [num], dim=1))


cat_tr, num_tr, y_tr = make_table(6000)
cat_va, num_va, y_va = make_table(2000)
model = TabularNet()
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.99)
bs = 128
for epoch in range(6):
    perm = torch.randperm(len(y_tr))
    for i in range(0, len(perm), bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(cat_tr[idx], num_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(cat_va, num_va)
        va_loss = F.cross_entropy(logits, y_va).item()
        va_acc = (logits.argmax(1) == y_va).float().mean().item()
    model.train()
    print(f"epoch {epoch + 1}  last train loss {loss.item():.3f}  val loss {va_loss:.3f}  val acc {va_acc:.3f}")
