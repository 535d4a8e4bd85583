"""
CTC sequence recogniser on generated symbol streams: each sample is a sequence of 2-4 symbols
(alphabet of 6) rendered as a noisy 10-dim feature stream where every symbol lasts 2-4 frames
and is followed by 0-2 gap frames. Model: Linear front-end -> bidirectional GRU(32) -> Linear
to 7 classes (blank = 0). F.ctc_loss, Adam lr 3e-3, batch 24, 200 steps, greedy decoding,
exact-sequence accuracy on a held-out set.

Seeded bug: the model's forward ends with .softmax(-1) (handy for decoding / "probabilities"),
and that tensor is handed straight to F.ctc_loss, which expects log-probabilities. CTC then
treats values in [0, 1] as log-probs, i.e. path scores are no longer normalised: the "loss"
goes negative and is minimised by piling probability on whatever frames make many paths
score high, not by the right alignment; gradients are squashed by the softmax Jacobian. A classic mix-up of softmax vs log_softmax.

Measured (seed 0, 1 thread): buggy: CTC "loss" -3.41 -> -4.23 (negative), held-out
exact-sequence accuracy 0.472. Fixed copy (log_softmax): loss 4.77 -> 0.13, held-out
accuracy 0.907.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_SYM = 6          # symbols 1..6, 0 is the CTC blank
FEAT = 10
T_MAX = 24
TEMPLATES = rng.normal(0.0, 1.0, size=(N_SYM + 1, FEAT)).astype(np.float32)


def make_sample():
    n = rng.integers(2, 5)
    labels = rng.integers(1, N_SYM + 1, size=n)
    frames = []
    for i, s in enumerate(labels):
        frames += [TEMPLATES[s]] * int(rng.integers(2, 5))
        frames += [TEMPLATES[0]] * int(rng.integers(0, 3))
    x = np.stack(frames)[:T_MAX]
    x = x + rng.normal(0.0, 0.35, size=x.shape).astype(np.float32)
    return x, labels


def make_set(n):
    xs, ys = zip(*[make_sample() for _ in range(n)])
    lengths = np.array([len(x) for x in xs])
    X = np.zeros((n, T_MAX, FEAT), dtype=np.float32)
    for i, x in enumerate(xs):
        X[i, :len(x)] = x
    return torch.from_numpy(X), torch.from_numpy(lengths), list(ys)


class Recogniser(nn.Module):
    def __init__(self, feat, hidden, n_classes):
        super().__init__()
        self.inp = nn.Linear(feat, hidden)
        self.rnn = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        h, _ = self.rnn(torch.relu(self.inp(x)))
        return self.out(h).softmax(-1)


def greedy_decode(probs, lengths):
    best = probs.argmax(-1)
    seqs = []
    for row, L in zip(best, lengths):
        prev, out = 0, []
        for k in row[:L].tolist():
            if k != prev and k != 0:
                out.append(k)
            prev = k
        seqs.append(out)
    return seqs


X_tr, len_tr, y_tr = make_set(1600)
X_te, len_te, y_te = make_set(400)

model = Recogniser(FEAT, 32, N_SYM + 1)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
BATCH = 24
STEPS = 200

step = 0
while step < STEPS:
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm) - BATCH + 1, BATCH):
        idx = perm[i:i + BATCH]
        targets = [torch.as_tensor(y_tr[j]) for j in idx.tolist()]
        target_lengths = torch.tensor([len(t) for t in targets])
        flat_targets = torch.cat(targets)
        probs = model(X_tr[idx])                       # (B, T, C)
        loss = F.ctc_loss(probs.transpose(0, 1), flat_targets, len_tr[idx], target_lengths,
                          blank=0, zero_infinity=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 40 == 0 or step == 1:
            print(f"step {step:4d}  ctc loss {loss.item():.4f}")
        if step >= STEPS:
            break

model.eval()
with torch.no_grad():
    decoded = greedy_decode(model(X_te), len_te)
acc = np.mean([d == list(t) for d, t in zip(decoded, y_te)])
print(f"final train loss {loss.item():.4f}  held-out exact-sequence accuracy {acc:.3f}")
