"""Slot tagger (BIO-free: O / DATE / CITY / AIRLINE) for synthetic flight-booking queries.

Queries of 16 tokens; a slot value word is tagged by the cue word right before it
("on" -> DATE, "to"/"from" -> CITY, "with" -> AIRLINE), and the value vocabulary is
shared between slot types, so a tagger must look at least one token to the left.
Model: embedding(48) -> two Conv1d "window" layers (ReLU) -> per-token linear layer;
per-token cross-entropy; RMSprop lr 2e-3, batch 32, 8 epochs (256 steps); a small
Trainer class with epoch-end callbacks for logging.

Seeded bug: the config says `context = 1` ("tokens on each side of the centre word"), but
the model builds its window convolutions with `kernel_size=cfg.context,
padding=cfg.context // 2`, i.e. kernel size 1 and no padding.  Every layer is then
position-wise, the tagger sees one token at a time and cannot tell a DATE value from a
CITY value; it plateaus with a high training loss even though its updates are healthy.
Correct: `kernel_size=2 * cfg.context + 1, padding=cfg.context`.

Measured (seed 0): buggy final train loss 0.258 (flat from epoch 1), test token acc 0.877,
slot-token acc 0.508; fixed copy: final train loss 0.0001, test token acc 1.000,
slot-token acc 1.000.
"""
# traindebug-expect: underfitting
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class TaggerConfig:
    seq_len: int = 16
    emb_dim: int = 48
    hidden: int = 96
    context: int = 1          # tokens on each side of the centre word
    lr: float = 2e-3
    batch_size: int = 32
    epochs: int = 8
    seed: int = 0


cfg = TaggerConfig()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)
rng = np.random.default_rng(cfg.seed)

TAGS = ["O", "DATE", "CITY", "AIRLINE"]
CUES = {1: 1, 2: 2, 3: 2, 4: 3}          # on, to, from, with
N_VALUES, N_FILLER = 60, 120
VAL0 = 5
FILL0 = VAL0 + N_VALUES
VOCAB = FILL0 + N_FILLER


def make_queries(n):
    X = rng.integers(FILL0, VOCAB, size=(n, cfg.seq_len))
    Y = np.zeros((n, cfg.seq_len), dtype=np.int64)
    for r in range(n):
        for pos in rng.choice(np.arange(0, cfg.seq_len - 1, 2), size=4, replace=False):
            cue = int(rng.integers(1, 5))
            X[r, pos], X[r, pos + 1] = cue, VAL0 + rng.integers(N_VALUES)
            Y[r, pos + 1] = CUES[cue]
    return TensorDataset(torch.tensor(X), torch.tensor(Y))


class WindowTagger(nn.Module):
    def __init__(self, cfg, vocab, n_tags):
        super().__init__()
        k, p = cfg.context, cfg.context // 2
        self.emb = nn.Embedding(vocab, cfg.emb_dim)
        self.win1 = nn.Conv1d(cfg.emb_dim, cfg.hidden, kernel_size=k, padding=p)
        self.win2 = nn.Conv1d(cfg.hidden, cfg.hidden, kernel_size=k, padding=p)
        self.proj = nn.Linear(cfg.hidden, n_tags)

    def forward(self, tokens):
        h = self.emb(tokens).transpose(1, 2)
        h = F.relu(self.win1(h))
        h = F.relu(self.win2(h))
        return self.proj(h.transpose(1, 2))


class PrintMetrics:
    def on_epoch_end(self, trainer, epoch, logs):
        print(f"epoch {epoch} step {trainer.step} train loss {logs['loss']:.4f} "
              f"test acc {logs['acc']:.3f} slot acc {logs['slot_acc']:.3f}")


class Trainer:
    def __init__(self, model, cfg, callbacks=()):
        self.model, self.cfg, self.callbacks = model, cfg, list(callbacks)
        self.opt = torch.optim.RMSprop(model.parameters(), lr=cfg.lr)
        self.step = 0

    def _loss(self, x, y):
        logits = self.model(x)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        correct = total = slot_correct = slot_total = 0
        for x, y in loader:
            pred = self.model(x).argmax(-1)
            correct += (pred == y).sum().item()
            total += y.numel()
            m = y > 0
            slot_correct += (pred[m] == y[m]).sum().item()
            slot_total += m.sum().item()
        self.model.train()
        return correct / total, slot_correct / slot_total

    def fit(self, train_loader, test_loader):
        logs = {}
        for epoch in range(self.cfg.epochs):
            running = []
            for x, y in train_loader:
                loss = self._loss(x, y)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                running.append(loss.item())
                self.step += 1
            acc, slot_acc = self.evaluate(test_loader)
            logs = {"loss": float(np.mean(running)), "acc": acc, "slot_acc": slot_acc}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
        return logs


train_loader = DataLoader(make_queries(1000), batch_size=cfg.batch_size, shuffle=True)
test_loader = DataLoader(make_queries(400), batch_size=200)
trainer = Trainer(WindowTagger(cfg, VOCAB, len(TAGS)), cfg, callbacks=[PrintMetrics()])
logs = trainer.fit(train_loader, test_loader)
print(f"final train loss {logs['loss']:.4f}  test token acc {logs['acc']:.3f}  "
      f"slot-token acc {logs['slot_acc']:.3f}")
