"""
Single-hop key-value memory reader on generated "stories": each example holds 10 facts
"person p has attribute a = v" (30 people, 5 attributes, 16 values) and one question (p, a) about a
stored fact; answer is v. Keys from summed person+attribute embeddings through a linear layer,
values from a value embedding, scaled dot-product softmax read, GELU MLP answer head. RMSprop
lr 1e-3, batch 50, 4 epochs over 3000 stories (240 steps), DataLoader + TensorDataset, dataclass cfg.

Seeded bug: the attention is computed as `q @ keys.reshape(-1, d).T` and `attn @ vals.reshape(-1, d)`,
i.e. the (B, M, d) memory is flattened to (B*M, d) to get a single matmul. Every question then
attends over the memories of all 50 stories in the batch, and the same (person, attribute) key
appears in other stories with different values, so each answer depends on the other samples of the
batch. Shapes still work out to (B, d), so nothing fails.

Measured (seed 0, 1 thread): buggy final test accuracy 0.342 (test loss 2.01; stuck near chance for
three epochs) vs fixed copy (per-example einsum "bd,bmd->bm") test accuracy 1.000 (test loss 0.002).
Chance is 0.0625.
"""
# traindebug-expect: batch_mixing
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class Cfg:
    n_people: int = 30
    n_attrs: int = 5
    n_values: int = 16
    facts_per_story: int = 10
    dim: int = 64
    batch: int = 50
    epochs: int = 4
    lr: float = 1e-3


def make_stories(n, cfg, gen):
    """Each story lists facts 'person p has attribute a = v'; the question asks one (p, a)."""
    slots = torch.stack([torch.randperm(cfg.n_people * cfg.n_attrs, generator=gen)[:cfg.facts_per_story]
                         for _ in range(n)])
    values = torch.randint(0, cfg.n_values, (n, cfg.facts_per_story), generator=gen)
    ask = torch.randint(0, cfg.facts_per_story, (n,), generator=gen)
    rows = torch.arange(n)
    return slots, values, slots[rows, ask], values[rows, ask]


class MemoryReader(nn.Module):
    """Single-hop key-value memory: keys from (person, attribute), values from the stored value."""

    def __init__(self, cfg):
        super().__init__()
        self.n_attrs = cfg.n_attrs
        self.person = nn.Embedding(cfg.n_people, cfg.dim)
        self.attr = nn.Embedding(cfg.n_attrs, cfg.dim)
        self.value = nn.Embedding(cfg.n_values, cfg.dim)
        self.key_net = nn.Linear(cfg.dim, cfg.dim)
        self.query_net = nn.Linear(cfg.dim, cfg.dim)
        self.answer = nn.Sequential(nn.Linear(cfg.dim, cfg.dim), nn.GELU(), nn.Linear(cfg.dim, cfg.n_values))

    def encode(self, slot):
        return self.person(slot // self.n_attrs) + self.attr(slot % self.n_attrs)

    def forward(self, mem_slots, mem_values, question):
        d = self.person.embedding_dim
        keys = self.key_net(self.encode(mem_slots))           # (B, M, d)
        vals = self.value(mem_values)                         # (B, M, d)
        q = self.query_net(self.encode(question))             # (B, d)
        scores = q @ keys.reshape(-1, d).T / math.sqrt(d)
        attn = scores.softmax(dim=-1)
        read = attn @ vals.reshape(-1, d)
        return self.answer(read)


def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for mem_s, mem_v, q, y in loader:
            logits = model(mem_s, mem_v, q)
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(-1) == y).sum().item()
            total += len(y)
    return loss_sum / total, correct / total


def main():
    cfg = Cfg()
    gen = torch.Generator().manual_seed(0)
    train_ds = TensorDataset(*make_stories(3000, cfg, gen))
    test_ds = TensorDataset(*make_stories(1000, cfg, gen))
    train_loader = DataLoader(train_ds, batch_size=cfg.batch, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=cfg.batch)

    model = MemoryReader(cfg)
    opt = torch.optim.RMSprop(model.parameters(), lr=cfg.lr)
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        for mem_s, mem_v, q, y in train_loader:
            loss = F.cross_entropy(model(mem_s, mem_v, q), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % 40 == 0:
                print(f"step {step:4d} train_loss {loss.item():.4f}")
        te_loss, te_acc = evaluate(model, test_loader)
        print(f"epoch {epoch} test_loss {te_loss:.4f} test_acc {te_acc:.3f}")
    print(f"final test accuracy {te_acc:.3f} (chance {1 / cfg.n_values:.3f})")


if __name__ == "__main__":
    main()
