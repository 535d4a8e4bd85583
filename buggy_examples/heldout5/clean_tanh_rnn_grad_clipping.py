"""clean: vanilla tanh RNN trained with SGD + momentum and gradient-norm
clipping at a sane threshold (max_norm=1.0). Raw gradient norms regularly
exceed the threshold (up to ~4x) (they are clipped, which is the point
of clipping), and tanh units are partly saturated by design in a recurrent
memory task. A naive detector may flag the pre-clip gradient spikes as
"exploding gradients" or the tanh as saturated; training is healthy.
Measured (seed 0): batch MSE 0.865 at step 0 -> 0.013 at step 299; val MSE
0.060 vs 1.205 for predicting zero; max pre-clip grad norm 4.41, clipped on
93 of 300 steps.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn

SEQ_LEN = 20
HIDDEN = 64
STEPS = 300
CLIP = 1.0


def sample(batch, g):
    """Echo task: recall a weighted sum of two inputs seen 4 and 8 steps ago."""
    x = torch.randn(batch, SEQ_LEN, 1, generator=g)
    y = x[:, -4] + 0.5 * x[:, -8]
    return x, y


class Echo(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, HIDDEN, batch_first=True, nonlinearity="tanh")
        self.out = nn.Linear(HIDDEN, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = Echo()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    clipped = 0
    gmax = 0.0
    for step in range(STEPS):
        x, y = sample(64, g)
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        gn = nn.utils.clip_grad_norm_(model.parameters(), max_norm=CLIP).item()
        clipped += gn > CLIP
        gmax = max(gmax, gn)
        opt.step()
        if step % 30 == 0 or step == STEPS - 1:
            print(f"step {step:4d}  mse {loss.item():.4f}  grad norm (pre-clip) {gn:.3f}")
    xv, yv = sample(2000, g)
    with torch.no_grad():
        mse = nn.functional.mse_loss(model(xv), yv).item()
    print(f"val mse {mse:.4f} (predict-zero baseline {yv.pow(2).mean().item():.3f}); "
          f"clipped {clipped}/{STEPS} steps, max pre-clip norm {gmax:.2f}")


if __name__ == "__main__":
    main()
