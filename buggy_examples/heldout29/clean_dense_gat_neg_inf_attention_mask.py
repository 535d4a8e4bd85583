"""Dense-adjacency graph attention network (GAT): layer 1 has 4 heads x 16
features (concat, ELU), layer 2 one averaged head; LeakyReLU(0.2) edge
scores, attention dropout 0.2, feature dropout 0.3.  Semi-supervised node
classification on a synthetic 4-community graph (360 nodes, noisy 24-d
features, 110 labelled nodes), full batch, AdamW lr 5e-3, weight decay 1e-3,
170 epochs.

Healthy control: a standard, well-tuned GAT.
Possible false alarm: non-edges are masked with masked_fill(..., -inf) on the
(heads x N x N) score tensor before softmax, so about 98% of that
intermediate tensor is -inf on every forward pass.  This is the usual way to
write masked attention; every row contains its self-loop, so softmax never
sees an all -inf row and all outputs, losses and gradients stay finite.
Measured: final train loss 0.21, val accuracy 0.891, test loss 0.319, test
accuracy 0.886.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(3)

# ---------------------------------------------------------------- graph
N, C, D = 360, 4, 24
y_np = rng.integers(0, C, N)
p = np.where(y_np[:, None] == y_np[None, :], 0.04, 0.008)
adj = np.triu(rng.random((N, N)) < p, 1)
adj = adj | adj.T
mu_c = rng.normal(0, 1, (C, D))
x_np = 0.5 * mu_c[y_np] + rng.normal(0, 1, (N, D))

x = torch.tensor(x_np, dtype=torch.float32)
y = torch.tensor(y_np)
mask_adj = torch.tensor(adj) | torch.eye(N, dtype=torch.bool)  # self loops: every row has >= 1 neighbour
split = torch.randperm(N)
tr, va, te = split[:110], split[110:220], split[220:]


class DenseGATLayer(nn.Module):
    def __init__(self, d_in, d_out, heads, concat=True, dropout=0.2):
        super().__init__()
        self.heads, self.d_out, self.concat = heads, d_out, concat
        self.proj = nn.Linear(d_in, heads * d_out, bias=False)
        self.a_src = nn.Parameter(torch.empty(heads, d_out))
        self.a_dst = nn.Parameter(torch.empty(heads, d_out))
        nn.init.xavier_uniform_(self.a_src)
        nn.init.xavier_uniform_(self.a_dst)
        self.attn_drop = nn.Dropout(dropout)

    def forward(self, h, mask):
        n = h.shape[0]
        z = self.proj(h).view(n, self.heads, self.d_out)             # n, H, F
        e_src = (z * self.a_src).sum(-1)                              # n, H
        e_dst = (z * self.a_dst).sum(-1)
        scores = F.leaky_relu(e_dst.t().unsqueeze(2) + e_src.t().unsqueeze(1), 0.2)  # H, n(dst), n(src)
        scores = scores.masked_fill(~mask.unsqueeze(0), float("-inf"))
        alpha = self.attn_drop(torch.softmax(scores, dim=-1))
        out = torch.einsum("hij,jhf->ihf", alpha, z)
        return out.reshape(n, -1) if self.concat else out.mean(1)


class GAT(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = DenseGATLayer(D, 16, heads=4)
        self.l2 = DenseGATLayer(64, C, heads=1, concat=False)

    def forward(self, x, mask):
        h = F.elu(self.l1(F.dropout(x, 0.3, self.training), mask))
        return self.l2(F.dropout(h, 0.3, self.training), mask)


model = GAT()
opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-3)


def run_eval(idx):
    model.eval()
    with torch.no_grad():
        out = model(x, mask_adj)
    return F.cross_entropy(out[idx], y[idx]).item(), (out[idx].argmax(1) == y[idx]).float().mean().item()


for epoch in range(1, 171):
    model.train()
    out = model(x, mask_adj)
    loss = F.cross_entropy(out[tr], y[tr])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 40 == 0 or epoch == 1:
        vl, vacc = run_eval(va)
        print(f"epoch {epoch:3d}  train loss {loss.item():.4f}  val loss {vl:.4f}  val acc {vacc:.3f}")

test_loss, test_acc = run_eval(te)
print(f"test loss {test_loss:.4f}  test acc {test_acc:.3f}")
