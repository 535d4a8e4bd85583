"""CLIP-style dual encoder trained with symmetric InfoNCE on paired generated features: a
6-d latent scene code seen through a periodic "image" view (sin of a random projection,
40-d) and a rectified "text" view (|projection|, 30-d).  Each tower: input Linear, two
pre-norm residual blocks (LayerNorm -> Linear -> Dropout), output projection, L2
normalisation; learnable logit scale initialised at 1/0.07.  Trainer class with an epoch
callback, AdamW 2e-3 (wd 0.05), batch 128, 8 epochs (248 steps).  Metric: validation
image->text top-1 retrieval among 500 candidates.

Seeded bug: the residual blocks have no nonlinearity (the GELU between Linear and Dropout
was left out when writing the block), so apart from LayerNorm each tower is an affine map.
An affine map cannot invert the periodic / rectified views, so the towers cannot align the
pairs even on the training data, although gradients and updates are perfectly healthy.

Measured (seed 0): buggy final train InfoNCE 4.65 (log 128 = 4.85), val InfoNCE 6.07,
val R@1 0.018; fixed copy (GELU added in each block) train InfoNCE 1.44, val InfoNCE 2.57,
val R@1 0.486.
"""
# traindebug-expect: underfitting
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

LATENT, IMG_DIM, TXT_DIM, EMB_DIM = 6, 40, 30, 32
P_img = rng.normal(size=(LATENT, IMG_DIM))
P_txt = rng.normal(size=(LATENT, TXT_DIM))


def paired_views(n):
    """Two sensor views of the same scene: periodic image code, rectified text code."""
    z = rng.normal(size=(n, LATENT))
    img = np.sin(1.5 * z @ P_img) + 0.05 * rng.normal(size=(n, IMG_DIM))
    txt = np.abs(z @ P_txt) / math.sqrt(LATENT) + 0.05 * rng.normal(size=(n, TXT_DIM))
    txt -= txt.mean(0)
    return torch.tensor(img, dtype=torch.float32), torch.tensor(txt, dtype=torch.float32)


train_img, train_txt = paired_views(4000)
val_img, val_txt = paired_views(500)


class ProjectionEncoder(nn.Module):
    """Input layer, two pre-norm residual blocks, output projection, unit-norm embeddings."""

    def __init__(self, d_in, d_hidden=128, d_out=EMB_DIM, dropout=0.1):
        super().__init__()
        self.inp = nn.Linear(d_in, d_hidden)
        self.blocks = nn.ModuleList([
            nn.Sequential(nn.LayerNorm(d_hidden), nn.Linear(d_hidden, d_hidden), nn.Dropout(dropout))
            for _ in range(2)
        ])
        self.proj = nn.Linear(d_hidden, d_out)

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h)
        return F.normalize(self.proj(h), dim=-1)


class CLIPLite(nn.Module):
    def __init__(self):
        super().__init__()
        self.img_enc = ProjectionEncoder(IMG_DIM)
        self.txt_enc = ProjectionEncoder(TXT_DIM)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, img, txt):
        return self.logit_scale.exp().clamp(max=100) * self.img_enc(img) @ self.txt_enc(txt).t()


def info_nce(logits):
    t = torch.arange(logits.size(0))
    return 0.5 * (F.cross_entropy(logits, t) + F.cross_entropy(logits.t(), t))


class PrintEvery:
    def __init__(self, every):
        self.every = every

    def on_epoch_end(self, trainer, epoch, train_loss):
        if (epoch + 1) % self.every == 0:
            val_loss, r1 = trainer.validate()
            print(f"epoch {epoch + 1:2d}  step {trainer.step}  train InfoNCE {train_loss:.4f}  "
                  f"val InfoNCE {val_loss:.4f}  val R@1 {r1:.3f}  scale {trainer.model.logit_scale.exp().item():.1f}")


class Trainer:
    def __init__(self, model, lr=2e-3, batch_size=128, epochs=8, callbacks=()):
        self.model, self.batch_size, self.epochs = model, batch_size, epochs
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
        self.callbacks = list(callbacks)
        self.step = 0

    @torch.no_grad()
    def validate(self):
        self.model.eval()
        logits = self.model(val_img, val_txt)
        r1 = (logits.argmax(1) == torch.arange(len(val_img))).float().mean().item()
        self.model.train()
        return info_nce(logits).item(), r1

    def fit(self):
        n = len(train_img)
        for epoch in range(self.epochs):
            perm = torch.randperm(n)
            losses = []
            for i in range(0, n - self.batch_size + 1, self.batch_size):
                b = perm[i:i + self.batch_size]
                loss = info_nce(self.model(train_img[b], train_txt[b]))
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                losses.append(loss.item())
                self.step += 1
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, float(np.mean(losses)))
        return float(np.mean(losses))


t0 = time.process_time()
trainer = Trainer(CLIPLite(), callbacks=[PrintEvery(2)])
final_train = trainer.fit()
val_loss, r1 = trainer.validate()
print(f"final train InfoNCE {final_train:.4f}  val InfoNCE {val_loss:.4f}  val R@1 (500 cand.) {r1:.3f}  "
      f"(cpu {time.process_time() - t0:.1f}s)")
