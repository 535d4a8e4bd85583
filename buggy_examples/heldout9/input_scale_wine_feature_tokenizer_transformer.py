"""FT-Transformer-style model (per-feature linear tokenizer + pre-LN attention blocks)
on the sklearn wine data, AdamW.

Seeded bug (input_scale): the raw wine features go straight into the tokenizer. Their
scales differ by four orders of magnitude (proline ~300-1700, magnesium ~70-160,
hue ~0.5-1.7, nonflavanoid phenols ~0.1-0.7); the large-valued features produce tokens
whose norm is dominated by x_j * W_j, the pre-LayerNorm squashes away their magnitude
information and the small-valued features are drowned out. No standardisation is
applied.

Measured (288 steps): buggy train loss 0.817 (epoch 6) -> 0.413 (epoch 18), test acc
0.907. Fixed (standardise with training mean/std): train loss 0.399 -> 0.138, test acc
0.981."""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

cfg = {
    "split": {"test_size": 0.3, "seed": 3},
    "model": {"d_token": 32, "n_heads": 4, "n_blocks": 2, "ffn_mult": 2, "attn_dropout": 0.1},
    "optim": {"lr": 2e-4, "weight_decay": 1e-5},
    "train": {"batch_size": 8, "epochs": 18},
}


class FeatureTokenizer(nn.Module):
    """Each scalar feature j becomes a token  x_j * W_j + b_j  (FT-Transformer style)."""

    def __init__(self, n_features, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_features, d) / d ** 0.5)
        self.bias = nn.Parameter(torch.zeros(n_features, d))
        self.cls = nn.Parameter(torch.randn(1, 1, d) / d ** 0.5)

    def forward(self, x):
        tok = x.unsqueeze(-1) * self.weight + self.bias
        return torch.cat([self.cls.expand(len(x), -1, -1), tok], dim=1)


class Block(nn.Module):
    def __init__(self, d, heads, mult, p):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, dropout=p, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.ffn = nn.Sequential(nn.Linear(d, mult * d), nn.ReLU(), nn.Linear(mult * d, d))

    def forward(self, h):
        z = self.ln1(h)
        h = h + self.attn(z, z, z, need_weights=False)[0]
        return h + self.ffn(self.ln2(h))


class FTTransformer(nn.Module):
    def __init__(self, n_features, n_classes, d_token, n_heads, n_blocks, ffn_mult, attn_dropout):
        super().__init__()
        self.tok = FeatureTokenizer(n_features, d_token)
        self.blocks = nn.ModuleList(Block(d_token, n_heads, ffn_mult, attn_dropout) for _ in range(n_blocks))
        self.head = nn.Sequential(nn.LayerNorm(d_token), nn.ReLU(), nn.Linear(d_token, n_classes))

    def forward(self, x):
        h = self.tok(x)
        for b in self.blocks:
            h = b(h)
        return self.head(h[:, 0])


def main():
    data = load_wine()
    X, y = data.data.astype(np.float32), data.target.astype(np.int64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=cfg["split"]["test_size"],
                                          random_state=cfg["split"]["seed"], stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

    model = FTTransformer(X.shape[1], 3, **cfg["model"])
    opt = torch.optim.AdamW(model.parameters(), **cfg["optim"])
    g = torch.Generator().manual_seed(0)
    bs = cfg["train"]["batch_size"]
    steps = 0
    for epoch in range(cfg["train"]["epochs"]):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        tot = 0.0
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            steps += 1
        if (epoch + 1) % 6 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {epoch + 1:2d} steps {steps} train_loss {tot / len(Xtr):.4f} test_acc {acc:.3f}")


if __name__ == "__main__":
    main()
