"""Deep knowledge tracing (embedding + LSTM) on simulated tutoring logs: each
student answers questions on 12 skills, correctness follows an IRT model with
a practice effect; the model predicts correctness of the next answer.

Seeded bug (label_problem): the interaction log arrives in timestamp order and
is regrouped per student with np.lexsort((step, student)). The skill ids are
reordered with that index, but the answers are reshaped straight from the
unsorted log, so row i of `answers` holds answers of many other students (in a
different order). The labels carry no information about the sequences.

Measured (10 epochs, 160 Adam steps): buggy train BCE 0.687 -> 0.658 (slow
memorisation), test AUC 0.498-0.511 (chance); fixed (answers reordered with
the same index): train BCE 0.609 -> 0.521, test AUC 0.794, accuracy 0.72.
"""
# traindebug-expect: label_problem
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, Dataset


@dataclass
class Config:
    n_students: int = 640
    seq_len: int = 24
    n_skills: int = 12
    hidden: int = 32
    batch_size: int = 32
    epochs: int = 10
    lr: float = 3e-3
    seed: int = 5


cfg = Config()
rng = np.random.default_rng(cfg.seed)
torch.manual_seed(cfg.seed)


def simulate_log(cfg):
    """Interaction log as exported by the tutoring system: one row per answer, in timestamp order."""
    ability = rng.normal(0, 1.2, cfg.n_students)
    difficulty = rng.normal(0, 1.0, cfg.n_skills)
    practice = np.zeros((cfg.n_students, cfg.n_skills))
    chunks = []
    for t in range(cfg.seq_len):
        s = rng.permutation(cfg.n_students)
        k = rng.integers(cfg.n_skills, size=cfg.n_students)
        logit = ability[s] - difficulty[k] + 0.35 * practice[s, k]
        c = (rng.random(cfg.n_students) < 1 / (1 + np.exp(-logit))).astype(int)
        practice[s, k] += 1
        chunks.append(np.stack([s, np.full_like(s, t), k, c], axis=1))
    return np.concatenate(chunks)


log = simulate_log(cfg)
student, step, skill, correct = log.T
order = np.lexsort((step, student))           # group by student, chronological within student
skills = skill[order].reshape(cfg.n_students, cfg.seq_len)
answers = correct.reshape(cfg.n_students, cfg.seq_len)


class KTDataset(Dataset):
    def __init__(self, skills, answers, n_skills):
        self.q = torch.as_tensor(skills, dtype=torch.long)
        self.a = torch.as_tensor(answers, dtype=torch.long)
        self.n_skills = n_skills

    def __len__(self):
        return len(self.q)

    def __getitem__(self, i):
        q, a = self.q[i], self.a[i]
        x = q[:-1] + self.n_skills * a[:-1]       # interaction id in [0, 2K)
        return x, q[1:], a[1:].float()


class DKT(nn.Module):
    def __init__(self, n_skills, hidden):
        super().__init__()
        self.emb = nn.Embedding(2 * n_skills, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_skills)

    def forward(self, x, q_next):
        h, _ = self.lstm(self.emb(x))
        logits = self.out(h)                      # (B, T-1, K)
        return logits.gather(-1, q_next.unsqueeze(-1)).squeeze(-1)


n_tr = int(0.8 * cfg.n_students)
train_ds = KTDataset(skills[:n_tr], answers[:n_tr], cfg.n_skills)
test_ds = KTDataset(skills[n_tr:], answers[n_tr:], cfg.n_skills)
train_dl = DataLoader(train_ds, batch_size=cfg.batch_size, shuffle=True,
                      generator=torch.Generator().manual_seed(cfg.seed))
test_dl = DataLoader(test_ds, batch_size=256)

model = DKT(cfg.n_skills, cfg.hidden)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)


def evaluate():
    model.eval()
    ps, ys = [], []
    with torch.no_grad():
        for x, qn, an in test_dl:
            ps.append(torch.sigmoid(model(x, qn)).flatten())
            ys.append(an.flatten())
    p, y = torch.cat(ps).numpy(), torch.cat(ys).numpy()
    return roc_auc_score(y, p), ((p > 0.5) == y).mean()


for epoch in range(cfg.epochs):
    model.train()
    tot, nb = 0.0, 0
    for x, qn, an in train_dl:
        loss = F.binary_cross_entropy_with_logits(model(x, qn), an)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        tot += loss.item()
        nb += 1
    if epoch % 2 == 1:
        auc, acc = evaluate()
        print(f"epoch {epoch}  train bce {tot / nb:.4f}  test auc {auc:.3f}  acc {acc:.3f}")
