"""Knowledge distillation on sklearn digits: a 64-256-256-10 teacher is trained briefly, frozen
(eval mode, requires_grad False), and a small 64-24-10 student is trained with Adagrad on
0.9 * T^2 * KL(teacher_T || student_T) + 0.1 * CE(labels), T = 4.

Seeded bug (wrong_gradient): the KD term is a custom torch.autograd.Function with a fused
backward. Forward uses log_softmax over the class dim, but backward recomputes the student
distribution with torch.softmax(s / T, dim=0), i.e. normalised over the batch. The analytic
gradient no longer matches the loss (torch.autograd.gradcheck fails), so the student is pushed
in wrong directions and the KD loss rises during training.

Measured (seed 0, 240 student steps; teacher test accuracy 0.974): KD loss goes 11.3 -> 44.9,
student test accuracy 0.580.
Fixed copy (dim=-1, gradcheck passes): KD loss 7.57 -> 0.185, student test accuracy 0.967.
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)

TEMPERATURE = 4.0
ALPHA = 0.9          # weight of the distillation term vs hard labels


class SoftTargetKL(torch.autograd.Function):
    """KL(p_teacher || softmax(s / T)) * T^2, batch-mean, with a fused backward.

    Avoids materialising log_softmax twice for large vocabularies.
    """

    @staticmethod
    def forward(ctx, student_logits, teacher_probs, T):
        log_q = F.log_softmax(student_logits / T, dim=-1)
        log_p = teacher_probs.clamp_min(1e-12).log()
        loss = (teacher_probs * (log_p - log_q)).sum(-1).mean() * T * T
        ctx.save_for_backward(student_logits, teacher_probs)
        ctx.T = T
        return loss

    @staticmethod
    def backward(ctx, grad_out):
        s, p = ctx.saved_tensors
        T = ctx.T
        q = torch.softmax(s / T, dim=0)
        grad = (q - p) * (T / s.shape[0])
        return grad_out * grad, None, None


def kd_loss(student_logits, teacher_logits, targets):
    p = F.softmax(teacher_logits / TEMPERATURE, dim=-1)
    soft = SoftTargetKL.apply(student_logits, p, TEMPERATURE)
    hard = F.cross_entropy(student_logits, targets)
    return ALPHA * soft + (1 - ALPHA) * hard


def mlp(sizes, act=nn.ReLU):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), act()]
    return nn.Sequential(*layers[:-1])


def accuracy(model, X, y):
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


def fit_teacher(teacher, X, y, steps=120, bs=128):
    opt = torch.optim.Adam(teacher.parameters(), lr=2e-3)
    g = torch.Generator().manual_seed(1)
    for _ in range(steps):
        idx = torch.randint(0, len(X), (bs,), generator=g)
        loss = F.cross_entropy(teacher(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher


def main():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    teacher = fit_teacher(mlp([64, 256, 256, 10]), Xtr, ytr)
    print(f"teacher test_acc {accuracy(teacher, Xte, yte):.3f}")

    student = mlp([64, 24, 10])
    opt = torch.optim.Adagrad(student.parameters(), lr=0.05)
    bs, epochs, step = 64, 12, 0
    for ep in range(epochs):
        perm = torch.randperm(len(Xtr))
        running = []
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            with torch.no_grad():
                t_logits = teacher(Xtr[idx])
            loss = kd_loss(student(Xtr[idx]), t_logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running.append(loss.item())
            step += 1
        if ep % 4 == 0 or ep == epochs - 1:
            print(f"epoch {ep:2d} step {step} kd_loss {np.mean(running):.4f} student test_acc {accuracy(student, Xte, yte):.3f}")
    print(f"final student test_acc {accuracy(student, Xte, yte):.3f}")


if __name__ == "__main__":
    main()
