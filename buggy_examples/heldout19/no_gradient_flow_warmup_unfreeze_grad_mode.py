"""Seeded bug: during the head warm-up the encoder runs under
``torch.set_grad_enabled(not self.encoder_frozen)``. The unfreeze callback later calls
``model.encoder.requires_grad_(True)`` but never resets ``model.encoder_frozen``, so the
encoder forward keeps running with grad disabled: its parameters have requires_grad=True,
are in the optimizer, yet their .grad stays None for the whole run and the 8-d bottleneck
stays at its random init.
Measured (seed 0, 280 steps): buggy final train loss 1.392, val acc 0.522;
fixed (flag reset in the callback) final train loss 0.044, val acc 0.967.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


@torch.jit.script
def cosine_logits(z: torch.Tensor, w: torch.Tensor, scale: float) -> torch.Tensor:
    return scale * F.normalize(z, dim=-1) @ F.normalize(w, dim=-1).t()


class CosineHead(nn.Module):
    def __init__(self, d, n_classes, scale=10.0):
        super().__init__()
        self.w = nn.Parameter(torch.randn(n_classes, d) * 0.1)
        self.scale = scale

    def forward(self, z):
        return cosine_logits(z, self.w, self.scale)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 8), nn.LayerNorm(8))
        self.head = CosineHead(8, 10)
        self.encoder_frozen = False

    def forward(self, x):
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.encoder_frozen):
            z = self.encoder(x)
        return self.head(z)


class FreezeEncoderWarmup:
    def __init__(self, warmup_epochs):
        self.warmup_epochs = warmup_epochs

    def on_train_begin(self, model):
        model.encoder.requires_grad_(False)
        model.encoder_frozen = True

    def on_epoch_begin(self, model, epoch):
        if epoch == self.warmup_epochs:
            model.encoder.requires_grad_(True)
            print(f"epoch {epoch}: encoder unfrozen")


X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0)
Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
ytr, yva = torch.from_numpy(ytr).long(), torch.from_numpy(yva).long()

model = Net()
opt = torch.optim.RMSprop(model.parameters(), lr=2e-3)
callbacks = [FreezeEncoderWarmup(warmup_epochs=2)]
for cb in callbacks:
    cb.on_train_begin(model)

BATCH, EPOCHS = 96, 20
for epoch in range(EPOCHS):
    for cb in callbacks:
        cb.on_epoch_begin(model, epoch)
    model.train()
    perm = torch.randperm(len(Xtr))
    losses = []
    for i in range(0, len(Xtr) - BATCH + 1, BATCH):
        idx = perm[i:i + BATCH]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  loss {np.mean(losses):.4f}")

model.eval()
with torch.no_grad():
    acc = (model(Xva).argmax(1) == yva).float().mean().item()
print(f"final train loss {np.mean(losses):.4f}  val acc {acc:.3f}")
