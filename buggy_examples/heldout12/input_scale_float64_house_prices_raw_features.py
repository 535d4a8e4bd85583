"""Synthetic house-price regression in float64 (torch.set_default_dtype(float64)),
MLP 4-64-64-1 with tanh, Adam(lr=3e-3), batch 64, 300 steps. The target is
standardised.

Seeded bug (input_scale): the four input features are fed raw: size in sq ft
(600-4000), lot size in sq ft (2000-20000), year built (1950-2020) and rooms (1-6).
The first tanh layer saturates immediately and the features differ in scale by
four orders of magnitude; only the target was standardised.

Measured: final train MSE 0.238, val MSE 0.220 (target variance 1.0), minibatch loss
still 0.17-0.38 at the end. Same script with the features standardised using
training statistics: train MSE 0.0091, val MSE 0.0093.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

# synthetic house prices: size in sq ft, lot size in sq ft, year built, rooms
n = 2000
size = np.random.uniform(600, 4000, n)
lot = np.random.uniform(2000, 20000, n)
year = np.random.randint(1950, 2020, n).astype(float)
rooms = np.random.randint(1, 7, n).astype(float)
price = (0.12 * size + 0.01 * lot + 1.5 * (year - 1950) + 8.0 * rooms
         + 15 * np.sin(size / 500.0) + np.random.randn(n) * 10.0)  # in $1000s
price = (price - price.mean()) / price.std()

X = np.stack([size, lot, year, rooms], axis=1)
X_train, X_val = X[:1600], X[1600:]
y_train, y_val = price[:1600], price[1600:]

X_train = torch.tensor(X_train)
X_val = torch.tensor(X_val)
y_train = torch.tensor(y_train).unsqueeze(1)
y_val = torch.tensor(y_val).unsqueeze(1)

net = nn.Sequential(
    nn.Linear(4, 64),
    nn.Tanh(),
    nn.Linear(64, 64),
    nn.Tanh(),
    nn.Linear(64, 1),
)
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
mse = nn.MSELoss()

bs = 64
steps = 0
for ep in range(12):
    order = torch.randperm(1600)
    for k in range(0, 1600, bs):
        b = order[k:k + bs]
        loss = mse(net(X_train[b]), y_train[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
        if steps % 50 == 0:
            print("step", steps, "loss %.4f" % loss.item())

with torch.no_grad():
    print("steps", steps)
    print("train mse %.4f  val mse %.4f  (target var 1.0)" % (mse(net(X_train), y_train).item(), mse(net(X_val), y_val).item()))
