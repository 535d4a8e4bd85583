"""
Co-teaching (Han et al. 2018) on load_digits with 45% symmetric label noise injected into the
training split (40% of the data; the other 60% is a clean validation split): two MLPs
64-256-256-10; in every minibatch each network ranks the samples by its own loss and its peer
is updated only on the small-loss part, with the forget rate ramping linearly to 0.45 over
RAMP = 5 epochs. Adam lr 4e-3, batch 64, 30 epochs (330 steps per network). The validation
loss and accuracy of net1 are computed every epoch under torch.no_grad().

Seeded bug: the number of samples kept is written  n_keep = len(yb) - int(forget_rate)
instead of  len(yb) - int(forget_rate * len(yb)): the forget rate is a fraction, so
int(0.45) == 0 and no sample is ever dropped. Co-teaching silently degenerates into plain
training of two wide MLPs on the noisy labels, which they memorise: the training loss on the
noisy labels keeps falling while the clean validation loss rises after epoch ~9.

Measured (seed 0, 1 thread): buggy: train loss (noisy labels) 2.20 -> 0.55, val loss best
0.742 at epoch 9 -> final 1.051, val accuracy 0.896 (epoch 5) -> 0.669. Fixed copy
(int(forget_rate * len(yb))): val loss best 0.259, final 0.492, final val accuracy 0.854.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

NOISE = 0.45
FORGET = 0.45
RAMP = 5
EPOCHS = 30
BATCH = 64

digits = load_digits()
X_train, X_val, y_train, y_val = train_test_split(
    (digits.data / 16.0).astype(np.float32), digits.target, test_size=0.6, random_state=0,
    stratify=digits.target)
flip = rng.random(len(y_train)) < NOISE
y_noisy = y_train.copy()
y_noisy[flip] = (y_train[flip] + rng.integers(1, 10, flip.sum())) % 10
print(f"fraction of corrupted training labels: {(y_noisy != y_train).mean():.3f}")

X_tr, y_tr = torch.from_numpy(X_train), torch.from_numpy(y_noisy)
X_va, y_va = torch.from_numpy(X_val), torch.from_numpy(y_val)


def make_net():
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))


net1, net2 = make_net(), make_net()
opt1 = torch.optim.Adam(net1.parameters(), lr=4e-3)
opt2 = torch.optim.Adam(net2.parameters(), lr=4e-3)


def coteach_step(xb, yb, forget_rate):
    loss1 = F.cross_entropy(net1(xb), yb, reduction="none")
    loss2 = F.cross_entropy(net2(xb), yb, reduction="none")
    n_keep = len(yb) - int(forget_rate)
    keep1 = torch.argsort(loss1.detach())[:n_keep]      # net1's clean guesses -> train net2
    keep2 = torch.argsort(loss2.detach())[:n_keep]
    upd1 = loss1[keep2].mean()
    upd2 = loss2[keep1].mean()
    opt1.zero_grad()
    upd1.backward()
    opt1.step()
    opt2.zero_grad()
    upd2.backward()
    opt2.step()
    return loss1.mean().item()


history = []
for epoch in range(EPOCHS):
    forget_rate = FORGET * min(epoch / RAMP, 1)
    net1.train()
    net2.train()
    perm = torch.randperm(len(X_tr))
    train_losses = []
    for i in range(0, len(perm) - BATCH + 1, BATCH):
        idx = perm[i:i + BATCH]
        train_losses.append(coteach_step(X_tr[idx], y_tr[idx], forget_rate))
    net1.eval()
    with torch.no_grad():
        logits = net1(X_va)
        val_loss = F.cross_entropy(logits, y_va).item()
        val_acc = (logits.argmax(1) == y_va).float().mean().item()
    history.append(val_loss)
    if epoch % 5 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch:2d}  forget {forget_rate:.2f}  train loss {np.mean(train_losses):.4f}  "
              f"val loss {val_loss:.4f}  val acc {val_acc:.3f}")

best = int(np.argmin(history))
print(f"best val loss {history[best]:.4f} at epoch {best}; final val loss {val_loss:.4f}, "
      f"final val acc {val_acc:.3f}")
