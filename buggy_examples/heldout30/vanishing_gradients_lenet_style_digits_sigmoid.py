"""
LeNet-style CNN on the bundled 8x8 digits (sklearn load_digits): three 3x3 conv layers
(1->16->32->32, padding 1, one 2x2 average pool after the second), then a 3-layer fully
connected head (512->128->64->10). SGD with momentum 0.9, lr 0.05, batch 64, 12 epochs
(~270 steps), cross-entropy, pixels scaled to [0, 1] and standardised.

Seeded bug: the network follows the 1998 LeNet-5 recipe literally and uses nn.Sigmoid after
every conv and hidden linear layer (six sigmoids in series). Each sigmoid multiplies the
backpropagated gradient by at most 0.25, so the first conv layers receive gradients several
orders of magnitude smaller than the head, and with plain SGD the net sits near chance for most
of the budget. A realistic mistake when re-implementing a "classic" architecture from a paper.

Measured (seed 0, 1 thread): buggy final train loss 2.31, test accuracy 0.100 (at init the
grad norm of conv1.weight is 1.8e-5 vs 0.81 for the output layer). Fixed copy (nn.ReLU instead
of nn.Sigmoid): final train loss 0.03, test accuracy 0.969. Runtime ~7 s.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class LeNetDigits(nn.Module):
    def __init__(self, n_classes=10, act=nn.Sigmoid):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), act(),
            nn.Conv2d(16, 32, 3, padding=1), act(),
            nn.AvgPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), act(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 4 * 4, 128), act(),
            nn.Linear(128, 64), act(),
            nn.Linear(64, n_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def load_data():
    digits = load_digits()
    X = digits.images.astype(np.float32) / 16.0
    y = digits.target.astype(np.int64)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean, std = X_tr.mean(), X_tr.std()
    X_tr = (X_tr - mean) / std
    X_te = (X_te - mean) / std
    to_t = lambda a: torch.from_numpy(a)
    return to_t(X_tr).unsqueeze(1), to_t(y_tr), to_t(X_te).unsqueeze(1), to_t(y_te)


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


def main():
    X_tr, y_tr, X_te, y_te = load_data()
    model = LeNetDigits()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    batch_size, epochs = 64, 12
    n = X_tr.shape[0]
    step = 0
    for epoch in range(epochs):
        perm = torch.randperm(n)
        running = 0.0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            logits = model(X_tr[idx])
            loss = F.cross_entropy(logits, y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(idx)
            step += 1
        te_loss, te_acc = evaluate(model, X_te, y_te)
        if epoch % 3 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:2d} step {step:4d} train_loss {running / n:.4f} "
                  f"test_loss {te_loss:.4f} test_acc {te_acc:.3f}")
    tr_loss, tr_acc = evaluate(model, X_tr, y_tr)
    te_loss, te_acc = evaluate(model, X_te, y_te)
    print(f"final train_loss {tr_loss:.4f} train_acc {tr_acc:.3f} test_acc {te_acc:.3f}")


if __name__ == "__main__":
    main()
