"""Healthy control. Beginner-style iris classifier: standardised features, MLP
4-32-3 with ReLU, Adam(lr=0.05) on the full training set (120 samples), 150 steps.

Patterns that might fool a naive detector: the learning rate is high for Adam
(0.05), so the loss collapses very fast (1.06 -> 0.17 in 8 steps, 0.043 by step 20)
and then keeps creeping down towards zero; full-batch training without shuffling;
a tiny dataset that is fitted to 100% training accuracy.

Measured: loss 1.059 at step 0, 0.043 at step 20, 0.0131 at the end; train accuracy
1.000, test accuracy 0.933. No oscillation or spikes.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

torch.manual_seed(42)
np.random.seed(42)
torch.set_num_threads(1)

iris = load_iris()
X = iris.data
y = iris.target

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)

# standardize with training statistics
mean = X_train.mean(axis=0)
std = X_train.std(axis=0)
X_train = (X_train - mean) / std
X_test = (X_test - mean) / std

X_train = torch.FloatTensor(X_train)
X_test = torch.FloatTensor(X_test)
y_train = torch.LongTensor(y_train)
y_test = torch.LongTensor(y_test)

model = nn.Sequential(
    nn.Linear(4, 32),
    nn.ReLU(),
    nn.Linear(32, 3),
)

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)

epochs = 150
losses = []
for epoch in range(epochs):
    y_pred = model(X_train)
    loss = criterion(y_pred, y_train)
    losses.append(loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    if epoch < 20 and epoch % 4 == 0 or epoch % 30 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")

with torch.no_grad():
    train_acc = (model(X_train).argmax(1) == y_train).float().mean().item()
    test_acc = (model(X_test).argmax(1) == y_test).float().mean().item()
print(f"loss at step 0: {losses[0]:.3f}, step 20: {losses[20]:.3f}, last: {losses[-1]:.4f}")
print(f"train acc {train_acc:.3f}  test acc {test_acc:.3f}")
