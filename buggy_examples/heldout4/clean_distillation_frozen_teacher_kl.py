"""clean: knowledge distillation on the digits table. A wide teacher is
trained for 120 steps, then frozen (requires_grad_(False) and eval()), and
a small student is trained for 160 steps on 0.7 * T^2 * KL(student/T ||
teacher/T) + 0.3 * CE with T = 4. The teacher's parameters never change
and never receive gradients during the second phase - on purpose.
Measured: student loss 6.04 -> 0.50, accuracy 0.90."""
# traindebug-expect: clean
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
torch.manual_seed(0)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)


def batches(n):
    while True:
        for b in loader:
            yield b
            n -= 1
            if n == 0:
                return


teacher = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 256), nn.ReLU(),
                        nn.Linear(256, 10))
t_opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
for xb, yb in batches(120):
    loss = F.cross_entropy(teacher(xb), yb)
    t_opt.zero_grad()
    loss.backward()
    t_opt.step()
print("teacher final batch loss", round(loss.item(), 4))

teacher.requires_grad_(False)
teacher.eval()
student = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
s_opt = torch.optim.Adam(student.parameters(), lr=3e-3)
T, alpha = 4.0, 0.7
losses = []
for xb, yb in batches(160):
    with torch.no_grad():
        t_logits = teacher(xb)
    s_logits = student(xb)
    kd = F.kl_div(F.log_softmax(s_logits / T, 1), F.log_softmax(t_logits / T, 1), log_target=True,
                  reduction="batchmean") * T * T
    loss = alpha * kd + (1 - alpha) * F.cross_entropy(s_logits, yb)
    s_opt.zero_grad()
    loss.backward()
    s_opt.step()
    losses.append(loss.item())
with torch.no_grad():
    acc = (student(X).argmax(1) == y).float().mean().item()
print(f"student first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f} accuracy {acc:.3f}")
