"""
Toy POS-tagging with a 1-layer pre-norm TransformerEncoder (d_model 48, 4 heads, learned
positional embeddings): each of 40 words has a latent class and the tag of a token depends on
its own class and the preceding word's class (5 tags, length 16). AdamW lr 2e-3, weight decay
0.01, batch 32, 300 steps on freshly sampled sentences; dict config. Loss = cross entropy minus
a confidence penalty (Pereyra et al. 2017, beta = 0.1) that rewards output entropy.

Seeded bug: the entropy term is computed with .sum() over every token in the batch
(32 x 16 = 512 positions) while the cross entropy is a per-token mean, so the effective
penalty weight is ~51 instead of 0.1. The regulariser dominates the update and pushes every
prediction to the uniform distribution (train CE stays at ln 5 = 1.609; the objective sits at
about -80). Realistic: sum vs mean reduction mismatch when adding a hand-written regulariser.

Measured (seed 0, 1 thread): buggy val CE 1.607, val tag accuracy 0.253; fixed copy
(entropy .sum(-1).mean()) val CE 0.025, val tag accuracy 0.998.
"""
# traindebug-expect: over_regularization
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

CFG = dict(vocab=40, n_tags=5, seq_len=16, d_model=48, n_heads=4, n_layers=1,
           batch=32, steps=300, lr=2e-3, weight_decay=0.01, conf_penalty=0.1)

# every word belongs to a latent word class; a token's tag depends on its own class and
# the class of the preceding word (a toy POS-tagging problem)
g = torch.Generator().manual_seed(0)
word_class = torch.randint(0, CFG["n_tags"], (CFG["vocab"],), generator=g)

def make_batch(n, gen):
    tokens = torch.randint(1, CFG["vocab"], (n, CFG["seq_len"]), generator=gen)
    cls = word_class[tokens]
    prev = torch.cat([torch.zeros(n, 1, dtype=torch.long), cls[:, :-1]], dim=1)
    tags = (cls + 2 * prev) % CFG["n_tags"]
    return tokens, tags

class Tagger(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tok = nn.Embedding(c["vocab"], c["d_model"])
        self.pos = nn.Parameter(torch.randn(1, c["seq_len"], c["d_model"]))
        layer = nn.TransformerEncoderLayer(c["d_model"], c["n_heads"], 4 * c["d_model"],
                                           dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, c["n_layers"], enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c["d_model"])
        self.head = nn.Linear(c["d_model"], c["n_tags"])

    def forward(self, tokens):
        h = self.tok(tokens) + self.pos
        return self.head(self.norm(self.encoder(h)))

def loss_fn(logits, tags):
    """Cross entropy with a confidence penalty (Pereyra et al. 2017): subtract beta * entropy."""
    ce = F.cross_entropy(logits.reshape(-1, CFG["n_tags"]), tags.reshape(-1))
    logp = F.log_softmax(logits, dim=-1)
    entropy = -(logp.exp() * logp).sum()
    return ce - CFG["conf_penalty"] * entropy, ce

model = Tagger(CFG)
opt = torch.optim.AdamW(model.parameters(), lr=CFG["lr"], weight_decay=CFG["weight_decay"])
train_gen = torch.Generator().manual_seed(1)
val_tokens, val_tags = make_batch(1000, torch.Generator().manual_seed(2))

for step in range(1, CFG["steps"] + 1):
    model.train()
    tokens, tags = make_batch(CFG["batch"], train_gen)
    loss, ce = loss_fn(model(tokens), tags)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        model.eval()
        with torch.no_grad():
            val_logits = model(val_tokens)
            val_ce = F.cross_entropy(val_logits.reshape(-1, CFG["n_tags"]), val_tags.reshape(-1))
            val_acc = (val_logits.argmax(-1) == val_tags).float().mean()
        print(f"step {step:3d}  objective {loss.item():9.3f}  train CE {ce.item():.4f}  "
              f"val CE {val_ce.item():.4f}  val tag acc {val_acc.item():.3f}")

print(f"final: val CE {val_ce.item():.4f}, val tag accuracy {val_acc.item():.3f}")
