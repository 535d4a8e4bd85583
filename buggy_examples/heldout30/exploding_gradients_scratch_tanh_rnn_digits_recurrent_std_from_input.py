"""
Hand-written Elman RNN (tanh, hidden 128) reading each 8x8 digit (sklearn load_digits) as a
sequence of 16 half-rows of 4 pixels, classifying from the last hidden state with a linear
head. Parameters are plain nn.Parameter tensors in a custom nn.Module with an explicit time
loop. SGD with momentum 0.9, lr 0.02, batch 64, 12 epochs (~270 steps), cross-entropy;
gradient norms are logged.

Seeded bug: the recurrent matrix is initialised with the same scale as the input matrix,
std = 1/sqrt(input_size) = 0.5, instead of 1/sqrt(hidden_size) = 0.088 (the helper's `fan_in`
was taken from the input layer and reused). That gives the recurrence a gain of
0.5 * sqrt(128) = 5.7, i.e. the chaotic regime of a tanh RNN: activations stay bounded in
[-1, 1], but the backpropagated gradient is multiplied by a Jacobian of norm > 1 at each of
the 16 steps, so at initialisation the gradient w.r.t. early hidden states is ~1e3-1e4 times
larger than at the last step and the total gradient norm is in the hundreds. The first SGD
steps are dominated by these huge gradients; they throw the weights into a region where most
tanh units are pinned at +-1 and the model never recovers a good solution.

Measured (seed 0, 1 thread): buggy median gradient norm 141 in epoch 0 (fixed: 1.35), final
train loss 1.61, test accuracy 0.407. Fixed copy (std = 1/sqrt(hidden_size)): final train
loss 0.020, test accuracy 0.962. Runtime ~7 s CPU time.
"""
# traindebug-expect: exploding_gradients
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CHUNK = 4          # pixels per time step
HIDDEN = 128


class ElmanRNN(nn.Module):
    def __init__(self, input_size, hidden_size, n_classes):
        super().__init__()
        fan_in = input_size
        self.w_ih = nn.Parameter(torch.randn(hidden_size, input_size) / math.sqrt(fan_in))
        self.w_hh = nn.Parameter(torch.randn(hidden_size, hidden_size) / math.sqrt(fan_in))
        self.b_h = nn.Parameter(torch.zeros(hidden_size))
        self.head = nn.Linear(hidden_size, n_classes)
        self.hidden_size = hidden_size

    def forward(self, seq):                  # seq: batch x time x features
        h = seq.new_zeros(seq.shape[0], self.hidden_size)
        for t in range(seq.shape[1]):
            h = torch.tanh(seq[:, t] @ self.w_ih.T + h @ self.w_hh.T + self.b_h)
        return self.head(h)


def to_sequences(X):
    return X.reshape(len(X), 64 // CHUNK, CHUNK)


def main():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mu, sd = X_tr.mean(), X_tr.std()
    X_tr = to_sequences(torch.tensor((X_tr - mu) / sd, dtype=torch.float32))
    X_te = to_sequences(torch.tensor((X_te - mu) / sd, dtype=torch.float32))
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = ElmanRNN(CHUNK, HIDDEN, 10)
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)

    n, bs, step = len(X_tr), 64, 0
    for epoch in range(12):
        perm = torch.randperm(n)
        tot, norms = 0.0, []
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            gnorm = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.parameters()))
            opt.step()
            step += 1
            tot += loss.item() * len(idx)
            norms.append(gnorm.item())
        with torch.no_grad():
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        if epoch % 2 == 0 or epoch == 11:
            print(f"epoch {epoch:2d} step {step} train_loss {tot / n:.4f} "
                  f"grad_norm(median) {np.median(norms):.3g} test_acc {acc:.3f}")

    with torch.no_grad():
        train_loss = F.cross_entropy(model(X_tr), y_tr).item()
        test_acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"final train_loss {train_loss:.4f} test_acc {test_acc:.3f}")


if __name__ == "__main__":
    main()
