"""Denoising convolutional autoencoder on sklearn digits (8x8, values in [0,1]),
Adam, BCE-with-logits reconstruction of the clean image from a noisy copy.

Healthy control.  Patterns a naive detector might flag: (1) the last decoder
conv is deliberately zero-initialised (all-zero weight matrix, constant output
at step 0) -- it is the output layer, it receives a non-zero gradient from the
first step and symmetry is broken immediately; (2) the BCE loss plateaus around
0.30 rather than approaching 0, because the targets are grey-level intensities
(not 0/1), so the BCE floor is the targets' entropy.
Measured (10 epochs, 300 steps): BCE 0.530 -> 0.296; validation MSE of the
noisy input 0.051 vs denoised output 0.023 (noise removal more than halves the error).
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(4)
imgs = torch.tensor(load_digits().images / 16.0, dtype=torch.float32).unsqueeze(1)  # (N,1,8,8)
train, val = imgs[:1500], imgs[1500:]


class DenoisingConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),   # 4x4
        )
        self.dec = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),  # 8x8
            nn.Conv2d(16, 1, 3, padding=1),
        )
        # zero-init the last layer: the model starts by predicting a constant
        # image (sigmoid(bias)), the decoder learns the residual detail from there
        nn.init.zeros_(self.dec[-1].weight)
        nn.init.constant_(self.dec[-1].bias, -1.0)

    def forward(self, x):
        return self.dec(self.enc(x))


model = DenoisingConvAE()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
NOISE = 0.3


def corrupt(x):
    return (x + NOISE * torch.randn_like(x)).clamp(0, 1)


step = 0
for epoch in range(10):
    perm = torch.randperm(len(train))
    tot = 0.0
    for i in range(0, len(train), 50):
        x = train[perm[i:i + 50]]
        logits = model(corrupt(x))
        loss = F.binary_cross_entropy_with_logits(logits, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(x)
        step += 1
    with torch.no_grad():
        noisy = corrupt(val)
        mse_in = F.mse_loss(noisy, val).item()
        mse_out = F.mse_loss(torch.sigmoid(model(noisy)), val).item()
    if epoch % 3 == 0 or epoch == 9:
        print(f"epoch {epoch} step {step} bce {tot / len(train):.4f} val mse noisy {mse_in:.4f} -> denoised {mse_out:.4f}")
