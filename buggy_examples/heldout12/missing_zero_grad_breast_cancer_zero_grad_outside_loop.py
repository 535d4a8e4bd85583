"""Breast-cancer binary classification, MLP 30-64-32-1, BCEWithLogitsLoss, SGD
momentum 0.9, lr 0.05, batch 32, 300 steps. Written notebook style with globals.

Seeded bug (missing_zero_grad): optimizer.zero_grad() is called once, before the
epoch loop, instead of inside the batch loop. Gradients from every batch pile up in
.grad, so each step uses the sum of all gradients so far and the effective step
keeps growing.

Measured: running mean loss 4.6e8 at step 50, 3.3e5 at step 100, ~35-170 at the
end; final train loss 169.7, test accuracy 0.649 (majority class ~0.63). Same
script with zero_grad() inside the batch loop: train loss 0.008, test accuracy
0.965.
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(3)
torch.set_num_threads(1)

# ---- data ----
bc = load_breast_cancer()
X_train, X_test, y_train, y_test = train_test_split(bc.data, bc.target, test_size=0.2, random_state=3)
sc = StandardScaler().fit(X_train)
X_train = torch.tensor(sc.transform(X_train), dtype=torch.float32)
X_test = torch.tensor(sc.transform(X_test), dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.float32)
y_test = torch.tensor(y_test, dtype=torch.float32)

# ---- model ----
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(30, 64)
        self.fc2 = nn.Linear(64, 32)
        self.out = nn.Linear(32, 1)
        self.act = nn.ReLU()

    def forward(self, x):
        x = self.act(self.fc1(x))
        x = self.act(self.fc2(x))
        return self.out(x).squeeze(1)

net = Net()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)

# ---- training ----
BATCH_SIZE = 32
NUM_EPOCHS = 20
losses = []
step = 0
optimizer.zero_grad()
for epoch in range(NUM_EPOCHS):
    perm = torch.randperm(X_train.shape[0])
    for i in range(0, X_train.shape[0], BATCH_SIZE):
        batch_idx = perm[i:i + BATCH_SIZE]
        logits = net(X_train[batch_idx])
        loss = criterion(logits, y_train[batch_idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        step += 1
        if step % 50 == 0:
            print("step %d  loss %.4f" % (step, np.mean(losses[-50:])))

with torch.no_grad():
    train_loss = criterion(net(X_train), y_train).item()
    test_acc = ((net(X_test) > 0).float() == y_test).float().mean().item()
print("total steps", step)
print("final train loss %.4f, test acc %.3f" % (train_loss, test_acc))
