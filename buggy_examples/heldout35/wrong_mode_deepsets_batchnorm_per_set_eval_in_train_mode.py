"""
Deep Sets regressor with BatchNorm in the per-point network: phi = 2 x (Linear, BatchNorm1d, ReLU)
over the flattened points, mean+max pooling, rho MLP. Sets of 2-D Gaussian points with random centre,
scale and anisotropy; the target is the mean distance of the points to the set centroid. Training on
4000 sets of size 24 in batches of 100 (Adam lr 2e-3, ExponentialLR 0.8, 6 epochs = 240 steps);
the test sets have variable sizes (12-39 points) and are therefore scored one set at a time.

Seeded bug: evaluate() runs under torch.no_grad() but never calls model.eval(), so the test sets
are pushed through BatchNorm in training mode. With one set per forward pass, BatchNorm normalises
with that single set's own statistics, which removes exactly the spread information the target is
about (and it also overwrites the running statistics with test data). Forgetting model.eval() when
no_grad is already there is a very common slip.

Measured (seed 0, 1 thread): train MSE 0.0244 in both runs, buggy final test MSE 2.17 (worse than the
test target variance 0.548) vs fixed copy (model.eval() in evaluate) test MSE 0.036.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def sample_set(size):
    """Points scattered around a random centre; the target is the set's mean distance to its centroid."""
    centre = rng.uniform(-3, 3, size=2)
    scale = rng.uniform(0.2, 2.0)
    pts = centre + scale * rng.standard_normal((size, 2)) * rng.uniform(0.5, 1.5, size=2)
    target = np.linalg.norm(pts - pts.mean(0), axis=1).mean()
    return pts.astype(np.float32), np.float32(target)


class DeepSets(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.phi = nn.Sequential(
            nn.Linear(2, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
        )
        self.rho = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):  # x: (B, N, 2)
        B, N, _ = x.shape
        h = self.phi(x.reshape(B * N, -1)).reshape(B, N, -1)
        pooled = torch.cat([h.mean(1), h.max(1).values], dim=-1)
        return self.rho(pooled).squeeze(-1)


def evaluate(model, sets, targets):
    """Test sets have different sizes, so score them one at a time."""
    errs = []
    with torch.no_grad():
        for pts, t in zip(sets, targets):
            pred = model(torch.from_numpy(pts)[None])
            errs.append((pred.item() - t) ** 2)
    return float(np.mean(errs))


def main():
    train = [sample_set(24) for _ in range(4000)]
    x_train = torch.from_numpy(np.stack([p for p, _ in train]))
    y_train = torch.tensor([t for _, t in train])
    test = [sample_set(int(rng.integers(12, 40))) for _ in range(300)]
    test_sets, test_targets = [p for p, _ in test], [t for _, t in test]
    print(f"target variance on test: {np.var(test_targets):.4f}")

    model = DeepSets()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.8)
    batch = 100
    for epoch in range(6):
        model.train()
        perm = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            loss = nn.functional.mse_loss(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        test_mse = evaluate(model, test_sets, test_targets)
        print(f"epoch {epoch} train_mse {total / len(perm):.4f} test_mse {test_mse:.4f}")
    print(f"final test MSE {test_mse:.4f}")


if __name__ == "__main__":
    main()
