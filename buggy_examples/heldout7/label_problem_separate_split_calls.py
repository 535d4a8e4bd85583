"""Breast-cancer MLP in a notebook-style script (BCEWithLogitsLoss, SGD with Nesterov momentum).

Seeded bug (label_problem): features and targets are split by two separate
train_test_split calls. The X split uses random_state=42 and the y split uses a
different shuffle (no random_state), so the rows of y_train/y_valid no longer belong
to the rows of X_train/X_valid. The labels carry no usable signal about the inputs.

Measured (25 epochs, 350 steps): train loss 0.674 -> 0.595 (slow memorisation of
noise), val_loss 0.743, val_acc 0.510, val_auc 0.475 (chance). The fixed copy (same
random_state for both calls) reaches train loss 0.026, val_acc 0.979, val_auc 0.994.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(2024)
np.random.seed(2024)

data = load_breast_cancer(as_frame=True)
df = data.frame
features = [c for c in df.columns if c != "target"]

# ---- train / validation split ------------------------------------------------
X_train, X_valid = train_test_split(df[features].values, test_size=0.25, random_state=42)
y_train, y_valid = train_test_split(df["target"].values, test_size=0.25, shuffle=True)

scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_valid = scaler.transform(X_valid)

X_train_t = torch.tensor(X_train, dtype=torch.float32)
y_train_t = torch.tensor(y_train, dtype=torch.float32)
X_valid_t = torch.tensor(X_valid, dtype=torch.float32)
y_valid_t = torch.tensor(y_valid, dtype=torch.float32)


class Net(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 64)
        self.fc2 = nn.Linear(64, 32)
        self.out = nn.Linear(32, 1)
        self.act = nn.LeakyReLU(0.1)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        x = self.drop(self.act(self.fc1(x)))
        x = self.act(self.fc2(x))
        return self.out(x).squeeze(1)


model = Net(X_train_t.shape[1])
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)

BATCH = 32
n_batches = int(np.ceil(len(X_train_t) / BATCH))
for epoch in range(25):
    model.train()
    perm = torch.randperm(len(X_train_t))
    epoch_loss = 0.0
    for b in range(n_batches):
        idx = perm[b * BATCH:(b + 1) * BATCH]
        optimizer.zero_grad()
        loss = criterion(model(X_train_t[idx]), y_train_t[idx])
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        logits = model(X_valid_t)
        val_loss = criterion(logits, y_valid_t).item()
        val_acc = ((logits > 0).float() == y_valid_t).float().mean().item()
        auc = roc_auc_score(y_valid, torch.sigmoid(logits).numpy())
    if epoch % 5 == 4 or epoch == 0:
        print(f"Epoch {epoch+1:2d} | loss {epoch_loss/len(X_train_t):.4f} | "
              f"val_loss {val_loss:.4f} | val_acc {val_acc:.3f} | val_auc {auc:.3f}")
