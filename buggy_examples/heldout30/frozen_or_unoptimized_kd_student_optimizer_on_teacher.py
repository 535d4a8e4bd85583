"""Knowledge distillation on the scikit-learn digits (8x8) data set. A wide teacher MLP
(64 -> 128 -> 128 -> 10, dropout 0.2) is first trained for 200 Adam steps (best checkpoint by
test accuracy reloaded into a fresh module); then a small student
(64 -> 32 -> 10) is distilled from it for 300 steps with the usual Hinton loss
alpha * T^2 * KL(student_T || teacher_T) + (1 - alpha) * CE, T = 4, alpha = 0.7, Adam lr 3e-3,
mini-batches of 64 from a shuffled DataLoader. Inputs are standardised with train statistics.

Seeded bug: the student optimizer was written by copy-pasting the teacher block and still reads
`torch.optim.Adam(teacher.parameters(), ...)`. The teacher is frozen (requires_grad False) so its
parameters never get gradients and Adam silently skips them; the student's parameters get
gradients on every step (student.zero_grad() resets them) but no optimizer ever updates them, so
the student stays at its random initialisation.

Measured (plain python, 1 thread): student test accuracy 0.118 (KD loss flat around 8-10) with
the bug versus 0.951 (KD loss 0.081) for a fixed copy (Adam over student.parameters()); teacher
test accuracy 0.964 in both runs.
"""
# traindebug-expect: frozen_or_unoptimized
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)

X, y = load_digits(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
X_te = torch.tensor((X_te - mu) / sd, dtype=torch.float32)
y_tr = torch.tensor(y_tr)
y_te = torch.tensor(y_te)

loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True, drop_last=True)

TEMP = 4.0
ALPHA = 0.7


def accuracy(model):
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    model.train()
    return acc


def batches(n_steps):
    step = 0
    while True:
        for xb, yb in loader:
            yield step, xb, yb
            step += 1
            if step == n_steps:
                return


def make_teacher():
    return nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, 10),
    )


teacher = make_teacher()
teacher_opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
best_acc, best_state = -1.0, None
for step, xb, yb in batches(200):
    loss = F.cross_entropy(teacher(xb), yb)
    teacher_opt.zero_grad()
    loss.backward()
    teacher_opt.step()
    if (step + 1) % 50 == 0:
        acc = accuracy(teacher)
        if acc > best_acc:
            best_acc, best_state = acc, copy.deepcopy(teacher.state_dict())
print(f"teacher best test acc {best_acc:.3f}")

# reload the best teacher checkpoint into a fresh module
teacher = make_teacher()
teacher.load_state_dict(best_state)
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

student = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
student_opt = torch.optim.Adam(teacher.parameters(), lr=3e-3)


def kd_loss(s_logits, t_logits, targets):
    soft = F.kl_div(F.log_softmax(s_logits / TEMP, dim=1), F.softmax(t_logits / TEMP, dim=1),
                    reduction="batchmean") * TEMP ** 2
    hard = F.cross_entropy(s_logits, targets)
    return ALPHA * soft + (1 - ALPHA) * hard


for step, xb, yb in batches(300):
    with torch.no_grad():
        t_logits = teacher(xb)
    loss = kd_loss(student(xb), t_logits, yb)
    student.zero_grad()
    loss.backward()
    student_opt.step()
    if (step + 1) % 60 == 0:
        print(f"student step {step + 1:4d}  kd loss {loss.item():.4f}  test acc {accuracy(student):.3f}")

print(f"final student test acc {accuracy(student):.3f}  teacher test acc {accuracy(teacher):.3f}")
