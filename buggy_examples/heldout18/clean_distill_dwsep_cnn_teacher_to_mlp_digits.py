"""Knowledge distillation on load_digits (1x8x8 images): a depthwise-separable
CNN teacher with BatchNorm is trained first, then frozen and used in eval mode
to distil a small MLP student with Hinton's temperature-scaled KL objective
(alpha * T^2 * KL(p_T || q_T) + (1 - alpha) * CE). Trainer built around a
dict of "stages", Adam for the teacher, SGD+Nesterov with a linear warm-up
for the student.

Healthy control. Patterns a naive detector might flag:
- during the student's backward passes the teacher sits in eval mode (its
  BatchNorm uses running statistics) - deliberate, it is a fixed target;
- the teacher's parameters are requires_grad_(False) and never change during
  stage 2, and its forward runs under torch.no_grad();
- the KL term is fed log_softmax / softmax outputs (already normalised), which
  is exactly what F.kl_div expects; temperatures rescale logits by 1/T;
- the student's first KD loss is well above ln(10) because of the T^2 factor.
Measured (seed 0): teacher test acc 0.980 after 168 steps; student KD loss
(epoch mean) 5.12 in epoch 1 -> 0.285 in epoch 14, student test acc 0.971
after 196 steps.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

STAGES = {
    "teacher": {"epochs": 8, "batch": 64, "lr": 3e-3},
    "student": {"epochs": 14, "batch": 96, "lr": 0.05, "warmup": 20, "T": 4.0, "alpha": 0.7},
}


class DWSepBlock(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.dw = nn.Conv2d(c_in, c_in, 3, stride=stride, padding=1, groups=c_in, bias=False)
        self.bn1 = nn.BatchNorm2d(c_in)
        self.pw = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = F.relu6(self.bn1(self.dw(x)))
        return F.relu6(self.bn2(self.pw(x)))


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU6())
        self.blocks = nn.Sequential(DWSepBlock(16, 32), DWSepBlock(32, 64, stride=2), DWSepBlock(64, 64))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        h = self.blocks(self.stem(x))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


def student_net():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 10))


def kd_loss(student_logits, teacher_logits, y, T, alpha):
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=1), F.softmax(teacher_logits / T, dim=1),
                    reduction="batchmean") * (T * T)
    return alpha * soft + (1.0 - alpha) * F.cross_entropy(student_logits, y)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def minibatches(n, bs, gen):
    perm = torch.randperm(n, generator=gen)
    return [perm[i:i + bs] for i in range(0, n - bs + 1, bs)]


def main():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    mean, std = Xtr.mean(), Xtr.std()
    Xtr, Xte = (Xtr - mean) / std, (Xte - mean) / std
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    gen = torch.Generator().manual_seed(0)

    # stage 1: teacher
    cfg = STAGES["teacher"]
    teacher = Teacher()
    opt = torch.optim.Adam(teacher.parameters(), lr=cfg["lr"])
    steps = 0
    for epoch in range(cfg["epochs"]):
        teacher.train()
        for idx in minibatches(len(Xtr), cfg["batch"], gen):
            loss = F.cross_entropy(teacher(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
    print(f"teacher: {steps} steps, last loss {loss.item():.4f}, test acc {accuracy(teacher, Xte, yte):.3f}")

    # stage 2: distillation
    teacher.eval()
    teacher.requires_grad_(False)
    cfg = STAGES["student"]
    student = student_net()
    opt = torch.optim.SGD(student.parameters(), lr=cfg["lr"], momentum=0.9, nesterov=True)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / cfg["warmup"]))
    steps = 0
    for epoch in range(cfg["epochs"]):
        student.train()
        tot, n = 0.0, 0
        for idx in minibatches(len(Xtr), cfg["batch"], gen):
            with torch.no_grad():
                t_logits = teacher(Xtr[idx])
            loss = kd_loss(student(Xtr[idx]), t_logits, ytr[idx], cfg["T"], cfg["alpha"])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            steps += 1
            tot += loss.item() * len(idx)
            n += len(idx)
        if epoch == 0 or epoch % 4 == 3 or epoch == cfg["epochs"] - 1:
            print(f"student epoch {epoch + 1:2d} steps {steps} kd loss {tot / n:.4f} "
                  f"test acc {accuracy(student, Xte, yte):.3f}")


if __name__ == "__main__":
    main()
