"""
Churn prediction on a synthetic customer table: categorical columns (region, plan,
channel) go through nn.Embedding, numeric columns are concatenated to the
embeddings and fed to an MLP with BCEWithLogitsLoss.

Seeded bug (input_scale): the numeric columns (age ~18-80, monthly spend ~55,
tenure in days up to 3650, account balance ~25000 +- 12000) are concatenated raw,
without standardisation, next to embeddings of scale ~1.  The first layer's
input is dominated by tenure/balance with std in the thousands, the logits are
huge, and BCE jumps around.

Measured (8 epochs, ~300 Adam steps):
  buggy : train BCE 49.5 -> 8.2 (erratic, 3.6-15), test BCE 2.9-23, test acc 0.47-0.57
  fixed (standardise numeric columns with train mean/std): train BCE 0.565 -> 0.447,
          test BCE 0.479, test acc 0.762-0.777
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(2)
np.random.seed(2)
torch.set_num_threads(1)

# ---------------------------------------------------------------- synthetic churn table
N = 6000
rng = np.random.default_rng(2)
region = rng.integers(0, 12, N)
plan = rng.integers(0, 5, N)
channel = rng.integers(0, 4, N)
age = rng.uniform(18, 80, N)
monthly_spend = rng.lognormal(4.0, 0.6, N)                 # ~ 55, long tail
tenure_days = rng.integers(1, 3650, N).astype(float)
account_balance = rng.normal(25000, 12000, N)

region_eff = rng.normal(0, 0.8, 12)
plan_eff = np.array([-0.8, -0.2, 0.3, 0.6, 1.0])
channel_eff = np.array([0.4, -0.4, 0.1, -0.1])
logit = (region_eff[region] + plan_eff[plan] + channel_eff[channel]
         - 1.2 * (tenure_days - 1825) / 1050
         + 0.9 * (np.log(monthly_spend) - 4.0) / 0.6
         - 0.6 * (account_balance - 25000) / 12000
         + 0.4 * ((age - 49) / 18) ** 2 - 0.4)
churn = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)

cat_cols = np.stack([region, plan, channel], 1).astype(np.int64)
num_cols = np.stack([age, monthly_spend, tenure_days, account_balance], 1).astype(np.float32)
cardinalities = [12, 5, 4]

perm = rng.permutation(N)
tr, te = perm[:4800], perm[4800:]
cat_tr, cat_te = torch.from_numpy(cat_cols[tr]), torch.from_numpy(cat_cols[te])
num_tr, num_te = torch.from_numpy(num_cols[tr]), torch.from_numpy(num_cols[te])
y_tr, y_te = torch.from_numpy(churn[tr]), torch.from_numpy(churn[te])


# ---------------------------------------------------------------- model
class TabularNet(nn.Module):
    def __init__(self, cardinalities, n_num, emb_dim=6, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in cardinalities])
        in_dim = emb_dim * len(cardinalities) + n_num
        self.mlp = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, cats, nums):
        e = [emb(cats[:, i]) for i, emb in enumerate(self.embs)]
        x = torch.cat(e + [nums], dim=1)
        return self.mlp(x).squeeze(1)


model = TabularNet(cardinalities, n_num=num_tr.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.BCEWithLogitsLoss()

BATCH = 128
EPOCHS = 8
for epoch in range(EPOCHS):
    model.train()
    order = torch.randperm(len(y_tr))
    tot = 0.0
    for i in range(0, len(order), BATCH):
        b = order[i:i + BATCH]
        logits = model(cat_tr[b], num_tr[b])
        loss = loss_fn(logits, y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
    model.eval()
    with torch.no_grad():
        lt = model(cat_te, num_te)
        te_loss = loss_fn(lt, y_te).item()
        te_acc = ((lt > 0).float() == y_te).float().mean().item()
    print(f"epoch {epoch} train_bce {tot / len(y_tr):.4f} test_bce {te_loss:.4f} test_acc {te_acc:.3f}")
