"""
Multi-label tagging with independent sigmoid outputs: sklearn.make_multilabel_classification
(1500 documents, 60 bag-of-words count features, 6 tags, ~2 tags per document), log1p +
standardised features, MLP 60 -> 128 -> 64 -> 6 with BCEWithLogitsLoss, SGD momentum 0.9
lr 0.1, batches of 24, 15 epochs (750 steps), micro-F1 at threshold 0.5 on the test split.

Seeded bug: to get a split in which every tag combination is represented, the rows are
first grouped by tag set with np.lexsort and then every 5th row goes to the test split.
The remaining training rows are still in lexsorted order, and the hand-written batching
loop walks through them with `range(0, n, batch_size)` without a permutation. Every batch
therefore holds (almost) a single tag combination and each epoch is a sweep from "no tags"
to "all tags"; the momentum SGD keeps chasing the tag prior of the current block and ends
each epoch biased towards the last blocks.

Measured (seed 0, 1 thread): buggy: full-train BCE 0.653 (epoch 1) -> 0.362 (epoch 15),
jumping around between epochs (0.468 -> 0.508 -> 0.423), last-batch loss ~0.8, test
micro-F1 0.606. Fixed copy (random permutation each epoch): full-train BCE 0.516 -> 0.021,
test micro-F1 0.649 (the tags of this generator are noisy; 0.66 is about the ceiling).
"""
# traindebug-expect: unshuffled_data
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

X, Y = make_multilabel_classification(n_samples=1500, n_features=60, n_classes=6,
                                      n_labels=2, random_state=0)
X = np.log1p(X)

# group rows by tag set, then take every 5th row for the test split (stratified by tag set)
order = np.lexsort(Y.T[::-1])
X, Y = X[order], Y[order]
is_test = np.arange(len(X)) % 5 == 0
X_train, Y_train = X[~is_test], Y[~is_test]
X_test, Y_test = X[is_test], Y[is_test]

mean, std = X_train.mean(0), X_train.std(0) + 1e-6
X_train = torch.tensor((X_train - mean) / std, dtype=torch.float32)
X_test = torch.tensor((X_test - mean) / std, dtype=torch.float32)
Y_train = torch.tensor(Y_train, dtype=torch.float32)
Y_test_np = Y_test

model = nn.Sequential(
    nn.Linear(60, 128), nn.ReLU(),
    nn.Linear(128, 64), nn.ReLU(),
    nn.Linear(64, 6),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
criterion = nn.BCEWithLogitsLoss()
batch_size = 24


def evaluate():
    model.eval()
    with torch.no_grad():
        logits_test = model(X_test)
        train_loss = criterion(model(X_train), Y_train).item()
    pred = (torch.sigmoid(logits_test) > 0.5).int().numpy()
    return train_loss, f1_score(Y_test_np, pred, average="micro")


start = time.process_time()
n = len(X_train)
for epoch in range(15):
    model.train()
    for i in range(0, n, batch_size):
        xb, yb = X_train[i:i + batch_size], Y_train[i:i + batch_size]
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 3 == 0 or epoch == 14:
        train_loss, f1 = evaluate()
        print(f"epoch {epoch:2d}  last batch loss {loss.item():.4f}  "
              f"full train loss {train_loss:.4f}  test micro-F1 {f1:.3f}")

train_loss, f1 = evaluate()
print(f"final train BCE {train_loss:.4f}  test micro-F1 {f1:.3f}")
print(f"cpu time {time.process_time() - start:.1f}s")
