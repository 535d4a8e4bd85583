"""Two-stage self-supervised pipeline on the breast-cancer table:
(1) SimCLR-style contrastive pre-training of an MLP encoder with NT-Xent on two
stochastically augmented views of each row (random feature masking, Gaussian
jitter, per-feature scaling); (2) a linear probe on frozen encoder features.

Healthy control. Patterns a naive detector might flag:
- the NT-Xent loss couples all samples in a batch (2N x 2N similarity
  matrix), but each sample's *embedding* depends only on that sample: the
  model output itself has no cross-sample dependence (no BatchNorm);
- logits are cosine similarities divided by a temperature of 0.2, so the
  initial loss is ~ln(2N-1) = 5.5, not ln(num_classes);
- in stage 2 the encoder is frozen (requires_grad_(False)) and kept in eval
  mode while the probe trains; its parameters deliberately never change and
  get no gradients.
Measured (seed 0): NT-Xent 5.32 -> 2.75 over 180 pre-training steps;
linear probe (80 steps) on frozen features: test acc 0.959 (a probe on the
same encoder at random init reaches 0.947).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

PRETRAIN_STEPS = 180
PROBE_STEPS = 80
BATCH = 128
TAU = 0.2


class Augment:
    def __init__(self, feat_std, p_mask=0.25, jitter=0.3):
        self.feat_std = feat_std
        self.p_mask = p_mask
        self.jitter = jitter

    def __call__(self, x):
        keep = (torch.rand_like(x) > self.p_mask).float()
        scale = 1.0 + 0.1 * torch.randn(1, x.size(1))
        return keep * x * scale + self.jitter * self.feat_std * torch.randn_like(x)


class Encoder(nn.Module):
    def __init__(self, d_in, d_rep=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Linear(128, d_rep), nn.ReLU())

    def forward(self, x):
        return self.body(x)


def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
    sim = z @ z.t() / tau
    n = z1.size(0)
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def linear_probe(encoder, xtr, ytr, xte, yte, steps):
    encoder.eval()
    for p in encoder.parameters():
        p.requires_grad_(False)
    probe = nn.Linear(64, 2)
    opt = torch.optim.SGD(probe.parameters(), lr=0.1, momentum=0.9)
    for step in range(steps):
        idx = torch.randint(0, len(xtr), (BATCH,))
        with torch.no_grad():
            feats = encoder(xtr[idx])
        loss = F.cross_entropy(probe(feats), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (probe(encoder(xte)).argmax(1) == yte).float().mean().item()
    return loss.item(), acc


def main():
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr = torch.tensor((Xtr - mu) / sd, dtype=torch.float32)
    Xte = torch.tensor((Xte - mu) / sd, dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    aug = Augment(Xtr.std(0, keepdim=True))
    encoder = Encoder(Xtr.shape[1])
    projector = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32))

    baseline = Encoder(Xtr.shape[1])
    baseline.load_state_dict(encoder.state_dict())

    opt = torch.optim.NAdam(list(encoder.parameters()) + list(projector.parameters()), lr=2e-3, weight_decay=1e-5)
    encoder.train()
    projector.train()
    for step in range(1, PRETRAIN_STEPS + 1):
        idx = torch.randperm(len(Xtr))[:BATCH]
        xb = Xtr[idx]
        loss = nt_xent(projector(encoder(aug(xb))), projector(encoder(aug(xb))), TAU)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == 1 or step % 60 == 0:
            print(f"pretrain step {step:3d} nt-xent {loss.item():.4f}")

    probe_loss, acc = linear_probe(encoder, Xtr, ytr, Xte, yte, PROBE_STEPS)
    torch.manual_seed(1)
    _, acc_rand = linear_probe(baseline, Xtr, ytr, Xte, yte, PROBE_STEPS)
    print(f"linear probe: final loss {probe_loss:.4f} test acc {acc:.3f} (random-init encoder: {acc_rand:.3f})")


if __name__ == "__main__":
    main()
