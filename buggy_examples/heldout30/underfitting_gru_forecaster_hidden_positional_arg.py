"""One-step-ahead forecaster for a vibration-like sensor signal (two incommensurate
oscillations with periods 7 and 11.3, slow amplitude modulation, small noise; standardised).
GRU over a 32-step window -> Linear head on the last output, wrapped in a small Trainer class;
windows from a Dataset/DataLoader (batch 64, shuffled), RMSprop lr 3e-3, 8 epochs (248 steps),
MSE on train and on the held-out tail of the series.

Seeded bug: the model signature is GRUForecaster(n_features, hidden_size=64, horizon=1) but it
is built as GRUForecaster(N_FEATURES, HORIZON), so the horizon (1) lands in hidden_size: the
GRU has a single hidden unit. A one-dimensional state cannot hold the phase of two
oscillations, so the model underfits badly although its updates are perfectly healthy.
Typical positional-argument slip.

Measured (fixed copy passes horizon=HORIZON, hidden_size 64): final train MSE 0.595 vs 0.029,
val MSE 0.540 vs 0.029 (variance of the standardised series = 1).
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


class WindowDataset(Dataset):
    def __init__(self, series, lookback, horizon):
        self.s = torch.as_tensor(series, dtype=torch.float32)
        self.lookback, self.horizon = lookback, horizon

    def __len__(self):
        return len(self.s) - self.lookback - self.horizon + 1

    def __getitem__(self, i):
        x = self.s[i:i + self.lookback].unsqueeze(-1)
        y = self.s[i + self.lookback:i + self.lookback + self.horizon]
        return x, y


class GRUForecaster(nn.Module):
    def __init__(self, n_features, hidden_size=64, horizon=1, num_layers=1):
        super().__init__()
        self.gru = nn.GRU(n_features, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, horizon)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


class Trainer:
    def __init__(self, model, lr=3e-3, epochs=8, log_every=2):
        self.model = model
        self.opt = torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.9)
        self.loss_fn = nn.MSELoss()
        self.epochs, self.log_every = epochs, log_every
        self.steps = 0

    def evaluate(self, loader):
        self.model.eval()
        tot, n = 0.0, 0
        with torch.no_grad():
            for x, y in loader:
                tot += self.loss_fn(self.model(x), y).item() * len(x)
                n += len(x)
        self.model.train()
        return tot / n

    def fit(self, train_loader, val_loader):
        for epoch in range(1, self.epochs + 1):
            for x, y in train_loader:
                loss = self.loss_fn(self.model(x), y)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.steps += 1
            if epoch % self.log_every == 0 or epoch == self.epochs:
                tr, va = self.evaluate(train_loader), self.evaluate(val_loader)
                print(f"epoch {epoch}  steps {self.steps}  train mse {tr:.4f}  val mse {va:.4f}")
        return tr, va


# vibration-sensor-like signal: two incommensurate oscillations with slowly varying amplitude
T = 2400
t = np.arange(T)
series = (np.sin(2 * np.pi * t / 7.0) * (1 + 0.3 * np.sin(2 * np.pi * t / 300))
          + 0.6 * np.sin(2 * np.pi * t / 11.3 + 0.5) + 0.1 * rng.standard_normal(T))
series = (series - series[:2000].mean()) / series[:2000].std()

LOOKBACK, HORIZON = 32, 1
N_FEATURES = 1
train_ds = WindowDataset(series[:2000], LOOKBACK, HORIZON)
val_ds = WindowDataset(series[2000 - LOOKBACK:], LOOKBACK, HORIZON)
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)

model = GRUForecaster(N_FEATURES, HORIZON)
trainer = Trainer(model)
train_mse, val_mse = trainer.fit(train_loader, val_loader)
print(f"final train mse {train_mse:.4f}  val mse {val_mse:.4f}")
