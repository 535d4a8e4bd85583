"""Hand-written two-layer graph attention network (GAT, Velickovic et al. 2018) for node
classification on a synthetic stochastic-block-model graph.

300 nodes in 4 communities (p_in 0.08, p_out 0.02), 24-d node features = noisy class
mean; 30 % of nodes labelled for training, the rest used for testing.  Dense adjacency
with self-loops; attention e_ij = LeakyReLU(a_l . Wh_i + a_r . Wh_j) masked to
neighbours; 4 heads of 8 features, ELU between the layers.  The ELU is a small
torch.autograd.Function so that it can run in place on the concatenated heads.
Adam (lr 5e-3, weight decay 5e-4), full-batch, 160 optimizer steps.

Seeded bug: the custom ELU backward multiplies by `out` for negative inputs, using the
textbook shortcut "the derivative of ELU is out + alpha" but forgetting the `+ alpha`.
For x < 0 the true derivative is exp(x) in (0, 1]; the coded one is exp(x) - 1 in
(-1, 0], i.e. the wrong sign, so every hidden unit in its negative region is pushed the
wrong way.  A finite-difference check of the Function fails.

Measured (seed 0): buggy final test accuracy 0.791 (train loss 0.227);
fixed copy (`out + ctx.alpha`) test accuracy 0.841 (train loss 0.126).
"""
# traindebug-expect: wrong_gradient
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

N_NODES, N_CLASSES, N_FEAT = 300, 4, 24


class ELUFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, alpha=1.0):
        out = torch.where(x > 0, x, alpha * (torch.exp(x) - 1))
        ctx.save_for_backward(x, out)
        ctx.alpha = alpha
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        grad_in = grad * torch.where(x > 0, torch.ones_like(x), out)
        return grad_in, None


class GATLayer(nn.Module):
    def __init__(self, d_in, d_out, heads, concat=True, dropout=0.3):
        super().__init__()
        self.W = nn.Parameter(torch.empty(heads, d_in, d_out))
        self.a_l = nn.Parameter(torch.empty(heads, d_out))
        self.a_r = nn.Parameter(torch.empty(heads, d_out))
        self.bias = nn.Parameter(torch.zeros(heads * d_out if concat else d_out))
        for p in (self.W, self.a_l, self.a_r):
            nn.init.xavier_uniform_(p)
        self.heads, self.concat, self.dropout = heads, concat, dropout

    def forward(self, x, adj):
        h = torch.einsum("nd,hdo->hno", x, self.W)              # heads, nodes, out
        e = (h * self.a_l[:, None]).sum(-1)[:, :, None] + (h * self.a_r[:, None]).sum(-1)[:, None, :]
        e = F.leaky_relu(e, 0.2).masked_fill(~adj, float("-inf"))
        att = F.dropout(torch.softmax(e, dim=-1), self.dropout, self.training)
        out = att @ h                                           # heads, nodes, out
        if self.concat:
            out = out.permute(1, 0, 2).reshape(x.shape[0], -1)
        else:
            out = out.mean(0)
        return out + self.bias


class GAT(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = GATLayer(N_FEAT, 8, heads=4)
        self.l2 = GATLayer(32, N_CLASSES, heads=1, concat=False)

    def forward(self, x, adj):
        x = F.dropout(x, 0.3, self.training)
        x = ELUFn.apply(self.l1(x, adj))
        x = F.dropout(x, 0.3, self.training)
        return self.l2(x, adj)


# synthetic SBM graph
labels = torch.randint(0, N_CLASSES, (N_NODES,))
same = labels[:, None] == labels[None, :]
probs = torch.where(same, torch.tensor(0.08), torch.tensor(0.02))
upper = torch.triu(torch.rand(N_NODES, N_NODES) < probs, diagonal=1)
adj = upper | upper.t() | torch.eye(N_NODES, dtype=torch.bool)
means = torch.randn(N_CLASSES, N_FEAT)
feats = means[labels] + 2.5 * torch.randn(N_NODES, N_FEAT)
train_mask = torch.rand(N_NODES) < 0.3
test_mask = ~train_mask
print(f"nodes {N_NODES}  edges {int(upper.sum())}  train nodes {int(train_mask.sum())}")

model = GAT()
opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=5e-4)

for step in range(1, 161):
    model.train()
    logits = model(feats, adj)
    loss = F.cross_entropy(logits[train_mask], labels[train_mask])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 40 == 0:
        model.eval()
        with torch.no_grad():
            pred = model(feats, adj).argmax(1)
        acc = (pred[test_mask] == labels[test_mask]).float().mean().item()
        print(f"step {step}  train loss {loss.item():.4f}  test acc {acc:.3f}")

model.eval()
with torch.no_grad():
    logits = model(feats, adj)
train_loss = F.cross_entropy(logits[train_mask], labels[train_mask]).item()
acc = (logits.argmax(1)[test_mask] == labels[test_mask]).float().mean().item()
print(f"final: train loss {train_loss:.4f}  test accuracy {acc:.4f}")
