"""clean: softmax regression plus one hidden layer on plain tensors, updated by
hand (p -= lr * p.grad; p.grad.zero_()) without any torch.optim optimizer."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_iris

torch.manual_seed(0)
X, y = load_iris(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)
W1 = (torch.randn(4, 16) * 0.5).requires_grad_()
b1 = torch.zeros(16, requires_grad=True)
W2 = (torch.randn(16, 3) * 0.25).requires_grad_()
b2 = torch.zeros(3, requires_grad=True)
params = [W1, b1, W2, b2]
lr = 0.1
for step in range(300):
    idx = torch.randint(0, len(X), (32,))
    logits = torch.tanh(X[idx] @ W1 + b1) @ W2 + b2
    loss = torch.nn.functional.cross_entropy(logits, y[idx])
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
    if step % 100 == 0:
        print(step, loss.item())
