"""Seeded bug: the standardised feature arrays (xtr_n / xva_n) are computed but the tensors
are then built from the raw arrays, so the network sees sensor readings in physical units
(pressure ~1e5 Pa, temperature ~300 K, flow ~1e3, plus small features) with wildly
different scales and large offsets.
Measured (this script vs. a copy that builds the tensors from the standardised arrays,
304 RMSprop steps): train KL flat at 0.57 (0.574 -> 0.569) vs 0.363 -> 0.091; final val KL
0.568 vs 0.082, val accuracy of the predicted modal grade 0.267 vs 0.808.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(11)
rng = np.random.default_rng(11)

N_BINS = 6  # predicted distribution over discretised quality grades


def make_plant_data(n):
    pressure = rng.normal(101_000, 2_500, n)      # Pa
    temp = rng.normal(305, 8, n)                  # K
    flow = rng.gamma(4.0, 300.0, n)               # l/h
    ph = rng.normal(7.0, 0.4, n)
    humidity = rng.uniform(0.2, 0.9, n)
    X = np.stack([pressure, temp, flow, ph, humidity], 1)
    z = (X - np.array([101_000, 305, 1200, 7.0, 0.55])) / np.array([2_500, 8, 600, 0.4, 0.2])
    # latent quality score -> soft distribution over grades (annotator disagreement)
    q = 0.9 * z[:, 0] - 0.7 * z[:, 1] + 0.5 * np.tanh(z[:, 2]) + 0.6 * z[:, 3] * z[:, 4]
    centres = np.linspace(-2.5, 2.5, N_BINS)
    width = 0.6 + 0.3 * np.abs(z[:, 4])[:, None]
    logits = -((q[:, None] - centres[None]) ** 2) / (2 * width ** 2)
    P = np.exp(logits - logits.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    return X.astype(np.float32), P.astype(np.float32)


xtr, ptr = make_plant_data(2400)
xva, pva = make_plant_data(600)
mu, sd = xtr.mean(0), xtr.std(0)
xtr_n, xva_n = (xtr - mu) / sd, (xva - mu) / sd

Xtr, Ptr = torch.from_numpy(xtr), torch.from_numpy(ptr)
Xva, Pva = torch.from_numpy(xva), torch.from_numpy(pva)

net = nn.Sequential(nn.Linear(5, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, N_BINS))
opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9)
kl = nn.KLDivLoss(reduction="batchmean")
bs = 64
steps = 0
for epoch in range(8):
    perm = torch.randperm(len(Xtr))
    run = 0.0
    for i in range(0, len(Xtr), bs):
        idx = perm[i:i + bs]
        loss = kl(F.log_softmax(net(Xtr[idx]), dim=1), Ptr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
        steps += 1
    with torch.no_grad():
        logq = F.log_softmax(net(Xva), 1)
        vkl = kl(logq, Pva).item()
        mode_acc = (logq.argmax(1) == Pva.argmax(1)).float().mean().item()
    print(f"epoch {epoch} train_kl {run / len(Xtr):.4f} val_kl {vkl:.4f} val_mode_acc {mode_acc:.3f}")
print(f"{steps} steps, final val_kl {vkl:.4f}")
