"""Seeded bug: the 8x8 digit images are brought to the usual 0-255 pixel range
and fed to a CNN without normalisation (no /255, no mean/std)."""
# traindebug-expect: input_scale
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
digits = load_digits()
pixels = torch.tensor(digits.images * (255.0 / 16.0), dtype=torch.float32).unsqueeze(1)  # BUG: 0..255, never normalized
dataset = TensorDataset(pixels, torch.tensor(digits.target))
loader = DataLoader(dataset, batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Flatten(),
    nn.Linear(16 * 4 * 4, 10),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(10):
    for images, targets in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(images), targets)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
