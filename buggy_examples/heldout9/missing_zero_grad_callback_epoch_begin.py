"""Small Transformer encoder (sequence-to-one) that classifies token sequences
by which of three "motifs" they contain.  The training loop is a tiny
callback-driven Trainer.

Seeded bug (missing_zero_grad): the ``OptimizerCallback`` clears gradients in
``on_epoch_begin`` instead of ``on_batch_begin``.  Within an epoch every
``loss.backward()`` adds onto the gradients of all previous batches, so the
step at batch k uses the sum of k gradients: stale batches dominate the
update direction and Adam's second-moment estimate is inflated.

Measured (seed 0, 240 Adam steps): buggy run - gradient norm seen by
the optimizer grows within each epoch (total grad norm at batch 1 vs
batch 20 of the last epoch: 1.1 vs 11.6; fixed copy 0.65 vs 1.09),
final-epoch train loss 0.72, test accuracy 0.52 (oscillating 0.52-0.72).
Fixed copy (zero_grad in on_batch_begin): train loss 0.28, test accuracy 0.83.
"""
# traindebug-expect: missing_zero_grad
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

VOCAB, SEQ_LEN, N_CLASSES = 20, 24, 3
MOTIFS = [[3, 7, 11], [5, 5, 2], [13, 9, 4]]


def make_dataset(n, rng):
    X = rng.randint(1, VOCAB, size=(n, SEQ_LEN))
    y = rng.randint(0, N_CLASSES, size=n)
    for i in range(n):
        m = MOTIFS[y[i]]
        pos = rng.randint(0, SEQ_LEN - len(m))
        X[i, pos:pos + len(m)] = m
    return torch.tensor(X), torch.tensor(y)


class MotifTransformer(nn.Module):
    def __init__(self, d_model=32, nhead=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Parameter(torch.randn(1, SEQ_LEN, d_model) * 0.02)
        enc_layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64,
                                               dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(enc_layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, N_CLASSES)

    def forward(self, x):
        h = self.tok(x) * math.sqrt(self.tok.embedding_dim) + self.pos
        h = self.encoder(h)
        return self.head(h.mean(1))


class Callback:
    def on_epoch_begin(self, trainer): pass
    def on_batch_begin(self, trainer): pass
    def on_after_backward(self, trainer): pass
    def on_batch_end(self, trainer): pass
    def on_epoch_end(self, trainer): pass


class OptimizerCallback(Callback):
    def __init__(self, clip=None):
        self.clip = clip

    def on_epoch_begin(self, trainer):
        trainer.optimizer.zero_grad()

    def on_after_backward(self, trainer):
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_(trainer.model.parameters(), self.clip)

    def on_batch_end(self, trainer):
        trainer.optimizer.step()


class LoggingCallback(Callback):
    def __init__(self, X_test, y_test):
        self.X_test, self.y_test = X_test, y_test
        self.losses = []

    def on_batch_end(self, trainer):
        self.losses.append(trainer.last_loss)

    def on_epoch_end(self, trainer):
        if trainer.epoch % 3 == 2 or trainer.epoch == trainer.epochs - 1:
            trainer.model.eval()
            with torch.no_grad():
                acc = (trainer.model(self.X_test).argmax(1) == self.y_test).float().mean().item()
            trainer.model.train()
            n = trainer.batches_per_epoch
            print(f"epoch {trainer.epoch:2d} step {trainer.step:3d} "
                  f"loss {np.mean(self.losses[-n:]):.4f} test_acc {acc:.3f}")


class Trainer:
    def __init__(self, model, optimizer, callbacks, epochs, batch_size):
        self.model, self.optimizer, self.callbacks = model, optimizer, callbacks
        self.epochs, self.batch_size = epochs, batch_size
        self.step = 0

    def _fire(self, name):
        for cb in self.callbacks:
            getattr(cb, name)(self)

    def fit(self, X, y):
        self.batches_per_epoch = math.ceil(len(y) / self.batch_size)
        g = torch.Generator().manual_seed(0)
        self.model.train()
        for self.epoch in range(self.epochs):
            self._fire("on_epoch_begin")
            perm = torch.randperm(len(y), generator=g)
            for i in range(0, len(y), self.batch_size):
                idx = perm[i:i + self.batch_size]
                self._fire("on_batch_begin")
                loss = F.cross_entropy(self.model(X[idx]), y[idx])
                loss.backward()
                self._fire("on_after_backward")
                self.last_loss = loss.item()
                self._fire("on_batch_end")
                self.step += 1
            self._fire("on_epoch_end")


def main():
    rng = np.random.RandomState(0)
    X_train, y_train = make_dataset(1280, rng)
    X_test, y_test = make_dataset(400, rng)
    model = MotifTransformer()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    trainer = Trainer(model, opt, [OptimizerCallback(), LoggingCallback(X_test, y_test)],
                      epochs=12, batch_size=64)
    trainer.fit(X_train, y_train)


if __name__ == "__main__":
    main()
