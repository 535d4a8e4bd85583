"""Tanh autoencoder (30 -> 24 -> 8 -> 24 -> 30) on the standardised breast-cancer features, nn.Sequential, RMSprop.

Seeded bug (symmetric_init): a custom init_weights() sets every Linear weight to the constant 0.05
("small weights keep tanh linear"). All hidden units of a layer compute the same function and get
identical gradients, so they stay identical for the whole run and the 8-d code behaves like a 1-d
code.

Measured (20 epochs, 300 steps): val MSE 0.682 -> 0.643 (flat after epoch 3), vs a PCA-8
reference of 0.099. Fixed copy (xavier_uniform_ init): val MSE 0.694 -> 0.218 and still falling.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

torch.manual_seed(21)
torch.set_num_threads(2)

X = load_breast_cancer().data.astype(np.float32)
rng = np.random.default_rng(21)
perm = rng.permutation(len(X))
X_train, X_val = X[perm[:455]], X[perm[455:]]
scaler = StandardScaler().fit(X_train)
X_train = torch.from_numpy(scaler.transform(X_train).astype(np.float32))
X_val = torch.from_numpy(scaler.transform(X_val).astype(np.float32))

encoder = nn.Sequential(nn.Linear(30, 24), nn.Tanh(), nn.Linear(24, 8))
decoder = nn.Sequential(nn.Linear(8, 24), nn.Tanh(), nn.Linear(24, 30))
autoencoder = nn.Sequential(encoder, decoder)


def init_weights(m):
    # small weights keep tanh in its linear regime at the start
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.05)
        nn.init.zeros_(m.bias)


autoencoder.apply(init_weights)

optimizer = torch.optim.RMSprop(autoencoder.parameters(), lr=2e-3, alpha=0.9)
criterion = nn.MSELoss()

BATCH = 32
EPOCHS = 20
history = []
for epoch in range(EPOCHS):
    autoencoder.train()
    idx = torch.randperm(len(X_train))
    ep_loss = 0.0
    for i in range(0, len(idx), BATCH):
        xb = X_train[idx[i:i + BATCH]]
        recon = autoencoder(xb)
        loss = criterion(recon, xb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        ep_loss += loss.item() * len(xb)
    autoencoder.eval()
    with torch.no_grad():
        val = criterion(autoencoder(X_val), X_val).item()
    history.append(val)
    if epoch % 4 == 3 or epoch == 0:
        print(f"epoch {epoch:2d}  train_mse {ep_loss / len(X_train):.4f}  val_mse {val:.4f}")

# PCA reference: reconstruction error with an 8-d linear code
U, S, Vt = np.linalg.svd(X_train.numpy(), full_matrices=False)
Xv = X_val.numpy()
pca_err = np.mean((Xv - Xv @ Vt[:8].T @ Vt[:8]) ** 2)
print(f"final val_mse {history[-1]:.4f}   (PCA-8 reference {pca_err:.4f})")
