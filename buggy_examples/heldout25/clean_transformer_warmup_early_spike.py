"""Healthy control: 2-layer Transformer encoder (nn.TransformerEncoderLayer) that
classifies which marker token occurs most often in generated sequences. Adam
with linear warm-up (25 steps) to a fairly high peak lr 1.2e-2, then cosine decay
to 0. 190 steps.

Patterns that might fool a naive detector: around the end of warm-up the
mini-batch loss jumps back up several times (e.g. 0.08 -> 0.27, 0.21 -> 0.41 in
epoch 0, epoch-1 max 0.58 after an epoch-0 min of 0.08), and the first epoch is
noisy. The spikes are brief: the run then converges.

Measured: train loss 1.42 -> 0.0015 (epoch means 0.62, 0.17, 0.045, 0.0043,
0.0015); val loss 0.0023, val acc 1.000.
"""
# traindebug-expect: clean
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


class MajorityTokenTask:
    """Sequences of filler tokens with a few 'marker' tokens (ids 1..4) scattered in;
    the target is the marker that occurs most often."""

    def __init__(self, vocab=16, seq_len=24, n_markers=4, seed=0):
        self.vocab, self.seq_len, self.n_markers = vocab, seq_len, n_markers
        self.g = torch.Generator().manual_seed(seed)

    def sample(self, n):
        g = self.g
        x = torch.randint(self.n_markers + 1, self.vocab, (n, self.seq_len), generator=g)
        counts = torch.randint(0, 3, (n, self.n_markers), generator=g)
        y = torch.randint(0, self.n_markers, (n,), generator=g)
        counts[torch.arange(n), y] = counts.max(1).values + 1 + torch.randint(0, 2, (n,), generator=g)
        # marker for each slot, then scatter to random positions
        order = torch.rand(n, self.seq_len, generator=g).argsort(1)
        slot_marker = torch.zeros(n, self.seq_len, dtype=torch.long)
        cum = counts.cumsum(1)
        slots = torch.arange(self.seq_len).expand(n, -1)
        for m in range(self.n_markers - 1, -1, -1):
            slot_marker[slots < cum[:, m:m + 1]] = m + 1
        x = torch.where(slot_marker.gather(1, order.argsort(1)) > 0,
                        slot_marker.gather(1, order.argsort(1)), x)
        return x, y


class Encoder(nn.Module):
    def __init__(self, vocab, seq_len, d=48, heads=4, depth=2, n_out=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(seq_len, d)
        block = nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.0, batch_first=True)
        self.blocks = nn.TransformerEncoder(block, depth, enable_nested_tensor=False)
        self.out = nn.Linear(d, n_out)

    def forward(self, x):
        pos = torch.arange(x.size(1), device=x.device)
        return self.out(self.blocks(self.emb(x) + self.pos(pos)).mean(1))


def warmup_cosine(warmup, total):
    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1.0 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
    return f


class Trainer:
    def __init__(self, model, peak_lr, warmup, total_steps):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=peak_lr)
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, warmup_cosine(warmup, total_steps))
        self.history = []

    def step(self, xb, yb):
        self.model.train()
        loss = F.cross_entropy(self.model(xb), yb)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        self.sched.step()
        self.history.append(loss.item())
        return loss.item()

    @torch.no_grad()
    def evaluate(self, x, y):
        self.model.eval()
        out = self.model(x)
        return F.cross_entropy(out, y).item(), (out.argmax(1) == y).float().mean().item()


def main():
    torch.manual_seed(1)
    task = MajorityTokenTask(seed=0)
    Xtr, ytr = task.sample(2400)
    Xva, yva = task.sample(500)

    epochs, bs = 5, 64
    steps_per_epoch = math.ceil(len(Xtr) / bs)
    trainer = Trainer(Encoder(task.vocab, task.seq_len), peak_lr=1.2e-2, warmup=25,
                      total_steps=epochs * steps_per_epoch)
    t0 = time.time()
    for epoch in range(epochs):
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            trainer.step(Xtr[idx], ytr[idx])
        ep_losses = trainer.history[-steps_per_epoch:]
        va_loss, va_acc = trainer.evaluate(Xva, yva)
        print(f"epoch {epoch} lr {trainer.sched.get_last_lr()[0]:.2e} "
              f"train loss mean {sum(ep_losses) / len(ep_losses):.4f} "
              f"min {min(ep_losses):.3f} max {max(ep_losses):.3f} | val loss {va_loss:.4f} acc {va_acc:.3f}")
        if epoch == 0:
            print("  epoch-0 losses:", " ".join(f"{v:.2f}" for v in ep_losses))
    print(f"{time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
