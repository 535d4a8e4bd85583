"""Seeded bug: an LSTM classifies generated sequences, but the label list is
built one step behind the sequence list (labels[i] belongs to sequence i-1),
so after the batches are shuffled the labels have nothing to do with the inputs."""
# traindebug-expect: label_problem
import torch
from torch import nn

torch.manual_seed(0)
N, T = 1200, 12
freqs = torch.randint(0, 4, (N,))
t = torch.arange(T).float()
seqs = torch.sin(t * (0.3 + 0.4 * freqs[:, None]) + torch.rand(N, 1) * 6) + 0.1 * torch.randn(N, T)
labels = torch.roll(freqs, shifts=1)  # BUG: off by one sample
data = list(zip(seqs.unsqueeze(-1), labels))


class SeqNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 24, batch_first=True)
        self.fc = nn.Linear(24, 4)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


model = SeqNet()
opt = torch.optim.RMSprop(model.parameters(), lr=3e-3)
loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True)
for epoch in range(4):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
