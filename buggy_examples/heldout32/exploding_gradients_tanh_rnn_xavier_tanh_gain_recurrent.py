"""
Vibration-fault classifier: single-layer tanh nn.RNN (hidden 64) over 80-step, 2-channel
synthetic accelerometer windows (fault frequency buried in drift + noise, 4 classes), linear
head on the last hidden state. SGD lr 0.01, momentum 0.9, gradient clipping at norm 1.0,
batch 32, 5 epochs (250 steps), hand-written loop.

Seeded bug: the custom init loop applies nn.init.xavier_normal_ with
gain=calculate_gain('tanh') (5/3) to every weight, including the recurrent weight_hh. That gain
is meant for feed-forward tanh layers; on a square recurrent matrix it gives a spectral radius of
~1.7, which puts the RNN in the chaotic regime: back-propagation through 80 steps multiplies the
gradient up at every step. Pre-clip gradient norms are 340 at step 0 and ~240 at step 50 (fixed
copy: 0.6-0.8); the clipped updates are essentially noise and the model stays at chance.

Measured (seed 0, 1 thread): buggy: pre-clip grad norm 3.4e2 (step 0), 2.4e2 (step 50), final
val loss 1.393, val acc 0.285. Fixed copy (orthogonal_ on weight_hh, plain Xavier on weight_ih):
grad norm 0.65 (step 0), final val loss 0.423, val acc 0.765.
"""
# traindebug-expect: exploding_gradients
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

SEQ_LEN = 80
N_CLASSES = 4


def make_vibration_windows(n):
    """Accelerometer-like windows: class = which fault frequency is buried in the noise."""
    t = np.arange(SEQ_LEN) / 50.0
    freqs = np.array([1.5, 3.0, 4.5, 6.0])
    y = rng.integers(0, N_CLASSES, n)
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.6, 1.2, (n, 1))
    sig = amp * np.sin(2 * np.pi * freqs[y][:, None] * t[None] + phase)
    drift = 0.3 * np.sin(2 * np.pi * 0.2 * t[None] + rng.uniform(0, 6, (n, 1)))
    x = np.stack([sig + drift + 0.4 * rng.standard_normal((n, SEQ_LEN)),
                  0.5 * sig + 0.4 * rng.standard_normal((n, SEQ_LEN))], axis=-1)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


class FaultRNN(nn.Module):
    def __init__(self, n_in=2, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, batch_first=True, nonlinearity="tanh")
        self.head = nn.Linear(hidden, N_CLASSES)
        gain = nn.init.calculate_gain("tanh")
        for name, p in self.rnn.named_parameters():
            if name.startswith("weight"):
                nn.init.xavier_normal_(p, gain=gain)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


X_train, y_train = make_vibration_windows(1600)
X_val, y_val = make_vibration_windows(400)

model = FaultRNN()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

BATCH = 32
step = 0
for epoch in range(5):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), BATCH):
        idx = perm[i:i + BATCH]
        loss = loss_fn(model(X_train[idx]), y_train[idx])
        opt.zero_grad()
        loss.backward()
        gnorm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        if step % 50 == 0:
            print(f"step {step:4d} loss {loss.item():.4f} grad_norm {gnorm.item():.2e}")
        step += 1
    with torch.no_grad():
        val_logits = model(X_val)
        val_loss = loss_fn(val_logits, y_val).item()
        val_acc = (val_logits.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")

print(f"final val accuracy {val_acc:.3f}")
