"""clean: a GRU sentiment-style classifier over synthetic token sequences that uses a
"pretrained" embedding table loaded with nn.Embedding.from_pretrained(freeze=True). The
embedding deliberately has requires_grad=False and is left out of the optimizer (the
optimizer gets only parameters with requires_grad=True); the GRU and the head train
normally. A frozen layer here is intentional, not a bug.

Measured (this script, seed 0): train loss (epoch mean) 0.427 -> 0.0046 over 216 steps,
val acc 0.968 -> 0.998; the embedding table is bit-identical before and after training.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, DIM, SEQ = 40, 16, 16


def make_pretrained_table(gen):
    table = torch.randn(VOCAB, DIM, generator=gen) * 0.5
    polarity = torch.zeros(VOCAB)
    polarity[1:11] = 1.0
    polarity[11:21] = -1.0
    table[:, 0] = polarity
    return table, polarity


def make_data(n, polarity, gen):
    tokens = torch.randint(0, VOCAB, (n, SEQ), generator=gen)
    score = polarity[tokens].sum(1)
    keep = score != 0
    return tokens[keep], (score[keep] > 0).long()


class GRUClassifier(nn.Module):
    def __init__(self, table, hidden=32):
        super().__init__()
        self.embed = nn.Embedding.from_pretrained(table, freeze=True)
        self.gru = nn.GRU(DIM, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, tokens):
        _, h = self.gru(self.embed(tokens))
        return self.head(h[-1])


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    table, polarity = make_pretrained_table(gen)
    Xtr, ytr = make_data(2600, polarity, gen)
    Xva, yva = make_data(600, polarity, gen)

    model = GRUClassifier(table)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(trainable, lr=5e-3)

    bs, step = 64, 0
    for epoch in range(6):
        model.train()
        perm = torch.randperm(len(Xtr))
        losses = []
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            acc = (model(Xva).argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch} step {step} train loss {sum(losses) / len(losses):.4f} val acc {acc:.3f}")


if __name__ == "__main__":
    main()
