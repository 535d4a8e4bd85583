"""Wine classification (178 samples, 3 classes), MLP 13-32-32-3 with nn.PReLU, SGD
momentum 0.9, lr 0.05, batch 16, 225 steps.

Seeded bug (label_problem): the dataset is stored sorted by class, so the script
"shuffles before splitting" with np.random.shuffle(X) followed by
np.random.shuffle(y). The two calls use different permutations, so the labels no
longer belong to their rows: the targets carry no information about the inputs.

Measured: the network can only memorise the noise (train loss 0.99 -> 0.55 over 25
epochs, slow and uneven) and test accuracy is 0.31-0.42 (chance 0.33). Same script
with one shared permutation: train loss 0.000, test accuracy 0.911.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler

np.random.seed(7)
torch.manual_seed(7)
torch.set_num_threads(1)

data = load_wine()
X = data.data
y = data.target
print("samples:", X.shape[0], "features:", X.shape[1], "classes:", len(np.unique(y)))

# the dataset is sorted by class, so shuffle before splitting
np.random.shuffle(X)
np.random.shuffle(y)

split = int(0.75 * len(X))
X_train, X_test = X[:split], X[split:]
y_train, y_test = y[:split], y[split:]

scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)

X_train = torch.tensor(X_train, dtype=torch.float32)
X_test = torch.tensor(X_test, dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.long)
y_test = torch.tensor(y_test, dtype=torch.long)

model = nn.Sequential(
    nn.Linear(13, 32),
    nn.PReLU(),
    nn.Linear(32, 32),
    nn.PReLU(),
    nn.Linear(32, 3),
)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

batch = 16
epochs = 25
step = 0
for epoch in range(epochs):
    idx = torch.randperm(len(X_train))
    for i in range(0, len(X_train), batch):
        j = idx[i:i + batch]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[j]), y_train[j])
        loss.backward()
        optimizer.step()
        step += 1
    if (epoch + 1) % 5 == 0:
        with torch.no_grad():
            tl = loss_fn(model(X_train), y_train).item()
            acc = (model(X_test).argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch+1}: train loss {tl:.3f}, test acc {acc:.3f}")
print("steps:", step)
