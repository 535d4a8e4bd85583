"""Seeded bug: a multi-task model on wine (class head + regression head on
alcohol); the classification target passed to the loss is the batch of a
second, independently shuffled DataLoader over the labels, so it is unrelated
to the inputs."""
# traindebug-expect: label_problem
import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch import nn


class MultiTask(nn.Module):
    def __init__(self, d_in, n_classes):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d_in, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.cls_head = nn.Linear(64, n_classes)
        self.reg_head = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.cls_head(h), self.reg_head(h).squeeze(-1)


torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
X = StandardScaler().fit_transform(X)
alcohol = torch.tensor(X[:, 0], dtype=torch.float32)
feats = torch.tensor(X[:, 1:], dtype=torch.float32)
labels = torch.tensor(y)
feat_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(feats, alcohol), batch_size=16, shuffle=True)
label_loader = torch.utils.data.DataLoader(labels, batch_size=16, shuffle=True)  # BUG: shuffled on its own
model = MultiTask(12, 3)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(30):
    for (xb, alc), yb in zip(feat_loader, label_loader):
        logits, alc_pred = model(xb)
        loss = nn.functional.cross_entropy(logits, yb) + 0.5 * nn.functional.mse_loss(alc_pred, alc)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 5 == 0:
        print(epoch, loss.item())
