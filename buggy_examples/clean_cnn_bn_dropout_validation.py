"""clean: CNN with BatchNorm and Dropout on 8x8 digits, normalised pixels,
correct model.train()/model.eval() switching, a validation loop under
torch.no_grad() and gradient clipping at a sane threshold."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
digits = load_digits()
images = digits.images / 16.0
images = (images - images.mean()) / images.std()
Xtr, Xva, ytr, yva = train_test_split(images, digits.target, test_size=0.25, random_state=0)
as_ds = lambda a, b: TensorDataset(torch.tensor(a, dtype=torch.float32).unsqueeze(1), torch.tensor(b))
train_loader = DataLoader(as_ds(Xtr, ytr), batch_size=32, shuffle=True)
val_loader = DataLoader(as_ds(Xva, yva), batch_size=128)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.Flatten(),
    nn.Dropout(0.3), nn.Linear(32 * 4 * 4, 10),
)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(8):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        opt.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        val = sum(criterion(model(xb), yb).item() * len(yb) for xb, yb in val_loader) / len(val_loader.dataset)
        correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val_loader)
    print(f"epoch {epoch}: val loss {val:.3f} acc {correct / len(val_loader.dataset):.3f}")
