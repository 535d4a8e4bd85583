"""Deep knowledge tracing (Piech et al. 2015): LSTM over (skill, correct) interaction
embeddings predicting the correctness of each student's next answer, on generated
responses (12 skills, 30 steps per student, IRT-style ability + practice effect).
Students come from 6 school exports of increasing mean ability, concatenated in export
order; 20% random held-out students.  Adam 5e-3, batch 16, grad-norm clip 5, 3 epochs
(270 steps).

Seeded bug: the training DataLoader uses shuffle=False, so batches walk through the
schools in order: each epoch begins with the weakest school (~15% correct) and ends with
the strongest (~90% correct).  Every batch's label distribution is far from the overall
one and the model's output bias is dragged along with the current school.  Leaving
shuffle=False because "the split was already random" is a common slip.

Measured (seed 0): buggy final test BCE 0.590, AUC 0.815 (epoch-1 test BCE 1.09); fixed copy
(shuffle=True) test BCE 0.501, AUC 0.835.
"""
# traindebug-expect: unshuffled_data
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_SKILLS, SEQ_LEN = 12, 30
SCHOOL_MEANS = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
STUDENTS_PER_SCHOOL = 300
difficulty = rng.normal(0, 1, N_SKILLS)


def simulate_school(mean_ability, n):
    skills = np.zeros((n, SEQ_LEN), dtype=np.int64)
    correct = np.zeros((n, SEQ_LEN), dtype=np.int64)
    for s in range(n):
        theta = rng.normal(mean_ability, 0.7) + rng.normal(0, 0.5, N_SKILLS)
        practice = np.zeros(N_SKILLS)
        for t in range(SEQ_LEN):
            k = rng.integers(N_SKILLS)
            p = 1 / (1 + np.exp(-(theta[k] - difficulty[k] + 0.35 * practice[k])))
            skills[s, t], correct[s, t] = k, rng.random() < p
            practice[k] += 1
    return skills, correct


# one export file per school, concatenated
parts = [simulate_school(m, STUDENTS_PER_SCHOOL) for m in SCHOOL_MEANS]
skills = np.concatenate([p[0] for p in parts])
correct = np.concatenate([p[1] for p in parts])

is_test = rng.random(len(skills)) < 0.2
skills_t, correct_t = torch.from_numpy(skills), torch.from_numpy(correct)
train_ds = TensorDataset(skills_t[~is_test], correct_t[~is_test])
test_ds = TensorDataset(skills_t[is_test], correct_t[is_test])
print(f"{len(train_ds)} train / {len(test_ds)} test students, overall accuracy {correct.mean():.3f}")


class DKT(nn.Module):
    def __init__(self, n_skills, hidden=64):
        super().__init__()
        self.n_skills = n_skills
        self.interaction = nn.Embedding(2 * n_skills, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_skills)

    def forward(self, skill, corr):
        h, _ = self.lstm(self.interaction(skill + self.n_skills * corr))
        return self.out(h)                        # (B, T, n_skills) logits


def next_step_logits(model, skill, corr):
    logits = model(skill[:, :-1], corr[:, :-1])
    pred = logits.gather(-1, skill[:, 1:].unsqueeze(-1)).squeeze(-1)
    return pred, corr[:, 1:].float()


model = DKT(N_SKILLS)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
loader = DataLoader(train_ds, batch_size=16, shuffle=False)


@torch.no_grad()
def evaluate():
    pred, target = next_step_logits(model, *test_ds.tensors)
    bce = F.binary_cross_entropy_with_logits(pred, target).item()
    return bce, roc_auc_score(target.flatten().numpy(), pred.flatten().numpy())


t0 = time.process_time()
step = 0
for epoch in range(3):
    tot, nb = 0.0, 0
    for sk, co in loader:
        pred, target = next_step_logits(model, sk, co)
        loss = F.binary_cross_entropy_with_logits(pred, target)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        tot += loss.item()
        nb += 1
        step += 1
    bce, auc = evaluate()
    print(f"epoch {epoch + 1}  step {step}  train bce {tot / nb:.4f}  test bce {bce:.4f}  test AUC {auc:.4f}")

print(f"final test BCE {bce:.4f}, AUC {auc:.4f}  (cpu {time.process_time() - t0:.1f}s)")
