"""TabTransformer-style classifier (categorical bins -> embeddings ->
TransformerEncoder, continuous features -> LayerNorm, MLP head) on 3-class
make_classification, trained with bf16 autocast and gradient accumulation
(2 micro-batches per step), evaluated through an EMA copy (AveragedModel).

Seeded bug (frozen_or_unoptimized): the optimizer is built from
ema.parameters() (the AveragedModel's deep copy) instead of
model.parameters(). The live model gets gradients on every backward, but
optimizer.step() only touches the copy, whose parameters never receive a
gradient; so nothing is updated, and the EMA just averages the untouched
initial weights.

Measured (6 epochs, 90 optimizer steps): buggy train loss 1.10 throughout,
EMA test accuracy 0.340 (chance, 3 classes); fixed (AdamW over
model.parameters()): train loss 0.97 -> 0.37, EMA test accuracy 0.840.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import KBinsDiscretizer, StandardScaler

torch.manual_seed(0)
N_CAT, N_NUM, N_BINS = 6, 6, 8
ACCUM, MICRO_BS, EPOCHS = 2, 32, 6

X, y = make_classification(n_samples=1200, n_features=N_CAT + N_NUM, n_informative=8, n_redundant=2,
                           n_classes=3, n_clusters_per_class=1, class_sep=1.0, random_state=1)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
kb = KBinsDiscretizer(n_bins=N_BINS, encode="ordinal", strategy="quantile").fit(Xtr[:, :N_CAT])
sc = StandardScaler().fit(Xtr[:, N_CAT:])


def split(X):
    cat = torch.tensor(kb.transform(X[:, :N_CAT]), dtype=torch.long)
    num = torch.tensor(sc.transform(X[:, N_CAT:]), dtype=torch.float32)
    return cat, num


cat_tr, num_tr = split(Xtr)
cat_te, num_te = split(Xte)
ytr_t, yte_t = torch.tensor(ytr), torch.tensor(yte)


class TabTransformer(nn.Module):
    def __init__(self, n_cat, n_bins, n_num, n_classes, d=16, heads=2, layers=1):
        super().__init__()
        self.cat_emb = nn.Embedding(n_cat * n_bins, d)
        self.register_buffer("offsets", torch.arange(n_cat) * n_bins)
        enc = nn.TransformerEncoderLayer(d, heads, dim_feedforward=2 * d, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(enc, layers, enable_nested_tensor=False)
        self.num_norm = nn.LayerNorm(n_num)
        self.mlp = nn.Sequential(nn.Linear(n_cat * d + n_num, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, cat, num):
        tok = self.encoder(self.cat_emb(cat + self.offsets))       # (B, n_cat, d)
        return self.mlp(torch.cat([tok.flatten(1), self.num_norm(num)], dim=1))


model = TabTransformer(N_CAT, N_BINS, N_NUM, 3)
ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.98))
optimizer = torch.optim.AdamW(ema.parameters(), lr=2e-3, weight_decay=1e-4)

n = len(ytr_t)
opt_steps = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(n)
    micro = [perm[i:i + MICRO_BS] for i in range(0, n, MICRO_BS)]
    running = 0.0
    for j, idx in enumerate(micro):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(cat_tr[idx], num_tr[idx])
        loss = F.cross_entropy(logits.float(), ytr_t[idx]) / ACCUM
        loss.backward()
        running += loss.item()
        if (j + 1) % ACCUM == 0 or j + 1 == len(micro):
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            ema.update_parameters(model)
            opt_steps += 1
    ema.eval()
    with torch.no_grad():
        acc = (ema(cat_te, num_te).argmax(1) == yte_t).float().mean().item()
    print(f"epoch {epoch}  opt steps {opt_steps}  train loss {running * ACCUM / len(micro):.4f}  ema test acc {acc:.3f}")
