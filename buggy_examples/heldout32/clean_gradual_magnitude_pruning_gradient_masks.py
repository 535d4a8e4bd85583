"""
Gradual magnitude pruning of a tabular MLP: 24-256-256-4 ReLU net on a 4-class make_classification
problem (3000 rows, standardised), AdamW lr 2e-3 (wd 1e-4), batch 64, 12 epochs (432 steps).
From step 60 to 70% of training the two hidden weight matrices are pruned every 20 steps along
the cubic Zhu & Gupta schedule to 85% sparsity; masks are enforced by a gradient hook
(grad * mask) and by re-applying the mask after each optimizer step. Validation each epoch.

Healthy control: standard gradual pruning; the model keeps improving while the density drops.

Possible false alarm: 85% of the entries of the two big weight matrices have exactly zero
gradient and never change for the second half of training, and the units feeding only pruned
weights look dead or frozen; a naive detector might call this frozen_or_unoptimized,
no_gradient_flow or dead_units. The loss also bumps up when a pruning step removes weights.

Measured (seed 0, 1 thread): val acc 0.749 after epoch 0, 0.852 at 36% sparsity, final val loss
0.284, val acc 0.908 with 85% of the hidden weights pruned.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)

X, y = make_classification(n_samples=3000, n_features=24, n_informative=12, n_redundant=6,
                           n_classes=4, n_clusters_per_class=2, class_sep=1.2, random_state=3)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

model = nn.Sequential(
    nn.Linear(24, 256), nn.ReLU(),
    nn.Linear(256, 256), nn.ReLU(),
    nn.Linear(256, 4),
)
prunable = [m for m in model if isinstance(m, nn.Linear)][:2]
masks = {m: torch.ones_like(m.weight) for m in prunable}
for m in prunable:
    m.weight.register_hook(lambda g, m=m: g * masks[m])

opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)

EPOCHS, BATCH = 12, 64
steps_per_epoch = (len(X_tr) + BATCH - 1) // BATCH
total_steps = EPOCHS * steps_per_epoch
prune_start, prune_end, final_sparsity, prune_every = 60, int(0.7 * total_steps), 0.85, 20


def target_sparsity(step):
    if step < prune_start:
        return 0.0
    t = min(1.0, (step - prune_start) / (prune_end - prune_start))
    return final_sparsity * (1 - (1 - t) ** 3)


@torch.no_grad()
def update_masks(sparsity):
    for m in prunable:
        k = int(sparsity * m.weight.numel())
        if k == 0:
            continue
        threshold = m.weight.abs().flatten().kthvalue(k).values
        masks[m].copy_((m.weight.abs() > threshold).float())
        m.weight.mul_(masks[m])


step = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), BATCH):
        idx = perm[i:i + BATCH]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for m in prunable:
                m.weight.mul_(masks[m])
        step += 1
        if step % prune_every == 0:
            update_masks(target_sparsity(step))
    model.eval()
    with torch.no_grad():
        logits = model(X_va)
        val_loss = F.cross_entropy(logits, y_va).item()
        val_acc = (logits.argmax(1) == y_va).float().mean().item()
    density = sum(masks[m].sum().item() for m in prunable) / sum(masks[m].numel() for m in prunable)
    print(f"epoch {epoch:2d} step {step} train_loss {loss.item():.4f} val_loss {val_loss:.4f} "
          f"val_acc {val_acc:.3f} weight_density {density:.2f}")

print(f"final: val_acc {val_acc:.3f} with {1 - density:.0%} of hidden weights pruned")
