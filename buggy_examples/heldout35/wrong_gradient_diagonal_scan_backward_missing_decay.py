"""
Functional diagonal linear recurrence (LRU / S5-like, real decays) fitted to a multi-timescale
smoothing target: x is white noise (length 80), y = 3*EMA_0.9(x) + EMA_0.5(x). Parameters are plain
tensors in a dict (input weights, decay logits through a sigmoid, output weights, skip), the scan
h_t = a*h_{t-1} + u_t is a custom torch.autograd.Function with a hand-written reverse-scan backward
(to avoid storing a graph over 80 steps). Adam lr 3e-2 with StepLR(100, 0.5), 250 steps, batch 64.

Seeded bug: in DiagonalScan.backward the reverse accumulation is written
`acc = grad_h[:, t] + acc` instead of `acc = grad_h[:, t] + a * acc`: the adjoint is not multiplied
by the decay when it is carried back one step, so the gradients for u (and through it the input
weights) and for the decays a are wrong (they do not decay with distance). The forward pass is
correct, so nothing crashes; finite differences would disagree with the analytic gradient.

Measured (seed 0, 1 thread): buggy val MSE 0.0075 at step 100 rising again to a final 0.0109 vs fixed
copy final val MSE 0.0025 (target variance 1.29); the buggy decays drift to [0.33, 0.86, 0.90, 0.87].
"""
# traindebug-expect: wrong_gradient
import torch

torch.set_num_threads(1)
torch.manual_seed(0)

T, H = 80, 4


class DiagonalScan(torch.autograd.Function):
    """h_t = a * h_{t-1} + u_t for a diagonal (per-channel) decay a; memory-light manual backward."""

    @staticmethod
    def forward(ctx, a, u):
        B, L, C = u.shape
        h = torch.empty_like(u)
        state = torch.zeros(B, C, dtype=u.dtype)
        for t in range(L):
            state = a * state + u[:, t]
            h[:, t] = state
        ctx.save_for_backward(a, h)
        return h

    @staticmethod
    def backward(ctx, grad_h):
        a, h = ctx.saved_tensors
        B, L, C = h.shape
        grad_u = torch.empty_like(grad_h)
        grad_a = torch.zeros_like(a)
        acc = torch.zeros(B, C, dtype=h.dtype)
        for t in range(L - 1, -1, -1):
            acc = grad_h[:, t] + acc
            grad_u[:, t] = acc
            if t > 0:
                grad_a += (acc * h[:, t - 1]).sum(0)
        return grad_a, grad_u


def ema(x, decay):
    out, s = torch.empty_like(x), torch.zeros(x.shape[0])
    for t in range(x.shape[1]):
        s = decay * s + (1 - decay) * x[:, t]
        out[:, t] = s
    return out


def make_data(n, gen):
    x = torch.randn(n, T, generator=gen)
    y = 3.0 * ema(x, 0.9) + ema(x, 0.5)
    return x, y


def init_params():
    return {
        "w_in": torch.randn(H) * 0.5,
        "logit_a": torch.randn(H) * 0.5,
        "w_out": torch.randn(H) * 0.25,
        "skip": torch.zeros(1),
    }


def forward(params, x):
    a = torch.sigmoid(params["logit_a"])
    u = x.unsqueeze(-1) * params["w_in"]
    h = DiagonalScan.apply(a, u)
    return h @ params["w_out"] + params["skip"] * x


def main():
    gen = torch.Generator().manual_seed(0)
    x_train, y_train = make_data(2048, gen)
    x_val, y_val = make_data(512, gen)
    params = {k: v.requires_grad_() for k, v in init_params().items()}
    opt = torch.optim.Adam(params.values(), lr=3e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.5)

    for step in range(1, 251):
        idx = torch.randint(0, len(x_train), (64,), generator=gen)
        loss = torch.mean((forward(params, x_train[idx]) - y_train[idx]) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0:
            with torch.no_grad():
                val = torch.mean((forward(params, x_val) - y_val) ** 2).item()
            print(f"step {step:3d} train_mse {loss.item():.4f} val_mse {val:.4f}")
    print(f"final val MSE {val:.4f} (target variance {y_val.var().item():.3f})")
    print("learned decays:", [round(v, 3) for v in torch.sigmoid(params["logit_a"]).tolist()])


if __name__ == "__main__":
    main()
