"""Seeded bug: the model is built from a config dict whose output activation is
"softmax", and the training loss is CrossEntropyLoss(label_smoothing=0.1),
which applies log-softmax itself: the probabilities are normalised twice."""
# traindebug-expect: loss_output_mismatch
import torch
from sklearn.datasets import load_digits
from torch import nn

CONFIG = {
    "layers": [64, 96, 96, 10],
    "activation": "silu",
    "output_activation": "softmax",  # BUG: CrossEntropyLoss expects raw logits
    "dropout": 0.1,
    "optimizer": {"name": "Adam", "lr": 2e-3},
    "batch_size": 64,
    "epochs": 10,
}
ACTIVATIONS = {"relu": nn.ReLU, "silu": nn.SiLU, "tanh": nn.Tanh, "softmax": lambda: nn.Softmax(dim=-1)}


def build_model(cfg):
    sizes = cfg["layers"]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers += [ACTIVATIONS[cfg["activation"]](), nn.Dropout(cfg["dropout"])]
    if cfg.get("output_activation"):
        layers.append(ACTIVATIONS[cfg["output_activation"]]())
    return nn.Sequential(*layers)


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
ds = torch.utils.data.TensorDataset(torch.tensor(X / 16.0, dtype=torch.float32), torch.tensor(y))
loader = torch.utils.data.DataLoader(ds, batch_size=CONFIG["batch_size"], shuffle=True)
model = build_model(CONFIG)
opt_cfg = dict(CONFIG["optimizer"])
opt = getattr(torch.optim, opt_cfg.pop("name"))(model.parameters(), **opt_cfg)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
for epoch in range(CONFIG["epochs"]):
    for xb, yb in loader:
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
