"""Seeded bug: a CNN whose conv filters are all initialised with
nn.init.constant_(w, 0.1); every filter of a layer is the same, gets the same
gradient and stays the same, so each conv layer has effectively one channel."""
# traindebug-expect: symmetric_init
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn


class ConstCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 4 * 4, 10)
        for conv in (self.conv1, self.conv2):
            nn.init.constant_(conv.weight, 0.1)  # BUG
            nn.init.zeros_(conv.bias)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
ds = torch.utils.data.TensorDataset(torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8), torch.tensor(y))
loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True)
model = ConstCNN()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(11):
    for xb, yb in loader:
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
