"""clean: variable-length sequences from a Dataset subclass, padded in a
collate_fn and packed for a GRU; Adam with clip_grad_norm_(1.0). Task: does
the sequence sum exceed its length?"""
# traindebug-expect: clean
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from torch.utils.data import DataLoader, Dataset


class VarLenDataset(Dataset):
    def __init__(self, n=2400, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for _ in range(n):
            length = int(torch.randint(5, 30, (1,), generator=g))
            x = torch.randn(length, generator=g) + 1.0
            self.items.append((x.unsqueeze(-1), int(x.sum() > length)))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True), lengths, torch.tensor(labels)


class Reader(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 2)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(h[-1])


torch.manual_seed(0)
loader = DataLoader(VarLenDataset(), batch_size=32, shuffle=True, collate_fn=collate)
model = Reader()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(4):
    for x, lengths, y in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x, lengths), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
    print(epoch, loss.item())
