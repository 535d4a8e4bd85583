"""Set/attention classifier over token sequences (argparse config, custom
Dataset + DataLoader, AdamW + OneCycleLR). Label: token 7 occurs more often
than token 3.

Seeded bug: nn.MultiheadAttention (batch_first=False) wants (T, B, D); the
embedding output (B, T, D) is converted with h.view(T, B, -1) instead of
h.transpose(0, 1).  The view reinterprets memory, so each "sequence" the
attention and the mean-pooling see is a mixture of tokens from several
different samples of the batch; each logit depends on other samples' inputs.

Measured (4 epochs, 200 steps): buggy train loss stays 0.693 (chance), val acc
0.518; with transpose(0, 1): train loss 0.0006, val acc 1.000.
"""
# traindebug-expect: batch_mixing
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


def parse_args():
    p = argparse.ArgumentParser(description="token-set classifier with self-attention")
    p.add_argument("--n-train", type=int, default=1600)
    p.add_argument("--n-val", type=int, default=500)
    p.add_argument("--seq-len", type=int, default=12)
    p.add_argument("--vocab", type=int, default=10)
    p.add_argument("--d-model", type=int, default=32)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


class MajorityTokenDataset(Dataset):
    """label = 1 if token 7 occurs more often than token 3 in the sequence"""

    def __init__(self, n, seq_len, vocab, seed):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randint(0, vocab, (n, seq_len), generator=g)
        c7 = (self.x == 7).sum(1)
        c3 = (self.x == 3).sum(1)
        # break ties at random so the classes are balanced
        tie = torch.randint(0, 2, (n,), generator=g)
        self.y = torch.where(c7 == c3, tie, (c7 > c3).long())
        # drop the ambiguous ties from the label signal by re-sampling a token
        ties = (c7 == c3).nonzero().squeeze(1)
        pos = torch.randint(0, seq_len, (len(ties),), generator=g)
        self.x[ties, pos] = torch.where(self.y[ties] == 1, 7, 3)
        c7 = (self.x == 7).sum(1)
        c3 = (self.x == 3).sum(1)
        self.y = (c7 > c3).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class SetAttentionClassifier(nn.Module):
    def __init__(self, vocab, d_model, heads):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.attn = nn.MultiheadAttention(d_model, heads)  # expects (T, B, D)
        self.norm = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, 64), nn.GELU(), nn.Linear(64, d_model))
        self.head = nn.Linear(d_model, 2)

    def forward(self, tokens):
        B, T = tokens.shape
        h = self.embed(tokens)                      # (B, T, D)
        h = h.view(T, B, -1)                        # to the (T, B, D) layout of nn.MultiheadAttention
        a, _ = self.attn(h, h, h, need_weights=False)
        h = self.norm(h + a)
        h = h + self.ff(h)
        pooled = h.mean(dim=0)                      # average over the set
        return self.head(pooled)


def run_epoch(model, loader, loss_fn, opt=None, sched=None):
    train = opt is not None
    model.train(train)
    tot_loss, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for x, y in loader:
            logits = model(x)
            loss = loss_fn(logits, y)
            if train:
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
            tot_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return tot_loss / n, correct / n


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    train_ds = MajorityTokenDataset(args.n_train, args.seq_len, args.vocab, seed=args.seed)
    val_ds = MajorityTokenDataset(args.n_val, args.seq_len, args.vocab, seed=args.seed + 1)
    train_dl = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True, drop_last=True)
    val_dl = DataLoader(val_ds, batch_size=256)

    model = SetAttentionClassifier(args.vocab, args.d_model, args.heads)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * len(train_dl))
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(args.epochs):
        tr_loss, tr_acc = run_epoch(model, train_dl, loss_fn, opt, sched)
        va_loss, va_acc = run_epoch(model, val_dl, loss_fn)
        print(f"epoch {epoch}  train {tr_loss:.4f}/{tr_acc:.3f}  val {va_loss:.4f}/{va_acc:.3f}")


if __name__ == "__main__":
    main()
