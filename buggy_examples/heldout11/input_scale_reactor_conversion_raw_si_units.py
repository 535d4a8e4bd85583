"""Regression of reactor conversion from operating conditions (pandas table
of simulated experiments).

Seeded bug: the raw physical features go straight into the MLP: pressure in Pa
(0.5e5..5e5), temperature in K (450..750), catalyst concentration in mol/L
(3e-4..1e-2), flow in mL/min, residence time in s.  Feature scales span ~8
orders of magnitude and were never standardised.

Measured: initial train MSE ~1e8 (target is in [0, 1]); after 400 Adam steps
test MSE 110.7, R2 = -752.  Same script with per-feature standardisation
(train mean/std): test MSE 0.0045, R2 0.969.
"""
# traindebug-expect: input_scale

import numpy as np
import pandas as pd
import torch
import torch.nn as nn

torch.manual_seed(4)
np.random.seed(4)
torch.set_num_threads(1)

# Simulated reactor campaign: conversion as a function of operating conditions
n = 2500
df = pd.DataFrame({
    "pressure_pa": np.random.uniform(0.5e5, 5e5, n),
    "temperature_k": np.random.uniform(450.0, 750.0, n),
    "catalyst_mol_l": 10 ** np.random.uniform(-3.5, -2.0, n),
    "flow_ml_min": np.random.uniform(5.0, 50.0, n),
    "residence_s": np.random.uniform(0.5, 20.0, n),
})
Ea, R = 6.0e4, 8.314
k = 1.0e4 * np.exp(-Ea / (R * df.temperature_k)) * (df.catalyst_mol_l * 1e3) ** 0.7 * (df.pressure_pa / 1e5) ** 0.5
tau = df.residence_s * 20.0 / df.flow_ml_min
df["conversion"] = 1.0 - np.exp(-k * tau) + 0.01 * np.random.randn(n)

features = ["pressure_pa", "temperature_k", "catalyst_mol_l", "flow_ml_min", "residence_s"]
X = df[features].to_numpy(np.float32)
y = df["conversion"].to_numpy(np.float32)[:, None]

perm = np.random.permutation(n)
tr, te = perm[:2000], perm[2000:]
Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
Xte, yte = torch.from_numpy(X[te]), torch.from_numpy(y[te])

model = nn.Sequential(
    nn.Linear(len(features), 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
mse = nn.MSELoss()

steps, bs = 400, 64
for step in range(steps):
    bi = torch.randint(0, len(Xtr), (bs,))
    loss = mse(model(Xtr[bi]), ytr[bi])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 80 == 0 or step == steps - 1:
        with torch.no_grad():
            te_loss = mse(model(Xte), yte).item()
        print(f"step {step:4d}  train {loss.item():.5f}  test {te_loss:.5f}")

with torch.no_grad():
    te_loss = mse(model(Xte), yte).item()
print(f"test MSE {te_loss:.5f}  R2 {1 - te_loss / yte.var().item():.3f}")
