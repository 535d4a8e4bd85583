"""Seeded bug: a class-based trainer on a 3-class problem where 96% of the
samples are class 0 and the loss has no class weights: the model gets a low
loss by predicting the majority class."""
# traindebug-expect: label_problem
import torch
from sklearn.datasets import make_classification
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=64):
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr)
        self.criterion = nn.CrossEntropyLoss()  # BUG: no class weights for a 96:3:1 label mix
        self.batch_size = batch_size

    def train_epoch(self, loader):
        self.model.train()
        total = 0.0
        for x, y in loader:
            self.opt.zero_grad()
            loss = self.criterion(self.model(x), y)
            loss.backward()
            self.opt.step()
            total += loss.item()
        return total / len(loader)

    def fit(self, dataset, epochs):
        loader = DataLoader(dataset, batch_size=self.batch_size, shuffle=True)
        for epoch in range(epochs):
            print(f"epoch {epoch}: train loss {self.train_epoch(loader):.4f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = make_classification(
        n_samples=3000, n_features=16, n_informative=4, n_classes=3, n_clusters_per_class=1,
        weights=[0.96, 0.03, 0.01], flip_y=0.0, random_state=0,
    )
    dataset = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 3))
    Trainer(model).fit(dataset, epochs=6)
