"""Character-level language model: a 2-layer pre-norm causal Transformer (d_model 64,
4 heads, learned positions, block 24) trained on a synthetic corpus of "sentences" drawn
from a 40-word lexicon with a word-bigram grammar (47k train chars, vocab 28). AdamW lr 3e-3
with cosine decay, gradient clipping at 1.0, batch 32, 200 steps; validation NLL/accuracy
every 40 steps and a sampled continuation at the end.

Seeded bug: the output head is nn.Sequential(nn.Linear(d_model, vocab), nn.Softmax(dim=-1))
so that the same forward pass can be used for sampling, but training still feeds that output
to nn.CrossEntropyLoss, which applies log_softmax itself. The loss is computed on
log_softmax(softmax(z)): its values are squeezed into [log V - 1, log V] and the gradients are
tiny and mis-shaped, so the model gets stuck predicting the most frequent characters. A very
common mistake when the model "should return probabilities".

Measured (fixed copy: plain Linear head, softmax only for evaluation/sampling):
final val NLL 4.82 vs 0.82 (per char), val accuracy 0.525 vs 0.691, train NLL 4.97 vs 0.83;
the buggy sample degenerates to "ka to to to to ...".
"""
# traindebug-expect: loss_output_mismatch
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
random.seed(0)

ALPHABET = "abcdefghijklmnopqrstuvwxyz ."
STOI = {c: i for i, c in enumerate(ALPHABET)}
VOCAB = len(ALPHABET)
BLOCK = 24
BATCH = 32
STEPS = 200


def make_corpus(n_sentences=1500):
    syll = ["ka", "to", "ri", "men", "sa", "lo", "ve", "nu", "th", "ar", "is", "po"]
    words = ["".join(random.choice(syll) for _ in range(random.randint(1, 3))) for _ in range(40)]
    grammar = {w: random.sample(words, 4) for w in words}
    out = []
    for _ in range(n_sentences):
        w = random.choice(words)
        sent = [w]
        for _ in range(random.randint(3, 8)):
            w = random.choice(grammar[w])
            sent.append(w)
        out.append(" ".join(sent) + ".")
    return " ".join(out)


text = make_corpus()
data = torch.tensor([STOI[c] for c in text], dtype=torch.long)
split = int(0.9 * len(data))
train_data, val_data = data[:split], data[split:]
print(f"corpus: {len(data)} chars, vocab {VOCAB}")


def get_batch(src, bs=BATCH):
    ix = torch.randint(0, len(src) - BLOCK - 1, (bs,))
    x = torch.stack([src[i:i + BLOCK] for i in ix])
    y = torch.stack([src[i + 1:i + BLOCK + 1] for i in ix])
    return x, y


class TinyGPT(nn.Module):
    def __init__(self, vocab, d_model=64, n_head=4, n_layer=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(BLOCK, d_model)
        layer = nn.TransformerEncoderLayer(d_model, n_head, 4 * d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, n_layer, enable_nested_tensor=False)
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Sequential(nn.Linear(d_model, vocab), nn.Softmax(dim=-1))
        mask = torch.triu(torch.full((BLOCK, BLOCK), float("-inf")), diagonal=1)
        self.register_buffer("mask", mask)

    def forward(self, idx):
        T = idx.shape[1]
        h = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))
        h = self.blocks(h, mask=self.mask[:T, :T], is_causal=True)
        return self.head(self.ln(h))


@torch.no_grad()
def evaluate(model, src, n_batches=4):
    model.eval()
    nll, acc = 0.0, 0.0
    g = torch.Generator().manual_seed(123)
    for _ in range(n_batches):
        ix = torch.randint(0, len(src) - BLOCK - 1, (BATCH,), generator=g)
        x = torch.stack([src[i:i + BLOCK] for i in ix])
        y = torch.stack([src[i + 1:i + BLOCK + 1] for i in ix])
        probs = model(x)
        nll += F.nll_loss(torch.log(probs + 1e-9).reshape(-1, VOCAB), y.reshape(-1)).item()
        acc += (probs.argmax(-1) == y).float().mean().item()
    model.train()
    return nll / n_batches, acc / n_batches


@torch.no_grad()
def sample(model, prompt="ka", n=60):
    model.eval()
    idx = torch.tensor([[STOI[c] for c in prompt]])
    for _ in range(n):
        probs = model(idx[:, -BLOCK:])[:, -1]
        nxt = torch.multinomial(probs, 1)
        idx = torch.cat([idx, nxt], dim=1)
    model.train()
    return "".join(ALPHABET[i] for i in idx[0].tolist())


model = TinyGPT(VOCAB)
criterion = nn.CrossEntropyLoss()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS, eta_min=3e-4)

for step in range(1, STEPS + 1):
    x, y = get_batch(train_data)
    out = model(x)
    loss = criterion(out.view(-1, VOCAB), y.view(-1))
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % 40 == 0:
        val_nll, val_acc = evaluate(model, val_data)
        print(f"step {step:3d}  train loss {loss.item():.4f}  val nll {val_nll:.4f} "
              f"(ppl {math.exp(val_nll):.2f})  val acc {val_acc:.3f}")

train_nll, train_acc = evaluate(model, train_data)
val_nll, val_acc = evaluate(model, val_data)
print("sample:", sample(model))
print(f"final train nll {train_nll:.4f} acc {train_acc:.3f} | val nll {val_nll:.4f} acc {val_acc:.3f}")
