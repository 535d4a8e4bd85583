"""Discrete-bottleneck autoencoder on sklearn digits: encoder -> 8 categorical latents with 8
categories each, Gumbel-softmax sampling with an annealed temperature and hard (one-hot) codes,
decoder -> pixel logits; Bernoulli reconstruction loss, RMSprop, custom Dataset/DataLoader.

Seeded bug (no_gradient_flow): gumbel_bottleneck(hard=True) replaces the relaxed sample by
F.one_hot(argmax) but omits the straight-through estimator (y_hard - y.detach() + y). argmax /
one_hot are not differentiable, so the encoder's parameters (requires_grad=True) never receive
a gradient (their .grad stays None); only the decoder learns, from random codes.

Measured (seed 0, 290 steps): train reconstruction loss 27.14 nats/image, test MSE 0.0724
(predict-the-mean baseline 0.0739).
Fixed copy (straight-through): train reconstruction 23.45, test MSE 0.0474.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(0)

N_LATENT, N_CAT = 8, 8


class DigitImages(Dataset):
    def __init__(self, split="train"):
        X = load_digits().data.astype(np.float32) / 16.0
        rng = np.random.default_rng(0)
        idx = rng.permutation(len(X))
        cut = int(0.8 * len(X))
        self.X = torch.from_numpy(X[idx[:cut]] if split == "train" else X[idx[cut:]])

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i]


def gumbel_bottleneck(logits, tau=1.0, hard=False):
    """Sample a relaxed one-hot per latent; `hard` returns exact one-hot codes."""
    u = torch.rand_like(logits).clamp_(1e-6, 1 - 1e-6)
    g = -torch.log(-torch.log(u))
    y = F.softmax((logits + g) / tau, dim=-1)
    if hard:
        y = F.one_hot(y.argmax(-1), logits.shape[-1]).to(y.dtype)
    return y


class DiscreteAE(nn.Module):
    def __init__(self, d=64, h=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, h), nn.ELU(), nn.Linear(h, N_LATENT * N_CAT))
        self.decoder = nn.Sequential(nn.Linear(N_LATENT * N_CAT, h), nn.ELU(), nn.Linear(h, d))

    def forward(self, x, tau, hard=True):
        logits = self.encoder(x).view(-1, N_LATENT, N_CAT)
        z = gumbel_bottleneck(logits, tau, hard)
        return self.decoder(z.flatten(1)), logits

    @torch.no_grad()
    def reconstruct(self, x):
        logits = self.encoder(x).view(-1, N_LATENT, N_CAT)
        z = F.one_hot(logits.argmax(-1), N_CAT).float()
        return self.decoder(z.flatten(1))


def main():
    train_dl = DataLoader(DigitImages("train"), batch_size=48, shuffle=True, drop_last=True)
    test_x = DigitImages("test").X
    model = DiscreteAE()
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.95)
    epochs = 10
    taus = np.geomspace(2.0, 0.5, epochs)
    step = 0
    for ep in range(epochs):
        tot = 0.0
        for x in train_dl:
            recon, _ = model(x, tau=float(taus[ep]), hard=True)
            rec = F.binary_cross_entropy_with_logits(recon, x, reduction="sum") / len(x)
            loss = rec
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += rec.item()
            step += 1
        if ep % 3 == 0 or ep == epochs - 1:
            mse = F.mse_loss(torch.sigmoid(model.reconstruct(test_x)), test_x).item()
            print(f"epoch {ep} step {step} tau {taus[ep]:.2f} train_rec {tot / len(train_dl):.3f} test_mse {mse:.4f}")
    print(f"final test_mse {mse:.4f}  (predict-mean baseline {F.mse_loss(test_x.mean(0).expand_as(test_x), test_x).item():.4f})")


if __name__ == "__main__":
    main()
