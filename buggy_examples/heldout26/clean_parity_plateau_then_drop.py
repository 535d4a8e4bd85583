"""Clean control: 2-hidden-layer tanh MLP on the 4-bit parity of the first 4 of
8 +-1 input bits (the other 4 bits are distractors), Adam, 360 steps.

Pattern that might fool a naive detector: parity has no first-order signal, so
the loss sits on a plateau at ln 2 = 0.693 (0.694, 0.687, 0.687 at steps 30-90;
test accuracy at or below chance) for the first ~30% of training while the
gradients are small but healthy. A detector looking only at the early window
could call it lr_too_low, label_problem or underfitting.

Measured: the loss then falls 0.651 (step 120) -> 0.48 -> 0.065 (step 210) ->
0.0014 at step 360, and test accuracy reaches 1.000 from step 210 on.
"""
# traindebug-expect: clean
import itertools

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


class Config:
    n_bits = 8             # input bits, only the first `k` matter
    k = 4                  # parity order
    hidden = 64
    lr = 6e-3
    batch_size = 64
    steps = 360
    eval_every = 30
    seed = 2


def make_parity(cfg, rng):
    X = np.array(list(itertools.product([-1.0, 1.0], repeat=cfg.n_bits)), dtype=np.float32)
    y = (np.prod(X[:, :cfg.k], axis=1) < 0).astype(np.float32)
    idx = rng.permutation(len(X))
    n_tr = int(0.75 * len(X))
    return (torch.from_numpy(X[idx[:n_tr]]), torch.from_numpy(y[idx[:n_tr]]),
            torch.from_numpy(X[idx[n_tr:]]), torch.from_numpy(y[idx[n_tr:]]))


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    Xtr, ytr, Xte, yte = make_parity(cfg, rng)
    net = nn.Sequential(nn.Linear(cfg.n_bits, cfg.hidden), nn.Tanh(),
                        nn.Linear(cfg.hidden, cfg.hidden), nn.Tanh(),
                        nn.Linear(cfg.hidden, 1))
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    crit = nn.BCEWithLogitsLoss()
    window = []
    for step in range(1, cfg.steps + 1):
        idx = torch.randint(0, len(Xtr), (cfg.batch_size,))
        loss = crit(net(Xtr[idx]).squeeze(1), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        window.append(loss.item())
        if step % cfg.eval_every == 0:
            with torch.no_grad():
                acc = ((net(Xte).squeeze(1) > 0).float() == yte).float().mean().item()
            print(f"step {step:4d} loss {np.mean(window):.4f} test_acc {acc:.3f}")
            window.clear()


if __name__ == "__main__":
    main()
