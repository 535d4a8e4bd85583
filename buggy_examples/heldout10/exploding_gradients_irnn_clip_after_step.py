"""ReLU RNN with identity recurrent init (IRNN) on a long-range weighted-sum regression task, SGD+momentum.

Seeded bug (exploding_gradients): gradient-norm clipping, which IRNNs need, is called after
optimizer.step() instead of between backward() and step(). It only clips gradients that have
already been applied (and are then zeroed), so the update is unclipped and the gradient explodes
through the 60 time steps of the identity-initialised recurrence.

Measured (4 epochs, 128 steps): total grad norm 17 -> 47 -> 9.2e3 over the first three steps
(batch loss 0.33 -> 113); the huge update kills the ReLU state and the model ends at
val MSE 0.336 = target variance 0.334 (predicts a constant).
Fixed copy (clip before step): grad norm stays ~3-20, final val MSE 0.019 (best 0.005).
"""
# traindebug-expect: exploding_gradients
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)
torch.set_num_threads(2)

SEQ_LEN = 60
HIDDEN = 64
BATCH = 64
EPOCHS = 4
LR = 3e-3
CLIP = 1.0


def make_weighted_sum_task(n, seq_len):
    """Regression: a ramp-weighted sum over a noisy sequence (long-range memory)."""
    x = torch.randn(n, seq_len, 1)
    w = torch.linspace(0.0, 1.0, seq_len)
    y = (x[:, :, 0] * w).sum(1, keepdim=True) / math.sqrt(seq_len)
    return x, y


class IRNNRegressor(nn.Module):
    """ReLU RNN with identity recurrent init (Le, Jaitly & Hinton 2015)."""

    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(hidden, 1)
        self.reset_parameters()

    def reset_parameters(self):
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(self.rnn.hidden_size))
            self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_ih_l0.zero_()
            nn.init.normal_(self.rnn.weight_ih_l0, 0.0, 0.01)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def main():
    x_tr, y_tr = make_weighted_sum_task(2048, SEQ_LEN)
    x_va, y_va = make_weighted_sum_task(512, SEQ_LEN)
    model = IRNNRegressor(HIDDEN)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)

    step = 0
    for epoch in range(EPOCHS):
        perm = torch.randperm(x_tr.shape[0])
        running = 0.0
        for i in range(0, x_tr.shape[0], BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = F.mse_loss(model(x_tr[idx]), y_tr[idx])
            loss.backward()
            opt.step()
            gnorm = nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            running += loss.item()
            step += 1
            if step <= 5 or step % 32 == 0:
                print(f"step {step:4d}  loss {loss.item():.4f}  grad_norm {gnorm.item():.3f}")
        model.eval()
        with torch.no_grad():
            va = F.mse_loss(model(x_va), y_va).item()
        model.train()
        print(f"epoch {epoch}  train_mse {running / (x_tr.shape[0] // BATCH):.4f}  "
              f"val_mse {va:.4f}  (target var {y_va.var().item():.4f})")


if __name__ == "__main__":
    main()
