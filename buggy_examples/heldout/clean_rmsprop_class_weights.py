"""clean: breast-cancer classifier with RMSprop, a two-class CrossEntropyLoss
with class weights, a WeightedRandomSampler-free DataLoader, and an
ExponentialLR stepped once per epoch."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)
weights = len(y) / (2 * torch.bincount(y).float())
model = nn.Sequential(nn.Linear(30, 48), nn.LeakyReLU(0.1), nn.Dropout(0.2), nn.Linear(48, 2))
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
loss_fn = nn.CrossEntropyLoss(weight=weights)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
for epoch in range(15):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    sched.step()
    print(epoch, loss.item())
