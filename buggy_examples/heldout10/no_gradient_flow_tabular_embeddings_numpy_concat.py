"""Tabular regression with entity embeddings for three categorical columns plus
numeric features (synthetic sales data, standardised target), Adagrad, 10 epochs x 30 = 300 steps.

Seeded bug (no_gradient_flow): `assemble` builds the feature matrix by pulling the embedding
outputs to numpy (.detach().cpu().numpy()), concatenating with np.concatenate and wrapping the
result in a new tensor.  The graph is cut there, so the three nn.Embedding tables
(requires_grad=True, in the optimizer) never receive a gradient and stay at their random init;
only the MLP trains.

Measured (seed 0): train MSE 0.267, val MSE 0.303.
Same script with torch.cat of the embedding outputs: train MSE 0.015, val MSE 0.020.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn

CAT_CARDS = {"store": 40, "region": 12, "product": 25}
NUM_FEATURES = 4


def synth_sales(n, seed):
    rng = np.random.default_rng(seed)
    effects = {k: np.random.default_rng(100 + i).normal(0, 1.0, c) for i, (k, c) in enumerate(CAT_CARDS.items())}
    cats = {k: rng.integers(0, c, n) for k, c in CAT_CARDS.items()}
    num = rng.standard_normal((n, NUM_FEATURES)).astype(np.float32)
    y = (effects["store"][cats["store"]] + effects["region"][cats["region"]]
         + effects["product"][cats["product"]] * (1 + 0.5 * num[:, 0])
         + 0.5 * num[:, 1] - 0.3 * num[:, 2] ** 2 + 0.1 * rng.standard_normal(n))
    cat_arr = np.stack([cats[k] for k in CAT_CARDS], 1)
    return cat_arr, num, y.astype(np.float32)


class TabularNet(nn.Module):
    def __init__(self, emb_dim=4, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in CAT_CARDS.values()])
        d_in = emb_dim * len(CAT_CARDS) + NUM_FEATURES
        self.mlp = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                 nn.ReLU(), nn.Linear(hidden, 1))

    def assemble(self, cat, num):
        blocks = [emb(cat[:, j]).detach().cpu().numpy() for j, emb in enumerate(self.embs)]
        feats = np.concatenate(blocks + [num.cpu().numpy()], axis=1)
        return torch.as_tensor(feats, dtype=torch.float32)

    def forward(self, cat, num):
        return self.mlp(self.assemble(cat, num)).squeeze(-1)


def main():
    torch.manual_seed(0)
    c_tr, n_tr, y_tr = synth_sales(3000, seed=0)
    c_va, n_va, y_va = synth_sales(800, seed=1)
    mu, sd = y_tr.mean(), y_tr.std()
    T = lambda a, dt=torch.float32: torch.as_tensor(a, dtype=dt)
    c_tr, n_tr, y_tr = T(c_tr, torch.long), T(n_tr), T((y_tr - mu) / sd)
    c_va, n_va, y_va = T(c_va, torch.long), T(n_va), T((y_va - mu) / sd)

    model = TabularNet()
    opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
    loss_fn = nn.MSELoss()
    bs = 100
    for epoch in range(1, 11):
        perm = torch.randperm(len(y_tr))
        run = 0.0
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(c_tr[idx], n_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            run += loss.item() * len(idx)
        with torch.no_grad():
            va = loss_fn(model(c_va, n_va), y_va).item()
        if epoch in (1, 2, 4, 6, 8, 10):
            print(f"epoch {epoch:2d}  train_mse {run / len(y_tr):.4f}  val_mse {va:.4f}")


if __name__ == "__main__":
    main()
