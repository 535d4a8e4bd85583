"""clean: a character GRU language model with tied embeddings (small
uniform init), bf16 autocast on CPU for the forward pass, gradient clipping
at 0.5 (often active early on, as usual for LMs) and a loss that starts at
ln(V) ~ 3.3 and falls steadily."""
# traindebug-expect: clean
import random

import torch
from torch import nn

rnd = random.Random(1)
lexicon = ["train", "model", "data", "loss", "step", "batch", "layer", "weight", "grad", "epoch"]
text = " ".join(rnd.choice(lexicon) for _ in range(15000))
chars = sorted(set(text))
ids = torch.tensor([chars.index(c) for c in text])


class LM(nn.Module):
    def __init__(self, v, d=48):
        super().__init__()
        self.emb = nn.Embedding(v, d)
        self.rnn = nn.GRU(d, d, batch_first=True)
        self.out = nn.Linear(d, v)
        self.out.weight = self.emb.weight
        nn.init.uniform_(self.emb.weight, -0.1, 0.1)

    def forward(self, x):
        return self.out(self.rnn(self.emb(x))[0])


torch.manual_seed(0)
model = LM(len(chars))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(300):
    starts = torch.randint(0, len(ids) - 17, (32,))
    chunk = torch.stack([ids[s : s + 17] for s in starts])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(chunk[:, :-1])
    loss = nn.functional.cross_entropy(logits.float().reshape(-1, len(chars)), chunk[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    opt.step()
    if step % 50 == 0:
        print(step, round(loss.item(), 3))
