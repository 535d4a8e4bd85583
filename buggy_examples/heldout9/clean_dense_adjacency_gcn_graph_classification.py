"""Healthy control: GCN graph classification (ring / two-community / hub graphs) with
batched dense adjacency matrices of shape (B, N, N), padding masks and Adagrad.

Pattern that may fool a naive detector: message passing with torch.bmm mixes the rows
(nodes) of each sample, and masked mean/max pooling reduces over the node dimension,
so node outputs legitimately depend on other nodes. The mixing never crosses samples
of the batch (the per-graph adjacency is block-diagonal in the batch), so
d out_i / d in_j = 0 for i != j. Node features are pure noise; the class is read from
the graph structure.

Measured (380 steps): train loss 1.009 -> 0.088, train acc 0.970, val loss 0.16,
val acc 0.945 (chance 0.33)."""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

MAX_NODES = 16
N_FEAT = 4


def random_graph(kind, rng):
    n = int(rng.integers(9, MAX_NODES + 1))
    A = np.zeros((n, n), dtype=np.float32)
    if kind == 0:      # ring with a few random chords
        for i in range(n):
            A[i, (i + 1) % n] = 1
        for _ in range(2):
            i, j = rng.choice(n, 2, replace=False)
            A[i, j] = 1
    elif kind == 1:    # two dense communities joined by one bridge
        half = n // 2
        for block in (range(half), range(half, n)):
            b = list(block)
            for a in b:
                for c in b:
                    if a < c and rng.random() < 0.6:
                        A[a, c] = 1
        A[0, n - 1] = 1
    else:              # hub-and-spoke with a few extra spoke links
        hubs = rng.choice(n, 2, replace=False)
        for i in range(n):
            if i not in hubs:
                A[hubs[int(rng.integers(2))], i] = 1
        A[hubs[0], hubs[1]] = 1
        for _ in range(2):
            i, j = rng.choice(n, 2, replace=False)
            A[i, j] = 1
    A = np.maximum(A, A.T)
    np.fill_diagonal(A, 0)
    # node features are uninformative noise -> the class must be read from the structure
    x = rng.normal(0, 1, size=(n, N_FEAT)).astype(np.float32)
    return A, x


class GraphSet(Dataset):
    """Graphs padded to MAX_NODES; a node mask marks the real nodes."""

    def __init__(self, n_graphs, seed):
        rng = np.random.default_rng(seed)
        self.items = []
        for _ in range(n_graphs):
            kind = int(rng.integers(3))
            A, x = random_graph(kind, rng)
            n = len(A)
            Ap = np.zeros((MAX_NODES, MAX_NODES), np.float32)
            Ap[:n, :n] = A
            xp = np.zeros((MAX_NODES, N_FEAT), np.float32)
            xp[:n] = x
            mask = np.zeros(MAX_NODES, np.float32)
            mask[:n] = 1
            self.items.append((torch.from_numpy(Ap), torch.from_numpy(xp), torch.from_numpy(mask), kind))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def normalize_adjacency(A, mask):
    """D^-1/2 (A + I) D^-1/2 per graph; padded nodes stay disconnected."""
    A_hat = A + torch.diag_embed(mask)
    deg = A_hat.sum(-1).clamp(min=1.0)
    d = deg.rsqrt()
    return d.unsqueeze(-1) * A_hat * d.unsqueeze(-2)


class GCNLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out)

    def forward(self, h, A_norm):
        # message passing inside each graph: (B, N, N) @ (B, N, d)
        return torch.bmm(A_norm, self.lin(h))


class GCNClassifier(nn.Module):
    def __init__(self, d_in, hidden, n_classes, n_layers=3):
        super().__init__()
        dims = [d_in + 1] + [hidden] * n_layers
        self.layers = nn.ModuleList(GCNLayer(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.readout = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, A, x, mask):
        A_norm = normalize_adjacency(A, mask)
        deg = A.sum(-1, keepdim=True) / 4.0
        h = torch.cat([x, deg], dim=-1)
        for layer in self.layers:
            h = F.relu(layer(h, A_norm)) * mask.unsqueeze(-1)
        n = mask.sum(-1, keepdim=True)
        mean_pool = h.sum(1) / n
        max_pool = h.masked_fill(mask.unsqueeze(-1) == 0, -1e4).max(1).values
        return self.readout(torch.cat([mean_pool, max_pool], dim=-1))


def run_epoch(model, loader, opt=None):
    training = opt is not None
    model.train(training)
    tot_loss, correct, count = 0.0, 0, 0
    with torch.set_grad_enabled(training):
        for A, x, mask, y in loader:
            logits = model(A, x, mask)
            loss = F.cross_entropy(logits, y)
            if training:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            count += len(y)
    return tot_loss / count, correct / count


def main():
    train_set, val_set = GraphSet(1200, seed=1), GraphSet(400, seed=2)
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True,
                              generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(val_set, batch_size=100)
    model = GCNClassifier(N_FEAT, 48, 3)
    opt = torch.optim.Adagrad(model.parameters(), lr=0.03)
    for epoch in range(10):
        tl, ta = run_epoch(model, train_loader, opt)
        vl, va = run_epoch(model, val_loader)
        print(f"epoch {epoch} train_loss {tl:.4f} train_acc {ta:.3f} val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()
