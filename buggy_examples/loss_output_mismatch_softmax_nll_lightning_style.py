"""Seeded bug: a Lightning-style module (training_step / configure_optimizers,
driven by a tiny hand-written fit loop) returns softmax probabilities and trains
with F.nll_loss, which expects log-probabilities."""
# traindebug-expect: loss_output_mismatch
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class LitClassifier(nn.Module):
    def __init__(self, n_features: int, n_classes: int, lr: float = 0.1):
        super().__init__()
        self.lr = lr
        self.net = nn.Sequential(nn.Linear(n_features, 48), nn.GELU(), nn.Linear(48, n_classes))

    def forward(self, x):
        return F.softmax(self.net(x), dim=-1)  # BUG: nll_loss below needs log_softmax

    def training_step(self, batch):
        x, y = batch
        return F.nll_loss(self(x), y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr, momentum=0.9)


def fit(module, loader, epochs):
    opt = module.configure_optimizers()
    for epoch in range(epochs):
        for batch in loader:
            opt.zero_grad()
            loss = module.training_step(batch)
            loss.backward()
            opt.step()
        print(f"epoch {epoch}: {loss.item():.4f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = make_classification(n_samples=2400, n_features=20, n_informative=10, n_classes=6,
                               n_clusters_per_class=1, random_state=5)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    fit(LitClassifier(20, 6), DataLoader(ds, batch_size=48, shuffle=True), epochs=5)
