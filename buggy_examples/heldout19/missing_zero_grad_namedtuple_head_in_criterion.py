"""Embedding + MLP encoder on synthetic tabular shopper data, NamedTuple batches,
class-based Trainer; the output layer lives inside the loss module.

Seeded bug (missing_zero_grad): the optimizer is built over the encoder's AND the
criterion's parameters (the criterion owns the Linear classifier), but the
trainer resets gradients with `self.model.zero_grad()`, which only clears the
encoder. The classifier's .grad keeps accumulating across all steps, so with SGD
+ Nesterov momentum its effective step grows linearly: head weights blow up and
training is noisier and worse.
Measured: buggy |W_head| grows 6.5 -> 195 over 240 steps, loss spikes (0.97 -> 1.17
at epoch 3), final train loss 0.772, val_acc 0.742 (last-3-epoch mean 0.757); fixed
(`self.opt.zero_grad()`) |W_head| ~3.1, final train loss 0.732, val_acc 0.778
(last-3-epoch mean 0.789, peak 0.796).
"""
# traindebug-expect: missing_zero_grad
from typing import NamedTuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(42)


class Batch(NamedTuple):
    cat: torch.Tensor     # (B, 3) int64 categorical codes
    num: torch.Tensor     # (B, 6) float32 numeric features
    label: torch.Tensor   # (B,)


class ShopperDataset(Dataset):
    """Synthetic shopper sessions: 3 categorical fields + 6 numeric ones, 5 segments."""

    def __init__(self, n, seed):
        g = np.random.default_rng(seed)
        proto = np.random.default_rng(1234)
        self.card = (12, 7, 5)
        cat_effect = [proto.normal(size=(c, 5)) for c in self.card]
        num_w = proto.normal(size=(6, 5))
        self.cat = np.stack([g.integers(0, c, size=n) for c in self.card], 1)
        self.num = g.normal(size=(n, 6)).astype(np.float32)
        logits = self.num @ num_w + sum(cat_effect[j][self.cat[:, j]] for j in range(3))
        self.y = (logits + g.gumbel(size=logits.shape) * 0.7).argmax(1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.cat[i], self.num[i], self.y[i]


def collate(items):
    cat, num, y = zip(*items)
    return Batch(torch.tensor(np.stack(cat)), torch.tensor(np.stack(num)), torch.tensor(y))


class TabularEncoder(nn.Module):
    def __init__(self, card, n_num, emb_dim=8, out_dim=32):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in card])
        self.mlp = nn.Sequential(
            nn.Linear(len(card) * emb_dim + n_num, 64), nn.ReLU(),
            nn.Linear(64, out_dim),
        )

    def forward(self, b: Batch):
        e = torch.cat([emb(b.cat[:, j]) for j, emb in enumerate(self.embs)] + [b.num], dim=1)
        return self.mlp(e)


class SmoothedSoftmaxLoss(nn.Module):
    """Softmax classifier + label-smoothed CE; owns the output layer so the encoder
    can be reused for embedding export without a head."""

    def __init__(self, dim, n_classes, smoothing=0.1):
        super().__init__()
        self.classifier = nn.Linear(dim, n_classes)
        self.smoothing = smoothing

    def logits(self, z):
        return self.classifier(F.relu(z))

    def forward(self, z, y):
        return F.cross_entropy(self.logits(z), y, label_smoothing=self.smoothing)


class Trainer:
    def __init__(self, model, criterion, lr=0.05, epochs=8):
        self.model, self.criterion, self.epochs = model, criterion, epochs
        params = list(model.parameters()) + list(criterion.parameters())
        self.opt = torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)

    def train_step(self, batch: Batch):
        self.model.zero_grad()
        loss = self.criterion(self.model(batch), batch.label)
        loss.backward()
        self.opt.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        correct = total = 0
        for b in loader:
            pred = self.criterion.logits(self.model(b)).argmax(1)
            correct += (pred == b.label).sum().item()
            total += len(b.label)
        self.model.train()
        return correct / total

    def fit(self, train_loader, val_loader):
        step = 0
        for epoch in range(self.epochs):
            losses = []
            for b in train_loader:
                losses.append(self.train_step(b))
                step += 1
            print(f"epoch {epoch} step {step} loss {np.mean(losses):.4f} "
                  f"|W_head| {self.criterion.classifier.weight.norm():.2f} val_acc {self.evaluate(val_loader):.3f}")


train_ds, val_ds = ShopperDataset(3000, seed=0), ShopperDataset(1000, seed=1)
train_loader = DataLoader(train_ds, batch_size=100, shuffle=True, collate_fn=collate)
val_loader = DataLoader(val_ds, batch_size=500, collate_fn=collate)
Trainer(TabularEncoder(train_ds.card, 6), SmoothedSoftmaxLoss(32, 5)).fit(train_loader, val_loader)
