"""DeepFM-style click-through model on simulated categorical + numeric data; embedding
tables on Adagrad, dense layers on Adam, FM interaction term as a torch.jit.script helper.

Seeded bug (frozen_or_unoptimized): both optimizers are zeroed every step but only
`dense_opt.step()` is called after backward -- the Adagrad optimizer that owns the
embedding tables never steps, so the embeddings (which carry most of the signal:
per-segment/category effects and their affinity) get gradients but stay at their
random init.
Measured after 282 steps: buggy test logloss 0.646, test acc 0.623;
fixed (step both optimizers): test logloss 0.556-0.563, test acc 0.707-0.715.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(21)
rng = np.random.default_rng(21)

CARD = {"segment": 60, "category": 40, "region": 12}
N_NUM = 4
N_TRAIN, N_TEST = 6000, 2000


def simulate(n):
    cats = {k: rng.integers(0, c, size=n) for k, c in CARD.items()}
    num = rng.normal(size=(n, N_NUM)).astype(np.float32)
    return cats, num


seg_eff = rng.normal(0, 1.2, CARD["segment"])
cat_eff = rng.normal(0, 1.2, CARD["category"])
affinity = rng.normal(0, 1.0, (CARD["segment"], CARD["category"]))
reg_eff = rng.normal(0, 0.5, CARD["region"])


def label(cats, num):
    s, c, r = cats["segment"], cats["category"], cats["region"]
    z = seg_eff[s] + cat_eff[c] + affinity[s, c] + reg_eff[r] + 0.4 * num[:, 0] - 0.3 * num[:, 1]
    return (rng.random(len(z)) < 1 / (1 + np.exp(-z))).astype(np.float32)


def to_tensors(cats, num, y):
    return ({k: torch.from_numpy(v) for k, v in cats.items()}, torch.from_numpy(num), torch.from_numpy(y))


tr_c, tr_n = simulate(N_TRAIN)
te_c, te_n = simulate(N_TEST)
train = to_tensors(tr_c, tr_n, label(tr_c, tr_n))
test = to_tensors(te_c, te_n, label(te_c, te_n))


@torch.jit.script
def pairwise_interactions(fields: torch.Tensor) -> torch.Tensor:
    # FM-style second-order term: 0.5 * ((sum v)^2 - sum v^2), fields: (B, F, D)
    s = fields.sum(1)
    return 0.5 * (s * s - (fields * fields).sum(1))


class DeepFM(nn.Module):
    def __init__(self, dim=12):
        super().__init__()
        self.tables = nn.ModuleDict({k: nn.Embedding(c, dim) for k, c in CARD.items()})
        for t in self.tables.values():
            nn.init.normal_(t.weight, std=0.05)
        self.num_proj = nn.Linear(N_NUM, dim)
        self.mlp = nn.Sequential(nn.Linear(dim * (len(CARD) + 1) + dim, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, cats, num):
        fields = torch.stack([self.tables[k](cats[k]) for k in CARD] + [self.num_proj(num)], 1)
        fm = pairwise_interactions(fields)
        return self.mlp(torch.cat([fields.flatten(1), fm], 1)).squeeze(1)


model = DeepFM()
emb_params = list(model.tables.parameters())
dense_params = [p for n, p in model.named_parameters() if not n.startswith("tables.")]
emb_opt = torch.optim.Adagrad(emb_params, lr=0.03)
dense_opt = torch.optim.Adam(dense_params, lr=2e-3)
optimizers = [emb_opt, dense_opt]


def evaluate(data):
    cats, num, y = data
    with torch.no_grad():
        logits = model(cats, num)
        ll = F.binary_cross_entropy_with_logits(logits, y).item()
        acc = ((logits > 0).float() == y).float().mean().item()
    return ll, acc


bs, steps = 128, 0
for epoch in range(6):
    perm = torch.randperm(N_TRAIN)
    for i in range(0, N_TRAIN, bs):
        b = perm[i:i + bs]
        cats, num, y = train
        logits = model({k: v[b] for k, v in cats.items()}, num[b])
        loss = F.binary_cross_entropy_with_logits(logits, y[b])
        for opt in optimizers:
            opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(dense_params, 5.0)
        dense_opt.step()
        steps += 1
    tr_ll, tr_acc = evaluate(train)
    te_ll, te_acc = evaluate(test)
    print(f"epoch {epoch}  train_logloss {tr_ll:.4f}  test_logloss {te_ll:.4f}  test_acc {te_acc:.3f}")
print("steps:", steps)
