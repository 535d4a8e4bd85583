"""Born-again (self-)distillation of a 1-D CNN on synthetic audio-like waveforms. Each 128-sample
clip is one of 5 noisy waveform families (sine, square, sawtooth, triangle, AM tone) at a
random pitch, phase and gain. The network is a stack of six Conv1d(k=5)+BatchNorm+ReLU blocks
(24 channels, stride 2 every other block), global average pooling, dropout 0.3 and a linear
head. A teacher is trained for 150 Adam steps (lr 2e-3, batch 64); then a student with the same
architecture is created by deep-copying the teacher and re-initialising every layer, and is
trained for 200 steps on 0.5 * CE + 0.5 * T^2 * KL to the teacher (T = 3), Adam lr 2e-3.

Seeded bug: the teacher was put into eval() mode for its test evaluation and for producing soft
targets before the student was cloned with copy.deepcopy. The copy inherits `training=False`, and
model.train() was only ever called on the teacher, so the student trains entirely in eval mode:
its BatchNorm layers normalise with the freshly reset running statistics (mean 0, var 1, i.e. no
normalisation, and they are never updated) and dropout is off.

Measured (plain python, 1 thread): student test accuracy 0.608 (final loss 0.88) with the bug
versus 0.813 (loss 0.34) for a fixed copy that calls student.train() before the distillation
loop; teacher test accuracy 0.822 in both.
"""
# traindebug-expect: wrong_mode
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

L = 128
N_CLASSES = 5


def make_clips(n):
    t = np.arange(L) / L
    y = rng.integers(0, N_CLASSES, size=n)
    f = rng.uniform(2, 8, size=(n, 1))
    ph = rng.uniform(0, 1, size=(n, 1))
    cyc = (f * t + ph) % 1.0
    waves = [
        np.sin(2 * np.pi * cyc),
        np.sign(np.sin(2 * np.pi * cyc)),
        2 * cyc - 1,
        4 * np.abs(cyc - 0.5) - 1,
        np.sin(2 * np.pi * cyc) * (0.5 + 0.5 * np.sin(2 * np.pi * 1.5 * t)),
    ]
    x = np.stack(waves, axis=0)[y, np.arange(n)]
    x = x * rng.uniform(0.5, 1.5, size=(n, 1)) + 0.4 * rng.normal(size=(n, L))
    return torch.tensor(x, dtype=torch.float32).unsqueeze(1), torch.tensor(y)


x_train, y_train = make_clips(3000)
x_test, y_test = make_clips(600)


def block(c_in, c_out, stride):
    return nn.Sequential(nn.Conv1d(c_in, c_out, 5, stride=stride, padding=2),
                         nn.BatchNorm1d(c_out), nn.ReLU())


class WaveNetSmall(nn.Module):
    def __init__(self, ch=24):
        super().__init__()
        layers, c_in = [], 1
        for i in range(6):
            layers.append(block(c_in, ch, stride=2 if i % 2 == 1 else 1))
            c_in = ch
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(ch, N_CLASSES)

    def forward(self, x):
        h = self.features(x).mean(-1)
        return self.head(self.drop(h))


def evaluate(model):
    model.eval()
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


def minibatches(n_steps, bs=64):
    step = 0
    while True:
        perm = torch.randperm(x_train.shape[0])
        for i in range(0, len(perm) - bs + 1, bs):
            idx = perm[i:i + bs]
            yield step, x_train[idx], y_train[idx]
            step += 1
            if step == n_steps:
                return


teacher = WaveNetSmall()
opt = torch.optim.Adam(teacher.parameters(), lr=2e-3)
teacher.train()
for step, xb, yb in minibatches(150):
    loss = F.cross_entropy(teacher(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
teacher_acc = evaluate(teacher)
print(f"teacher test acc {teacher_acc:.3f}")


def reset_all(m):
    if hasattr(m, "reset_parameters"):
        m.reset_parameters()


student = copy.deepcopy(teacher)
student.apply(reset_all)
for p in teacher.parameters():
    p.requires_grad_(False)

TEMP = 3.0
opt = torch.optim.Adam(student.parameters(), lr=2e-3)
for step, xb, yb in minibatches(200):
    with torch.no_grad():
        soft = F.softmax(teacher(xb) / TEMP, dim=1)
    logits = student(xb)
    kd = F.kl_div(F.log_softmax(logits / TEMP, dim=1), soft, reduction="batchmean") * TEMP ** 2
    loss = 0.5 * F.cross_entropy(logits, yb) + 0.5 * kd
    opt.zero_grad()
    loss.backward()
    opt.step()
    if (step + 1) % 50 == 0:
        print(f"student step {step + 1:4d}  loss {loss.item():.4f}")

print(f"final student test acc {evaluate(student):.3f}  teacher test acc {teacher_acc:.3f}")
