"""SimCLR-style contrastive pre-training of a GRU encoder on generated 2-channel
time series (two random augmentations per sample, NT-Xent loss), followed by a
nearest-centroid probe on the frozen features.

Seeded bug (batch_mixing): the encoder's GRU is time-major, and
GRUEncoder.features converts the (batch, time, hidden) tensor with
`h.view(t, b, -1)` instead of `h.transpose(0, 1)`. The view silently
reinterprets memory, so each "time step" fed to the GRU is a slice of several
different samples and every embedding depends on other samples in the batch.

Measured (seed 0, 120 AdamW steps of batch 64): buggy NT-Xent stays at
4.84-4.88 (= ln(127), chance) and probe accuracy is 0.245 (chance 0.25); with
`transpose(0, 1)` the loss falls 4.69 -> 3.36 and probe accuracy is 0.925.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SEQ_LEN, N_CH, N_CLASSES = 32, 2, 4
EPOCHS, BATCH, TEMP = 6, 64, 0.2


def make_series(n, rng):
    """Four families of 2-channel signals: sine, square, sawtooth, damped chirp."""
    t = np.linspace(0, 1, SEQ_LEN, dtype=np.float32)
    y = rng.randint(0, N_CLASSES, n)
    freq = rng.uniform(2, 4, n)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    arg = 2 * np.pi * freq * t[None] + phase
    out = np.empty((n, SEQ_LEN, N_CH), np.float32)
    sig = np.where(y[:, None] == 0, np.sin(arg),
          np.where(y[:, None] == 1, np.sign(np.sin(arg)),
          np.where(y[:, None] == 2, ((arg / np.pi) % 2) - 1,
                   np.exp(-3 * t[None]) * np.sin(arg * (1 + t[None])))))
    out[:, :, 0] = sig
    out[:, :, 1] = np.gradient(sig, axis=1) * 5
    out += 0.1 * rng.randn(*out.shape).astype(np.float32)
    return out, y


def augment(x):
    b = x.size(0)
    scale = torch.empty(b, 1, N_CH).uniform_(0.7, 1.3)
    shift = torch.randint(-6, 7, (b,))
    idx = (torch.arange(SEQ_LEN)[None, :] - shift[:, None]) % SEQ_LEN
    x = torch.gather(x, 1, idx[:, :, None].expand(-1, -1, N_CH))
    x = x * scale + 0.15 * torch.randn_like(x)
    mask = (torch.rand(b, SEQ_LEN, 1) > 0.1).float()
    return x * mask


class GRUEncoder(nn.Module):
    def __init__(self, n_ch, hidden=32, proj=32):
        super().__init__()
        self.inp = nn.Linear(n_ch, hidden)
        self.rnn = nn.GRU(hidden, hidden)  # time-major
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, proj))

    def features(self, x):
        b, t, c = x.shape
        h = self.inp(x)
        h = h.view(t, b, -1)
        _, last = self.rnn(h)
        return last[-1]

    def forward(self, x):
        return self.head(self.features(x))


def nt_xent(z1, z2, temperature):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.t() / temperature
    n = z1.size(0)
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


@torch.no_grad()
def embed(model, x):
    model.eval()
    feats = torch.cat([model.features(x[i:i + 256]) for i in range(0, len(x), 256)])
    model.train()
    return feats


def centroid_probe(f_tr, y_tr, f_te, y_te):
    mu, sd = f_tr.mean(0), f_tr.std(0) + 1e-6
    f_tr, f_te = F.normalize((f_tr - mu) / sd, dim=1), F.normalize((f_te - mu) / sd, dim=1)
    cents = F.normalize(torch.stack([f_tr[y_tr == k].mean(0) for k in range(N_CLASSES)]), dim=1)
    return ((f_te @ cents.t()).argmax(1) == y_te).float().mean().item()


def main():
    rng = np.random.RandomState(0)
    x_train, y_train = make_series(1280, rng)
    x_test, y_test = make_series(600, rng)
    x_train_t, x_test_t = torch.from_numpy(x_train), torch.from_numpy(x_test)

    model = GRUEncoder(N_CH)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    step = 0
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(x_train_t))
        total = 0.0
        for i in range(0, len(perm) - BATCH + 1, BATCH):
            xb = x_train_t[perm[i:i + BATCH]]
            loss = nt_xent(model(augment(xb)), model(augment(xb)), TEMP)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            step += 1
        print(f"epoch {epoch}  nt-xent {total / (len(perm) // BATCH):.3f}")

    f_tr, f_te = embed(model, x_train_t), embed(model, x_test_t)
    acc = centroid_probe(f_tr, torch.from_numpy(y_train), f_te, torch.from_numpy(y_test))
    print(f"{step} steps; nearest-centroid probe test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
