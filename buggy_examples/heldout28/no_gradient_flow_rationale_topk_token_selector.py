"""
Rationale-style text classifier on synthetic reviews: 48-token documents
over a 300-word vocabulary; words 1-15 are positive cue words, 16-30 negative
cue words, the rest neutral filler. Each document holds 3 cue words and its
label is the majority polarity of its cues. Model: shared Embedding(300, 48);
a selector MLP scores every token, the top-6 tokens are kept and weighted by
their sigmoid score, mean-pooled and classified by an MLP (the idea: the
classifier may only look at a few extracted tokens). Adam lr 3e-3, batch 50,
manual batching, 400 steps.

Seeded bug: the selected token embeddings are gathered and averaged, but
the multiplication by the selector's sigmoid scores was left out. topk()
returns indices, which carry no gradient, so with the scores unused in the
forward value the selector MLP never receives a gradient: its parameters
keep their random values and the kept tokens are an arbitrary function of
the (trained) embeddings rather than the cue words. A classic omission when
implementing top-k / gPool-style hard selection.

Measured (seed 0, 1 thread): buggy final batch loss 0.507, test accuracy
0.673; fixed copy (selected embeddings multiplied by sigmoid(score)) batch
loss 0.267, test accuracy 0.840.
"""
# traindebug-expect: no_gradient_flow
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

VOCAB, DOC_LEN, N_CUES, TOP_K = 300, 48, 3, 6
POS, NEG = torch.arange(1, 16), torch.arange(16, 31)


def make_docs(n, gen):
    docs = torch.randint(31, VOCAB, (n, DOC_LEN), generator=gen)
    polarity = torch.randint(0, 2, (n, N_CUES), generator=gen)
    pos_words = POS[torch.randint(0, 15, (n, N_CUES), generator=gen)]
    neg_words = NEG[torch.randint(0, 15, (n, N_CUES), generator=gen)]
    cues = torch.where(polarity == 1, pos_words, neg_words)
    slots = torch.rand(n, DOC_LEN, generator=gen).argsort(1)[:, :N_CUES]
    docs.scatter_(1, slots, cues)
    labels = (polarity.sum(1) >= 2).long()
    return docs, labels


class TopKRationaleClassifier(nn.Module):
    def __init__(self, vocab, dim=48, k=TOP_K):
        super().__init__()
        self.k = k
        self.embed = nn.Embedding(vocab, dim)
        self.selector = nn.Sequential(nn.Linear(dim, 32), nn.Tanh(), nn.Linear(32, 1))
        self.classifier = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, 2))

    def forward(self, tokens):
        e = self.embed(tokens)
        scores = self.selector(e).squeeze(-1)
        top_scores, top_idx = scores.topk(self.k, dim=1)
        picked = e.gather(1, top_idx.unsqueeze(-1).expand(-1, -1, e.size(-1)))
        pooled = picked.mean(1)
        return self.classifier(pooled)


gen = torch.Generator().manual_seed(0)
x_tr, y_tr = make_docs(4000, gen)
x_te, y_te = make_docs(1000, gen)

model = TopKRationaleClassifier(VOCAB)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
batch = 50

step = 0
while step < 400:
    perm = torch.randperm(len(x_tr))
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch]
        loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            with torch.no_grad():
                acc = (model(x_te).argmax(1) == y_te).float().mean().item()
            print(f"step {step}  loss {loss.item():.4f}  test acc {acc:.3f}")
        if step == 400:
            break

with torch.no_grad():
    acc = (model(x_te).argmax(1) == y_te).float().mean().item()
print(f"final test accuracy {acc:.3f}")
