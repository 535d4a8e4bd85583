"""clean: an Experiment class whose fit() method trains an MLP with heavy
dropout (p = 0.5 after both hidden layers) on the breast-cancer table, an
evaluate() method decorated with @torch.no_grad() that switches to eval and
back to train, and ReduceLROnPlateau(mode="min") stepped once per epoch on
the validation loss. The training loss is noisy because of the dropout but
falls. Measured: train loss 0.64 -> 0.059 (last 20 batches),
validation 0.41 -> 0.118."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch import nn


class Experiment:
    def __init__(self, d_in, lr=1e-3, epochs=20, batch_size=32):
        self.model = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Dropout(0.5),
                                   nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 2))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.sched = torch.optim.lr_scheduler.ReduceLROnPlateau(self.opt, mode="min", factor=0.5, patience=2)
        self.crit = nn.CrossEntropyLoss()
        self.epochs, self.batch_size = epochs, batch_size
        self.train_losses, self.val_losses = [], []

    @torch.no_grad()
    def evaluate(self, X, y):
        self.model.eval()
        loss = self.crit(self.model(X), y).item()
        self.model.train()
        return loss

    def fit(self, Xtr, ytr, Xva, yva):
        self.model.train()
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr),
                                             batch_size=self.batch_size, shuffle=True)
        for epoch in range(self.epochs):
            for xb, yb in loader:
                loss = self.crit(self.model(xb), yb)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.train_losses.append(loss.item())
            val = self.evaluate(Xva, yva)
            self.val_losses.append(val)
            self.sched.step(val)
        return self


X, y = load_breast_cancer(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
mean, std = Xtr.mean(0), Xtr.std(0)
to_t = lambda a: torch.tensor((a - mean) / std, dtype=torch.float32)
torch.manual_seed(0)
exp = Experiment(30).fit(to_t(Xtr), torch.tensor(ytr), to_t(Xva), torch.tensor(yva))
tl = exp.train_losses
print("val", [round(v, 3) for v in exp.val_losses])
print(f"train first {tl[0]:.4f} final {sum(tl[-20:]) / 20:.4f} val final {exp.val_losses[-1]:.4f}")
