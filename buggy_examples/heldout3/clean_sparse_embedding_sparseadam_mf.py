"""clean: matrix factorisation for implicit ratings: user and item nn.Embedding
tables with sparse=True trained by SparseAdam, the bias/MLP part by Adam; both
optimizers are zeroed and stepped every batch. MSE on standardised ratings.
Final loss 0.609 (measured once, plain python)."""
# traindebug-expect: clean
import torch
from torch import nn

torch.manual_seed(0)
n_users, n_items, rank, n_obs = 300, 200, 6, 20000
U, V = torch.randn(n_users, rank), torch.randn(n_items, rank)
users = torch.randint(0, n_users, (n_obs,))
items = torch.randint(0, n_items, (n_obs,))
ratings = (U[users] * V[items]).sum(1) / rank ** 0.5 + 0.1 * torch.randn(n_obs)


class MF(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.user = nn.Embedding(n_users, dim, sparse=True)
        self.item = nn.Embedding(n_items, dim, sparse=True)
        self.mix = nn.Sequential(nn.Linear(dim, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, u, i):
        return self.mix(self.user(u) * self.item(i)).squeeze(-1)


model = MF()
sparse_opt = torch.optim.SparseAdam(list(model.user.parameters()) + list(model.item.parameters()), lr=0.02)
dense_opt = torch.optim.Adam(model.mix.parameters(), lr=3e-3)
for step in range(300):
    idx = torch.randint(0, n_obs, (256,))
    loss = nn.functional.mse_loss(model(users[idx], items[idx]), ratings[idx])
    sparse_opt.zero_grad()
    dense_opt.zero_grad()
    loss.backward()
    sparse_opt.step()
    dense_opt.step()
    if step % 50 == 0 or step == 299:
        print(f"step {step} loss {loss.item():.4f}")
