"""Curriculum learning (easy samples first, linear pacing of the visible
prefix) for 5-class make_classification with an MLP, RMSprop, and a small
class-based trainer with callbacks. Difficulty = 1 - p(true class) from a
logistic-regression teacher, rounded to 0.01 bins.

Seeded bug (unshuffled_data): np.lexsort uses the LAST key as the primary sort
key, so `np.lexsort((difficulty, y_tr))` orders the training set by label
first and by difficulty only within a label. Batches are taken sequentially
from the curriculum prefix, so every batch holds a single class, early stages
only ever see classes 0-1, and each epoch ends on a run of class-4 batches.

Measured (8 epochs, ~200 RMSprop steps): buggy test accuracy 0.355 with
predictions collapsed onto two classes (histogram [18 5 212 510 5]); with the
lexsort keys swapped (difficulty primary) 0.511; with the keys swapped and the
visible prefix shuffled each epoch 0.736 (balanced prediction histogram).
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 11
torch.manual_seed(SEED)

X, y = make_classification(n_samples=3000, n_features=20, n_informative=12, n_redundant=4,
                           n_classes=5, n_clusters_per_class=2, class_sep=1.2, random_state=SEED)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=SEED, stratify=y)
sc = StandardScaler().fit(X_tr)
X_tr, X_te = sc.transform(X_tr).astype(np.float32), sc.transform(X_te).astype(np.float32)

# difficulty score from a cheap teacher: 1 - p(true class)
teacher = LogisticRegression(max_iter=300).fit(X_tr, y_tr)
difficulty = 1.0 - teacher.predict_proba(X_tr)[np.arange(len(y_tr)), y_tr]
difficulty = np.round(difficulty, 2)          # coarse bins -> ties broken by label below

# curriculum order: easiest first, ties by label
curriculum = np.lexsort((difficulty, y_tr))
X_cur = torch.from_numpy(X_tr[curriculum])
y_cur = torch.from_numpy(y_tr[curriculum])


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class PrintLogger(Callback):
    def on_epoch_end(self, trainer, epoch, logs):
        if epoch % 2 == 0 or epoch == trainer.epochs - 1:
            print(f"epoch {epoch}  seen {logs['n_seen']:4d}  loss {logs['loss']:.4f}  val_acc {logs['val_acc']:.3f}")


class CurriculumTrainer:
    def __init__(self, model, epochs=8, batch_size=64, lr=2e-3, start_frac=0.3, callbacks=()):
        self.model, self.epochs, self.bs = model, epochs, batch_size
        self.start_frac = start_frac
        self.opt = torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.9)
        self.crit = nn.CrossEntropyLoss()
        self.callbacks = list(callbacks)

    def pace(self, epoch, n):
        # linear pacing: the visible prefix grows from start_frac to 1 over the first 3/4 of training
        frac = min(1.0, self.start_frac + (1 - self.start_frac) * epoch / (0.75 * self.epochs))
        return int(frac * n)

    def evaluate(self, X, y):
        self.model.eval()
        with torch.no_grad():
            return (self.model(X).argmax(1) == y).float().mean().item()

    def fit(self, X, y, X_val, y_val):
        for epoch in range(self.epochs):
            self.model.train()
            n_vis = self.pace(epoch, len(X))
            tot = 0.0
            for i in range(0, n_vis, self.bs):
                xb, yb = X[i:min(i + self.bs, n_vis)], y[i:min(i + self.bs, n_vis)]
                loss = self.crit(self.model(xb), yb)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                tot += loss.item() * len(xb)
            logs = {"n_seen": n_vis, "loss": tot / n_vis, "val_acc": self.evaluate(X_val, y_val)}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
        return self


model = nn.Sequential(nn.Linear(20, 96), nn.ReLU(), nn.Dropout(0.1), nn.Linear(96, 96), nn.ReLU(), nn.Linear(96, 5))
trainer = CurriculumTrainer(model, callbacks=[PrintLogger()])
trainer.fit(X_cur, y_cur, torch.from_numpy(X_te), torch.from_numpy(y_te))
pred = model(torch.from_numpy(X_te)).argmax(1).numpy()
print("final test acc %.3f   predicted class histogram %s" % ((pred == y_te).mean(), np.bincount(pred, minlength=5)))
