"""
Skip-gram word2vec with negative sampling (SGNS) on a synthetic topical corpus (8 topics x 25
words, 1500 sentences of 12 tokens, window 2, 5 unigram^0.75 negatives), written functionally:
the two embedding tables are plain tensors in a dict, loss computed with F.logsigmoid/einsum,
Adam lr 0.01, batches of 512 pairs, 4 epochs = 492 steps. Quality = fraction of words whose
nearest cosine neighbour is from the same topic.

Seeded bug: both the input (word) and output (context) tables are created with torch.zeros.
word2vec initialises the *output* vectors to zero but the input vectors randomly; the author
zeroed both. Every score u.v is 0, the gradient w.r.t. u is a sum of v's (= 0) and vice
versa, so neither table ever moves: all words stay identical and the loss stays at
6*log 2 = 4.159.

Measured (seed 11, 1 thread): buggy final SGNS loss 4.1589 (unchanged from step 0), nearest-
neighbour topic accuracy 0.125 (chance). Fixed copy (input table uniform(-0.5/d, 0.5/d),
output table zero): final loss 2.0507, topic accuracy 1.000.
"""
# traindebug-expect: symmetric_init
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(11)


@dataclass
class Config:
    n_topics: int = 8
    words_per_topic: int = 25
    n_sentences: int = 1500
    sent_len: int = 12
    window: int = 2
    dim: int = 32
    negatives: int = 5
    batch_size: int = 512
    lr: float = 0.01
    epochs: int = 4


def build_corpus(cfg, rng):
    """Each sentence mostly draws words from one topic's block of the vocabulary."""
    vocab = cfg.n_topics * cfg.words_per_topic
    sents = []
    for _ in range(cfg.n_sentences):
        t = rng.integers(cfg.n_topics)
        in_topic = rng.random(cfg.sent_len) < 0.8
        words = np.where(in_topic,
                         t * cfg.words_per_topic + rng.integers(cfg.words_per_topic, size=cfg.sent_len),
                         rng.integers(vocab, size=cfg.sent_len))
        sents.append(words)
    return np.stack(sents), vocab


def skipgram_pairs(sents, window):
    centers, contexts = [], []
    L = sents.shape[1]
    for off in range(-window, window + 1):
        if off == 0:
            continue
        lo, hi = max(0, -off), min(L, L - off)
        centers.append(sents[:, lo:hi].reshape(-1))
        contexts.append(sents[:, lo + off:hi + off].reshape(-1))
    return torch.from_numpy(np.concatenate(centers)), torch.from_numpy(np.concatenate(contexts))


def sgns_loss(params, center, context, negatives):
    w_in, w_out = params["w_in"], params["w_out"]
    v = w_in[center]                                   # (B, D)
    pos = (v * w_out[context]).sum(-1)                 # (B,)
    neg = torch.einsum("bd,bkd->bk", v, w_out[negatives])
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


def topic_neighbour_accuracy(w_in, cfg):
    emb = F.normalize(w_in, dim=1)
    sim = emb @ emb.T
    sim.fill_diagonal_(-2.0)
    nn_idx = sim.argmax(1)
    topic = torch.arange(len(w_in)) // cfg.words_per_topic
    return (topic[nn_idx] == topic).float().mean().item()


def main():
    cfg = Config()
    rng = np.random.default_rng(0)
    sents, vocab = build_corpus(cfg, rng)
    center, context = skipgram_pairs(sents, cfg.window)
    counts = torch.bincount(context, minlength=vocab).float()
    noise = counts.pow(0.75)
    noise /= noise.sum()

    # word2vec-style tables: input vectors for words, output vectors for contexts
    params = {
        "w_in": torch.zeros(vocab, cfg.dim, requires_grad=True),
        "w_out": torch.zeros(vocab, cfg.dim, requires_grad=True),
    }
    opt = torch.optim.Adam(params.values(), lr=cfg.lr)

    step = 0
    for epoch in range(cfg.epochs):
        perm = torch.randperm(len(center))
        total, nb = 0.0, 0
        for i in range(0, len(perm) - cfg.batch_size + 1, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            negs = torch.multinomial(noise, cfg.batch_size * cfg.negatives, replacement=True)
            loss = sgns_loss(params, center[idx], context[idx], negs.view(cfg.batch_size, cfg.negatives))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            nb += 1
            step += 1
        with torch.no_grad():
            acc = topic_neighbour_accuracy(params["w_in"], cfg)
        print(f"epoch {epoch + 1} step {step} sgns_loss {total / nb:.4f} nn_topic_acc {acc:.3f}")
    print(f"final sgns loss {total / nb:.4f}, nearest-neighbour topic accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
