"""Healthy control: breast-cancer MLP (BatchNorm + Dropout) with an exponential moving
average copy of the weights that is evaluated next to the live model.

Patterns that may fool a naive detector: the EMA copy has requires_grad=False parameters
that are never given to an optimizer and never receive a .grad, yet they change every
step (in-place lerp under no_grad); the EMA copy stays in eval mode for the whole run,
and evaluate() toggles the live model to eval and back.

Measured (300 AdamW steps): train loss 0.161 (epoch 4) -> 0.076; val acc model 0.953,
EMA 0.953, EMA val loss 0.103.
"""
# traindebug-expect: clean
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

data = load_breast_cancer()
Xtr, Xte, ytr, yte = train_test_split(data.data, data.target, test_size=0.3, random_state=0, stratify=data.target)
scaler = StandardScaler().fit(Xtr)
Xtr = torch.tensor(scaler.transform(Xtr), dtype=torch.float32)
Xte = torch.tensor(scaler.transform(Xte), dtype=torch.float32)
ytr = torch.tensor(ytr, dtype=torch.float32)
yte = torch.tensor(yte, dtype=torch.float32)

model = nn.Sequential(
    nn.Linear(30, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(32, 1),
)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
ema.eval()


@torch.no_grad()
def ema_update(ema_model, src, decay):
    for pe, ps in zip(ema_model.parameters(), src.parameters()):
        pe.lerp_(ps, 1.0 - decay)
    for be, bs in zip(ema_model.buffers(), src.buffers()):
        be.copy_(bs)


@torch.no_grad()
def evaluate(net):
    was_training = net.training
    net.eval()
    logits = net(Xte).squeeze(1)
    loss = F.binary_cross_entropy_with_logits(logits, yte).item()
    acc = ((logits > 0).float() == yte).float().mean().item()
    net.train(was_training)
    return loss, acc


opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
BATCH = 32
step = 0
for epoch in range(25):
    model.train()
    perm = torch.randperm(len(Xtr))
    tot, nb = 0.0, 0
    for i in range(0, len(Xtr) - BATCH + 1, BATCH):
        idx = perm[i:i + BATCH]
        loss = F.binary_cross_entropy_with_logits(model(Xtr[idx]).squeeze(1), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        # short warm-up for the EMA decay so early averages are not dominated by the random init
        decay = min(0.99, (1 + step) / (10 + step))
        ema_update(ema, model, decay)
        tot += loss.item(); nb += 1
    if epoch % 5 == 4:
        m_loss, m_acc = evaluate(model)
        e_loss, e_acc = evaluate(ema)
        print(f"epoch {epoch} step {step} train loss {tot / nb:.3f} | model val {m_loss:.3f}/{m_acc:.3f} "
              f"| ema val {e_loss:.3f}/{e_acc:.3f}")
