"""
PointNet-style classifier for synthetic 2-D point clouds (64 points each;
classes: circle, square outline, triangle outline, plus-sign cross; random
scale, rotation, translation and jitter; each cloud is centred and scaled to unit radius). Shared per-point Conv1d(2, 64, 1)
-> BatchNorm1d -> ReLU -> Conv1d(64, 128, 1) -> BatchNorm1d -> ReLU ->
max-pool over points -> Linear(128, 64) -> ReLU ->
Dropout(0.5) -> Linear(64, 4). Adam lr 3e-3, batch 32, 8 epochs (300
steps). After each epoch a `predict` helper classifies the validation
clouds one at a time (as the deployed service does) and the best checkpoint
by validation accuracy is kept.

Seeded bug: the helper writes `model.eval` without parentheses, which just
references the bound method and leaves the network in training mode. The
single-cloud predictions are therefore made with dropout active and with
BatchNorm normalising each channel over the 64 points of that one cloud
(per-instance statistics instead of the running ones), and the running
statistics are updated with validation data; checkpoint selection and the
reported accuracy are based on these predictions.

Measured (seed 0, 1 thread): buggy final validation accuracy 0.363 (best
kept checkpoint 0.375); fixed copy (model.eval()) validation accuracy 0.950
(best kept 0.962). Training loss is about the same in both (0.43 vs 0.41).
"""
# traindebug-expect: wrong_mode
import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

N_POINTS = 64


def shape_points(kind, n):
    t = torch.rand(n)
    if kind == 0:
        ang = 2 * math.pi * t
        pts = torch.stack([ang.cos(), ang.sin()], 1)
    elif kind in (1, 2):
        k = 4 if kind == 1 else 3
        corners = torch.tensor([[math.cos(2 * math.pi * i / k + math.pi / k), math.sin(2 * math.pi * i / k + math.pi / k)] for i in range(k + 1)])
        side = (t * k).long().clamp(max=k - 1)
        frac = (t * k - side).unsqueeze(1)
        pts = corners[side] * (1 - frac) + corners[side + 1] * frac
    else:
        arm = torch.randint(0, 2, (n,))
        u = t * 2 - 1
        pts = torch.where(arm.unsqueeze(1) == 0, torch.stack([u, torch.zeros(n)], 1), torch.stack([torch.zeros(n), u], 1))
    return pts


def make_clouds(n):
    labels = torch.randint(0, 4, (n,))
    clouds = []
    for lab in labels.tolist():
        pts = shape_points(lab, N_POINTS)
        theta = torch.rand(1).item() * 2 * math.pi
        rot = torch.tensor([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
        pts = pts @ rot.T * (0.5 + torch.rand(1)) + torch.randn(1, 2) * 0.5
        pts = pts + 0.03 * torch.randn_like(pts)
        pts = pts - pts.mean(0)
        clouds.append(pts / pts.norm(dim=1).max())
    return torch.stack(clouds).transpose(1, 2), labels


class PointNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.point_mlp = nn.Sequential(
            nn.Conv1d(2, 64, 1), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Conv1d(64, 128, 1), nn.BatchNorm1d(128), nn.ReLU(),
        )
        self.head = nn.Sequential(
            nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(64, n_classes),
        )

    def forward(self, x):
        return self.head(self.point_mlp(x).max(dim=2).values)


def predict(model, clouds):
    model.eval
    preds = []
    with torch.no_grad():
        for cloud in clouds:
            preds.append(model(cloud.unsqueeze(0)).argmax(1))
    return torch.cat(preds)


x_tr, y_tr = make_clouds(1200)
x_va, y_va = make_clouds(320)

model = PointNet()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
best_acc, best_state = -1.0, None

for epoch in range(8):
    model.train()
    perm = torch.randperm(len(x_tr))
    total = 0.0
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    val_acc = (predict(model, x_va) == y_va).float().mean().item()
    if val_acc > best_acc:
        best_acc, best_state = val_acc, copy.deepcopy(model.state_dict())
    print(f"epoch {epoch + 1}  train loss {total / len(x_tr):.4f}  val acc {val_acc:.3f}")

print(f"final val accuracy {val_acc:.3f}  (best kept {best_acc:.3f})")
