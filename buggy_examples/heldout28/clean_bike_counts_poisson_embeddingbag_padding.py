"""Healthy control: Poisson regression of hourly bike-dock rentals. Dense features (hour sin/cos,
temperature, rain) + station nn.Embedding + a "sum" nn.EmbeddingBag over a variable number of
nearby point-of-interest tags (padded with index 0, padding_idx=0), into a ReLU MLP that outputs
log(rate); nn.PoissonNLLLoss(log_input=True), AdamW lr 3e-3 wd 1e-4, batches of 128, 8 epochs
(304 steps).

Possible false alarm: (1) PoissonNLLLoss without the Stirling term is exp(eta) - y*eta, which is
strongly negative for counts around 20 (train/test loss about -22), so a detector expecting a
positive loss could flag it as broken or diverging; (2) the padding row of the EmbeddingBag
(padding_idx=0) never receives a gradient and never changes, which looks like a frozen / no-grad
parameter slice.

Measured: test Poisson NLL -22.39, mean Poisson deviance 1.31 (intercept-only model 11.75), test
MAE 2.92 rentals per hour.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# --- synthetic hourly bike-dock rentals -----------------------------------------------------
N_STATIONS, N_TAGS, MAX_TAGS = 60, 40, 6
N = 6000
station = rng.integers(0, N_STATIONS, N)
hour = rng.integers(0, 24, N)
temp = rng.normal(15, 8, N)
rain = (rng.random(N) < 0.15).astype(np.float32)
station_pop = rng.normal(0, 0.6, N_STATIONS)
tag_effect = rng.normal(0, 0.3, N_TAGS + 1)
tag_effect[0] = 0.0
n_tags = rng.integers(0, MAX_TAGS + 1, N)               # POI tags near the dock (variable count)
tags = np.zeros((N, MAX_TAGS), dtype=np.int64)          # 0 = padding
for i in range(N):
    tags[i, :n_tags[i]] = rng.choice(np.arange(1, N_TAGS + 1), n_tags[i], replace=False)
rush = np.exp(-0.5 * ((hour - 8) / 1.5) ** 2) + np.exp(-0.5 * ((hour - 17.5) / 2.0) ** 2)
log_rate = (1.6 + 1.1 * rush + 0.04 * (temp - 15) - 0.9 * rain
            + station_pop[station] + tag_effect[tags].sum(1))
counts = rng.poisson(np.exp(log_rate)).astype(np.float32)

dense = np.stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                  (temp - 15) / 8, rain], axis=1).astype(np.float32)
t = lambda a: torch.from_numpy(a)
perm = rng.permutation(N)
tr, te = perm[:4800], perm[4800:]
data_tr = (t(dense[tr]), t(station[tr]), t(tags[tr]), t(counts[tr]))
data_te = (t(dense[te]), t(station[te]), t(tags[te]), t(counts[te]))


class RentalModel(nn.Module):
    def __init__(self, emb_dim=8):
        super().__init__()
        self.station = nn.Embedding(N_STATIONS, emb_dim)
        self.tags = nn.EmbeddingBag(N_TAGS + 1, emb_dim, mode="sum", padding_idx=0)
        self.mlp = nn.Sequential(nn.Linear(4 + 2 * emb_dim, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                                 nn.Linear(32, 1))
        nn.init.normal_(self.station.weight, std=0.1)
        nn.init.normal_(self.tags.weight, std=0.1)
        with torch.no_grad():
            self.tags.weight[0].zero_()

    def forward(self, dense, station, tags):
        z = torch.cat([dense, self.station(station), self.tags(tags)], dim=1)
        return self.mlp(z).squeeze(-1)            # log of the expected count


model = RentalModel()
loss_fn = nn.PoissonNLLLoss(log_input=True)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)


def poisson_deviance(log_mu, y):
    mu = log_mu.exp()
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return (2 * (term - (y - mu))).mean().item()


BATCH = 128
step = 0
for epoch in range(1, 9):
    order = torch.randperm(len(data_tr[0]))
    model.train()
    for i in range(0, len(order), BATCH):
        b = order[i:i + BATCH]
        d, s, g, y = (x[b] for x in data_tr)
        loss = loss_fn(model(d, s, g), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    model.eval()
    with torch.no_grad():
        log_mu = model(*data_te[:3])
        te_loss = loss_fn(log_mu, data_te[3]).item()
        dev = poisson_deviance(log_mu, data_te[3])
        mae = (log_mu.exp() - data_te[3]).abs().mean().item()
    print(f"epoch {epoch} (step {step:3d})  train nll {loss.item():.3f}  test nll {te_loss:.3f}  "
          f"test deviance {dev:.3f}  test MAE {mae:.2f}")

with torch.no_grad():
    mean_dev = poisson_deviance(torch.full_like(data_te[3], data_tr[3].mean().log()), data_te[3])
print(f"final test mean Poisson deviance {dev:.3f} (intercept-only {mean_dev:.3f}), MAE {mae:.2f} rentals")
