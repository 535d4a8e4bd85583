"""
Clean control: intent classifier over short token sequences with a frozen
"pretrained" word-vector table (nn.Embedding.from_pretrained(..., freeze=True),
vectors built from co-occurrence statistics of a separate unlabelled corpus
via PPMI + SVD) feeding a trainable projection, a bidirectional GRU and a
linear head. The embedding weight has requires_grad=False on purpose and is
left out of the optimizer; every other parameter trains. A naive detector
that flags "parameters that never change" or "parameters not in the
optimizer" would fire on the embedding table.

Measured healthy run (235 Adam steps): train batch cross-entropy 1.79
(~ln 6) -> ~0.01-0.1; test accuracy 0.929 after epoch 0 -> 0.991 (chance
0.17); embedding table bit-identical, projection weights move by ~3.9.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# ---------------------------------------------------------- toy language
N_INTENTS, WORDS_PER_INTENT, N_FILLER = 6, 25, 150
VOCAB = 1 + N_INTENTS * WORDS_PER_INTENT + N_FILLER          # 0 = <pad>
intent_words = [np.arange(1 + k * WORDS_PER_INTENT, 1 + (k + 1) * WORDS_PER_INTENT)
                for k in range(N_INTENTS)]
filler = np.arange(1 + N_INTENTS * WORDS_PER_INTENT, VOCAB)


def make_sentence(intent):
    n = rng.integers(6, 16)
    n_key = max(1, int(round(n * 0.3)))
    toks = np.concatenate([rng.choice(intent_words[intent], n_key),
                           rng.choice(filler, n - n_key)])
    # occasional distractor word from another intent
    if rng.random() < 0.4:
        toks[rng.integers(n)] = rng.choice(intent_words[rng.integers(N_INTENTS)])
    rng.shuffle(toks)
    return toks


# ---------------------------------------------------------- "pretraining":
# PPMI + SVD word vectors from an unlabelled corpus of the same language
unlabelled = [make_sentence(rng.integers(N_INTENTS)) for _ in range(4000)]
cooc = np.zeros((VOCAB, VOCAB))
for s in unlabelled:
    for a in s:
        cooc[a, s] += 1
np.fill_diagonal(cooc, 0)
total = cooc.sum()
pw = cooc.sum(1, keepdims=True) / total
with np.errstate(divide="ignore", invalid="ignore"):
    pmi = np.log((cooc / total) / (pw @ pw.T))
ppmi = np.nan_to_num(np.maximum(pmi, 0), posinf=0.0)
U, S, _ = np.linalg.svd(ppmi)
EMB_DIM = 48
vectors = U[:, :EMB_DIM] * np.sqrt(S[:EMB_DIM])
vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8
vectors[0] = 0.0
pretrained = torch.tensor(vectors, dtype=torch.float32)

# ---------------------------------------------------------- labelled data
def make_split(n):
    ys = rng.integers(0, N_INTENTS, n)
    xs = [torch.as_tensor(make_sentence(y)) for y in ys]
    return xs, torch.as_tensor(ys)


X_tr, y_tr = make_split(3000)
X_te, y_te = make_split(800)


class IntentGRU(nn.Module):
    def __init__(self, vectors, hidden=48, n_classes=N_INTENTS):
        super().__init__()
        self.emb = nn.Embedding.from_pretrained(vectors, freeze=True, padding_idx=0)
        self.proj = nn.Linear(vectors.shape[1], hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, tokens):
        mask = (tokens != 0).unsqueeze(-1).float()
        h, _ = self.gru(torch.tanh(self.proj(self.emb(tokens))))
        pooled = (h * mask).sum(1) / mask.sum(1)
        return self.head(pooled)


model = IntentGRU(pretrained)
trainable = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.Adam(trainable, lr=3e-3)
emb_before = model.emb.weight.clone()
proj_before = model.proj.weight.detach().clone()


@torch.no_grad()
def accuracy(xs, ys):
    model.eval()
    logits = model(pad_sequence(xs, batch_first=True))
    model.train()
    return (logits.argmax(1) == ys).float().mean().item()


BATCH, EPOCHS = 64, 5
step = 0
for epoch in range(EPOCHS):
    perm = torch.randperm(len(X_tr))
    losses = []
    for s in range(0, len(perm), BATCH):
        idx = perm[s:s + BATCH].tolist()
        tokens = pad_sequence([X_tr[k] for k in idx], batch_first=True)
        loss = F.cross_entropy(model(tokens), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        step += 1
    print(f"epoch {epoch}  first/last batch loss {losses[0]:.3f}/{losses[-1]:.3f}  "
          f"test acc {accuracy(X_te, y_te):.3f}")

print(f"steps {step}  embedding changed: {not torch.equal(emb_before, model.emb.weight)}  "
      f"proj moved by {(model.proj.weight - proj_before).norm():.3f}")
