"""clean: an encoder/decoder (autoencoder on digits) with one optimizer per
part, both stepped every iteration."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X = torch.tensor(load_digits().data / 16.0, dtype=torch.float32)
encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
decoder = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 64), nn.Sigmoid())
opt_enc = torch.optim.Adam(encoder.parameters(), lr=2e-3)
opt_dec = torch.optim.Adam(decoder.parameters(), lr=2e-3)
for epoch in range(10):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        xb = X[perm[i : i + 64]]
        recon = decoder(encoder(xb))
        loss = nn.functional.binary_cross_entropy(recon, xb)
        opt_enc.zero_grad()
        opt_dec.zero_grad()
        loss.backward()
        opt_enc.step()
        opt_dec.step()
    print(epoch, loss.item())
