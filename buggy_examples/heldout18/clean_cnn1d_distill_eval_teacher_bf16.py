"""Knowledge distillation of a 1-D CNN signal classifier into a smaller student,
with CPU bf16 autocast for the forward passes.

Healthy control.  Patterns a naive detector might flag: after its own short
training phase the teacher is frozen (requires_grad False) and kept in
``eval()`` mode (BatchNorm running stats, no dropout) while the student trains,
so a large share of the parameters never change and a module is in eval mode
at backward time; the forward passes run under ``torch.autocast("cpu",
dtype=torch.bfloat16)`` (logits are cast back to fp32 before the losses);
the distillation term is scaled by T^2 = 16.

Measured (seed 4; 95 teacher steps + 152 student steps): teacher loss
1.53 -> 0.19, test accuracy 0.958; student KD term 2.68 -> 0.47, CE 1.43 -> 0.39,
test loss 1.398 -> 0.481, test accuracy 0.196 -> 0.856 (4 classes, chance 0.25).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(4)
RNG = np.random.default_rng(4)
LENGTH, N_CLASSES = 128, 4


def synth_signals(n):
    t = np.linspace(0, 1, LENGTH, dtype=np.float32)
    y = RNG.integers(0, N_CLASSES, size=n)
    x = np.empty((n, LENGTH), dtype=np.float32)
    for i, c in enumerate(y):
        f = RNG.uniform(10, 16) if c == 2 else RNG.uniform(2, 5)
        ph = RNG.uniform(0, 2 * np.pi)
        if c in (0, 2):
            s = np.sin(2 * np.pi * f * t + ph)
        elif c == 1:
            s = np.sign(np.sin(2 * np.pi * f * t + ph))
        else:
            s = 2 * ((f * t + ph / (2 * np.pi)) % 1) - 1
        x[i] = s * RNG.uniform(0.5, 1.5) + RNG.normal(scale=0.3, size=LENGTH)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def conv_block(cin, cout, k):
    return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2), nn.BatchNorm1d(cout), nn.ReLU(), nn.MaxPool1d(2))


teacher = nn.Sequential(conv_block(1, 24, 7), conv_block(24, 24, 5), conv_block(24, 24, 3),
                        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(24, N_CLASSES))
student = nn.Sequential(conv_block(1, 12, 7), conv_block(12, 12, 5),
                        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(12, N_CLASSES))

x_tr, y_tr = synth_signals(1200)
x_te, y_te = synth_signals(500)
BS = 64


def minibatches(epochs):
    for _ in range(epochs):
        perm = torch.randperm(len(x_tr))
        for i in range(0, len(perm), BS):
            idx = perm[i:i + BS]
            yield x_tr[idx], y_tr[idx]


def evaluate(model):
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(x_te).float()
    return F.cross_entropy(logits, y_te).item(), (logits.argmax(1) == y_te).float().mean().item()


# ---- phase 1: teacher
opt_t = torch.optim.AdamW(teacher.parameters(), lr=3e-3, weight_decay=1e-4)
teacher.train()
for step, (xb, yb) in enumerate(minibatches(5)):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = teacher(xb)
    loss = F.cross_entropy(logits.float(), yb)
    opt_t.zero_grad()
    loss.backward()
    opt_t.step()
    if step % 25 == 0:
        print(f"teacher step {step:3d} loss {loss.item():.4f}")
print("teacher test loss/acc: %.4f / %.3f" % evaluate(teacher))

# ---- phase 2: distil into the student
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

T, ALPHA = 4.0, 0.7
opt_s = torch.optim.Adam(student.parameters(), lr=4e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt_s, T_max=8 * (len(x_tr) // BS + 1))
print("student test loss/acc before: %.4f / %.3f" % evaluate(student))
student.train()
for step, (xb, yb) in enumerate(minibatches(8)):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        with torch.no_grad():
            t_logits = teacher(xb)
        s_logits = student(xb)
    t_logits, s_logits = t_logits.float(), s_logits.float()
    kd = F.kl_div(F.log_softmax(s_logits / T, 1), F.softmax(t_logits / T, 1), reduction="batchmean") * T * T
    ce = F.cross_entropy(s_logits, yb)
    loss = ALPHA * kd + (1 - ALPHA) * ce
    opt_s.zero_grad()
    loss.backward()
    opt_s.step()
    sched.step()
    if step % 25 == 0:
        print(f"student step {step:3d} kd {kd.item():.4f} ce {ce.item():.4f}")
print("student test loss/acc after: %.4f / %.3f" % evaluate(student))
