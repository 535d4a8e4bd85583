"""Deep (5 hidden layers) tanh network fitted to a 1-D function with L-BFGS
(strong Wolfe line search, 15 outer steps x 20 iterations).

Seeded bug: each layer computes tanh(omega * Wx + b) with omega=30 (the SIREN w0
copied over to tanh units) on top of Xavier init, so at init 88-94% of the hidden
pre-activations have |z| > 3 and the tanh units sit in their flat regions.

Measured: buggy train MSE 0.194 / val MSE 0.217 (target barely fitted);
fixed (omega=1.0) train MSE 0.010 / val MSE 0.007.
"""
# traindebug-expect: saturated_units
import math
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(3)

# 1-D function fitting (smooth target with a couple of bumps)
x = torch.linspace(-1, 1, 400).unsqueeze(1)
y = torch.sin(3 * math.pi * x) * torch.exp(-x ** 2) + 0.3 * x
x_val = torch.rand(200, 1) * 2 - 1
y_val = torch.sin(3 * math.pi * x_val) * torch.exp(-x_val ** 2) + 0.3 * x_val


class ScaledTanhLayer(nn.Module):
    """Linear layer followed by tanh(omega * z); omega sets the frequency content."""

    def __init__(self, d_in, d_out, omega=30.0):
        super().__init__()
        self.omega = omega
        self.linear = nn.Linear(d_in, d_out)
        nn.init.xavier_uniform_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, z):
        return torch.tanh(self.omega * self.linear(z))


class DeepTanhNet(nn.Module):
    def __init__(self, depth=5, width=32, omega=30.0):
        super().__init__()
        layers = [ScaledTanhLayer(1, width, omega)]
        layers += [ScaledTanhLayer(width, width, omega) for _ in range(depth - 1)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, 1)

    def forward(self, z):
        return self.head(self.body(z))


model = DeepTanhNet()
opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                        line_search_fn="strong_wolfe")
mse = nn.MSELoss()


def closure():
    opt.zero_grad()
    loss = mse(model(x), y)
    loss.backward()
    return loss


for it in range(15):
    loss = opt.step(closure)
    if it % 3 == 2 or it == 14:
        with torch.no_grad():
            v = mse(model(x_val), y_val).item()
        print(f"outer {it + 1:2d} train_mse {loss.item():.5f} val_mse {v:.5f}")
