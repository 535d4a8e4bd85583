"""clean: fraud-like tabular data with 8% positives, handled with a class
weight in CrossEntropyLoss; the MLP uses dropout 0.5 in both hidden layers and
still learns; balanced accuracy is printed on a held-out split evaluated under
model.eval(). Final loss 0.328 (balanced accuracy 0.892) (measured once, plain python)."""
# traindebug-expect: clean
import torch
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

X, y = make_classification(n_samples=4000, n_features=20, n_informative=8, weights=[0.92], random_state=0)
X = StandardScaler().fit_transform(X)
torch.manual_seed(0)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
train = TensorDataset(X[:3200], y[:3200])
loader = DataLoader(train, batch_size=128, shuffle=True)

model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Dropout(0.5),
                      nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 2))
pos_frac = y[:3200].float().mean()
weights = torch.tensor([0.5 / (1 - pos_frac), 0.5 / pos_frac])
loss_fn = nn.CrossEntropyLoss(weight=weights)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(10):
    model.train()
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(X[3200:]).argmax(1)
    yv = y[3200:]
    bal = 0.5 * ((pred[yv == 0] == 0).float().mean() + (pred[yv == 1] == 1).float().mean())
    print(f"epoch {epoch} loss {loss.item():.4f} balanced acc {bal:.3f}")
