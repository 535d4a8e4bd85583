"""
Two-layer GAT (Velickovic et al.) with dense masked attention for semi-supervised node
classification on a generated citation-like graph: 300 nodes in 6 communities (stochastic
block model, p_in 0.06, p_out 0.004), sparse binary bag-of-words features (200 words, class-
specific word frequencies). Standard GAT recipe: 4 heads x 8 hidden units, ELU, dropout 0.6 on
inputs and on attention coefficients, single-head output layer, Adam lr 5e-3, weight decay
5e-4, 150 epochs; 20 labelled nodes per class, 60 validation nodes (used to keep the best
epoch), the remaining 120 nodes for testing.

Seeded bug: the `evaluate()` helper runs under torch.no_grad() but never calls model.eval(),
and the training loop never leaves train mode, so validation and test predictions are made
with 60% dropout on the input features and on every attention coefficient. The reported
accuracies are those of random sub-networks; model selection picks epochs by noise, and the
final test accuracy is far below what the trained weights give. Fix: `model.eval()` at the
top of evaluate() (and `model.train()` before each training step).

Measured (seed 0, 1 thread): buggy: final train loss 0.99, best val acc 0.717, best-val
checkpoint test acc 0.617. Fixed copy: final train loss 1.03 (dropout-noisy), best val acc
0.883, test acc 0.892.
"""
# traindebug-expect: wrong_mode
import copy
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N, K, VOCAB = 300, 6, 200
rng = np.random.default_rng(0)
y_np = np.repeat(np.arange(K), N // K)
same = y_np[:, None] == y_np[None, :]
upper = np.triu(rng.random((N, N)) < np.where(same, 0.06, 0.004), 1)
adj_np = upper | upper.T | np.eye(N, dtype=bool)

word_p = rng.uniform(0.005, 0.03, (K, VOCAB))
for k in range(K):
    word_p[k, rng.choice(VOCAB, 15, replace=False)] += 0.12
x_np = (rng.random((N, VOCAB)) < word_p[y_np]).astype(np.float32)
x_np /= np.maximum(x_np.sum(1, keepdims=True), 1.0)

X = torch.tensor(x_np)
Y = torch.tensor(y_np)
ADJ = torch.tensor(adj_np)

idx = rng.permutation(N)
train_idx = torch.tensor(np.concatenate([idx[y_np[idx] == k][:20] for k in range(K)]))
rest = torch.tensor([i for i in idx if i not in set(train_idx.tolist())])
val_idx, test_idx = rest[:60], rest[60:]


class GATLayer(nn.Module):
    def __init__(self, d_in, d_out, heads, dropout, concat=True):
        super().__init__()
        self.heads, self.d_out, self.concat = heads, d_out, concat
        self.W = nn.Linear(d_in, heads * d_out, bias=False)
        self.a_src = nn.Parameter(torch.empty(heads, d_out))
        self.a_dst = nn.Parameter(torch.empty(heads, d_out))
        nn.init.xavier_uniform_(self.W.weight)
        nn.init.xavier_uniform_(self.a_src)
        nn.init.xavier_uniform_(self.a_dst)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, adj):
        n = x.shape[0]
        h = self.W(self.dropout(x)).view(n, self.heads, self.d_out)
        e_src = (h * self.a_src).sum(-1)
        e_dst = (h * self.a_dst).sum(-1)
        scores = F.leaky_relu(e_dst.t().unsqueeze(2) + e_src.t().unsqueeze(1), 0.2)
        scores = scores.masked_fill(~adj.unsqueeze(0), float("-inf"))
        attn = self.dropout(torch.softmax(scores, dim=-1))
        out = torch.einsum("hij,jhd->ihd", attn, h)
        return out.reshape(n, -1) if self.concat else out.mean(1)


class GAT(nn.Module):
    def __init__(self, d_in, n_classes, hidden=8, heads=4, dropout=0.6):
        super().__init__()
        self.gat1 = GATLayer(d_in, hidden, heads, dropout)
        self.gat2 = GATLayer(hidden * heads, n_classes, 1, dropout, concat=False)

    def forward(self, x, adj):
        return self.gat2(F.elu(self.gat1(x, adj)), adj)


@torch.no_grad()
def evaluate(model, nodes):
    logits = model(X, ADJ)
    return (logits[nodes].argmax(1) == Y[nodes]).float().mean().item()


model = GAT(VOCAB, K)
opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=5e-4)

t0 = time.time()
best_val, best_state = -1.0, None
for epoch in range(1, 151):
    logits = model(X, ADJ)
    loss = F.cross_entropy(logits[train_idx], Y[train_idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    val_acc = evaluate(model, val_idx)
    if val_acc > best_val:
        best_val, best_state = val_acc, copy.deepcopy(model.state_dict())
    if epoch % 40 == 0:
        print(f"epoch {epoch:3d}  train loss {loss.item():.4f}  val acc {val_acc:.3f}")

model.load_state_dict(best_state)
test_acc = evaluate(model, test_idx)
print(f"final train loss {loss.item():.4f}  best val acc {best_val:.3f}  test acc {test_acc:.3f}")
print(f"time {time.time() - t0:.1f}s")
