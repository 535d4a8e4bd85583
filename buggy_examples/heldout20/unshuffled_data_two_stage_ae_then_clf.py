"""Seeded bug: stage 2 of this two-stage pipeline builds its training set by
encoding the images class by class (``for c in range(10)``), so the stage-2
feature tensor is sorted by label, and the TensorDataset loader is created with
``shuffle=False``.  Every mini-batch holds one or two classes only and the
classifier keeps forgetting the earlier classes.

Measured effect (buggy vs fixed copy, shuffle=True): stage-2 test accuracy
0.076 vs 0.793, final stage-2 epoch loss 30.0 (oscillating 5-34) vs 0.52.
"""
# traindebug-expect: unshuffled_data
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)

# ---------------- stage 1: unsupervised autoencoder ----------------
encoder = nn.Sequential(nn.Linear(64, 48), nn.Tanh(), nn.Linear(48, 16))
decoder = nn.Sequential(nn.Linear(16, 48), nn.Tanh(), nn.Linear(48, 64), nn.Sigmoid())
ae_opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=3e-3)
ae_dl = DataLoader(TensorDataset(X_tr), batch_size=64, shuffle=True)
for ep in range(6):
    tot = 0.0
    for (xb,) in ae_dl:
        rec = decoder(encoder(xb))
        loss = nn.functional.mse_loss(rec, xb)
        ae_opt.zero_grad()
        loss.backward()
        ae_opt.step()
        tot += loss.item() * len(xb)
    print(f"[ae] epoch {ep+1} recon_mse {tot/len(X_tr):.4f}")

# ---------------- stage 2: classifier on frozen codes ----------------
encoder.eval()
with torch.no_grad():
    feats, labels = [], []
    for c in range(10):
        xc = X_tr[y_tr == c]
        feats.append(encoder(xc))
        labels.append(torch.full((len(xc),), c))
    Z_tr, L_tr = torch.cat(feats), torch.cat(labels)
    Z_te = encoder(X_te)
mu, sd = Z_tr.mean(0), Z_tr.std(0) + 1e-6
Z_tr, Z_te = (Z_tr - mu) / sd, (Z_te - mu) / sd

clf = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 10))
clf_opt = torch.optim.SGD(clf.parameters(), lr=0.05, momentum=0.9)
clf_dl = DataLoader(TensorDataset(Z_tr, L_tr), batch_size=32, shuffle=False)
for ep in range(6):
    tot = 0.0
    for zb, lb in clf_dl:
        loss = nn.functional.cross_entropy(clf(zb), lb)
        clf_opt.zero_grad()
        loss.backward()
        clf_opt.step()
        tot += loss.item() * len(zb)
    with torch.no_grad():
        acc = (clf(Z_te).argmax(1) == y_te).float().mean().item()
    print(f"[clf] epoch {ep+1} loss {tot/len(Z_tr):.4f} test_acc {acc:.3f}")
