"""clean: a multi-task model on wine (cultivar class + standardised alcohol
regression with HuberLoss), both targets aligned with the inputs, Adam with
ReduceLROnPlateau on the epoch loss."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch import nn


class MultiTask(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.cls = nn.Linear(64, 3)
        self.reg = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.cls(h), self.reg(h).squeeze(-1)


torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
X = StandardScaler().fit_transform(X)
ds = torch.utils.data.TensorDataset(torch.tensor(X[:, 1:], dtype=torch.float32),
                                    torch.tensor(y), torch.tensor(X[:, 0], dtype=torch.float32))
loader = torch.utils.data.DataLoader(ds, batch_size=16, shuffle=True)
model = MultiTask()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=3)
ce, huber = nn.CrossEntropyLoss(), nn.HuberLoss()
for epoch in range(25):
    total = 0.0
    for xb, yb, alc in loader:
        logits, alc_pred = model(xb)
        loss = ce(logits, yb) + 0.5 * huber(alc_pred, alc)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    sched.step(total)
    if epoch % 5 == 0:
        print(epoch, total / len(loader))
