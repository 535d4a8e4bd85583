"""Graph classification with a 3-layer GCN on dense, symmetric-normalised adjacency matrices
(random graphs with 1, 2 or 4 communities), Adam with a StepLR schedule.

Seeded bug: StepLR(step_size=10, gamma=0.1) is meant as "decay every 10 epochs", but
sched.step() is called after every batch (32 batches per epoch). By the end of the first epoch
the learning rate is 1e-6, and by the end of the run it is 1e-28, so training stops almost at once.

Measured (256 optimizer steps): train loss 1.085 in epoch 0, then flat at 1.0805 for the rest;
val_loss 1.080, val_acc 0.578. Fixed copy (sched.step() once per epoch): train loss 0.472,
val_loss 0.489, val_acc 0.789.
"""
# traindebug-expect: lr_too_low
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(1)
np.random.seed(1)

N_NODES = 16
N_FEAT = 8
N_CLASSES = 3


def sample_graph(rng, label):
    """Class 0: Erdos-Renyi, class 1: two communities, class 2: four communities.
    Expected degree is roughly matched; node features carry a weak class-dependent shift."""
    blocks = {0: 1, 1: 2, 2: 4}[label]
    comm = rng.integers(0, blocks, size=N_NODES)
    same = comm[:, None] == comm[None, :]
    if blocks == 1:
        p = np.full((N_NODES, N_NODES), 0.25)
    else:
        p = np.where(same, 0.25 * blocks * 0.8, 0.05)
    a = (rng.random((N_NODES, N_NODES)) < p).astype(np.float32)
    a = np.triu(a, 1)
    a = a + a.T
    shift = np.zeros(N_FEAT, dtype=np.float32)
    shift[label] = 0.4
    x = rng.normal(size=(N_NODES, N_FEAT)).astype(np.float32) + shift
    return a, x


class GraphSet(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.y = rng.integers(0, N_CLASSES, size=n)
        graphs = [sample_graph(rng, int(c)) for c in self.y]
        self.adj = torch.tensor(np.stack([g[0] for g in graphs]))
        self.x = torch.tensor(np.stack([g[1] for g in graphs]))
        self.y = torch.tensor(self.y).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.adj[i], self.x[i], self.y[i]


def normalize_adj(adj):
    a_hat = adj + torch.eye(adj.size(-1))
    deg = a_hat.sum(-1)
    d_inv_sqrt = deg.pow(-0.5)
    return d_inv_sqrt.unsqueeze(-1) * a_hat * d_inv_sqrt.unsqueeze(-2)


class GCNLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out)

    def forward(self, a_norm, h):
        return torch.bmm(a_norm, self.lin(h))


class GCN(nn.Module):
    def __init__(self, d_in, hidden, n_classes):
        super().__init__()
        self.layers = nn.ModuleList([GCNLayer(d_in, hidden), GCNLayer(hidden, hidden), GCNLayer(hidden, hidden)])
        self.readout = nn.Sequential(nn.Linear(2 * hidden + 1, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, adj, x):
        a_norm = normalize_adj(adj)
        h = x
        for layer in self.layers:
            h = F.relu(layer(a_norm, h))
        density = adj.sum((1, 2)).unsqueeze(1) / (N_NODES * N_NODES)
        g = torch.cat([h.mean(1), h.max(1).values, density], dim=1)
        return self.readout(g)


def run_epoch(model, loader, opt=None, sched=None):
    train = opt is not None
    model.train(train)
    tot, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for adj, x, y in loader:
            logits = model(adj, x)
            loss = F.cross_entropy(logits, y)
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            tot += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return tot / n, correct / n


def main():
    cfg = {"epochs": 8, "batch_size": 64, "lr": 1e-3, "decay_every": 10, "decay_gamma": 0.1}
    train_ds, val_ds = GraphSet(2048, seed=10), GraphSet(512, seed=11)
    train_dl = DataLoader(train_ds, batch_size=cfg["batch_size"], shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=256)

    model = GCN(N_FEAT, 64, N_CLASSES)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=cfg["decay_every"], gamma=cfg["decay_gamma"])

    for epoch in range(cfg["epochs"]):
        tl, ta = run_epoch(model, train_dl, opt, sched)
        vl, va = run_epoch(model, val_dl)
        print(f"epoch {epoch} lr {opt.param_groups[0]['lr']:.2e} train_loss {tl:.4f} train_acc {ta:.3f} "
              f"val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()
