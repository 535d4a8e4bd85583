"""Clean control: a GRU sequence labeller (per-token tagging) trained on
variable-length sequences padded to a fixed length.  About 66 % of all label
positions are padding and are masked with ``ignore_index=-100``, and the
padded inputs are a constant PAD id -- a naive detector might flag the many
"ignored" labels, the constant token or the label value -100 as a label
problem.  The padding is handled correctly (masked loss, masked accuracy).

Measured healthy numbers: train loss 1.65 -> 0.0017 over 300 steps,
held-out token accuracy 0.877 after epoch 1, 1.000 from epoch 2 (5 tags).
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)

PAD, VOCAB, N_TAGS, MAX_LEN = 0, 60, 5, 24
IGNORE = -100


class ToyTaggingCorpus(Dataset):
    """Tokens 1..59; tag depends on token class and on the previous token
    (e.g. a token after a 'determiner' id < 10 is tagged as 'noun')."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for _ in range(n):
            L = int(torch.randint(4, MAX_LEN // 2 + 2, (1,), generator=g))
            toks = torch.randint(1, VOCAB, (L,), generator=g)
            tags = (toks % 4).clone()
            prev = torch.cat([torch.tensor([VOCAB]), toks[:-1]])
            tags[prev < 10] = 4
            self.items.append((toks, tags))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    x = torch.full((len(batch), MAX_LEN), PAD, dtype=torch.long)
    y = torch.full((len(batch), MAX_LEN), IGNORE, dtype=torch.long)
    for k, (toks, tags) in enumerate(batch):
        x[k, :len(toks)] = toks
        y[k, :len(tags)] = tags
    return x, y


class GRUTagger(nn.Module):
    def __init__(self, emb=32, hidden=32):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, N_TAGS)

    def forward(self, x):
        h, _ = self.gru(self.emb(x))
        return self.out(h)


train_dl = DataLoader(ToyTaggingCorpus(1600, 1), batch_size=32, shuffle=True, collate_fn=collate)
test_x, test_y = collate(ToyTaggingCorpus(400, 2).items)
model = GRUTagger()
opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-4)
crit = nn.CrossEntropyLoss(ignore_index=IGNORE)

step = 0
for epoch in range(6):
    model.train()
    for x, y in train_dl:
        logits = model(x)
        loss = crit(logits.reshape(-1, N_TAGS), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == 0:
            print(f"step 0 loss {loss.item():.4f} (padding share {(y == IGNORE).float().mean():.2f})")
        step += 1
    model.eval()
    with torch.no_grad():
        pred = model(test_x).argmax(-1)
        mask = test_y != IGNORE
        acc = (pred[mask] == test_y[mask]).float().mean().item()
    print(f"epoch {epoch+1} last_loss {loss.item():.4f} token_acc {acc:.3f}")
print(f"total steps {step}")
