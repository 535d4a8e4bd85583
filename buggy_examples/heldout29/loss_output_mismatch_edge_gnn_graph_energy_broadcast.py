"""Message-passing GNN on edge lists (edge MLP messages with coupling weights,
index_add_ aggregation, residual node updates, mean-pool readout) that
regresses the per-node energy of random Ising-like graphs (8-19 nodes, spins
+ local fields, edge couplings).  Graphs are batched by a hand-written collate
(node offsets, batch vector).  Lightning-style EnergyTask (training_step /
validation_step / configure_optimizers) + a small Trainer; AdamW lr 2e-3,
cosine schedule, batch 32, 12 epochs (384 steps), standardised targets.

Seeded bug: training_step computes ((pred - b["y"]) ** 2).mean() where pred
has shape (G, 1) from the readout's Linear(dim, 1) and the target has shape
(G,).  Broadcasting silently produces a (G, G) matrix of all pairwise
differences, so the loss is minimised by predicting the batch mean for every
graph; no warning is raised because the loss is hand-written.
validation_step squeezes correctly, which is why the validation MSE honestly
shows the failure.
Measured (fixed copy uses pred.squeeze(1) in training_step): final validation
MSE on standardised energy 1.003 (R^2 -0.003) vs 0.055 (R^2 0.945); final
train loss 0.99 vs 0.049.
"""
# traindebug-expect: loss_output_mismatch
import math
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


# --------------------------------------------------------------------------
# synthetic Ising-like graphs: graph energy per node from spins + local fields
# --------------------------------------------------------------------------
def make_graph():
    n = int(rng.integers(8, 20))
    p = 3.0 / n
    a = np.triu(rng.random((n, n)) < p, k=1)
    s, d = np.nonzero(a)
    spins = rng.choice([-1.0, 1.0], size=n)
    field = rng.normal(0, 1, size=n)
    coupling = rng.uniform(0.5, 1.5, size=len(s))
    energy = -(coupling * spins[s] * spins[d]).sum() - (field * spins).sum()
    x = np.stack([spins, field], axis=1)
    ei = np.concatenate([np.stack([s, d]), np.stack([d, s])], axis=1)
    ew = np.concatenate([coupling, coupling])
    return x, ei, ew, energy / n


graphs = [make_graph() for _ in range(1300)]
ys = np.array([g[3] for g in graphs])
Y_MEAN, Y_STD = ys[:1000].mean(), ys[:1000].std()


def collate(items):
    xs, eis, ews, ys, batch = [], [], [], [], []
    offset = 0
    for gi, (x, ei, ew, y) in enumerate(items):
        xs.append(x)
        eis.append(ei + offset)
        ews.append(ew)
        ys.append((y - Y_MEAN) / Y_STD)
        batch.append(np.full(len(x), gi))
        offset += len(x)
    return dict(
        x=torch.tensor(np.concatenate(xs), dtype=torch.float32),
        edge_index=torch.tensor(np.concatenate(eis, axis=1), dtype=torch.long),
        edge_weight=torch.tensor(np.concatenate(ews), dtype=torch.float32),
        batch=torch.tensor(np.concatenate(batch), dtype=torch.long),
        y=torch.tensor(ys, dtype=torch.float32),
        num_graphs=len(items),
    )


# --------------------------------------------------------------------------
# message passing network on edge lists
# --------------------------------------------------------------------------
class EdgeConv(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.msg = nn.Sequential(nn.Linear(2 * dim + 1, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.upd = nn.Sequential(nn.Linear(2 * dim, dim), nn.SiLU())

    def forward(self, h, edge_index, edge_weight):
        src, dst = edge_index
        m = self.msg(torch.cat([h[dst], h[src], edge_weight.unsqueeze(1)], dim=1))
        agg = torch.zeros_like(h).index_add_(0, dst, m)
        return h + self.upd(torch.cat([h, agg], dim=1))


class EnergyGNN(nn.Module):
    def __init__(self, dim=32, layers=2):
        super().__init__()
        self.embed = nn.Linear(2, dim)
        self.convs = nn.ModuleList([EdgeConv(dim) for _ in range(layers)])
        self.readout = nn.Sequential(nn.Linear(dim, dim), nn.SiLU(), nn.Linear(dim, 1))

    def forward(self, b):
        h = self.embed(b["x"])
        for conv in self.convs:
            h = conv(h, b["edge_index"], b["edge_weight"])
        pooled = torch.zeros(b["num_graphs"], h.shape[1]).index_add_(0, b["batch"], h)
        counts = torch.bincount(b["batch"], minlength=b["num_graphs"]).clamp(min=1)
        return self.readout(pooled / counts.unsqueeze(1))


# --------------------------------------------------------------------------
# a tiny Lightning-style module + trainer
# --------------------------------------------------------------------------
class EnergyTask(nn.Module):
    def __init__(self, lr=2e-3, max_steps=600):
        super().__init__()
        self.model = EnergyGNN()
        self.lr, self.max_steps = lr, max_steps

    def training_step(self, b):
        pred = self.model(b)
        return ((pred - b["y"]) ** 2).mean()

    @torch.no_grad()
    def validation_step(self, b):
        pred = self.model(b).squeeze(1)
        return ((pred - b["y"]) ** 2).mean().item()

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.max_steps)
        return opt, sched


class Trainer:
    def __init__(self, max_epochs, batch_size=32, log_every=3):
        self.max_epochs, self.batch_size, self.log_every = max_epochs, batch_size, log_every

    def fit(self, task, train, val):
        opt, sched = task.configure_optimizers()
        val_batch = collate(val)
        for epoch in range(1, self.max_epochs + 1):
            task.train()
            order = rng.permutation(len(train))
            losses = []
            for i in range(0, len(train), self.batch_size):
                b = collate([train[j] for j in order[i:i + self.batch_size]])
                loss = task.training_step(b)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                losses.append(loss.item())
            if epoch % self.log_every == 0 or epoch == 1:
                task.eval()
                val_mse = task.validation_step(val_batch)
                print(f"epoch {epoch:2d}  train loss {np.mean(losses):.4f}  val mse {val_mse:.4f}")
        return task


train_graphs, val_graphs = graphs[:1000], graphs[1000:]
steps_per_epoch = math.ceil(len(train_graphs) / 32)
epochs = 12
task = EnergyTask(max_steps=epochs * steps_per_epoch)
Trainer(max_epochs=epochs).fit(task, train_graphs, val_graphs)
task.eval()
final = task.validation_step(collate(val_graphs))
print(f"final val mse (standardised energy) {final:.4f}   r2 {1 - final:.3f}")
