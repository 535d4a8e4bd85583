"""Seeded bug: the validation loop runs under torch.no_grad() but without
model.eval(): dropout stays on during evaluation and the batch-norm running
statistics are updated with validation data."""
# traindebug-expect: wrong_mode
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
labels = torch.tensor(digits.target)
images = (images - images.mean()) / images.std()
perm = torch.randperm(len(images))
train_idx, val_idx = perm[:1500], perm[1500:]


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 12, 3, padding=1)
        self.bn = nn.BatchNorm2d(12)
        self.drop = nn.Dropout(0.4)
        self.fc = nn.Linear(12 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(self.drop(x.flatten(1)))


model = ConvNet()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(12):
    model.train()
    shuffled = train_idx[torch.randperm(len(train_idx))]
    for i in range(0, len(shuffled), 50):
        b = shuffled[i : i + 50]
        loss = F.cross_entropy(model(images[b]), labels[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():  # BUG: model.eval() missing
        val_loss = sum(
            F.cross_entropy(model(images[val_idx[i : i + 100]]), labels[val_idx[i : i + 100]]).item()
            for i in range(0, len(val_idx), 100)
        )
    print(f"epoch {epoch}: train {loss.item():.3f} val {val_loss:.3f}")
