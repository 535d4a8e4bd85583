"""Knowledge distillation on digits: a wide teacher MLP is pre-trained briefly,
then frozen on purpose (eval mode, requires_grad_(False), forward under
torch.no_grad) while a small student is trained on a KL(T=4) + CE mix.

Clean control. Patterns a naive detector might flag: the teacher's parameters
never receive gradients and never change during stage 2 (intentional), two
optimizers in one script, a teacher module in eval mode during student
training, and a KD loss scaled by T^2 whose initial value (~5.6) is far from
ln(10).

Measured: teacher test acc 0.942 after 132 steps; student KD loss 5.63 ->
0.193 over 220 steps, student test acc 0.913.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
torch.set_num_threads(1)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0,
                                          stratify=y)
X_tr, X_te = (torch.tensor(a, dtype=torch.float32) for a in (X_tr, X_te))
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)


def mlp(widths, p_drop=0.0):
    layers = []
    for a, b in zip(widths[:-2], widths[1:-1]):
        layers += [nn.Linear(a, b), nn.ReLU(), nn.Dropout(p_drop)]
    layers.append(nn.Linear(widths[-2], widths[-1]))
    return nn.Sequential(*layers)


def accuracy(model):
    model.eval()
    with torch.no_grad():
        return (model(X_te).argmax(1) == y_te).float().mean().item()


def batches(bs=64):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        yield X_tr[b], y_tr[b]


# ---- stage 1: short teacher pre-training --------------------------------------
teacher = mlp([64, 256, 256, 10], p_drop=0.2)
t_opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
for epoch in range(6):
    teacher.train()
    for xb, yb in batches():
        loss = F.cross_entropy(teacher(xb), yb)
        t_opt.zero_grad()
        loss.backward()
        t_opt.step()
print(f"teacher test_acc {accuracy(teacher):.3f}")

# ---- stage 2: distil into a small student; teacher is fixed --------------------
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

student = mlp([64, 32, 10])
s_opt = torch.optim.Adam(student.parameters(), lr=3e-3)
T, alpha = 4.0, 0.7
step = 0
for epoch in range(10):
    student.train()
    tot = 0.0
    n = 0
    for xb, yb in batches():
        with torch.no_grad():
            t_logits = teacher(xb)
        s_logits = student(xb)
        kd = F.kl_div(F.log_softmax(s_logits / T, 1), F.softmax(t_logits / T, 1),
                      reduction="batchmean") * T * T
        ce = F.cross_entropy(s_logits, yb)
        loss = alpha * kd + (1 - alpha) * ce
        s_opt.zero_grad()
        loss.backward()
        s_opt.step()
        tot += loss.item() * len(xb)
        n += len(xb)
        step += 1
    if epoch % 3 == 0 or epoch == 9:
        print(f"student epoch {epoch} step {step} kd_loss {tot / n:.4f} "
              f"test_acc {accuracy(student):.3f}")
