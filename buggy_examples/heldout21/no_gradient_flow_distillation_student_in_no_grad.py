"""Knowledge distillation on the 8x8 digits: a small CNN teacher is trained
first, frozen, and then a tiny CNN student (conv features + linear head) is
trained on a temperature-scaled KL term plus the hard-label cross-entropy.
Dataclass config, Adam.

Seeded bug (no_gradient_flow): the student's feature extractor is called
inside the same `with torch.no_grad():` block that computes the teacher's
logits, so the student's conv and embedding layers (requires_grad=True, in
the optimizer) never receive a gradient (.grad stays None); only the head
trains on top of random features. Measured (132 teacher + 176 student steps):
teacher 0.967; student KD loss 8.97 -> 8.64, final test acc 0.42. Moving the
student call out of the no_grad block: KD loss 6.05 -> 0.35, acc 0.94.
"""
# traindebug-expect: no_gradient_flow
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


@dataclass
class KDConfig:
    seed: int = 0
    batch_size: int = 64
    teacher_epochs: int = 6
    student_epochs: int = 8
    teacher_lr: float = 2e-3
    student_lr: float = 5e-3
    temperature: float = 3.0
    alpha: float = 0.7          # weight of the soft-target term


cfg = KDConfig()
torch.manual_seed(cfg.seed)


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 16, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class Student(nn.Module):
    def __init__(self, width=8, emb=24):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(width * 16, emb), nn.ReLU())
        self.head = nn.Linear(emb, 10)

    def forward(self, x):
        return self.head(self.features(x))


X, y = load_digits(return_X_y=True)
X = (X / 16.0 - 0.5).astype(np.float32).reshape(-1, 1, 8, 8)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg.seed, stratify=y)
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=cfg.batch_size,
                                     shuffle=True, generator=torch.Generator().manual_seed(cfg.seed))


def accuracy(model):
    model.eval()
    with torch.no_grad():
        return (model(Xte).argmax(1) == yte).float().mean().item()


# ---- stage 1: teacher -------------------------------------------------------
teacher = Teacher()
opt = torch.optim.Adam(teacher.parameters(), lr=cfg.teacher_lr)
for ep in range(cfg.teacher_epochs):
    teacher.train()
    for xb, yb in loader:
        loss = F.cross_entropy(teacher(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
print(f"teacher test acc: {accuracy(teacher):.3f}")
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

# ---- stage 2: student -------------------------------------------------------
student = Student()
opt = torch.optim.Adam(student.parameters(), lr=cfg.student_lr)
T = cfg.temperature
for ep in range(cfg.student_epochs):
    student.train()
    tot, n = 0.0, 0
    for xb, yb in loader:
        with torch.no_grad():
            t_logits = teacher(xb)
            s_feat = student.features(xb)
        s_logits = student.head(s_feat)
        soft = F.kl_div(F.log_softmax(s_logits / T, 1), F.softmax(t_logits / T, 1),
                        reduction="batchmean") * T * T
        hard = F.cross_entropy(s_logits, yb)
        loss = cfg.alpha * soft + (1 - cfg.alpha) * hard
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
        n += len(xb)
    if ep % 2 == 1:
        print(f"student epoch {ep}  kd loss {tot / n:.4f}  test acc {accuracy(student):.3f}")
print(f"final student test acc: {accuracy(student):.3f}")
