"""Two-tower retrieval model (user MLP tower + item MLP tower, L2-normalised
embeddings, temperature 0.1) trained with a symmetric in-batch-negatives softmax
loss on simulated click pairs; AdamW, 300 steps of 128 pairs, 400-item catalog.

Seeded bug: `TwoTower.encode_items` carries a `@torch.no_grad()` decorator
(added because the same method builds the retrieval index for evaluation), and
the training loss calls it for the positive/negative item embeddings. The item
tower's output is therefore cut from the graph: its parameters are trainable
(requires_grad=True, in the optimizer) but their .grad stays None for the whole
run, so only the user tower learns to chase a fixed random item embedding.

Measured: buggy in-batch loss 3.88 (step 50) -> 3.48 (step 300), val recall@20
0.552; without the decorator on the training path: loss 3.12 -> 2.57, val
recall@20 0.749 (0.052 at init for both).
"""
# traindebug-expect: no_gradient_flow
from dataclasses import dataclass
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


@dataclass
class Config:
    n_users: int = 1500
    n_items: int = 400
    user_dim: int = 16
    item_dim: int = 12
    latent: int = 8
    emb: int = 32
    hidden: int = 64
    temperature: float = 0.1
    batch: int = 128
    steps: int = 300
    lr: float = 2e-3
    seed: int = 5


def make_interactions(cfg):
    g = torch.Generator().manual_seed(cfg.seed)
    users = torch.randn(cfg.n_users, cfg.user_dim, generator=g)
    items = torch.randn(cfg.n_items, cfg.item_dim, generator=g)
    Au = torch.randn(cfg.user_dim, cfg.latent, generator=g) / cfg.user_dim ** 0.5
    Ai = torch.randn(cfg.item_dim, cfg.latent, generator=g) / cfg.item_dim ** 0.5
    u_lat = torch.tanh(users @ Au) * 2
    i_lat = torch.tanh(items @ Ai) * 2
    affinity = u_lat @ i_lat.T
    # each user clicks 6 items, sampled from a sharp softmax over true affinity
    clicks = torch.multinomial(F.softmax(affinity * 1.5, dim=1), 6, replacement=False, generator=g)
    pairs = torch.stack([torch.arange(cfg.n_users).repeat_interleave(6), clicks.reshape(-1)], 1)
    pairs = pairs[torch.randperm(len(pairs), generator=g)]
    n_val = len(pairs) // 5
    return users, items, pairs[n_val:], pairs[:n_val]


def tower(d_in, hidden, d_out):
    return nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, d_out))


class TwoTower(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.user_tower = tower(cfg.user_dim, cfg.hidden, cfg.emb)
        self.item_tower = tower(cfg.item_dim, cfg.hidden, cfg.emb)
        self.temperature = cfg.temperature

    def encode_users(self, u):
        return F.normalize(self.user_tower(u), dim=-1)

    @torch.no_grad()
    def encode_items(self, it):
        # also used to (re)build the retrieval index after training
        return F.normalize(self.item_tower(it), dim=-1)

    def in_batch_loss(self, u, it):
        q = self.encode_users(u)
        k = self.encode_items(it)
        logits = q @ k.T / self.temperature
        labels = torch.arange(len(q))
        return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))


def recall_at_k(model, users, items, pairs, k=20):
    model.eval()
    with torch.no_grad():
        index = model.encode_items(items)
        q = model.encode_users(users[pairs[:, 0]])
        topk = (q @ index.T).topk(k, dim=1).indices
        hit = (topk == pairs[:, 1:2]).any(1).float().mean().item()
    model.train()
    return hit


def main():
    cfg = Config()
    torch.manual_seed(cfg.seed)
    users, items, train_pairs, val_pairs = make_interactions(cfg)
    model = TwoTower(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    print(f"val recall@20 before training: {recall_at_k(model, users, items, val_pairs):.3f}")

    g = torch.Generator().manual_seed(0)
    for step in range(1, cfg.steps + 1):
        idx = torch.randint(0, len(train_pairs), (cfg.batch,), generator=g)
        u_idx, i_idx = train_pairs[idx, 0], train_pairs[idx, 1]
        loss = model.in_batch_loss(users[u_idx], items[i_idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 50 == 0:
            print(f"step {step:4d} loss {loss.item():.4f} "
                  f"val recall@20 {recall_at_k(model, users, items, val_pairs):.3f}")


if __name__ == "__main__":
    main()
