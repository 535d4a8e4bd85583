"""Generative neural SDE fitted by simulation (moment matching through Euler-Maruyama).

Observed: 512 paths of a mean-reverting process on t in [0, 6] (40 steps of dt=0.15).
Model: dX = [kappa (mu - X) + c tanh(g_theta(X))] dt + sigma dW, with kappa, mu, sigma
learnable and a bounded small-MLP correction g_theta (c = 0.5).  Paths are simulated with Euler-Maruyama using the
reparameterised noise and the loss is the squared error between simulated and observed
per-time means and standard deviations, backpropagated through the whole 40-step
rollout.  Adam (lr 1e-2), 170 steps, hand-written loop with a tiny config dict.

Seeded bug: the mean-reversion drift is typed as `kappa * (x - mu)` instead of
`kappa * (mu - x)`.  The linearised dynamics become x_{k+1} = (1 + kappa dt) x_k, so
perturbations (and the backward signal through time) are multiplied by ~e^{kappa t}
along the rollout: the gradient norm is 9.3e3 at step 0 and stays at 1e1-1e2 for the
whole run, while the correct model's is 2.5 at step 0 and 0.03-0.1 afterwards; the
bounded correction cannot undo the unstable linear term.  Realistic: a sign typo
in the OU drift, the kind that is easy to miss when reading the formula.

Measured (seed 0, 170 steps): buggy initial moment loss 878, final moment loss 1.30,
max grad norm 9.3e3; fixed copy (`kappa * (mu - x)`): initial loss 0.81, final loss
0.0126, max grad norm 2.5.
"""
# traindebug-expect: exploding_gradients
import time

import torch
import torch.nn as nn

CFG = dict(seed=0, n_obs=512, n_sim=256, T=6.0, n_steps=40, lr=1e-2, iters=170, max_corr=0.5)


def observed_paths(cfg, gen):
    dt = cfg["T"] / cfg["n_steps"]
    x = -1.0 + 0.3 * torch.randn(cfg["n_obs"], generator=gen)
    xs = [x]
    for _ in range(cfg["n_steps"]):
        x = x + 1.5 * (1.0 - x) * dt + 0.5 * dt ** 0.5 * torch.randn(cfg["n_obs"], generator=gen)
        xs.append(x)
    return torch.stack(xs)


class NeuralOU(nn.Module):
    def __init__(self, max_corr):
        super().__init__()
        self.max_corr = max_corr
        self.log_kappa = nn.Parameter(torch.tensor(0.0))
        self.mu = nn.Parameter(torch.tensor(0.0))
        self.log_sigma = nn.Parameter(torch.tensor(-1.0))
        self.log_s0 = nn.Parameter(torch.tensor(-1.0))
        self.m0 = nn.Parameter(torch.tensor(0.0))
        self.g = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))

    def drift(self, x):
        kappa = self.log_kappa.exp()
        correction = self.max_corr * torch.tanh(self.g(x.unsqueeze(-1)).squeeze(-1))
        return kappa * (x - self.mu) + correction

    def simulate(self, n, n_steps, dt):
        x = self.m0 + self.log_s0.exp() * torch.randn(n)
        xs = [x]
        for _ in range(n_steps):
            x = x + self.drift(x) * dt + self.log_sigma.exp() * dt ** 0.5 * torch.randn(n)
            xs.append(x)
        return torch.stack(xs)


def main(cfg=CFG):
    torch.set_num_threads(1)
    torch.manual_seed(cfg["seed"])
    gen = torch.Generator().manual_seed(cfg["seed"] + 1)
    data = observed_paths(cfg, gen)
    obs_mean, obs_std = data.mean(1), data.std(1)
    dt = cfg["T"] / cfg["n_steps"]

    model = NeuralOU(cfg["max_corr"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    max_norm = 0.0
    for it in range(cfg["iters"]):
        sim = model.simulate(cfg["n_sim"], cfg["n_steps"], dt)
        loss = ((sim.mean(1) - obs_mean) ** 2).mean() + ((sim.std(1) - obs_std) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        gnorm = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.parameters())).item()
        max_norm = max(max_norm, gnorm)
        opt.step()
        if it % 40 == 0 or it == cfg["iters"] - 1:
            print(f"iter {it:3d} loss {loss.item():.4f} grad_norm {gnorm:.3e} "
                  f"kappa {model.log_kappa.exp().item():.3f} mu {model.mu.item():.3f}")
    print(f"final moment loss {loss.item():.4f}  max grad norm {max_norm:.3e}")


if __name__ == "__main__":
    t0 = time.process_time()
    main()
    print(f"cpu time {time.process_time() - t0:.1f}s")
