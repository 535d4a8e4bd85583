"""Hand-written Adam update on a 3-layer MLP (raw weight tensors, no nn.Module) for
sklearn digits, minibatch 64, 264 steps.

Seeded bug (lr_too_high): the hand-rolled Adam uses lr = 0.3, a value typical for
plain SGD, about 300x larger than a sensible Adam step. Every parameter moves by
~0.3 per step regardless of gradient size, so training never makes progress and
the loss hovers around/above chance level.

Measured: final train loss 2.335, test accuracy 0.082 (chance 0.10), loss
oscillating 2.31-2.36 the whole run. Same script with lr = 1e-3: train loss 0.106,
test accuracy 0.982.
"""
# traindebug-expect: lr_too_high
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# load data
digits = load_digits()
X = digits.data / 16.0
y = digits.target
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
X_train = torch.tensor(X_train, dtype=torch.float32)
X_test = torch.tensor(X_test, dtype=torch.float32)
y_train = torch.tensor(y_train)
y_test = torch.tensor(y_test)

# weights, written out by hand
W1 = (torch.randn(64, 128) * (2.0 / 64) ** 0.5).requires_grad_()
b1 = torch.zeros(128, requires_grad=True)
W2 = (torch.randn(128, 64) * (2.0 / 128) ** 0.5).requires_grad_()
b2 = torch.zeros(64, requires_grad=True)
W3 = (torch.randn(64, 10) * (1.0 / 64) ** 0.5).requires_grad_()
b3 = torch.zeros(10, requires_grad=True)
params = [W1, b1, W2, b2, W3, b3]

def model(x):
    h = F.relu(x @ W1 + b1)
    h = F.relu(h @ W2 + b2)
    return h @ W3 + b3

# adam state
lr = 0.3
beta1 = 0.9
beta2 = 0.999
eps = 1e-8
m = [torch.zeros_like(p) for p in params]
v = [torch.zeros_like(p) for p in params]
t = 0

batch_size = 64
n_epochs = 12
n = X_train.shape[0]
step = 0
for epoch in range(n_epochs):
    perm = torch.randperm(n)
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        xb = X_train[idx]
        yb = y_train[idx]
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        for p in params:
            p.grad = None
        loss.backward()
        t += 1
        with torch.no_grad():
            for k, p in enumerate(params):
                g = p.grad
                m[k] = beta1 * m[k] + (1 - beta1) * g
                v[k] = beta2 * v[k] + (1 - beta2) * g * g
                mhat = m[k] / (1 - beta1 ** t)
                vhat = v[k] / (1 - beta2 ** t)
                p -= lr * mhat / (vhat.sqrt() + eps)
        step += 1
        if step % 40 == 0:
            print("step", step, "loss", round(loss.item(), 4))

with torch.no_grad():
    train_loss = F.cross_entropy(model(X_train), y_train).item()
    acc = (model(X_test).argmax(1) == y_test).float().mean().item()
print("total steps:", step)
print("final train loss: %.4f" % train_loss)
print("test accuracy: %.4f" % acc)
