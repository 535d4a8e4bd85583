"""Seeded bug: the MLP is built from a config dict that sets every hidden bias
to -3.0 ("sparse activations"); with standardised inputs most ReLUs never
fire from the first step on."""
# traindebug-expect: dead_units
import torch
from sklearn.datasets import load_digits
from torch import nn

cfg = {"hidden": [128, 128, 128], "bias_init": -3.0, "lr": 1e-3, "epochs": 8, "batch": 64}


def make_mlp(d_in, d_out, hidden, bias_init):
    layers, prev = [], d_in
    for h in hidden:
        lin = nn.Linear(prev, h)
        nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.constant_(lin.bias, bias_init)  # BUG: far below the pre-activation spread
        layers += [lin, nn.ReLU()]
        prev = h
    layers.append(nn.Linear(prev, d_out))
    return nn.Sequential(*layers)


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = (X - X.mean(0)) / (X.std(0) + 1e-8)
ds = torch.utils.data.TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
loader = torch.utils.data.DataLoader(ds, batch_size=cfg["batch"], shuffle=True)
model = make_mlp(64, 10, cfg["hidden"], cfg["bias_init"])
opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
for epoch in range(cfg["epochs"]):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
