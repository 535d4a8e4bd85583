"""1-D CNN + GRU classifier for noisy synthetic waveforms (sine / square / sawtooth / chirp),
two input channels (signal and its derivative).

Seeded bug (symmetric_init): reset_parameters() initialises every weight matrix
(both convs, GRU input and recurrent weights, head) to the constant 1/fan_in ("start as
an averaging filter") and every bias to zero. All conv channels and all GRU hidden units
are identical and receive identical gradients, so the network behaves as if it had width 1.

Measured (5 epochs, 160 Adam steps): final train loss 0.88, test acc 0.53. Fixed copy
(kaiming init for convs/head, orthogonal for the GRU): train loss 0.004, test acc 0.99.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

SEQ_LEN = 64
N_CLASSES = 4


def make_signals(n, rng):
    t = np.linspace(0, 1, SEQ_LEN)
    X = np.zeros((n, 2, SEQ_LEN), dtype=np.float32)
    y = rng.randint(N_CLASSES, size=n)
    for i in range(n):
        f = rng.uniform(2, 6)
        ph = rng.uniform(0, 2 * np.pi)
        if y[i] == 0:
            s = np.sin(2 * np.pi * f * t + ph)
        elif y[i] == 1:
            s = np.sign(np.sin(2 * np.pi * f * t + ph))
        elif y[i] == 2:
            s = 2 * ((f * t + ph / (2 * np.pi)) % 1.0) - 1
        else:
            s = np.sin(2 * np.pi * (f * t + 4 * t ** 2) + ph)
        X[i, 0] = s + 0.3 * rng.randn(SEQ_LEN)
        X[i, 1] = np.gradient(X[i, 0])
    return torch.tensor(X), torch.tensor(y)


rng = np.random.RandomState(0)
Xtr, ytr = make_signals(2000, rng)
Xte, yte = make_signals(600, rng)


class ConvGRU(nn.Module):
    def __init__(self, in_ch=2, conv_ch=32, hidden=48):
        super().__init__()
        self.conv1 = nn.Conv1d(in_ch, conv_ch, kernel_size=5, padding=2)
        self.conv2 = nn.Conv1d(conv_ch, conv_ch, kernel_size=5, padding=2, stride=2)
        self.gru = nn.GRU(conv_ch, hidden, batch_first=True)
        self.head = nn.Linear(hidden, N_CLASSES)
        self.reset_parameters()

    def reset_parameters(self):
        for name, p in self.named_parameters():
            if "bias" in name:
                nn.init.zeros_(p)
            else:
                # start every filter / recurrent map as a uniform average over its inputs
                nn.init.constant_(p, 1.0 / p.shape[1])

    def forward(self, x):
        h = F.relu(self.conv1(x))
        h = F.relu(self.conv2(h))
        out, last = self.gru(h.transpose(1, 2))
        return self.head(last[-1])


model = ConvGRU()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
BATCH = 64
for epoch in range(5):
    model.train()
    perm = torch.randperm(len(Xtr))
    tot, nb = 0.0, 0
    for i in range(0, len(Xtr), BATCH):
        idx = perm[i:i + BATCH]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tot += loss.item(); nb += 1
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"epoch {epoch} train loss {tot / nb:.3f} test acc {acc:.3f}")
