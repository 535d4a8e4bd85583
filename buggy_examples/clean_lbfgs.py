"""clean: full-batch L-BFGS with a closure on a regression problem
(make_regression), strong-Wolfe line search."""
# traindebug-expect: clean
import torch
from sklearn.datasets import make_regression

torch.manual_seed(0)
X, y = make_regression(n_samples=500, n_features=20, n_informative=10, noise=10.0, random_state=0)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y / y.std(), dtype=torch.float32)
model = torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=5, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(X).squeeze(1), y)
    loss.backward()
    return loss


for it in range(40):
    loss = opt.step(closure)
    if it % 10 == 0:
        print(it, loss.item())
