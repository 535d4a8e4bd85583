"""Seeded bug: a hand-written Lightning-style module (training_step /
configure_optimizers / fit loop) on breast_cancer whose configure_optimizers
uses SGD with lr=1e-5; after 300 steps the model is still near its init."""
# traindebug-expect: lr_too_low
import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn


class LitClassifier(nn.Module):
    def __init__(self, n_in, lr):
        super().__init__()
        self.lr = lr
        self.net = nn.Sequential(nn.Linear(n_in, 32), nn.Tanh(), nn.Linear(32, 2))

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return F.cross_entropy(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        return (self(x).argmax(1) == y).float().mean()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr)


def fit(module, train_loader, val_loader, max_epochs):
    opt = module.configure_optimizers()
    for epoch in range(max_epochs):
        module.train()
        for i, batch in enumerate(train_loader):
            loss = module.training_step(batch, i)
            opt.zero_grad()
            loss.backward()
            opt.step()
        module.eval()
        with torch.no_grad():
            acc = torch.stack([module.validation_step(b, i) for i, b in enumerate(val_loader)]).mean()
        print(f"epoch {epoch} loss {loss.item():.4f} val_acc {acc:.3f}")


torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
sc = StandardScaler().fit(Xtr)
tr = torch.utils.data.TensorDataset(torch.tensor(sc.transform(Xtr), dtype=torch.float32), torch.tensor(ytr))
va = torch.utils.data.TensorDataset(torch.tensor(sc.transform(Xva), dtype=torch.float32), torch.tensor(yva))
fit(LitClassifier(30, lr=1e-5),  # BUG: far too small for plain SGD
    torch.utils.data.DataLoader(tr, batch_size=16, shuffle=True),
    torch.utils.data.DataLoader(va, batch_size=64), max_epochs=12)
