"""
User-based AutoRec (Sedhain et al. 2015) for explicit ratings: each user's 200-item rating
vector (missing entries 0) -> Linear(200, 100) -> sigmoid -> Linear(100, 200); loss = squared
error summed over observed ratings + L2 on the weights, exactly the paper's objective;
SGD momentum 0.9, batch 32 users, 10 epochs = 190 steps; simulated rank-5 ratings (600 users,
15 % density, 20 % of observed ratings held out). RMSE on train / held-out ratings.

Seeded bug: SGD lr = 0.05, a "usual" SGD learning rate, is used with a loss that is *summed*
over the ~700 observed ratings in a batch (and every weight is shared by all users), so the
step is hundreds of times too large. The batch loss jumps from ~800 at init to ~23,000 in the
first epoch and the model oscillates above its initial error instead of descending.

Measured (seed 6, 1 thread): buggy final train RMSE 1.189, test RMSE 1.1905 (batch loss
~23,000; test RMSE 1.03 before training, 1.34 after epoch 1). Fixed copy (lr 1e-4):
train RMSE 0.704, test RMSE 0.8481.
"""
# traindebug-expect: lr_too_high
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(6)

N_USERS, N_ITEMS, RANK, DENSITY = 600, 200, 5, 0.15


def simulate_ratings(rng):
    P = rng.normal(size=(N_USERS, RANK))
    Q = rng.normal(size=(N_ITEMS, RANK))
    item_bias = 0.5 * rng.normal(size=N_ITEMS)
    full = 3.2 + item_bias + 0.8 * (P @ Q.T) / np.sqrt(RANK) + 0.3 * rng.normal(size=(N_USERS, N_ITEMS))
    full = np.clip(np.round(full), 1, 5)
    observed = rng.random((N_USERS, N_ITEMS)) < DENSITY
    test_mask = observed & (rng.random((N_USERS, N_ITEMS)) < 0.2)
    train_mask = observed & ~test_mask
    R = torch.tensor(full, dtype=torch.float32)
    return R, torch.tensor(train_mask, dtype=torch.float32), torch.tensor(test_mask, dtype=torch.float32)


class UserAutoRec(nn.Module):
    """U-AutoRec (Sedhain et al. 2015): reconstruct a user's rating vector through a sigmoid bottleneck."""

    def __init__(self, n_items, hidden=100):
        super().__init__()
        self.encoder = nn.Linear(n_items, hidden)
        self.decoder = nn.Linear(hidden, n_items)

    def forward(self, r):
        return self.decoder(torch.sigmoid(self.encoder(r)))


def masked_rmse(model, R, input_mask, target_mask):
    with torch.no_grad():
        pred = model(R * input_mask).clamp(1, 5)
        se = ((pred - R) ** 2 * target_mask).sum()
        return torch.sqrt(se / target_mask.sum()).item()


rng = np.random.default_rng(3)
R, train_mask, test_mask = simulate_ratings(rng)
model = UserAutoRec(N_ITEMS)
nn.init.constant_(model.decoder.bias, 3.0)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
LAMBDA, BATCH, EPOCHS = 1e-3, 32, 10

step = 0
for epoch in range(EPOCHS):
    perm = torch.randperm(N_USERS)
    for k in range(0, N_USERS, BATCH):
        idx = perm[k:k + BATCH]
        r, m = R[idx] * train_mask[idx], train_mask[idx]
        pred = model(r)
        loss = ((pred - R[idx]) ** 2 * m).sum() + 0.5 * LAMBDA * (
            model.encoder.weight.pow(2).sum() + model.decoder.weight.pow(2).sum())
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    print(f"epoch {epoch + 1} step {step} batch_loss {loss.item():.2f} "
          f"train_rmse {masked_rmse(model, R, train_mask, train_mask):.4f} "
          f"test_rmse {masked_rmse(model, R, train_mask, test_mask):.4f}")

print(f"final test RMSE {masked_rmse(model, R, train_mask, test_mask):.4f}")
