"""Seeded bug (exploding_gradients): IRNN identity init plus "a little noise" 0.1*randn(H,H)
without the 1/sqrt(H) factor gives recurrent spectral radius ~1.7, so ReLU-RNN activations/gradients
grow exponentially over 30 time steps. Measured: step-1 loss 3.5e7, after 120 steps 3.1e3 (val 2.5e3);
fixed (noise/sqrt(H)): step-1 loss 5.1, final val 0.138 (predict-the-mean baseline ~0.167).
"""
# traindebug-expect: exploding_gradients
import torch
import torch.nn as nn

torch.manual_seed(0)
SEQ, HID, BATCH, STEPS = 30, 48, 32, 120


def adding_batch(n):
    vals = torch.rand(n, SEQ)
    pos = torch.rand(n, SEQ).argsort(1)[:, :2]
    mark = torch.zeros(n, SEQ).scatter_(1, pos, 1.0)
    x = torch.stack([vals, mark], -1)
    y = (vals * mark).sum(1, keepdim=True)
    return x, y


class IRNN(nn.Module):
    """ReLU RNN with (near-)identity recurrent init, Le et al. 2015."""

    def __init__(self, hid):
        super().__init__()
        self.rnn = nn.RNN(2, hid, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(hid, 1)
        with torch.no_grad():
            # identity + a little noise so that units are not all identical
            self.rnn.weight_hh_l0.copy_(torch.eye(hid) + 0.1 * torch.randn(hid, hid))
            self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_ih_l0.zero_()

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


model = IRNN(HID)
opt = torch.optim.RMSprop(model.parameters(), lr=1e-4)
xv, yv = adding_batch(256)
for step in range(1, STEPS + 1):
    x, y = adding_batch(BATCH)
    loss = nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 30 == 0 or step == 1:
        with torch.no_grad():
            vl = nn.functional.mse_loss(model(xv), yv).item()
        print(f"step {step:4d} loss {loss.item():.4g} val {vl:.4g}")
# baseline: predicting the mean gives mse ~ 0.167
