"""Seeded bug: the classifier ends with nn.Softmax and its output goes into
nn.CrossEntropyLoss, which applies log_softmax itself: softmax twice, squashed
loss, weak gradients."""
# traindebug-expect: loss_output_mismatch
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
data = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
loader = DataLoader(data, batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Linear(64, 128), nn.ReLU(),
    nn.Linear(128, 10),
    nn.Softmax(dim=1),  # BUG: CrossEntropyLoss expects logits
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

for epoch in range(8):
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    print(f"epoch {epoch}: loss {total / len(data):.4f}")
