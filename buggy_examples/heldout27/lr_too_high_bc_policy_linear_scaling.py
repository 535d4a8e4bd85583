"""Behaviour cloning of a PD-controller policy (tanh-squashed MLP, SGD + Nesterov momentum).

Seeded bug: the "linear scaling rule" is applied as lr = base_lr * batch_size, dropping the
division by the reference batch size (256) that the --base-lr help text refers to. With the
defaults this gives lr = 1.28 instead of 0.005, far beyond the stable step size for this MLP
with momentum 0.9.

Measured (defaults, 256 SGD steps): epoch-mean train MSE rises 0.52 -> 0.65 -> 0.93 over the
first three epochs and stays ~0.91; final val MSE is 0.954, worse than predicting zero
actions (0.677). With lr = base_lr * batch_size / 256 the same
script reaches val MSE 0.0061.
"""
# traindebug-expect: lr_too_high
import argparse
import math
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


def expert_policy(states):
    # hand-tuned PD controller for a 2-D point mass: push towards origin, damp velocity
    pos, vel = states[:, :2], states[:, 2:4]
    goal_dir = states[:, 4:6]
    a = -1.5 * pos - 0.8 * vel + 0.5 * goal_dir
    return np.tanh(a)


def make_demos(n, rng):
    s = np.concatenate([
        rng.uniform(-2, 2, size=(n, 2)),
        rng.normal(0, 0.7, size=(n, 2)),
        rng.normal(0, 1.0, size=(n, 2)),
    ], axis=1).astype(np.float32)
    a = expert_policy(s).astype(np.float32)
    a += rng.normal(0, 0.02, size=a.shape).astype(np.float32)
    return s, a


class Policy(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(obs_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.mu = nn.Linear(hidden, act_dim)

    def forward(self, obs):
        return torch.tanh(self.mu(self.body(obs)))


def parse():
    p = argparse.ArgumentParser(description="behaviour cloning from PD-controller demos")
    p.add_argument("--n-demos", type=int, default=4096)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--base-lr", type=float, default=0.01,
                   help="lr for a reference batch of 256 (linear scaling rule)")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--seed", type=int, default=3)
    return p.parse_args()


def main():
    args = parse()
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    s, a = make_demos(args.n_demos, rng)
    s_val, a_val = make_demos(1024, rng)
    S, A = torch.from_numpy(s), torch.from_numpy(a)
    Sv, Av = torch.from_numpy(s_val), torch.from_numpy(a_val)

    policy = Policy(S.shape[1], A.shape[1], args.hidden)
    lr = args.base_lr * args.batch_size
    opt = torch.optim.SGD(policy.parameters(), lr=lr, momentum=0.9, nesterov=True)
    loss_fn = nn.MSELoss()

    steps_per_epoch = math.ceil(len(S) / args.batch_size)
    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(S))
        running = 0.0
        for i in range(steps_per_epoch):
            idx = perm[i * args.batch_size:(i + 1) * args.batch_size]
            pred = policy(S[idx])
            loss = loss_fn(pred, A[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.item()
            step += 1
        with torch.no_grad():
            val = loss_fn(policy(Sv), Av).item()
        print(f"epoch {epoch:2d} step {step:4d} lr {lr:.3g} train_mse {running / steps_per_epoch:.4f} val_mse {val:.4f}")

    with torch.no_grad():
        base = loss_fn(torch.zeros_like(Av), Av).item()
    print(f"final val_mse {val:.4f} (predict-zero baseline {base:.4f})")


if __name__ == "__main__":
    main()
