"""
Deep fully-connected autoencoder on the 64-pixel digits: 64-128-64-32-16-8 encoder, mirrored
decoder (10 Linear layers in total) built from a size list with nn.Sequential, sigmoid output for
pixels in [0, 1], MSE loss, Adam lr 2e-3, random mini-batches of 64, 400 steps.

Seeded bug: the builder uses nn.Sigmoid as the hidden activation as well (the author wanted a
[0, 1] output and made the whole net sigmoid, old deep-autoencoder style). Each sigmoid scales the
backward signal by at most 0.25, so through 9 hidden sigmoid layers the first encoder layer gets
gradients of ~1e-9 while the output layer gets ~1e-2 (7 orders of magnitude). The encoder never
learns, the code is constant, and the decoder can only output the mean digit.

Measured (seed 0, 1 thread): buggy: |grad| enc0 5.6e-9 vs output layer 1.2e-1 at step 0 (1e-9 vs
1e-2 later), final test MSE 0.0743 = predict-the-mean baseline 0.0740. Fixed copy (ReLU hidden,
sigmoid output): |grad| enc0 ~1e-2, final train MSE 0.041, test MSE 0.0443.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(0)

X = torch.tensor(load_digits().data / 16.0, dtype=torch.float32)
perm = torch.randperm(len(X))
X_train, X_test = X[perm[:1500]], X[perm[1500:]]

sizes = [64, 128, 64, 32, 16, 8]


def build_autoencoder(act=nn.Sigmoid):
    enc, dec = [], []
    for a, b in zip(sizes[:-1], sizes[1:]):
        enc += [nn.Linear(a, b), act()]
    rev = sizes[::-1]
    for a, b in zip(rev[:-1], rev[1:]):
        dec += [nn.Linear(a, b), act()]
    return nn.Sequential(*enc[:-1]), nn.Sequential(*dec[:-1], nn.Sigmoid())


encoder, decoder = build_autoencoder()
params = list(encoder.parameters()) + list(decoder.parameters())
opt = torch.optim.Adam(params, lr=2e-3)
criterion = nn.MSELoss()

for step in range(400):
    idx = torch.randint(0, len(X_train), (64,))
    batch = X_train[idx]
    recon = decoder(encoder(batch))
    loss = criterion(recon, batch)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 399:
        with torch.no_grad():
            test_loss = criterion(decoder(encoder(X_test)), X_test).item()
        g_first = encoder[0].weight.grad.norm().item()
        g_last = decoder[-2].weight.grad.norm().item()
        print(f"step {step:3d} train_mse {loss.item():.4f} test_mse {test_loss:.4f} "
              f"|g| enc0 {g_first:.1e} dec_out {g_last:.1e}")

mean_baseline = criterion(X_train.mean(0).expand_as(X_test), X_test).item()
print(f"final test mse {test_loss:.4f} (predict-the-mean baseline {mean_baseline:.4f})")
