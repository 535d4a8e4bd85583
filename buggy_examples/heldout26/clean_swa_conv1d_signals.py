"""Clean control: 1-D CNN with BatchNorm classifying noisy sine/square/sawtooth
waveforms, SGD + momentum with cosine decay (0.05 -> 0.02) for 8 epochs,
followed by stochastic weight averaging (AveragedModel + SWALR at 0.02,
update_bn for the averaged model's BatchNorm statistics).

Patterns that might fool a naive detector: the AveragedModel holds a full copy
of the parameters that is never handed to an optimizer and never receives
gradients; the learning rate stops decaying and stays constant during the SWA
phase, and the raw model's test loss jumps around there (0.17 -> 0.59 -> 0.30)
because that is the exploration SWA averages over; update_bn runs forward
passes in train mode outside the optimisation loop.

Measured (12 epochs, 300 steps): train loss 0.69 -> 0.09-0.11, final raw model
test_acc 0.88, SWA model test_loss 0.150 and test_acc 0.947.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
SEED = 4
torch.manual_seed(SEED)
g = np.random.default_rng(SEED)


def make_signals(n, length=64):
    """Three classes of noisy 1-D waveforms: sine, square, sawtooth with random freq/phase."""
    t = np.linspace(0, 1, length, dtype=np.float32)
    y = g.integers(0, 3, n)
    f = g.uniform(2, 6, n)[:, None]
    ph = g.uniform(0, 2 * np.pi, n)[:, None]
    arg = 2 * np.pi * f * t + ph
    sig = np.where(y[:, None] == 0, np.sin(arg),
                   np.where(y[:, None] == 1, np.sign(np.sin(arg)), 2 * ((arg / (2 * np.pi)) % 1.0) - 1))
    sig = sig * g.uniform(0.5, 1.5, (n, 1)) + 0.45 * g.standard_normal((n, length))
    return torch.tensor(sig, dtype=torch.float32).unsqueeze(1), torch.tensor(y)


class ConvNet1d(nn.Module):
    def __init__(self, c=16, n_classes=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, c, 5, padding=2), nn.BatchNorm1d(c), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(c, 2 * c, 5, padding=2), nn.BatchNorm1d(2 * c), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(2 * c, 2 * c, 3, padding=1), nn.BatchNorm1d(2 * c), nn.ReLU(),
        )
        self.classifier = nn.Linear(2 * c, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean(-1))


def evaluate(m, X, y):
    m.eval()
    with torch.no_grad():
        logits = m(X)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


Xtr, ytr = make_signals(1600)
Xte, yte = make_signals(600)
loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)

model = ConvNet1d()
swa_model = AveragedModel(model)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
EPOCHS, SWA_START = 12, 8
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=SWA_START, eta_min=0.02)
swa_sched = SWALR(opt, swa_lr=0.02, anneal_epochs=1, anneal_strategy="cos")

for epoch in range(EPOCHS):
    model.train()
    run = []
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run.append(loss.item())
    if epoch >= SWA_START:
        swa_model.update_parameters(model)
        swa_sched.step()
    else:
        cosine.step()
    vl, va = evaluate(model, Xte, yte)
    print(f"epoch {epoch:2d} lr {opt.param_groups[0]['lr']:.4f} train_loss {np.mean(run):.4f} test_loss {vl:.4f} test_acc {va:.3f}")

update_bn(loader, swa_model)
sl, sa = evaluate(swa_model, Xte, yte)
print(f"SWA model: test_loss {sl:.4f} test_acc {sa:.3f}")
