"""Seeded bug: a ReLU RNN whose recurrent matrix starts as 1.3 x identity and is
trained on 40-step sequences without gradient clipping; backpropagation through
time multiplies by the recurrent matrix at every step, so gradients explode."""
# traindebug-expect: exploding_gradients
import torch
from torch import nn

torch.manual_seed(0)
T, N = 40, 512
X = torch.randn(N, T, 4) * 0.5
y = X[:, :, 0].sum(1, keepdim=True) * 0.1  # running sum of the first channel


class Summer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(4, 32, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(32, 1)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(1.3 * torch.eye(32))  # BUG: spectral radius > 1

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


model = Summer()
opt = torch.optim.SGD(model.parameters(), lr=1e-3)
for step in range(200):
    idx = torch.randint(0, N, (32,))
    loss = nn.functional.mse_loss(model(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()  # no clip_grad_norm_
    if step % 50 == 0:
        print(step, loss.item())
