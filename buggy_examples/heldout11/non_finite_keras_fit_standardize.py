"""Keras-like Model with a built-in Normalization layer and `fit()`,
trained on sklearn digits.

Seeded bug: `Normalization.adapt()` stores the per-pixel std and the layer
divides by it with no epsilon. Several digits pixels (e.g. the corners) are
zero in every training image, so their std is 0 and 0/0 = NaN flows into
the first Linear layer: the loss is NaN from the first batch and the weights
become NaN after the first optimizer step.

Measured: loss NaN from step 1 in every epoch (258 steps), val accuracy 0.100.
Fixed (divide by sqrt(var + 1e-6)): loss 1.84 (epoch 1) -> 0.065 (epoch 6),
val accuracy 0.962.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


class Normalization(nn.Module):
    """Feature-wise standardisation whose statistics are set by `adapt()`."""

    def __init__(self, num_features):
        super().__init__()
        self.register_buffer("mean", torch.zeros(num_features))
        self.register_buffer("std", torch.ones(num_features))

    def adapt(self, data):
        self.mean.copy_(data.mean(0))
        self.std.copy_(data.std(0))

    def forward(self, x):
        return (x - self.mean) / self.std


class Model(nn.Module):
    def __init__(self, num_features, num_classes):
        super().__init__()
        self.norm = Normalization(num_features)
        self.dense1 = nn.Linear(num_features, 96)
        self.dense2 = nn.Linear(96, 96)
        self.out = nn.Linear(96, num_classes)

    def forward(self, x):
        x = self.norm(x)
        x = F.relu(self.dense1(x))
        x = F.relu(self.dense2(x))
        return self.out(x)

    def compile(self, lr=1e-3):
        self.optimizer = torch.optim.Adam(self.parameters(), lr=lr)

    def fit(self, x, y, epochs, batch_size=32, validation_data=None, seed=0):
        gen = torch.Generator().manual_seed(seed)
        history = {"loss": [], "val_accuracy": []}
        for epoch in range(epochs):
            self.train()
            order = torch.randperm(len(x), generator=gen)
            epoch_loss = []
            for i in range(0, len(x), batch_size):
                idx = order[i:i + batch_size]
                loss = F.cross_entropy(self(x[idx]), y[idx])
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                epoch_loss.append(loss.item())
            history["loss"].append(float(np.mean(epoch_loss)))
            if validation_data is not None:
                history["val_accuracy"].append(self.accuracy(*validation_data))
            print(f"epoch {epoch + 1}/{epochs} loss {history['loss'][-1]:.4f} "
                  f"val_accuracy {history['val_accuracy'][-1]:.4f}")
        return history

    @torch.no_grad()
    def accuracy(self, x, y):
        self.eval()
        return (self(x).argmax(-1) == y).float().mean().item()


def main():
    torch.manual_seed(5)
    X, y = load_digits(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=5, stratify=y)
    X_tr, X_va = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(X_va, dtype=torch.float32)
    y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

    model = Model(64, 10)
    model.norm.adapt(X_tr)
    model.compile(lr=1e-3)
    model.fit(X_tr, y_tr, epochs=6, batch_size=32, validation_data=(X_va, y_va))


if __name__ == "__main__":
    main()
