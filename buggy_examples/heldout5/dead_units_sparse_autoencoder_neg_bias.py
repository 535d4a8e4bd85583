"""Seeded bug: sparse autoencoder whose encoder biases are initialised to a
negative constant (-0.5) "so that codes start sparse". The inputs are digits
pixels scaled to [0, 1] and the default fan-in weight init gives
pre-activations of only ~0.1-0.3 in magnitude, so the bias pushes most
encoder ReLUs below zero for *every* input. Dead ReLUs get no gradient, so
they never recover, and the code layer is empty; the decoder can only output
its bias.
Measured (seed 0, 319 Adam steps): fraction of units that are zero on all
1797 images after training: encoder layer 1 = 0.59, code layer = 1.00; final
recon MSE 0.0734 (the decoder just outputs the mean image). With zero bias
init: dead fractions 0.06 / 0.31 (the L1 penalty prunes a few codes), recon
MSE 0.0126.
"""
# traindebug-expect: dead_units
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

CODE_DIM = 32
L1_WEIGHT = 1e-4
ENC_BIAS_INIT = -0.5


class SparseAE(nn.Module):
    def __init__(self, d_in=64, hidden=128, code=CODE_DIM):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, code), nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.Linear(code, hidden), nn.ReLU(),
            nn.Linear(hidden, d_in),
        )
        for m in self.encoder:
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, ENC_BIAS_INIT)

    def forward(self, x):
        z = self.encoder(x)
        return self.decoder(z), z


def dead_fraction(acts):
    return (acts.max(0).values <= 0).float().mean().item()


def main():
    X = torch.tensor(load_digits().data / 16.0, dtype=torch.float32)
    loader = DataLoader(TensorDataset(X), batch_size=64, shuffle=True)
    model = SparseAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    step = 0
    for epoch in range(11):
        for (xb,) in loader:
            recon, z = model(xb)
            loss = nn.functional.mse_loss(recon, xb) + L1_WEIGHT * z.abs().sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        if epoch % 2 == 0:
            print(f"epoch {epoch:2d}  step {step:4d}  loss {loss.item():.4f}")

    with torch.no_grad():
        h1 = model.encoder[1](model.encoder[0](X))
        recon, z = model(X)
        mse = nn.functional.mse_loss(recon, X).item()
    print(f"final recon mse {mse:.4f}  dead: enc1 {dead_fraction(h1):.2f}  code {dead_fraction(z):.2f}")


if __name__ == "__main__":
    main()
