"""MADE (masked autoencoder for distribution estimation) density model on
generated 20-dimensional binary vectors (prototype bits with flips, plus bits
that deterministically copy or negate earlier bits), trained by maximum
likelihood with Adam.

Seeded bug (non_finite): the Bernoulli log-likelihood is computed by hand as
x*log(sigmoid(l)) + (1-x)*log(1-sigmoid(l)). For the deterministic bits the
model becomes confident, sigmoid(l) rounds to exactly 1.0 (or 0.0) in float32,
log(0) = -inf and 0 * -inf = NaN; the NaN gradient then poisons all weights.

Measured: the first NaN loss appears at step 184 (epoch 3 of 8); from then on
train_nll and test_nll are nan. Before that the NLL falls normally
(9.07 -> 2.61 -> 1.48). Using binary_cross_entropy_with_logits on the logits
instead: no NaN, test NLL 4.03 -> 0.51 nats (0.037 bits/dim).
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

D, HIDDEN, N_TRAIN, N_TEST = 20, 128, 3000, 1000
EPOCHS, BATCH, LR = 8, 64, 5e-3
SEED = 11


def sample_binary(n, rng, protos):
    """Latent prototypes with bit flips, plus bits that copy/negate earlier ones."""
    z = rng.integers(0, 6, size=n)
    first = protos[z] ^ (rng.random((n, D // 2)) < 0.05)
    second = np.empty((n, D // 2), dtype=bool)
    second[:, 0::2] = first[:, 0::2]          # copies
    second[:, 1::2] = ~first[:, 1::2]         # negations
    x = np.concatenate([first, second], axis=1)
    return x.astype(np.float32)


class MaskedLinear(nn.Linear):
    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out)
        self.register_buffer("mask", torch.ones(n_out, n_in))

    def set_mask(self, m):
        self.mask.data.copy_(torch.as_tensor(m.T, dtype=torch.float32))

    def forward(self, x):
        return F.linear(x, self.mask * self.weight, self.bias)


class MADE(nn.Module):
    def __init__(self, d, hidden, n_hidden_layers=2, seed=0):
        super().__init__()
        sizes = [d] + [hidden] * n_hidden_layers + [d]
        self.layers = nn.ModuleList(MaskedLinear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        rng = np.random.default_rng(seed)
        degrees = [np.arange(1, d + 1)]
        for _ in range(n_hidden_layers):
            degrees.append(rng.integers(1, d, size=hidden))
        for i, layer in enumerate(self.layers[:-1]):
            layer.set_mask(degrees[i][:, None] <= degrees[i + 1][None, :])
        self.layers[-1].set_mask(degrees[-2][:, None] < degrees[0][None, :])

    def forward(self, x):
        h = x
        for layer in self.layers[:-1]:
            h = F.relu(layer(h))
        return self.layers[-1](h)

    def log_prob(self, x):
        p = torch.sigmoid(self(x))
        return (x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(-1)


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    protos = rng.random((6, D // 2)) < 0.5
    xtr = torch.from_numpy(sample_binary(N_TRAIN, rng, protos))
    xte = torch.from_numpy(sample_binary(N_TEST, rng, protos))
    model = MADE(D, HIDDEN, seed=SEED)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    for epoch in range(EPOCHS):
        perm = torch.randperm(N_TRAIN)
        tot = 0.0
        for i in range(0, N_TRAIN, BATCH):
            xb = xtr[perm[i:i + BATCH]]
            nll = -model.log_prob(xb).mean()
            opt.zero_grad()
            nll.backward()
            opt.step()
            tot += nll.item() * len(xb)
        with torch.no_grad():
            test_nll = -model.log_prob(xte).mean().item()
        print(f"epoch {epoch} train_nll {tot / N_TRAIN:.3f} test_nll {test_nll:.3f} (bits/dim {test_nll / D / np.log(2):.3f})")


if __name__ == "__main__":
    main()
