"""
Set Transformer (Lee et al. 2019) counting Gaussian blobs: sets of 16 2-D points drawn from 1-4
well-separated blobs, 4-way classification of the blob count. Linear embedding -> ISAB (8 learned
inducing points, nn.MultiheadAttention, 4 heads, dim 48) -> PMA with one seed -> linear head.
Adam lr 2e-3, batch 64, 5 epochs over 2400 sets (190 steps), manual batching with randperm.
The first epoch is a "linear-probe warm-up": embedding, encoder and pooling are frozen with
requires_grad_(False) and unfrozen from epoch 1 on.

Seeded bug: the optimizer is built during the warm-up from
`[p for p in model.parameters() if p.requires_grad]`, i.e. only from the head. When the backbone is
unfrozen at epoch 1 its parameters start receiving gradients, but they were never handed to the
optimizer, so the embedding, the ISAB block and the PMA stay at their random initial values for the
whole run. Filtering by requires_grad when building the optimizer is a standard idiom; combining it
with a later unfreeze is a classic trap.

Measured (seed 0, 1 thread): buggy final test accuracy 0.394 (test loss 1.29, train loss 1.34) vs
fixed copy (optimizer built from all parameters; frozen ones simply get no gradient during the
warm-up) test accuracy 0.733.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

SET_SIZE = 16
MAX_CLUSTERS = 4


def make_sets(n, rng):
    """2-D point sets drawn from 1..4 Gaussian blobs; the label is the number of blobs."""
    k = rng.integers(1, MAX_CLUSTERS + 1, size=n)
    x = np.empty((n, SET_SIZE, 2), dtype=np.float32)
    for i in range(n):
        centers = rng.uniform(-4, 4, size=(k[i], 2))
        # keep blobs apart so the count is well defined
        while k[i] > 1 and min(np.linalg.norm(a - b) for j, a in enumerate(centers) for b in centers[j + 1:]) < 2.5:
            centers = rng.uniform(-4, 4, size=(k[i], 2))
        assign = rng.integers(0, k[i], size=SET_SIZE)
        x[i] = centers[assign] + 0.35 * rng.standard_normal((SET_SIZE, 2))
    return torch.from_numpy(x) / 3.0, torch.from_numpy(k - 1)


class MAB(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln1 = nn.LayerNorm(dim)
        self.ln2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.ReLU(), nn.Linear(2 * dim, dim))

    def forward(self, q, kv):
        h = self.ln1(q + self.attn(q, kv, kv, need_weights=False)[0])
        return self.ln2(h + self.ff(h))


class ISAB(nn.Module):
    """Induced set attention block (Lee et al. 2019): attend through m learned inducing points."""

    def __init__(self, dim, heads, n_inducing):
        super().__init__()
        self.inducing = nn.Parameter(torch.randn(1, n_inducing, dim) * 0.1)
        self.mab1 = MAB(dim, heads)
        self.mab2 = MAB(dim, heads)

    def forward(self, x):
        h = self.mab1(self.inducing.expand(x.size(0), -1, -1), x)
        return self.mab2(x, h)


class PMA(nn.Module):
    def __init__(self, dim, heads, n_seeds=1):
        super().__init__()
        self.seeds = nn.Parameter(torch.randn(1, n_seeds, dim) * 0.1)
        self.mab = MAB(dim, heads)

    def forward(self, x):
        return self.mab(self.seeds.expand(x.size(0), -1, -1), x)


class SetTransformer(nn.Module):
    def __init__(self, dim=48, heads=4, n_inducing=8, n_blocks=1, n_out=MAX_CLUSTERS):
        super().__init__()
        self.embed = nn.Linear(2, dim)
        self.encoder = nn.Sequential(*[ISAB(dim, heads, n_inducing) for _ in range(n_blocks)])
        self.pool = PMA(dim, heads)
        self.head = nn.Linear(dim, n_out)

    def forward(self, x):
        return self.head(self.pool(self.encoder(self.embed(x))).squeeze(1))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main():
    rng = np.random.default_rng(0)
    x_tr, y_tr = make_sets(2400, rng)
    x_te, y_te = make_sets(800, rng)

    model = SetTransformer()
    base_lr = 2e-3
    warmup_epochs = 1
    # linear-probe warm-up: train only the head first so the random head does not wreck the encoder
    for module in (model.embed, model.encoder, model.pool):
        module.requires_grad_(False)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=base_lr)

    batch, epochs = 64, 5
    step = 0
    for epoch in range(epochs):
        if epoch == warmup_epochs:
            for module in (model.embed, model.encoder, model.pool):
                module.requires_grad_(True)
        model.train()
        perm = torch.randperm(len(x_tr))
        running = 0.0
        for i in range(0, len(x_tr), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running += loss.item()
            step += 1
        te_loss, te_acc = accuracy(model, x_te, y_te)
        print(f"epoch {epoch} step {step} train_loss {running / (len(x_tr) // batch):.4f} "
              f"test_loss {te_loss:.4f} test_acc {te_acc:.3f}")
    print(f"final test accuracy {te_acc:.3f}")


if __name__ == "__main__":
    main()
