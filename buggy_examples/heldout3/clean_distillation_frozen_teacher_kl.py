"""clean: knowledge distillation on the digits data. A wide teacher is trained
for 120 steps, then frozen (requires_grad False, eval mode) and a small student
learns from the teacher's temperature-softened outputs (KL, T=3) plus the hard
labels. Final student loss 0.288 (measured once, plain python)."""
# traindebug-expect: clean
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)

teacher = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
t_opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
for step in range(120):
    idx = torch.randint(0, len(X), (64,))
    loss = F.cross_entropy(teacher(X[idx]), y[idx])
    t_opt.zero_grad()
    loss.backward()
    t_opt.step()
print(f"teacher loss {loss.item():.4f}")

teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

student = nn.Sequential(nn.Linear(64, 24), nn.ReLU(), nn.Linear(24, 10))
s_opt = torch.optim.Adam(student.parameters(), lr=2e-3)
T, alpha = 3.0, 0.7
for step in range(150):
    idx = torch.randint(0, len(X), (64,))
    with torch.no_grad():
        t_logits = teacher(X[idx])
    s_logits = student(X[idx])
    kd = F.kl_div(F.log_softmax(s_logits / T, dim=1), F.softmax(t_logits / T, dim=1),
                  reduction="batchmean") * T * T
    loss = alpha * kd + (1 - alpha) * F.cross_entropy(s_logits, y[idx])
    s_opt.zero_grad()
    loss.backward()
    s_opt.step()
    if step % 50 == 0 or step == 149:
        print(f"student step {step} loss {loss.item():.4f}")
