"""
Sequence labelling with a hand-written linear-chain CRF: generated "sentences" of 12 tokens
from a 40-word vocabulary; each token's tag (4 tags) encodes whether the token itself is a
"head" word and whether the NEXT token is a "modifier" word (think of tagging a noun by whether
an adjective follows it). Embedding(40, 32) -> GRU(64) -> Linear emissions -> CRF with learned
transition matrix, negative log-likelihood by the forward algorithm (logsumexp), Viterbi
decoding. Config in a dataclass, Adam lr 5e-3, manual batches of 32, 200 steps.

Seeded bug: the dataclass has bidirectional=True, but the GRU is built without passing it
(nn.GRU(cfg.emb_dim, cfg.hidden, batch_first=True)); the emission layer reads the direction
count back from the module, so the shapes line up and nothing fails. A left-to-right GRU can
never see the next token, so half of every tag is unpredictable from the features it has: the
training NLL plateaus far above zero and the tagger cannot fit its training data, although
gradients and updates are perfectly healthy.

Measured (seed 0, 1 thread): buggy: train NLL per sentence 17.3 -> ~6.2 (plateau from step
40 on), train token accuracy 0.771, test token accuracy 0.767. Fixed copy
(bidirectional=cfg.bidirectional): train NLL 16.1 -> 0.006, train/test token accuracy 1.000.
"""
# traindebug-expect: underfitting
from dataclasses import dataclass

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class Config:
    vocab: int = 40
    n_tags: int = 4
    seq_len: int = 12
    emb_dim: int = 32
    hidden: int = 64
    bidirectional: bool = True
    lr: float = 5e-3
    batch: int = 32
    steps: int = 200


cfg = Config()
HEADS = torch.arange(cfg.vocab) % 3 == 0          # "head" words
MODIFIERS = torch.arange(cfg.vocab) % 4 == 1      # "modifier" words


def make_data(n, gen):
    x = torch.randint(0, cfg.vocab, (n, cfg.seq_len), generator=gen)
    nxt = torch.cat([x[:, 1:], torch.zeros(n, 1, dtype=torch.long)], dim=1)
    nxt_mod = MODIFIERS[nxt].long()
    nxt_mod[:, -1] = 0
    tags = 2 * HEADS[x].long() + nxt_mod
    return x, tags


class CRFTagger(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.emb = nn.Embedding(cfg.vocab, cfg.emb_dim)
        self.rnn = nn.GRU(cfg.emb_dim, cfg.hidden, batch_first=True)
        n_dir = 2 if self.rnn.bidirectional else 1
        self.emit = nn.Linear(cfg.hidden * n_dir, cfg.n_tags)
        self.trans = nn.Parameter(torch.randn(cfg.n_tags, cfg.n_tags) * 0.1)  # [from, to]
        self.start = nn.Parameter(torch.zeros(cfg.n_tags))

    def emissions(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.emit(h)                                  # (B, T, K)

    def nll(self, x, tags):
        e = self.emissions(x)
        B, T, K = e.shape
        # score of the gold path
        gold = self.start[tags[:, 0]] + e[:, 0].gather(1, tags[:, :1]).squeeze(1)
        for t in range(1, T):
            gold = gold + self.trans[tags[:, t - 1], tags[:, t]] \
                + e[:, t].gather(1, tags[:, t:t + 1]).squeeze(1)
        # log partition function by the forward algorithm
        alpha = self.start + e[:, 0]
        for t in range(1, T):
            alpha = torch.logsumexp(alpha.unsqueeze(2) + self.trans.unsqueeze(0), dim=1) + e[:, t]
        log_z = torch.logsumexp(alpha, dim=1)
        return (log_z - gold).mean()

    @torch.no_grad()
    def viterbi(self, x):
        e = self.emissions(x)
        B, T, K = e.shape
        score = self.start + e[:, 0]
        back = []
        for t in range(1, T):
            total = score.unsqueeze(2) + self.trans.unsqueeze(0)
            score, idx = total.max(dim=1)
            score = score + e[:, t]
            back.append(idx)
        best = [score.argmax(1)]
        for idx in reversed(back):
            best.append(idx.gather(1, best[-1].unsqueeze(1)).squeeze(1))
        return torch.stack(best[::-1], dim=1)


gen = torch.Generator().manual_seed(0)
x_tr, t_tr = make_data(3000, gen)
x_te, t_te = make_data(600, gen)

model = CRFTagger(cfg)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)

for step in range(1, cfg.steps + 1):
    idx = torch.randint(0, len(x_tr), (cfg.batch,), generator=gen)
    loss = model.nll(x_tr[idx], t_tr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 40 == 0 or step == 1:
        print(f"step {step:4d}  CRF NLL {loss.item():.4f}")

train_acc = (model.viterbi(x_tr[:600]) == t_tr[:600]).float().mean().item()
test_acc = (model.viterbi(x_te) == t_te).float().mean().item()
print(f"final NLL {loss.item():.4f}  train token acc {train_acc:.3f}  test token acc {test_acc:.3f}")
