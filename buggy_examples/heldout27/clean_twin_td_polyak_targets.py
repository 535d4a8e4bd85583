"""
Clean control. Policy evaluation with expected TD(0) on a generated 200-state Markov
chain (linear-Gaussian state features), using two value networks and a Polyak-
averaged target copy of each (clipped double estimate as in TD3). The target
networks are created with copy.deepcopy, so their parameters still have
requires_grad=True, yet they are never passed to an optimizer and never receive
a gradient: they are only moved by the soft update under torch.no_grad(). A
naive detector could flag them as "trainable parameters without gradient" or
"parameters that change without an optimizer"; both are intended here.
Measured (seed 0, 300 Adam steps): TD loss falls from 0.49 to 0.013 and the MSE
of the learned values against the exact solution (I - gamma P)^-1 r goes from
0.547 at init to 0.044 (variance of the true values 0.478).
"""
# traindebug-expect: clean
import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class Config:
    n_states: int = 200
    feat_dim: int = 8
    gamma: float = 0.9
    hidden: int = 64
    lr: float = 2e-3
    tau: float = 0.05
    batch: int = 128
    steps: int = 300


def build_chain(cfg, rng):
    feats = rng.normal(size=(cfg.n_states, cfg.feat_dim)).astype(np.float32)
    logits = rng.normal(size=(cfg.n_states, cfg.n_states)) * 0.5
    P = np.exp(logits - logits.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    w = rng.normal(size=cfg.feat_dim)
    r = np.tanh(feats @ w / np.sqrt(cfg.feat_dim)) + 0.1 * rng.normal(size=cfg.n_states)
    v_true = np.linalg.solve(np.eye(cfg.n_states) - cfg.gamma * P, r)
    return feats, P, r.astype(np.float32), v_true.astype(np.float32)


def value_net(cfg):
    return nn.Sequential(nn.Linear(cfg.feat_dim, cfg.hidden), nn.SiLU(),
                         nn.Linear(cfg.hidden, cfg.hidden), nn.SiLU(),
                         nn.Linear(cfg.hidden, 1))


class TwinTD:
    def __init__(self, cfg):
        self.cfg = cfg
        self.v1, self.v2 = value_net(cfg), value_net(cfg)
        self.v1_targ, self.v2_targ = copy.deepcopy(self.v1), copy.deepcopy(self.v2)
        self.opt = torch.optim.Adam(list(self.v1.parameters()) + list(self.v2.parameters()), lr=cfg.lr)

    @torch.no_grad()
    def target(self, r, p_next, all_feats):
        # expected TD target: the chain's transition rows are known
        v_all = torch.min(self.v1_targ(all_feats), self.v2_targ(all_feats)).squeeze(-1)
        return r + self.cfg.gamma * p_next @ v_all

    @torch.no_grad()
    def polyak(self):
        for online, targ in ((self.v1, self.v1_targ), (self.v2, self.v2_targ)):
            for p, p_t in zip(online.parameters(), targ.parameters()):
                p_t.lerp_(p, self.cfg.tau)

    def update(self, s, r, p_next, all_feats):
        y = self.target(r, p_next, all_feats)
        loss = ((self.v1(s).squeeze(-1) - y) ** 2).mean() + ((self.v2(s).squeeze(-1) - y) ** 2).mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        self.polyak()
        return loss.item() / 2

    @torch.no_grad()
    def values(self, feats):
        return 0.5 * (self.v1(feats) + self.v2(feats)).squeeze(-1)


def main():
    cfg = Config()
    rng = np.random.default_rng(0)
    feats, P, r, v_true = build_chain(cfg, rng)
    feats_t, r_t, v_true_t = map(torch.from_numpy, (feats, r, v_true))
    P_t = torch.from_numpy(P.astype(np.float32))
    agent = TwinTD(cfg)
    print(f"true value variance {v_true.var():.4f}  initial value mse "
          f"{((agent.values(feats_t) - v_true_t) ** 2).mean().item():.4f}")
    for step in range(1, cfg.steps + 1):
        s = rng.integers(0, cfg.n_states, cfg.batch)
        loss = agent.update(feats_t[s], r_t[s], P_t[s], feats_t)
        if step == 1 or step % 50 == 0:
            mse = ((agent.values(feats_t) - v_true_t) ** 2).mean().item()
            print(f"step {step:3d}  td loss {loss:.4f}  value mse {mse:.4f}")


if __name__ == "__main__":
    main()
