"""
Seeded bug: reset_parameters() draws the GRU weight matrices from N(0, 1)
("gaussian init") instead of scaling by 1/sqrt(fan_in). With 32 hidden units the
recurrent pre-activations have a std of several units, so many sigmoid gates sit
at 0/1 and tanh candidates at +-1 from the first step on; the flat regions pass
almost no gradient and the VAE never gets past predicting the mean sequence
(posterior collapse, KL ~1).
Measured (seed 0, 200 RMSprop steps): test reconstruction MSE 0.152 (buggy, flat
from step 50; the data variance is ~0.15) vs 0.074 with std = 1/sqrt(fan_in);
at init 31% of the decoder GRU gate/candidate pre-activations have |x| > 3
(0% with the fixed init).
"""
# traindebug-expect: saturated_units
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

SEQ_LEN, HID, LATENT = 20, 32, 6


def make_sequences(n, rng):
    t = np.linspace(0, 1, SEQ_LEN)
    freq = rng.uniform(1.0, 3.0, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.4, 1.0, (n, 1))
    decay = rng.uniform(0.0, 1.5, (n, 1))
    x = amp * np.sin(2 * np.pi * freq * t + phase) * np.exp(-decay * t)
    x += 0.03 * rng.normal(size=x.shape)
    return torch.tensor(x[..., None], dtype=torch.float32)


class SeqVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.GRU(1, HID, batch_first=True)
        self.to_stats = nn.Linear(HID, 2 * LATENT)
        self.z_to_h = nn.Linear(LATENT, HID)
        self.dec = nn.GRU(LATENT + 1, HID, batch_first=True)
        self.out = nn.Linear(HID, 1)
        self.reset_parameters()

    def reset_parameters(self):
        for rnn in (self.enc, self.dec):
            for name, p in rnn.named_parameters():
                if name.startswith("weight"):
                    nn.init.normal_(p, mean=0.0, std=1.0)
                else:
                    nn.init.zeros_(p)

    def encode(self, x):
        _, h = self.enc(x)
        mu, logvar = self.to_stats(h[-1]).chunk(2, dim=-1)
        return mu, logvar.clamp(-8, 8)

    def decode(self, z):
        b = z.size(0)
        tpos = torch.linspace(0, 1, SEQ_LEN).view(1, SEQ_LEN, 1).expand(b, -1, -1)
        inp = torch.cat([z.unsqueeze(1).expand(-1, SEQ_LEN, -1), tpos], -1)
        h0 = torch.tanh(self.z_to_h(z)).unsqueeze(0)
        y, _ = self.dec(inp, h0)
        return self.out(y)

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decode(z), mu, logvar


def elbo_terms(recon, x, mu, logvar):
    rec = F.mse_loss(recon, x, reduction="none").sum(dim=(1, 2)).mean()
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1).mean()
    return rec, kl


def main():
    rng = np.random.default_rng(0)
    train, test = make_sequences(4000, rng), make_sequences(500, rng)
    model = SeqVAE()
    opt = torch.optim.RMSprop(model.parameters(), lr=3e-3, alpha=0.99)
    bs, steps = 48, 200
    g = torch.Generator().manual_seed(0)
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(train), (bs,), generator=g)
        x = train[idx]
        recon, mu, logvar = model(x)
        rec, kl = elbo_terms(recon, x, mu, logvar)
        beta = min(1.0, step / 100) * 0.05
        loss = rec + beta * kl
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        if step % 50 == 0:
            with torch.no_grad():
                mu_t, _ = model.encode(test)
                mse = F.mse_loss(model.decode(mu_t), test).item()
            print(f"step {step:3d}  rec {rec.item() / SEQ_LEN:.4f}/pt  kl {kl.item():.2f}  test mse {mse:.4f}")


if __name__ == "__main__":
    main()
