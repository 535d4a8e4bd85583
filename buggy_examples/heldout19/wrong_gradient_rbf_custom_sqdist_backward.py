"""Seeded bug: the hand-written backward of the fused pairwise squared-distance op gets the
sign of the centre gradient wrong: d||x-c||^2/dc = -2(x-c), but the code returns
2 * (G^T X - diag(G 1) C), i.e. +2(x-c) aggregated, so every Adagrad step pushes the RBF
centres *away* from where the loss wants them; the input gradient is correct.
Measured (seed 0, 300 steps): buggy final train MSE 0.230 (= target variance 0.231, i.e.
nothing learned), val MSE 0.214; fixed (sign flipped, passes gradcheck) final train MSE
0.072, val MSE 0.058.
"""
# traindebug-expect: wrong_gradient
import math
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


class PairwiseSqDist(torch.autograd.Function):
    """D[i, j] = ||x_i - c_j||^2 without materialising the (N, K, d) difference tensor."""

    @staticmethod
    def forward(ctx, x, c):
        ctx.save_for_backward(x, c)
        d = (x * x).sum(1, keepdim=True) - 2.0 * x @ c.t() + (c * c).sum(1)[None, :]
        return d.clamp_min(0.0)

    @staticmethod
    def backward(ctx, g):
        x, c = ctx.saved_tensors
        grad_x = 2.0 * (g.sum(1, keepdim=True) * x - g @ c)
        grad_c = 2.0 * (g.t() @ x - g.sum(0)[:, None] * c)
        return grad_x, grad_c


sqdist = PairwiseSqDist.apply


def target_fn(x):
    return torch.sin(2.0 * x[:, 0]) * torch.cos(1.5 * x[:, 1]) + 0.5 * torch.exp(-((x ** 2).sum(1)))


def init_params(n_centers, d_in, d_out):
    return {
        "centers": (torch.rand(n_centers, d_in) * 0.5 - 0.25).requires_grad_(),
        "log_gamma": torch.full((n_centers,), math.log(2.0)).requires_grad_(),
        "w": (torch.randn(n_centers, d_out) * 0.1).requires_grad_(),
        "b": torch.zeros(d_out).requires_grad_(),
    }


def rbf_net(p, x):
    phi = torch.exp(-sqdist(x, p["centers"]) * p["log_gamma"].exp())
    return phi @ p["w"] + p["b"]


xtr = torch.rand(1200, 2) * 4 - 2
ytr = (target_fn(xtr) + 0.05 * torch.randn(1200))[:, None]
xva = torch.rand(400, 2) * 4 - 2
yva = target_fn(xva)[:, None]

params = init_params(40, 2, 1)
opt = torch.optim.Adagrad(params.values(), lr=0.1)

for step in range(1, 301):
    idx = torch.randint(0, len(xtr), (64,))
    loss = F.mse_loss(rbf_net(params, xtr[idx]), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 100 == 0:
        print(f"step {step}  batch mse {loss.item():.4f}")

with torch.no_grad():
    tr = F.mse_loss(rbf_net(params, xtr), ytr).item()
    va = F.mse_loss(rbf_net(params, xva), yva).item()
print(f"final train mse {tr:.4f}  val mse {va:.4f}  (target var {ytr.var().item():.3f})")
