"""Seeded bug: a multi-label tagger (5 independent tags per sample) whose
model ends in nn.Sigmoid() - kept from an earlier version that used BCELoss -
while the training loop now uses BCEWithLogitsLoss, which applies a second
sigmoid. The loss cannot fall below log(1+e^-1) / ln 2 per tag and the
gradients are damped: it ends at ~0.63 (tag accuracy 0.78) vs ~0.35 (0.82)
without the extra Sigmoid (measured)."""
# traindebug-expect: loss_output_mismatch
import torch
from sklearn.datasets import make_multilabel_classification
from torch import nn

X, Y = make_multilabel_classification(n_samples=3000, n_features=40, n_classes=5, n_labels=2,
                                      random_state=0)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
Y = torch.tensor(Y, dtype=torch.float32)

model = nn.Sequential(
    nn.Linear(40, 128), nn.ReLU(), nn.Dropout(0.1),
    nn.Linear(128, 5),
    nn.Sigmoid(),  # BUG: left over from BCELoss days
)
criterion = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
ds = torch.utils.data.TensorDataset(X, Y)
loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True)
for epoch in range(7):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
    with torch.no_grad():
        model.eval()
        f1_proxy = ((model(X) > 0.5).float() == Y).float().mean()
    print(epoch, round(loss.item(), 4), round(f1_proxy.item(), 3))
