"""
ProdLDA-style neural topic model (VAE with logistic-normal prior) on a generated
bag-of-words corpus: 10 hidden topics over a 500-word vocabulary, 2000 training
and 400 test documents. Encoder: Linear-Softplus-Linear-Softplus-Dropout with
BatchNorm'd mean / log-variance heads; decoder: product-of-experts
Linear(K, V) + BatchNorm. Adam lr 5e-3, batch 100, 12 epochs = 240 steps. Metric: test perplexity
exp(reconstruction NLL / number of words) using the posterior mean.

Seeded bug: the decoder Sequential ends in nn.Softmax(dim=1) (so that
`model.decode(z)` returns "the word distribution", handy for printing topics),
but the reconstruction term is still written for logits:
-(bow * F.log_softmax(word_dist, 1)).sum(1). log_softmax of values in [0, 1]
is a nearly flat distribution (every word gets ~ -log V), so the likelihood is
almost insensitive to the model and the topics never sharpen. A common mistake
when moving between "probabilities + log" and "logits + log_softmax" recipes.
Measured (seed 0, 240 steps): buggy test perplexity 495.4 (uniform over the
vocabulary is 500), final train recon NLL/doc 496.9 vs fixed copy (no final
Softmax) test perplexity 202.9, train recon NLL/doc 449.2. CPU time ~7.0 s.
"""
# traindebug-expect: loss_output_mismatch
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

VOCAB, N_TOPICS, HIDDEN = 500, 10, 100
N_TRAIN, N_TEST = 2000, 400
BATCH, EPOCHS, LR = 100, 12, 5e-3


def make_corpus(n_docs, topics, rng, mean_len=80):
    theta = rng.dirichlet(np.full(topics.shape[0], 0.1), size=n_docs)
    word_probs = theta @ topics
    lengths = rng.poisson(mean_len, size=n_docs).clip(20)
    bows = np.stack([rng.multinomial(n, p) for n, p in zip(lengths, word_probs)])
    return bows.astype(np.float32)


rng = np.random.default_rng(0)
true_topics = rng.dirichlet(np.full(VOCAB, 0.05), size=N_TOPICS)
train_bow = torch.from_numpy(make_corpus(N_TRAIN, true_topics, rng))
test_bow = torch.from_numpy(make_corpus(N_TEST, true_topics, rng))


class ProdLDA(nn.Module):
    def __init__(self, vocab, topics, hidden, dropout=0.2):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(vocab, hidden), nn.Softplus(),
            nn.Linear(hidden, hidden), nn.Softplus(),
            nn.Dropout(dropout),
        )
        self.fc_mu = nn.Linear(hidden, topics)
        self.fc_lv = nn.Linear(hidden, topics)
        self.bn_mu = nn.BatchNorm1d(topics, affine=False)
        self.bn_lv = nn.BatchNorm1d(topics, affine=False)
        self.theta_drop = nn.Dropout(dropout)
        self.decoder = nn.Sequential(
            nn.Linear(topics, vocab, bias=False),
            nn.BatchNorm1d(vocab, affine=False),
            nn.Softmax(dim=1),
        )
        # Laplace approximation of a symmetric Dirichlet(alpha=1) prior
        a = torch.ones(1, topics)
        self.register_buffer("prior_mu", (a.log() - a.log().mean(1, keepdim=True)))
        self.register_buffer("prior_var", (1.0 / a) * (1 - 2.0 / topics) + (1.0 / a).sum(1, keepdim=True) / topics ** 2)

    def encode(self, bow):
        h = self.encoder(bow)
        return self.bn_mu(self.fc_mu(h)), self.bn_lv(self.fc_lv(h))

    def decode(self, z):
        theta = self.theta_drop(F.softmax(z, dim=1))
        return self.decoder(theta)

    def forward(self, bow, sample=True):
        mu, logvar = self.encode(bow)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp() if sample else mu
        return self.decode(z), mu, logvar

    def kl(self, mu, logvar):
        var = logvar.exp()
        return 0.5 * ((var / self.prior_var) + (mu - self.prior_mu) ** 2 / self.prior_var
                      - 1 + self.prior_var.log() - logvar).sum(1)


def recon_nll(word_dist, bow):
    return -(bow * F.log_softmax(word_dist, dim=1)).sum(1)


model = ProdLDA(VOCAB, N_TOPICS, HIDDEN)
opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999))

step = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(N_TRAIN)
    tot_rec = tot_kl = 0.0
    for i in range(0, N_TRAIN, BATCH):
        bow = train_bow[perm[i:i + BATCH]]
        word_dist, mu, logvar = model(bow)
        rec = recon_nll(word_dist, bow)
        kl = model.kl(mu, logvar)
        loss = (rec + kl).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        tot_rec += rec.sum().item()
        tot_kl += kl.sum().item()
    if epoch % 3 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch:2d} step {step:4d}  recon/doc {tot_rec / N_TRAIN:8.2f}  kl/doc {tot_kl / N_TRAIN:6.2f}")

model.eval()
with torch.no_grad():
    word_dist, _, _ = model(test_bow, sample=False)
    nll = recon_nll(word_dist, test_bow).sum().item()
ppl = math.exp(nll / test_bow.sum().item())
print(f"test perplexity: {ppl:.1f}  (vocab size {VOCAB})")
