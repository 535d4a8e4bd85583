"""
Keyword-spotting text classifier with attention pooling over a padded batch
of variable-length token sequences (lengths 48-96, vocabulary 200, 4
classes, each class signalled by one of its 5 keywords hidden among filler
tokens). Embedding(200, 32) -> per-token Linear + tanh -> additive
attention scores -> masked softmax over time -> weighted sum ->
Linear(32, 4). The masked softmax is a small torch.autograd.Function that
fills padded positions with -inf, saves the probabilities and writes its own
backward to save memory. RMSprop lr 2e-3, batch 64, 300 steps.

Seeded bug: the hand-written backward returns `p * grad_output`, i.e. only
the diagonal of the softmax Jacobian; the correct vector-Jacobian product is
`p * (grad_output - (grad_output * p).sum(-1, keepdim=True))`. The attention
scorer therefore receives a gradient that disagrees with finite differences
(it pushes up scores of every token with a positive grad_output value
regardless of the others), and the attention learns to concentrate on the
keyword much more slowly. A common slip when deriving the softmax
derivative by hand.

Measured (seed 0, 1 thread): buggy final batch loss 0.109, test accuracy
0.892; fixed copy (full Jacobian-vector product) batch loss 0.0025, test
accuracy 1.000.
"""
# traindebug-expect: wrong_gradient
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

VOCAB, N_CLASSES, MAX_LEN = 200, 4, 96
KEYWORDS = torch.arange(1, 1 + 5 * N_CLASSES).view(N_CLASSES, 5)


class MaskedSoftmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, scores, mask):
        scores = scores.masked_fill(~mask, float("-inf"))
        p = torch.softmax(scores, dim=-1)
        ctx.save_for_backward(p)
        return p

    @staticmethod
    def backward(ctx, grad_output):
        (p,) = ctx.saved_tensors
        grad_scores = p * grad_output
        return grad_scores, None


def make_batch(n, gen):
    lengths = torch.randint(48, MAX_LEN + 1, (n,), generator=gen)
    tokens = torch.randint(1 + 5 * N_CLASSES, VOCAB, (n, MAX_LEN), generator=gen)
    labels = torch.randint(0, N_CLASSES, (n,), generator=gen)
    kw = KEYWORDS[labels, torch.randint(0, 5, (n,), generator=gen)]
    pos = (torch.rand(n, generator=gen) * lengths).long()
    tokens[torch.arange(n), pos] = kw
    mask = torch.arange(MAX_LEN)[None, :] < lengths[:, None]
    tokens = tokens.masked_fill(~mask, 0)
    return tokens, mask, labels


class AttnPoolClassifier(nn.Module):
    def __init__(self, vocab, dim=32, n_classes=N_CLASSES):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.token_mlp = nn.Sequential(nn.Linear(dim, dim), nn.Tanh())
        self.attn = nn.Sequential(nn.Linear(dim, dim), nn.Tanh(), nn.Linear(dim, 1))
        self.out = nn.Linear(dim, n_classes)

    def forward(self, tokens, mask):
        h = self.token_mlp(self.embed(tokens))
        weights = MaskedSoftmax.apply(self.attn(h).squeeze(-1), mask)
        pooled = (weights.unsqueeze(-1) * h).sum(1)
        return self.out(pooled)


gen = torch.Generator().manual_seed(0)
x_te, m_te, y_te = make_batch(1000, gen)
model = AttnPoolClassifier(VOCAB)
opt = torch.optim.RMSprop(model.parameters(), lr=2e-3)

for step in range(1, 301):
    tokens, mask, labels = make_batch(64, gen)
    loss = F.cross_entropy(model(tokens, mask), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        with torch.no_grad():
            acc = (model(x_te, m_te).argmax(1) == y_te).float().mean().item()
        print(f"step {step:3d}  loss {loss.item():.4f}  test acc {acc:.3f}")

print(f"final test accuracy {acc:.3f}")
