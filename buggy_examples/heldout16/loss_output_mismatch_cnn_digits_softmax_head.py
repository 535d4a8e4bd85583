"""
Small CNN on the 8x8 sklearn digits images (1x8x8 tensors), SGD with momentum.

Seeded bug (loss_output_mismatch): the classifier head ends with nn.Softmax(dim=1),
and its output is fed to nn.CrossEntropyLoss, which applies log-softmax itself.
The loss therefore sees probabilities as logits: its floor is far above zero and
the gradients are squashed, so training barely moves for most of the run.

Measured (8 epochs, ~180 SGD steps):
  buggy : train loss 2.3025 -> 2.045, test acc 0.10 for 3 epochs, 0.627 at the end
  fixed (Softmax removed from the head): train loss 2.29 -> 0.044, test acc 0.964
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(1)
np.random.seed(1)
torch.set_num_threads(1)

digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)          # (N, 8, 8) in [0, 1]
images = (images - images.mean()) / images.std()
labels = digits.target.astype(np.int64)
Xtr, Xte, ytr, yte = train_test_split(images, labels, test_size=0.25, random_state=1, stratify=labels)
Xtr = torch.from_numpy(Xtr).unsqueeze(1)
Xte = torch.from_numpy(Xte).unsqueeze(1)
ytr = torch.from_numpy(ytr)
yte = torch.from_numpy(yte)


class SmallCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),                                    # 4x4
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
            nn.Linear(64, n_classes),
            nn.Softmax(dim=1),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


model = SmallCNN()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()
batch_size = 64
epochs = 8

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(Xtr), batch_size):
        idx = perm[i:i + batch_size]
        out = model(Xtr[idx])
        loss = criterion(out, ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        pred = model(Xte).argmax(1)
        acc = (pred == yte).float().mean().item()
    print(f"epoch {epoch} loss {running / len(Xtr):.4f} test_acc {acc:.3f}")
