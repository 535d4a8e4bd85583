"""Seeded bug: a bag-of-embeddings text classifier trained with AdamW at
lr=1e-6 (the config meant 1e-3); with 512-wide layers each step changes the
weights by ~4e-5 of their size and the loss stays where it started."""
# traindebug-expect: lr_too_low
import torch
from torch import nn

CONFIG = {"vocab": 500, "classes": 4, "seq_len": 24, "lr": 1e-6, "steps": 300}  # BUG: lr


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab: int, classes: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, 128)
        self.mlp = nn.Sequential(nn.Linear(128, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, classes))

    def forward(self, tokens):
        return self.mlp(self.embed(tokens).mean(dim=1))


def make_data(n: int, gen: torch.Generator):
    tokens = torch.randint(0, CONFIG["vocab"], (n, CONFIG["seq_len"]), generator=gen)
    labels = torch.randint(0, CONFIG["classes"], (n,), generator=gen)
    keyword = 10 + labels * 7  # each class has its own keyword, planted 4 times
    tokens[:, :4] = keyword[:, None]
    return tokens, labels


gen = torch.Generator().manual_seed(0)
torch.manual_seed(0)
tokens, labels = make_data(4000, gen)
model = BagOfEmbeddings(CONFIG["vocab"], CONFIG["classes"])
opt = torch.optim.AdamW(model.parameters(), lr=CONFIG["lr"], weight_decay=0.01)
for step in range(CONFIG["steps"]):
    idx = torch.randint(0, len(tokens), (64,), generator=gen)
    loss = nn.functional.cross_entropy(model(tokens[idx]), labels[idx])
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    if step % 100 == 0:
        print(step, loss.item())
