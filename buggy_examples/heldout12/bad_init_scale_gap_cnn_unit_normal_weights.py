"""Plain (norm-free) CNN with a global-average-pooling head on 8x8 digits.

Seeded bug (bad_init_scale): reset_parameters() draws every conv / linear
weight from N(0, 1) instead of a fan-in scaled init, so activations grow by
roughly sqrt(fan_in) per layer (fan_in up to 576) and the logits at step 0 are
in the thousands.  Measured: initial cross-entropy 43906 (chance is ln 10 =
2.30); after 290 Adam steps the train loss is still 377 and test acc 0.738.
Same script with kaiming_normal_(nonlinearity="relu"): initial loss 2.77,
final train loss 0.068, test acc 0.987.
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(2)
torch.set_num_threads(1)

digits = load_digits()
X = digits.images.astype(np.float32) / 16.0
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=2, stratify=y)
mu, sd = X_tr.mean(), X_tr.std()
X_tr = torch.from_numpy((X_tr - mu) / sd).unsqueeze(1)
X_te = torch.from_numpy((X_te - mu) / sd).unsqueeze(1)
y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)


def conv_bn_free(cin, cout, k=3):
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2), nn.ReLU())


class GapNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn_free(1, 32),
            conv_bn_free(32, 32),
            nn.MaxPool2d(2),
            conv_bn_free(32, 64),
            conv_bn_free(64, 64),
        )
        self.classifier = nn.Linear(64, 10)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, mean=0.0, std=1.0)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.mean(dim=(2, 3)))


model = GapNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
n, bs = X_tr.shape[0], 48
for epoch in range(10):
    model.train()
    perm = torch.randperm(n)
    run = 0.0
    for i in range(0, n, bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    if epoch % 3 == 0 or epoch == 9:
        print(f"epoch {epoch + 1:2d} train loss {run / n:.3f} test acc {acc:.3f}")
