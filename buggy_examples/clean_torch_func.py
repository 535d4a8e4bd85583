"""clean: a functional model (torch.func.functional_call on an nn.Module's
parameter dict) trained with torch.optim.Adam on the dict's tensors, with a
held-out evaluation under torch.no_grad()."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch.func import functional_call

torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)
perm = torch.randperm(len(X))
tr, va = perm[:140], perm[140:]

net = torch.nn.Sequential(torch.nn.Linear(13, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3))
params = {k: v.detach().clone().requires_grad_() for k, v in net.named_parameters()}
opt = torch.optim.Adam(params.values(), lr=1e-2)


def loss_fn(p, xb, yb):
    return torch.nn.functional.cross_entropy(functional_call(net, p, (xb,)), yb)


for step in range(200):
    idx = tr[torch.randint(0, len(tr), (32,))]
    loss = loss_fn(params, X[idx], y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 20 == 0:
        with torch.no_grad():
            val = loss_fn(params, X[va], y[va])
        print(step, loss.item(), val.item())
