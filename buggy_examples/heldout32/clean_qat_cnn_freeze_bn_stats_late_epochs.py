"""
Int8 quantization-aware training of a small conv net on the 8x8 digits: three conv-BN-ReLU blocks
with per-channel fake-quantized weights and EMA-observed 8-bit activation fake-quant
(straight-through rounding), global average pooling, linear head. SGD nesterov (lr 0.05,
momentum 0.9, wd 1e-4), MultiStepLR (x0.2 at epoch 4), DataLoader batch 32, 7 epochs (301 steps).

Healthy control: from epoch 4 the script follows the usual QAT recipe of freezing the BatchNorm
running statistics and the activation range observers (BN modules put in eval() mode, observers
switched off) while training continues, so the quantization grid stops moving in the final epochs.

Possible false alarm: during the last three epochs BatchNorm layers are in eval mode inside the
training loop, which a naive detector could report as wrong_mode; the straight-through rounding
could also look like a wrong gradient.

Measured (seed 0, 1 thread): test acc 0.433 / 0.856 / 0.924 / 0.862 over the first four epochs,
0.980 right after the freeze, final train loss 0.014, test loss 0.101, test acc 0.967.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class FakeQuant(nn.Module):
    """Unsigned 8-bit activation fake-quant with an EMA range observer and a straight-through round."""

    def __init__(self, bits=8, momentum=0.1):
        super().__init__()
        self.qmax = 2 ** bits - 1
        self.momentum = momentum
        self.observe = True
        self.register_buffer("max_val", torch.tensor(1.0))

    def forward(self, x):
        if self.training and self.observe:
            with torch.no_grad():
                self.max_val.lerp_(x.detach().max(), self.momentum)
        scale = self.max_val.clamp(min=1e-6) / self.qmax
        q = torch.clamp(torch.round(x / scale), 0, self.qmax) * scale
        return x + (q - x).detach()


def quant_weight(w, bits=8):
    qmax = 2 ** (bits - 1) - 1
    scale = w.detach().abs().amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-8) / qmax
    return w + (torch.clamp(torch.round(w / scale), -qmax, qmax) * scale - w).detach()


class QConvBNReLU(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act_q = FakeQuant()

    def forward(self, x):
        y = F.conv2d(x, quant_weight(self.conv.weight), None, self.conv.stride, self.conv.padding)
        return self.act_q(F.relu(self.bn(y)))


model = nn.Sequential(
    QConvBNReLU(1, 16),
    QConvBNReLU(16, 32, stride=2),
    QConvBNReLU(32, 32),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    nn.Linear(32, 10),
)


def freeze_bn_and_observers(net):
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
        if isinstance(m, FakeQuant):
            m.observe = False


digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(digits.target)
idx_tr, idx_te = train_test_split(np.arange(len(y)), test_size=0.25, random_state=0, stratify=digits.target)
loader = DataLoader(TensorDataset(X[idx_tr], y[idx_tr]), batch_size=32, shuffle=True)
X_te, y_te = X[idx_te], y[idx_te]

EPOCHS, FREEZE_AT = 7, 4
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[FREEZE_AT], gamma=0.2)

step = 0
for epoch in range(EPOCHS):
    model.train()
    if epoch >= FREEZE_AT:
        freeze_bn_and_observers(model)
    run_loss = 0.0
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run_loss += loss.item()
        step += 1
    sched.step()
    model.eval()
    with torch.no_grad():
        logits = model(X_te)
        te_loss = F.cross_entropy(logits, y_te).item()
        te_acc = (logits.argmax(1) == y_te).float().mean().item()
    tag = " (BN stats + observers frozen)" if epoch >= FREEZE_AT else ""
    print(f"epoch {epoch} step {step} train_loss {run_loss / len(loader):.4f} "
          f"test_loss {te_loss:.4f} test_acc {te_acc:.3f}{tag}")

print(f"final int8-QAT test accuracy {te_acc:.3f}")
