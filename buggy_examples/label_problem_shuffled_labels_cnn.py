"""Seeded bug: a small CNN on 8x8 digit images, but the "shuffle the data"
step permutes the labels with a different permutation than the images, so the
labels carry no information about the inputs."""
# traindebug-expect: label_problem
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


rng = np.random.default_rng(0)
torch.manual_seed(0)
digits = load_digits()
images = (digits.images / 16.0 - 0.3) / 0.4
labels = digits.target
images = images[rng.permutation(len(images))]
labels = labels[rng.permutation(len(labels))]  # BUG: a second, different permutation
ds = TensorDataset(torch.tensor(images, dtype=torch.float32).unsqueeze(1), torch.tensor(labels))
loader = DataLoader(ds, batch_size=32, shuffle=True)

model = SmallCNN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(6):
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: {loss.item():.3f}")
