"""
Mixture-of-experts classifier for a multi-domain tabular problem: inputs
come from 4 well-separated "domains" (clusters in the first two features)
and each domain labels its points with its own rule on the other 8
features, 3 classes. Gate: MLP 10 -> 32 -> 4 with softmax; 4 experts, each
MLP 10 -> 32 -> 3; output logits = sum_e gate_e * expert_e. Small Trainer
class with on_epoch_end callbacks, SGD with Nesterov momentum 0.9 lr 0.05,
StepLR, batch 64, 8 epochs (~300 steps).

Seeded bug: the expert outputs are stacked as (E, B, C) and the gate,
shaped (B, E), is brought to (E, B, 1) with `gate.view(E, B, 1)` instead of
`gate.t().unsqueeze(-1)`. view() only reinterprets memory, so the weight
applied to expert e for sample b is really some other sample's gate value:
each sample's prediction is mixed with other samples' routing decisions and
depends on what else is in the batch. Typical view-vs-transpose mistake.

Measured (seed 0, 1 thread): buggy final train loss 0.600, test accuracy
0.755; fixed copy (gate.t().unsqueeze(-1)) train loss 0.232, test accuracy
0.896.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def make_domains(n, rules):
    centers = np.array([[3, 3], [-3, 3], [-3, -3], [3, -3]], dtype=np.float32)
    dom = np.random.randint(0, 4, n)
    x = np.random.randn(n, 10).astype(np.float32)
    x[:, :2] = centers[dom] + 0.5 * np.random.randn(n, 2)
    logits = np.einsum("nf,nfc->nc", x[:, 2:], rules[dom])
    y = logits.argmax(1)
    return torch.from_numpy(x), torch.from_numpy(y)


def mlp(d_in, d_out, hidden=32):
    return nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, d_out))


class MoE(nn.Module):
    def __init__(self, d_in=10, n_classes=3, n_experts=4):
        super().__init__()
        self.n_experts = n_experts
        self.gate = mlp(d_in, n_experts)
        self.experts = nn.ModuleList(mlp(d_in, n_classes) for _ in range(n_experts))

    def forward(self, x):
        gate = F.softmax(self.gate(x), dim=-1)
        outs = torch.stack([expert(x) for expert in self.experts])
        weights = gate.view(self.n_experts, x.size(0), 1)
        return (outs * weights).sum(0)


class Trainer:
    def __init__(self, model, optimizer, scheduler, callbacks=()):
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.callbacks = list(callbacks)
        self.history = []

    def fit(self, loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            total, count = 0.0, 0
            for xb, yb in loader:
                loss = F.cross_entropy(self.model(xb), yb)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(yb)
                count += len(yb)
            self.scheduler.step()
            self.history.append(total / count)
            for cb in self.callbacks:
                cb(self, epoch)


def make_eval_callback(x, y):
    def on_epoch_end(trainer, epoch):
        trainer.model.eval()
        with torch.no_grad():
            acc = (trainer.model(x).argmax(1) == y).float().mean().item()
        trainer.last_acc = acc
        print(f"epoch {epoch + 1}: train loss {trainer.history[-1]:.4f}  test acc {acc:.3f}")
    return on_epoch_end


rules = np.random.randn(4, 8, 3).astype(np.float32)
x_tr, y_tr = make_domains(2400, rules)
x_te, y_te = make_domains(800, rules)
loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)

model = MoE()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.3)
trainer = Trainer(model, optimizer, scheduler, callbacks=[make_eval_callback(x_te, y_te)])
trainer.fit(loader, epochs=8)
print(f"final test accuracy {trainer.last_acc:.3f}")
