"""Clean control: digits classifier with a discrete bottleneck (8 groups x 8 categories) sampled
by straight-through Gumbel-softmax. The custom autograd.Function HardOneHot returns a one-hot
argmax in forward and passes the gradient unchanged to the soft sample in backward: a deliberate
biased estimator that disagrees with finite differences (the true derivative of argmax is 0) but
is the correct, intended straight-through estimator; the encoder gets useful gradients via the
softmax. Measured healthy: loss 2.12 (epoch 2) -> 0.20 (epoch 12), test acc 0.956 (276 NAdam steps).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(8)
torch.set_num_threads(1)


class HardOneHot(torch.autograd.Function):
    """Forward: one-hot of the argmax. Backward: pass the gradient straight to the soft sample."""

    @staticmethod
    def forward(ctx, soft):
        index = soft.argmax(dim=-1, keepdim=True)
        return torch.zeros_like(soft).scatter_(-1, index, 1.0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def gumbel_softmax_st(logits, tau):
    u = torch.rand_like(logits).clamp_(1e-9, 1 - 1e-9)
    gumbel = -torch.log(-torch.log(u))
    soft = F.softmax((logits + gumbel) / tau, dim=-1)
    return HardOneHot.apply(soft)


class DiscreteCodeClassifier(nn.Module):
    def __init__(self, d_in=64, groups=8, cats=8, n_classes=10):
        super().__init__()
        self.groups, self.cats = groups, cats
        self.encoder = nn.Sequential(nn.Linear(d_in, 96), nn.GELU(), nn.Linear(96, groups * cats))
        self.decoder = nn.Sequential(nn.Linear(groups * cats, 64), nn.GELU(), nn.Linear(64, n_classes))

    def forward(self, x, tau=1.0):
        logits = self.encoder(x).view(-1, self.groups, self.cats)
        if self.training:
            code = gumbel_softmax_st(logits, tau)
        else:
            code = F.one_hot(logits.argmax(-1), self.cats).float()
        return self.decoder(code.flatten(1))


X, y = load_digits(return_X_y=True)
X = (X / 16.0 - 0.3).astype(np.float32)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=8, stratify=y)
Xtr, Xte, ytr, yte = map(torch.as_tensor, (Xtr, Xte, ytr, yte))

model = DiscreteCodeClassifier()
opt = torch.optim.NAdam(model.parameters(), lr=2e-3)
epochs, bs = 12, 64
steps_per_epoch = (len(Xtr) + bs - 1) // bs
tau_start, tau_end = 2.0, 0.5

for epoch in range(epochs):
    model.train()
    tau = tau_start * (tau_end / tau_start) ** (epoch / (epochs - 1))
    perm = torch.randperm(len(Xtr))
    epoch_loss = 0.0
    for i in range(0, len(Xtr), bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(Xtr[idx], tau=tau), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        epoch_loss += loss.item()
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1:2d} tau {tau:.2f} loss {epoch_loss / steps_per_epoch:.4f} test acc {acc:.3f}")

print(f"final test accuracy with discrete codes: {acc:.3f}")
