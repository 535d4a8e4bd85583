"""Knowledge distillation on sklearn digits: a 256-256 MLP teacher, then a small 32-unit student trained
only on the teacher's temperature-softened outputs (T = 4) with F.kl_div.

Seeded bug: F.kl_div expects its first argument as LOG-probabilities, but the student's output is passed
through F.softmax instead of F.log_softmax. The "KL" becomes sum t*(log t - p), which is negative and is
minimised by pushing probability mass onto the teacher's top class with vanishing gradients, not by
matching the soft targets.
Measured: distillation loss goes to about -31 (a KL can never be negative); student val acc 0.640 after
250 steps. With log_softmax (fixed copy): loss 10.2 -> 1.7, student val acc 0.841 (teacher 0.955).
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

Xn, yn = load_digits(return_X_y=True)
Xn = Xn / 16.0
X = torch.tensor(Xn, dtype=torch.float32)
Y = torch.tensor(yn)
perm = torch.randperm(len(X))
tr, va = perm[:1400], perm[1400:]

# 1) teacher
teacher = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
for step in range(150):
    idx = tr[torch.randint(0, len(tr), (128,))]
    loss = F.cross_entropy(teacher(X[idx]), Y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
teacher.eval()
with torch.no_grad():
    t_acc = (teacher(X[va]).argmax(1) == Y[va]).float().mean().item()
print(f"teacher val acc {t_acc:.3f}")

# 2) student distilled from teacher soft targets only
T = 4.0
student = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
opt = torch.optim.Adam(student.parameters(), lr=1e-3)
for step in range(250):
    idx = tr[torch.randint(0, len(tr), (128,))]
    with torch.no_grad():
        soft = F.softmax(teacher(X[idx]) / T, dim=1)
    s_logits = student(X[idx])
    loss = F.kl_div(F.softmax(s_logits / T, dim=1), soft, reduction="batchmean") * T * T
    opt.zero_grad()
    loss.backward()
    opt.step()
    if (step + 1) % 50 == 0:
        print(f"student step {step + 1:4d}  distill loss {loss.item():.4f}")

with torch.no_grad():
    s_acc = (student(X[va]).argmax(1) == Y[va]).float().mean().item()
print(f"student val acc {s_acc:.3f}")
