"""Topic classifier on synthetic bag-of-words documents (6 topics, vocab 400, 30 tokens, topic/background
mixture): EmbeddingBag(mean, 64) -> BatchNorm1d -> Linear 128 ReLU -> Dropout 0.3 -> Linear, RMSprop 3e-3,
batch 64, small Trainer class, 12 epochs (348 steps). The test set is stored topic by topic and predicted in
batches of 64.

Seeded bug: Trainer.predict() runs under torch.no_grad() but never calls model.eval(); fit_epoch() sets
train() so the model stays in training mode for evaluation. BatchNorm then normalises each test batch with
its own statistics - and since test batches are mostly single-topic, that wipes out the topic signal - and
dropout is active (the evaluation passes also overwrite the BN running stats).

Measured: final test accuracy 0.452 (test loss 3.73) with the bug versus 0.983 (test loss 0.043) for a fixed
copy that calls self.model.eval() in predict(). Timing: plain python, 1 thread, ~8-12 s CPU (20-25 s wall on a shared, loaded 2-core box).
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_TOPICS, VOCAB, DOC_LEN = 6, 400, 30
topic_words = rng.dirichlet(np.full(VOCAB, 0.05), size=N_TOPICS)
background = rng.dirichlet(np.ones(VOCAB))


def make_docs(n_per_topic):
    docs, labels = [], []
    for t in range(N_TOPICS):
        for _ in range(n_per_topic):
            mix = 0.35 * topic_words[t] + 0.65 * background
            docs.append(rng.choice(VOCAB, DOC_LEN, p=mix))
            labels.append(t)
    return torch.tensor(np.array(docs)), torch.tensor(labels)


X_tr, y_tr = make_docs(300)
X_te, y_te = make_docs(100)


class TopicClassifier(nn.Module):
    def __init__(self, vocab, d=64, n_cls=N_TOPICS):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, d, mode="mean")
        self.mlp = nn.Sequential(nn.BatchNorm1d(d), nn.Linear(d, 128), nn.ReLU(), nn.Dropout(0.3),
                                 nn.Linear(128, n_cls))

    def forward(self, docs):
        return self.mlp(self.bag(docs))


class Trainer:
    def __init__(self, model, lr=3e-3, batch_size=64):
        self.model, self.bs = model, batch_size
        self.opt = torch.optim.RMSprop(model.parameters(), lr=lr)
        self.step = 0

    def fit_epoch(self, X, y):
        self.model.train()
        perm = torch.randperm(len(X))
        for i in range(0, len(X), self.bs):
            idx = perm[i:i + self.bs]
            loss = F.cross_entropy(self.model(X[idx]), y[idx])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.step += 1
        return loss.item()

    @torch.no_grad()
    def predict(self, X):
        return torch.cat([self.model(X[i:i + self.bs]) for i in range(0, len(X), self.bs)])

    def evaluate(self, X, y):
        logits = self.predict(X)
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


trainer = Trainer(TopicClassifier(VOCAB))
for epoch in range(1, 13):
    tl = trainer.fit_epoch(X_tr, y_tr)
    if epoch % 3 == 0:
        vl, va = trainer.evaluate(X_te, y_te)
        print(f"epoch {epoch:2d} step {trainer.step}  train loss {tl:.3f}  test loss {vl:.3f}  test acc {va:.3f}")

vl, va = trainer.evaluate(X_te, y_te)
print(f"final test loss {vl:.3f}  test accuracy {va:.3f}")
