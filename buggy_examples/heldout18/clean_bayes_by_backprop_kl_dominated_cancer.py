"""Bayes-by-backprop MLP (mean-field Gaussian weights, reparameterisation trick) on
load_breast_cancer, trained on the per-example ELBO (NLL + KL / N_train) with Adam.

Healthy control. Patterns a naive detector might flag: the reported loss is
dominated by the KL(posterior || N(0,1)) term (~8.6 at the start vs an NLL of
~0.35) and stays far above zero for the whole run, falling slowly as the
posterior variances grow; each forward pass samples new weights, so the
per-batch loss and the gradients are noisy and parameters named *_rho get
small, odd-looking updates. None of this is a fault: the data term is fit
quickly and the predictive distribution is well calibrated.
Measured (16 epochs, 224 steps): loss 8.92 -> 3.74 (NLL 0.35 -> 0.07, KL
8.57 -> 3.68); test accuracy 0.986-0.993, test NLL 0.032 (20-sample predictive).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(17)


class BayesLinear(nn.Module):
    """Mean-field Gaussian weights, sampled with the reparameterisation trick."""

    def __init__(self, d_in, d_out, prior_sigma=1.0, rho_init=-4.0):
        super().__init__()
        self.w_mu = nn.Parameter(torch.empty(d_out, d_in).uniform_(-1, 1) / math.sqrt(d_in))
        self.w_rho = nn.Parameter(torch.full((d_out, d_in), rho_init))
        self.b_mu = nn.Parameter(torch.zeros(d_out))
        self.b_rho = nn.Parameter(torch.full((d_out,), rho_init))
        self.prior_sigma = prior_sigma

    @staticmethod
    def _kl(mu, sigma, prior_sigma):
        return (torch.log(prior_sigma / sigma) + (sigma ** 2 + mu ** 2) / (2 * prior_sigma ** 2) - 0.5).sum()

    def forward(self, x, sample=True):
        w_sigma, b_sigma = F.softplus(self.w_rho), F.softplus(self.b_rho)
        if sample:
            w = self.w_mu + w_sigma * torch.randn_like(w_sigma)
            b = self.b_mu + b_sigma * torch.randn_like(b_sigma)
        else:
            w, b = self.w_mu, self.b_mu
        self.kl = self._kl(self.w_mu, w_sigma, self.prior_sigma) + self._kl(self.b_mu, b_sigma, self.prior_sigma)
        return F.linear(x, w, b)


class BayesMLP(nn.Module):
    def __init__(self, d_in, hidden=32):
        super().__init__()
        self.l1 = BayesLinear(d_in, hidden)
        self.l2 = BayesLinear(hidden, 2)

    def forward(self, x, sample=True):
        return self.l2(F.relu(self.l1(x, sample)), sample)

    def kl(self):
        return self.l1.kl + self.l2.kl


def predictive(model, x, n_samples=20):
    with torch.no_grad():
        probs = torch.stack([F.softmax(model(x), -1) for _ in range(n_samples)])
    return probs.mean(0)


def main():
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=17, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    n_train = len(Xtr)

    model = BayesMLP(Xtr.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    bs = 32
    n_batches = math.ceil(n_train / bs)
    step = 0
    for epoch in range(16):
        perm = torch.randperm(n_train)
        nll_sum = kl_sum = 0.0
        for s in range(0, n_train, bs):
            j = perm[s:s + bs]
            logits = model(Xtr[j])
            nll = F.cross_entropy(logits, ytr[j])
            kl = model.kl() / n_train           # ELBO per data point: KL spread over the dataset
            loss = nll + kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            nll_sum += nll.item()
            kl_sum += kl.item()
            step += 1
        if epoch % 5 == 0 or epoch == 15:
            p = predictive(model, Xte)
            acc = (p.argmax(1) == yte).float().mean().item()
            test_nll = F.nll_loss(torch.log(p + 1e-8), yte).item()
            print(f"epoch {epoch:2d} step {step:3d}  loss {(nll_sum + kl_sum) / n_batches:.3f} "
                  f"(nll {nll_sum / n_batches:.3f} + kl {kl_sum / n_batches:.3f})  "
                  f"test_acc {acc:.3f}  test_nll {test_nll:.3f}")


if __name__ == "__main__":
    main()
