"""Seeded bug: degree-15 polynomial features of a 1-D noisy signal, only 12
training points, and a wide two-hidden-layer ReLU network with Adam and no
regularisation or early stopping; the fit chases the noise: training MSE keeps
falling while the held-out MSE (computed under no_grad) climbs."""
# traindebug-expect: overfitting
import numpy as np
import torch


def features(x: np.ndarray, degree: int = 15) -> torch.Tensor:
    return torch.tensor(np.stack([x**k for k in range(1, degree + 1)], axis=1), dtype=torch.float32)


rng = np.random.default_rng(0)
x_train = rng.uniform(-1, 1, 12)  # BUG: far too few points for this model
x_val = rng.uniform(-1, 1, 400)
f = lambda x: np.sin(3 * x)
y_train = torch.tensor(f(x_train) + rng.normal(0, 0.3, 12), dtype=torch.float32)
y_val = torch.tensor(f(x_val) + rng.normal(0, 0.3, 400), dtype=torch.float32)
F_train, F_val = features(x_train), features(x_val)

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(15, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 1)
)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = torch.nn.MSELoss()
for step in range(400):
    opt.zero_grad()
    loss = loss_fn(model(F_train).squeeze(1), y_train)
    loss.backward()
    opt.step()
    if step % 5 == 0:
        with torch.no_grad():
            val = loss_fn(model(F_val).squeeze(1), y_val)
    if step % 100 == 0:
        print(step, loss.item(), val.item())
