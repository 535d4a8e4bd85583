"""
Bayes-by-backprop Poisson regression written functionally: mean-field Gaussian posteriors over
all weights of an 8-48-48-1 tanh MLP kept in a dict of explicit tensors (mu, rho; sigma =
softplus(rho)), reparameterised weight samples used with F.linear, log-link Poisson likelihood
(F.poisson_nll_loss, log_input=True) on simulated counts from a nonlinear rate, N(0, 1) prior
with closed-form KL. Adam lr 1e-2, manual batches of 100 over 3000 rows, 10 epochs (300 steps).
Reports held-out Poisson deviance-style NLL of the posterior-mean prediction.

Seeded bug: the minibatch ELBO is written as  nll.mean() + kl  instead of
nll.mean() + kl / N_train. The likelihood is averaged per example while the KL is the full
KL of ~2.8k weights, so the prior term is ~3000x too heavy; the optimiser spends its steps
shrinking every posterior back to N(0, 1) (mu -> 0, sigma -> 1), and the sampled networks are
pure noise with respect to the data. A very common scaling slip with Bayes-by-backprop.

Measured (seed 0, 1 thread): buggy: objective 11949 -> 4568 (almost all KL), held-out NLL
2.62, worse than predicting the training mean count (2.55); correlation of predicted and true
rate 0.46. Fixed copy (kl / N_train): held-out NLL 1.59, rate correlation 0.93.
"""
# traindebug-expect: over_regularization
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

D, H = 8, 48


def simulate(n):
    X = rng.normal(size=(n, D)).astype(np.float32)
    log_rate = 0.8 + 0.9 * np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] - 0.4 * X[:, 3] ** 2 \
        + 0.3 * X[:, 4]
    rate = np.exp(np.clip(log_rate, -3, 3))
    return X, rng.poisson(rate).astype(np.float32), rate.astype(np.float32)


X_tr, y_tr, _ = map(torch.from_numpy, simulate(3000))
X_te, y_te, rate_te = map(torch.from_numpy, simulate(1000))
N_TRAIN = len(X_tr)


def init_posterior(shapes):
    params = {}
    for name, shape in shapes.items():
        fan_in = shape[1] if len(shape) == 2 else shape[0]
        params[name + ".mu"] = (torch.randn(shape) / math.sqrt(fan_in)).requires_grad_()
        params[name + ".rho"] = torch.full(shape, -5.0, requires_grad=True)
    return params


shapes = {"w1": (H, D), "b1": (H,), "w2": (H, H), "b2": (H,), "w3": (1, H), "b3": (1,)}
post = init_posterior(shapes)


def sample_weights(post, mean_only=False):
    w = {}
    for name in shapes:
        mu, rho = post[name + ".mu"], post[name + ".rho"]
        w[name] = mu if mean_only else mu + F.softplus(rho) * torch.randn_like(mu)
    return w


def forward(w, x):
    h = torch.tanh(F.linear(x, w["w1"], w["b1"]))
    h = torch.tanh(F.linear(h, w["w2"], w["b2"]))
    return F.linear(h, w["w3"], w["b3"]).squeeze(-1)          # log-rate


def kl_to_std_normal(post):
    kl = 0.0
    for name in shapes:
        mu, sigma = post[name + ".mu"], F.softplus(post[name + ".rho"])
        kl = kl + (0.5 * (sigma ** 2 + mu ** 2 - 1.0) - torch.log(sigma)).sum()
    return kl


opt = torch.optim.Adam(post.values(), lr=1e-2)
BATCH = 100

for epoch in range(10):
    perm = torch.randperm(N_TRAIN)
    for i in range(0, N_TRAIN, BATCH):
        idx = perm[i:i + BATCH]
        log_rate = forward(sample_weights(post), X_tr[idx])
        nll = F.poisson_nll_loss(log_rate, y_tr[idx], log_input=True, full=True)
        kl = kl_to_std_normal(post)
        loss = nll + kl
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        lr_te = forward(sample_weights(post, mean_only=True), X_te)
        test_nll = F.poisson_nll_loss(lr_te, y_te, log_input=True, full=True).item()
        corr = np.corrcoef(lr_te.exp().numpy(), rate_te.numpy())[0, 1]
    if epoch % 2 == 0 or epoch == 9:
        print(f"epoch {epoch}  objective {loss.item():.3f}  nll {nll.item():.3f}  "
              f"kl {kl.item():.1f}  test NLL {test_nll:.4f}  rate corr {corr:.3f}")

baseline = F.poisson_nll_loss(torch.full_like(y_te, y_tr.mean().log().item()), y_te,
                              log_input=True, full=True).item()
print(f"final test NLL {test_nll:.4f} (constant-mean baseline {baseline:.4f})  rate corr {corr:.3f}")
