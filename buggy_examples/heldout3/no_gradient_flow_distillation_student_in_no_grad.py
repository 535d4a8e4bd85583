"""Seeded bug: knowledge distillation on the digits data. The teacher's forward
is wrapped in torch.no_grad(), but the student's encoder call was put inside the
same block, so the student's encoder never receives a gradient and only its
final linear layer learns (on random 12-unit features). Final loss 2.276 vs 0.797 fixed."""
# traindebug-expect: no_gradient_flow
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
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)


class Student(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 12), nn.ReLU())
        self.head = nn.Linear(12, 10)


student = Student()
s_opt = torch.optim.Adam(student.parameters(), lr=2e-3)
T, alpha = 3.0, 0.7
for step in range(150):
    idx = torch.randint(0, len(X), (64,))
    with torch.no_grad():
        t_logits = teacher(X[idx])
        feats = student.encoder(X[idx])
    s_logits = student.head(feats)
    kd = F.kl_div(F.log_softmax(s_logits / T, dim=1), F.softmax(t_logits / T, dim=1),
                  reduction="batchmean") * T * T
    loss = alpha * kd + (1 - alpha) * F.cross_entropy(s_logits, y[idx])
    s_opt.zero_grad()
    loss.backward()
    s_opt.step()
    if step % 50 == 0 or step == 149:
        print(f"student step {step} loss {loss.item():.4f}")
