"""Skip-gram word2vec with negative sampling (SGNS) on a generated topic corpus (12 topics x
25 Zipf-distributed words + 20 function words, 600 documents, window 2, 92k pairs).
Explicit parameter tensors W_in / W_out (dim 32), 5 unigram^0.75 negatives per pair,
BCE-with-logits, Adagrad lr 0.1, batch 512, 4 epochs (724 steps), dataclass config.
Quality metric: topic purity of each content word's 5 nearest neighbours (chance 0.083).

Seeded bug: the label tensor is built with torch.ones_like for both the positive and the
negative scores (copy-paste of the first term), so every (center, word) pair, including
the random negatives, is labelled 1.  The labels carry no information; the loss is driven
to ~0 simply by making all dot products large, and the embeddings learn nothing about
co-occurrence.

Measured (seed 0): buggy final loss 0.0001, neighbour purity 0.077 (chance level);
fixed copy (zeros_like for the negatives) loss 0.380, purity 0.997.
"""
# traindebug-expect: label_problem
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


@dataclass
class Config:
    n_topics: int = 12
    words_per_topic: int = 25
    n_function_words: int = 20
    n_docs: int = 600
    doc_len: int = 40
    window: int = 2
    dim: int = 32
    negatives: int = 5
    batch_size: int = 512
    lr: float = 0.1
    epochs: int = 4
    seed: int = 0


cfg = Config()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)
rng = np.random.default_rng(cfg.seed)

# ---------------------------------------------------------------- corpus ---
n_content = cfg.n_topics * cfg.words_per_topic
V = n_content + cfg.n_function_words
word_topic = np.concatenate([np.repeat(np.arange(cfg.n_topics), cfg.words_per_topic),
                             -np.ones(cfg.n_function_words, dtype=int)])
zipf = 1.0 / np.arange(1, cfg.words_per_topic + 1)
zipf /= zipf.sum()

docs = []
for _ in range(cfg.n_docs):
    topics = rng.choice(cfg.n_topics, size=2, replace=False)
    toks = []
    for _ in range(cfg.doc_len):
        if rng.random() < 0.25:
            toks.append(n_content + rng.integers(cfg.n_function_words))
        else:
            t = topics[0] if rng.random() < 0.7 else topics[1]
            toks.append(t * cfg.words_per_topic + rng.choice(cfg.words_per_topic, p=zipf))
    docs.append(toks)

centers, contexts = [], []
for toks in docs:
    for i, c in enumerate(toks):
        for j in range(max(0, i - cfg.window), min(len(toks), i + cfg.window + 1)):
            if j != i:
                centers.append(c)
                contexts.append(toks[j])
centers = torch.tensor(centers)
contexts = torch.tensor(contexts)
counts = np.bincount(np.concatenate(docs), minlength=V).astype(np.float64)
noise_dist = torch.tensor(counts ** 0.75 / (counts ** 0.75).sum(), dtype=torch.float32)
print(f"vocab {V}, {len(centers)} (center, context) pairs")

# ------------------------------------------------------------ parameters ---
W_in = (torch.randn(V, cfg.dim) * 0.1).requires_grad_()
W_out = (torch.randn(V, cfg.dim) * 0.1).requires_grad_()
opt = torch.optim.Adagrad([W_in, W_out], lr=cfg.lr)


def sgns_loss(center, context):
    neg = torch.multinomial(noise_dist, center.numel() * cfg.negatives, replacement=True)
    neg = neg.view(-1, cfg.negatives)
    v = W_in[center]                                        # (B, D)
    pos_score = (v * W_out[context]).sum(-1, keepdim=True)  # (B, 1)
    neg_score = torch.einsum("bd,bkd->bk", v, W_out[neg])   # (B, K)
    scores = torch.cat([pos_score, neg_score], dim=1)
    labels = torch.cat([torch.ones_like(pos_score), torch.ones_like(neg_score)], dim=1)
    return F.binary_cross_entropy_with_logits(scores, labels)


@torch.no_grad()
def neighbour_purity(k=5):
    """Fraction of each content word's k nearest neighbours that share its topic."""
    E = F.normalize(W_in[:n_content], dim=1)
    sim = E @ E.t()
    sim.fill_diagonal_(-2.0)
    nn_idx = sim.topk(k, dim=1).indices
    wt = torch.from_numpy(word_topic[:n_content])
    return (wt[nn_idx] == wt[:, None]).float().mean().item()


print(f"init neighbour purity {neighbour_purity():.3f} (chance {1 / cfg.n_topics:.3f})")
t0 = time.process_time()
step = 0
for epoch in range(cfg.epochs):
    perm = torch.randperm(len(centers))
    tot, nb = 0.0, 0
    for i in range(0, len(perm), cfg.batch_size):
        idx = perm[i:i + cfg.batch_size]
        loss = sgns_loss(centers[idx], contexts[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
        nb += 1
        step += 1
    print(f"epoch {epoch + 1}  steps {step}  mean loss {tot / nb:.4f}  neighbour purity@5 {neighbour_purity():.3f}")

print(f"final neighbour purity@5 {neighbour_purity():.3f}  (cpu {time.process_time() - t0:.1f}s)")
