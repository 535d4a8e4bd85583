"""
Bayesian neural network on sklearn load_breast_cancer (30 standardised features, binary)
sampled with stochastic-gradient Langevin dynamics (Welling & Teh 2011): an MLP 30 -> 32 -> 1
(tanh), Gaussian prior N(0, 1) on every weight, minibatches of 32. Each step computes the
minibatch estimate of the full-data potential U = (N / B) * sum BCE + ||theta||^2 / 2 and
applies the manual Langevin update theta <- theta - (eps / 2) grad U + N(0, eps) with a
polynomially decaying step size eps_t = a (b + t)^-0.55. After a 100-step burn-in every 5th
parameter vector is kept; the prediction is the average over the collected posterior samples.
600 steps in total.

Healthy control: SGLD is a sampler, not an optimiser, and the script is correct.
Possible false alarm: there is no torch.optim optimizer at all (parameters are updated by hand
under no_grad and gradients are cleared by setting .grad = None); the update deliberately adds
Gaussian noise, so parameters keep moving and the minibatch loss never settles; the potential
is scaled by N, so raw gradient norms are ~50-150 (and rise again late in the run) while the
step size is tiny (~1e-4); a naive detector may read this as exploding gradients, a too-high learning rate or
an unoptimised model.

Measured (seed 0, 1 thread): posterior-averaged (100 samples) test accuracy 0.951, test NLL
0.133, train accuracy 0.981; the single final sample alone: test accuracy 0.958. Runtime
~4.5 s CPU time.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_STEPS = 600
BURN_IN = 100
THIN = 5
BATCH = 32
A, B, GAMMA = 4e-4, 20.0, 0.55


def step_size(t):
    return A * (B + t) ** -GAMMA * B ** GAMMA


def main():
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
    X_te = torch.tensor((X_te - mu) / sd, dtype=torch.float32)
    y_tr = torch.tensor(y_tr, dtype=torch.float32)
    y_te = torch.tensor(y_te, dtype=torch.float32)
    n = len(X_tr)

    net = nn.Sequential(nn.Linear(30, 32), nn.Tanh(), nn.Linear(32, 1))
    params = list(net.parameters())

    samples_te, samples_tr = [], []
    gen = torch.Generator().manual_seed(0)
    for t in range(N_STEPS):
        idx = torch.randint(0, n, (BATCH,), generator=gen)
        logits = net(X_tr[idx]).squeeze(1)
        nll = F.binary_cross_entropy_with_logits(logits, y_tr[idx], reduction="sum") * (n / BATCH)
        prior = 0.5 * sum((p ** 2).sum() for p in params)
        potential = nll + prior
        for p in params:
            p.grad = None
        potential.backward()

        eps = step_size(t)
        with torch.no_grad():
            gnorm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in params))
            for p in params:
                p.add_(-0.5 * eps * p.grad + math.sqrt(eps) * torch.randn_like(p))

        if t >= BURN_IN and t % THIN == 0:
            with torch.no_grad():
                samples_te.append(torch.sigmoid(net(X_te).squeeze(1)))
                samples_tr.append(torch.sigmoid(net(X_tr).squeeze(1)))
        if t % 100 == 0 or t == N_STEPS - 1:
            print(f"step {t:4d} eps {eps:.2e} potential {potential.item():9.2f} "
                  f"minibatch_bce {nll.item() / n:.4f} grad_norm {gnorm:.1f}")

    p_te = torch.stack(samples_te).mean(0)
    p_tr = torch.stack(samples_tr).mean(0)
    test_acc = ((p_te > 0.5).float() == y_te).float().mean().item()
    train_acc = ((p_tr > 0.5).float() == y_tr).float().mean().item()
    test_nll = F.binary_cross_entropy(p_te.clamp(1e-6, 1 - 1e-6), y_te).item()
    last_acc = ((samples_te[-1] > 0.5).float() == y_te).float().mean().item()
    print(f"posterior samples {len(samples_te)}")
    print(f"final train_acc {train_acc:.3f} test_acc {test_acc:.3f} test_nll {test_nll:.3f} "
          f"last_sample_test_acc {last_acc:.3f}")


if __name__ == "__main__":
    main()
