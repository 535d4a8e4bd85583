"""
SELU MLP classifier (64-128-64-10) on standardised 8x8 digits, custom LeCun-normal init
(N(0, 1/fan_in), zero bias) applied with model.apply, RMSprop lr 1e-3 (alpha 0.9), DataLoader
batch 48, 10 epochs (270 steps).

Seeded bug: the LeCun standard deviation is written (1 // fan_in) ** 0.5, an integer
floor-division typo for (1 / fan_in) ** 0.5. For every fan_in > 1 this is 0, so normal_ fills
every weight matrix with exact zeros. With zero weights and zero biases every hidden unit is
identical (all output SELU(0) = 0), every hidden weight gets an identical (zero) gradient, and
the symmetry is never broken: only the output bias learns, i.e. the class prior.

Measured (seed 0, 1 thread): buggy: train loss 2.303 throughout, final test loss 2.3025, test
acc 0.102 (chance). Fixed copy ((1 / fan_in) ** 0.5): final train loss 0.021, train acc 0.998,
test loss 0.101, test acc 0.969.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def lecun_normal_(layer):
    if isinstance(layer, nn.Linear):
        fan_in = layer.weight.shape[1]
        with torch.no_grad():
            nn.init.normal_(layer.weight, 0.0, (1 // fan_in) ** 0.5)
            layer.bias.zero_()


class DigitClassifier(nn.Module):
    def __init__(self, hidden=(128, 64), n_classes=10):
        super().__init__()
        layers, d = [], 64
        for h in hidden:
            layers += [nn.Linear(d, h), nn.SELU()]
            d = h
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, n_classes)
        self.apply(lecun_normal_)

    def forward(self, x):
        return self.head(self.body(x))


digits = load_digits()
X = (digits.data - digits.data.mean(0)) / (digits.data.std(0) + 1e-6)
X_tr, X_te, y_tr, y_te = train_test_split(X.astype(np.float32), digits.target, test_size=0.3,
                                          random_state=0, stratify=digits.target)
train_loader = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=48, shuffle=True)
X_te, y_te = torch.tensor(X_te), torch.tensor(y_te)

model = DigitClassifier()
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9)

step = 0
for epoch in range(10):
    model.train()
    total, correct, loss_sum = 0, 0, 0.0
    for xb, yb in train_loader:
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        loss_sum += loss.item() * len(yb)
        correct += (logits.argmax(1) == yb).sum().item()
        total += len(yb)
    model.eval()
    with torch.no_grad():
        test_logits = model(X_te)
        test_loss = F.cross_entropy(test_logits, y_te).item()
        test_acc = (test_logits.argmax(1) == y_te).float().mean().item()
    if epoch % 2 == 1 or epoch == 0:
        print(f"epoch {epoch} step {step} train_loss {loss_sum / total:.4f} train_acc {correct / total:.3f} "
              f"test_loss {test_loss:.4f} test_acc {test_acc:.3f}")

print(f"final test accuracy {test_acc:.3f}")
