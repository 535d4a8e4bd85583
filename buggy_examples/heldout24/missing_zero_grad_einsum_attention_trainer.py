"""From-scratch multi-head self-attention encoder (einsum projections, pre-LayerNorm, mean pool)
for a synthetic token-sequence task: is token 1 more frequent than token 2 in the sequence?
Class-based Trainer, argparse config, SGD with Nesterov momentum and grad-norm clipping.

Seeded bug (missing_zero_grad): Trainer.train_epoch calls self.opt.zero_grad() once before the
batch loop instead of inside it, so .grad keeps accumulating the gradients of every batch of
the epoch (25 steps) and each step applies the running sum (clipping to norm 5 hides the growth
of the magnitude but the direction is a stale sum).

Measured (seed 0, 250 steps): final train loss 1.33, validation accuracy 0.464
(it briefly reaches 0.95 mid-run and then collapses again).
Fixed copy (zero_grad per batch): train loss 0.0005, validation accuracy 1.000.
"""
# traindebug-expect: missing_zero_grad
import argparse
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

torch.set_num_threads(1)


def make_task(n, seq_len, vocab, gen):
    """Label = 1 if token 1 occurs more often than token 2 in the sequence."""
    x = torch.randint(3, vocab, (n, seq_len), generator=gen)
    k1 = torch.randint(0, 5, (n,), generator=gen)
    k2 = torch.randint(0, 5, (n,), generator=gen)
    for i in range(n):
        pos = torch.randperm(seq_len, generator=gen)[: k1[i] + k2[i]]
        x[i, pos[: k1[i]]] = 1
        x[i, pos[k1[i]:]] = 2
    y = (k1 > k2).long()
    return x, y


class SelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        assert d_model % n_heads == 0
        self.h, self.dk = n_heads, d_model // n_heads
        self.Wqkv = nn.Parameter(torch.randn(3, n_heads, d_model, self.dk) / math.sqrt(d_model))
        self.Wo = nn.Parameter(torch.randn(n_heads, self.dk, d_model) / math.sqrt(d_model))

    def forward(self, x):
        q, k, v = torch.einsum("btd,khde->kbhte", x, self.Wqkv)
        att = torch.einsum("bhqe,bhke->bhqk", q, k) / math.sqrt(self.dk)
        att = att.softmax(-1)
        ctx = torch.einsum("bhqk,bhke->bhqe", att, v)
        return torch.einsum("bhte,hed->btd", ctx, self.Wo)


class EncoderClassifier(nn.Module):
    def __init__(self, vocab, seq_len, d_model=32, n_heads=4, n_classes=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(0.02 * torch.randn(seq_len, d_model))
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = SelfAttention(d_model, n_heads)
        self.ff = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.GELU(), nn.Linear(2 * d_model, d_model))
        self.cls = nn.Linear(d_model, n_classes)

    def forward(self, ids):
        h = self.tok(ids) + self.pos
        h = h + self.attn(self.ln1(h))
        h = h + self.ff(self.ln2(h))
        return self.cls(h.mean(1))


class Trainer:
    def __init__(self, model, opt, train_loader, val_loader):
        self.model, self.opt = model, opt
        self.train_loader, self.val_loader = train_loader, val_loader
        self.step = 0

    def train_epoch(self):
        self.model.train()
        total, n = 0.0, 0
        self.opt.zero_grad(set_to_none=True)
        for ids, y in self.train_loader:
            loss = F.cross_entropy(self.model(ids), y)
            loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
            self.opt.step()
            self.step += 1
            total += loss.item() * len(y)
            n += len(y)
        return total / n

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        correct = n = 0
        for ids, y in self.val_loader:
            correct += (self.model(ids).argmax(1) == y).sum().item()
            n += len(y)
        return correct / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--seq-len", type=int, default=16)
    p.add_argument("--vocab", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    xtr, ytr = make_task(1600, args.seq_len, args.vocab, gen)
    xva, yva = make_task(500, args.seq_len, args.vocab, gen)
    train_loader = DataLoader(TensorDataset(xtr, ytr), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(xva, yva), batch_size=256)

    model = EncoderClassifier(args.vocab, args.seq_len)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    trainer = Trainer(model, opt, train_loader, val_loader)
    for ep in range(args.epochs):
        tr_loss = trainer.train_epoch()
        acc = trainer.evaluate()
        if ep % 3 == 0 or ep == args.epochs - 1:
            print(f"epoch {ep} step {trainer.step} train_loss {tr_loss:.4f} val_acc {acc:.3f}")
    print(f"final val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
