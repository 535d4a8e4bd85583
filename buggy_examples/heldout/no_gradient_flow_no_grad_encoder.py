"""Seeded bug: the encoder of a sequence classifier runs under torch.no_grad()
inside forward (copied from a feature-extraction snippet), although it is
meant to be trained and is handed to the optimizer: it never gets a gradient."""
# traindebug-expect: no_gradient_flow
import torch
from torch import nn


class SeqClassifier(nn.Module):
    def __init__(self, vocab=50, d=32, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.encoder = nn.GRU(d, d, batch_first=True)
        self.head = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, classes))

    def forward(self, tokens):
        with torch.no_grad():  # BUG: cuts the graph below the head
            states, _ = self.encoder(self.embed(tokens))
        return self.head(states.mean(1))


g = torch.Generator().manual_seed(0)
y = torch.randint(0, 3, (1200,), generator=g)
tokens = torch.randint(0, 50, (1200, 16), generator=g)
tokens[:, :4] = (y[:, None] * 10 + torch.randint(0, 10, (1200, 4), generator=g))  # class-specific prefix
torch.manual_seed(0)
model = SeqClassifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(tokens, y), batch_size=32, shuffle=True)
for epoch in range(6):
    for tb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(tb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
