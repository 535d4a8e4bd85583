"""Seeded bug: a pairwise learning-to-rank MLP trained with MarginRankingLoss
and Adagrad. The learning rate was copied from an SGD config (lr=3.0): Adagrad's
first steps move every weight by about lr, so the scores blow up and the
ranking loss jumps around. Final loss 0.172 vs 0.0088 fixed (lr=0.05)."""
# traindebug-expect: lr_too_high
import torch
from torch import nn

torch.manual_seed(0)
n_docs, n_feat = 2000, 12
X = torch.randn(n_docs, n_feat)
w_true = torch.randn(n_feat)
relevance = X @ w_true + 0.5 * torch.sin(3 * X[:, 0]) + 0.1 * torch.randn(n_docs)

config = {"optimizer": "adagrad", "lr": 3.0, "hidden": 64, "steps": 250}
scorer = nn.Sequential(nn.Linear(n_feat, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 1))
opt = torch.optim.Adagrad(scorer.parameters(), lr=config["lr"])
loss_fn = nn.MarginRankingLoss(margin=0.1)

for step in range(config["steps"]):
    i = torch.randint(0, n_docs, (128,))
    j = torch.randint(0, n_docs, (128,))
    target = torch.sign(relevance[i] - relevance[j])
    loss = loss_fn(scorer(X[i]).squeeze(-1), scorer(X[j]).squeeze(-1), target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == config["steps"] - 1:
        print(f"step {step} loss {loss.item():.4f}")
